"""Per-quarter aggregates DuckDB computes for each fact table, the frames its GX suite validates.

Large fact tables are never loaded into pandas: each query returns one row per quarter checked, with row
counts and counts of rows that break a rule, so a suite's expectations run on a handful of rows.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pandas as pd

from orchestration.periods import Period


@dataclass(frozen=True)
class FactCheck:
    """A fact table, its suite under ``expectations/`` and the aggregate query (``?`` = list of quarters)."""

    model: str
    suite: str
    sql: str
    close_quarter_only: bool = False


FACT_CHECKS = (
    FactCheck(
        "fct_premium_transactions",
        "fct_premium_transactions",
        """
        select
            booked_quarter as quarter_label,
            count(*) as row_count,
            count(*) - count(line_of_business) as rows_without_line,
            count(*) - count(distinct premium_transaction_id) as duplicate_keys,
            sum(case when transaction_type in ('written', 'endorsement') and amount < 0 then 1 else 0 end)
                as negative_written_rows,
            sum(case when transaction_type in ('cancellation', 'refund') and amount > 0 then 1 else 0 end)
                as positive_refund_rows,
            sum(case when booked_quarter <> concat(cast(year(booked_date) as varchar), 'Q',
                cast(quarter(booked_date) as varchar)) then 1 else 0 end) as rows_outside_quarter
        from marts.fct_premium_transactions
        where booked_quarter in (select unnest(?))
        group by booked_quarter
        """,
    ),
    FactCheck(
        "fct_claim_payments",
        "fct_claim_payments",
        """
        select
            p.paid_quarter as quarter_label,
            count(*) as row_count,
            count(*) - count(p.line_of_business) as rows_without_line,
            count(*) - count(distinct p.claim_payment_id) as duplicate_keys,
            sum(case when p.amount <= 0 then 1 else 0 end) as non_positive_payments,
            sum(case when p.paid_at < c.reported_at then 1 else 0 end) as payments_before_report
        from marts.fct_claim_payments as p
        left join marts.fct_claims as c on p.claim_id = c.claim_id
        where p.paid_quarter in (select unnest(?))
        group by p.paid_quarter
        """,
    ),
    FactCheck(
        "fct_related_party_transactions",
        "fct_related_party_transactions",
        """
        select
            executed_quarter as quarter_label,
            count(*) as row_count,
            count(*) - count(related_party_name) as rows_without_party,
            sum(case when is_party_valid_at_execution then 0 else 1 end) as rows_party_not_valid,
            sum(case when amount < 0 then 1 else 0 end) as negative_amounts
        from marts.fct_related_party_transactions
        where executed_quarter in (select unnest(?))
        group by executed_quarter
        """,
    ),
    FactCheck(
        "fct_reserves",
        "fct_reserves",
        """
        select
            quarter_label,
            count(*) as row_count,
            sum(case when unearned_premium_reserve < 0 then 1 else 0 end) as negative_upr_rows,
            sum(case when case_reserve < 0 then 1 else 0 end) as negative_case_rows,
            sum(abs(outstanding_claims_reserve - case_reserve - ibnr - claim_handling_expense_reserve))
                as ocr_identity_gap
        from marts.fct_reserves
        where quarter_label in (select unnest(?))
        group by quarter_label
        """,
        close_quarter_only=True,
    ),
)


def aggregates(con: duckdb.DuckDBPyConnection, check: FactCheck, quarters: list[Period]) -> pd.DataFrame:
    """The check's aggregate rows for ``quarters``, DECIMAL kept as Python Decimal."""
    cursor = con.execute(check.sql, [[q.label for q in quarters]])
    columns = [d[0] for d in cursor.description]
    return pd.DataFrame(cursor.fetchall(), columns=columns, dtype=object)
