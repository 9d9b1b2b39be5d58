"""The human-readable half of a disclosure package: figures from DuckDB into ``orchestration.report``."""

from __future__ import annotations

import os
from decimal import Decimal

import duckdb

from orchestration.periods import Period
from orchestration.report import Figure, ReportInput

DEFAULT_ENTITY = "众惠财产相互保险社"
HALF_NAMES = {1: "上半年", 2: "下半年"}

FIGURES_SQL = """
select m.metric_code, d.name_zh, d.unit, d.section, coalesce(cast(m.metric_value as varchar), m.metric_text),
    p.display_decimals
from regulatory.rpt_metrics as m
inner join reference.metric_publication as p on m.metric_code = p.metric_code
inner join (select *, row_number() over () as position from reference.metric_dictionary) as d
    on m.metric_code = d.code
where m.period_label = ? and p.published_in = ?
order by d.position
"""

PREMIUM_BY_LINE_SQL = """
select line_of_business, sum(written_premium) * cast(0.0001 as decimal(5, 4))
from marts.fct_premiums
where quarter_label in (select unnest(?))
group by line_of_business
order by line_of_business
"""


def entity_name() -> str:
    """The insurer's name as printed on its reports (``REGWH_ENTITY_NAME``)."""
    return os.environ.get("REGWH_ENTITY_NAME", DEFAULT_ENTITY)


def previous_comparable(period: Period) -> Period:
    """The period shown beside this one: the previous quarter or the previous half year."""
    if period.is_quarter:
        return period.previous_quarter()
    if period.number == 2:
        return Period(period.year, "H", 1)
    return Period(period.year - 1, "H", 2)


def _value(value: str, unit: str) -> Decimal | str:
    """A figure as published: a grade as text, anything else an exact decimal."""
    return value if unit == "grade" else Decimal(value)


def report_input(con: duckdb.DuckDBPyConnection, period: Period, output: str) -> ReportInput:
    """Figures of ``period`` (and the previous comparable period) published in ``output``, with chart series."""
    rows = con.execute(FIGURES_SQL, [period.label, output]).fetchall()
    figures = [
        Figure(code, name, unit, section, _value(value, unit), decimals)
        for code, name, unit, section, value, decimals in rows
        if value is not None
    ]
    previous = {
        code: _value(value, unit)
        for code, _, unit, _, value, _ in con.execute(
            FIGURES_SQL, [previous_comparable(period).label, output]
        ).fetchall()
        if value is not None
    }
    by_line = con.execute(PREMIUM_BY_LINE_SQL, [[q.label for q in period.quarters]]).fetchall()
    claims = con.execute(
        "select period_label, metric_value from regulatory.rpt_metrics "
        "where metric_code = 'claims_paid' and period_label in (select unnest(?)) order by period_label",
        [[q.label for q in period.quarters]],
    ).fetchall()
    when = period.label if period.is_quarter else f"{period.year}{HALF_NAMES[period.number]}"
    return ReportInput(
        title_zh=f"{entity_name()} {when}经营情况报告",
        period=period.label,
        figures=figures,
        previous=previous,
        series={
            "premium_by_line": [(line, Decimal(v)) for line, v in by_line],
            "claims_paid_by_quarter": [(label, Decimal(v)) for label, v in claims],
        },
    )
