"""A fact check: a table, its suite and the aggregate queries DuckDB answers for it."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pandas as pd

from orchestration.periods import Period


@dataclass(frozen=True)
class FactCheck:
    """A table, its suite under ``expectations/`` and the aggregate query (``?`` = list of quarters).

    The frame has a ``quarter_label`` column (each quarter checked needs a row); ``row_label`` names the
    column that identifies a row in failure messages. ``parts``: further aggregate queries over the same quarters,
    each one row for every quarter the first has, run one after another and joined to the first's rows on
    ``quarter_label`` (a part without one of those rows is an error, never a null a rule would skip).
    A check whose joins each build a large hash table is split so that DuckDB holds one at a time: together, in
    one query, those of ``fct_policies`` exceeded a 9 GB memory limit at scale 10 (docs/performance.md).
    """

    model: str
    suite: str
    sql: str
    close_quarter_only: bool = False
    schema: str = "marts"
    row_label: str = "quarter_label"
    parts: tuple[str, ...] = ()


def with_quarters(body: str) -> str:
    """``body`` (further CTEs and the final select) after a ``quarters`` CTE: every quarter with its dates, the
    quarter before it and ``checked`` for the quarters the check covers (the query's one parameter)."""
    return f"""
    with

    quarters as (
        select
            period_label as quarter_label,
            start_date,
            end_date,
            lag(period_label) over (order by start_date) as previous_label,
            lag(end_date) over (order by start_date) as previous_end,
            period_label in (select unnest(?)) as checked
        from reference.reporting_periods
        where period_kind = 'quarter'
    ),
    {body}
    """


def aggregates(con: duckdb.DuckDBPyConnection, check: FactCheck, quarters: list[Period]) -> pd.DataFrame:
    """The check's aggregate rows for ``quarters``, DECIMAL kept as Python Decimal."""
    labels = [q.label for q in quarters]
    frame = _rows(con, check.sql, labels)
    for number, sql in enumerate(check.parts, start=1):
        part = _rows(con, sql, labels)
        missing = sorted(set(frame["quarter_label"]) - set(part["quarter_label"]))
        if missing:
            raise ValueError(f"{check.suite}: part {number} of the check has no row for {', '.join(missing)}")
        frame = frame.merge(part, on="quarter_label", how="left", validate="one_to_one")
    return frame


def _rows(con: duckdb.DuckDBPyConnection, sql: str, labels: list[str]) -> pd.DataFrame:
    """One aggregate query's rows, its parameter the checked quarters' labels."""
    cursor = con.execute(sql, [labels])
    columns = [d[0] for d in cursor.description]
    return pd.DataFrame(cursor.fetchall(), columns=columns, dtype=object)
