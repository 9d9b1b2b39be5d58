"""Per-quarter aggregates DuckDB computes for each fact table and regulatory table, the frames its GX suite
validates.

Large tables are never loaded into pandas: each query returns one row per quarter checked, with row counts,
counts of rows that break a rule, the codes seen (comma-separated, sorted) and reconciliation gaps against
other tables, so a suite's expectations run on a handful of rows.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pandas as pd

from orchestration.periods import Period


@dataclass(frozen=True)
class FactCheck:
    """A table, its suite under ``expectations/`` and the aggregate query (``?`` = list of quarters)."""

    model: str
    suite: str
    sql: str
    close_quarter_only: bool = False
    schema: str = "marts"


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
    FactCheck(
        "fct_claims",
        "fct_claims",
        """
        with

        claims as (
            select
                *,
                concat(cast(year(reported_date) as varchar), 'Q', cast(quarter(reported_date) as varchar))
                    as quarter_label
            from marts.fct_claims
        ),

        orphan_payments as (
            select
                p.paid_quarter as quarter_label,
                count(*) as payments_without_claim
            from marts.fct_claim_payments as p
            anti join marts.fct_claims as c on p.claim_id = c.claim_id
            group by p.paid_quarter
        )

        select
            claims.quarter_label,
            count(*) as row_count,
            count(*) - count(distinct claims.claim_id) as duplicate_keys,
            count(*) - count(claims.line_of_business) as rows_without_policy,
            coalesce(string_agg(distinct claims.line_of_business, ',' order by claims.line_of_business), '')
                as line_codes,
            coalesce(string_agg(distinct claims.report_channel, ',' order by claims.report_channel), '')
                as channel_codes,
            sum(case when claims.accident_date > claims.reported_date then 1 else 0 end) as reported_before_accident,
            sum(case when claims.closed_at < claims.reported_at then 1 else 0 end) as closed_before_report,
            sum(case when claims.first_paid_at > claims.final_paid_at then 1 else 0 end) as first_after_final_payment,
            coalesce(max(orphan_payments.payments_without_claim), 0) as payments_without_claim
        from claims
        left join orphan_payments on claims.quarter_label = orphan_payments.quarter_label
        where claims.quarter_label in (select unnest(?))
        group by claims.quarter_label
        """,
    ),
    FactCheck(
        "fct_premiums",
        "fct_premiums",
        """
        with

        quarters as (
            select
                period_label as quarter_label,
                lag(period_label) over (order by start_date) as previous_label
            from reference.reporting_periods
            where period_kind = 'quarter'
        ),

        closing as (
            select
                quarter_label,
                sum(closing_upr) as closing_upr
            from marts.fct_premiums
            group by quarter_label
        ),

        booked as (
            select
                booked_quarter as quarter_label,
                sum(amount) as amount
            from marts.fct_premium_transactions
            group by booked_quarter
        ),

        premiums as (
            select
                quarter_label,
                count(*) as row_count,
                count(*) - count(distinct policy_id) as duplicate_keys,
                count(*) - count(line_of_business) as rows_without_line,
                coalesce(string_agg(distinct line_of_business, ',' order by line_of_business), '') as line_codes,
                coalesce(string_agg(distinct channel, ',' order by channel), '') as channel_codes,
                sum(case when opening_upr < 0 or closing_upr < 0 then 1 else 0 end) as negative_upr_rows,
                sum(abs(earned_premium - (written_premium + opening_upr - closing_upr))) as earned_identity_gap,
                sum(written_premium) as written_premium,
                sum(opening_upr) as opening_upr
            from marts.fct_premiums
            where quarter_label in (select unnest(?))
            group by quarter_label
        )

        select
            premiums.quarter_label,
            premiums.row_count,
            premiums.duplicate_keys,
            premiums.rows_without_line,
            premiums.line_codes,
            premiums.channel_codes,
            premiums.negative_upr_rows,
            premiums.earned_identity_gap,
            premiums.written_premium - coalesce(booked.amount, 0) as written_vs_transactions_gap,
            premiums.opening_upr - coalesce(closing.closing_upr, 0) as opening_vs_previous_closing_gap
        from premiums
        inner join quarters on premiums.quarter_label = quarters.quarter_label
        left join closing on quarters.previous_label = closing.quarter_label
        left join booked on premiums.quarter_label = booked.quarter_label
        """,
    ),
    FactCheck(
        "fct_investments",
        "fct_investments",
        """
        with

        positions as (
            select
                *,
                concat(cast(year(as_of_date) as varchar), 'Q', cast(quarter(as_of_date) as varchar)) as quarter_label
            from marts.fct_investments
        ),

        holdings as (
            select
                as_of_date,
                count(*) as positions,
                sum(amount_cny) as amount_cny
            from staging.stg_investments__holdings
            group by as_of_date
        ),

        month_ends as (
            select
                positions.quarter_label,
                positions.as_of_date,
                sum(positions.positions) - max(holdings.positions) as positions_gap,
                sum(positions.amount_cny) - max(holdings.amount_cny) as amount_gap
            from positions
            inner join holdings on positions.as_of_date = holdings.as_of_date
            group by positions.quarter_label, positions.as_of_date
        )

        select
            positions.quarter_label,
            count(*) as row_count,
            count(distinct positions.as_of_date) as month_ends,
            count(*) - count(distinct (positions.as_of_date, positions.asset_class, positions.currency,
                positions.is_financing)) as duplicate_keys,
            coalesce(string_agg(distinct positions.asset_class, ',' order by positions.asset_class), '')
                as asset_class_codes,
            coalesce(string_agg(distinct positions.currency, ',' order by positions.currency), '') as currency_codes,
            sum(case when positions.amount_cny < 0 then 1 else 0 end) as negative_amount_rows,
            sum(case when positions.currency = 'CNY' and positions.amount_cny <> positions.amount_original then 1
                else 0 end) as cny_amount_mismatch_rows,
            (select sum(abs(m.positions_gap)) from month_ends as m where m.quarter_label = positions.quarter_label)
                as positions_vs_holdings_gap,
            (select sum(abs(m.amount_gap)) from month_ends as m where m.quarter_label = positions.quarter_label)
                as amount_vs_holdings_gap
        from positions
        where positions.quarter_label in (select unnest(?))
        group by positions.quarter_label
        """,
    ),
    FactCheck(
        "fct_balance_sheet",
        "fct_balance_sheet",
        """
        with

        sheet as (
            select
                *,
                concat(cast(year(month_end) as varchar), 'Q', cast(quarter(month_end) as varchar)) as quarter_label
            from marts.fct_balance_sheet
        ),

        unclosed as (
            select
                month_end,
                -sum(case when account_type in ('income', 'expense') then debit_balance else 0 end) as profit
            from marts.fct_ledger_balances
            group by month_end
        )

        select
            sheet.quarter_label,
            count(*) as row_count,
            count(*) - count(distinct sheet.month_end) as duplicate_keys,
            sum(case when sheet.total_assets <= 0 then 1 else 0 end) as non_positive_asset_months,
            sum(case when sheet.total_liabilities < 0 then 1 else 0 end) as negative_liability_months,
            sum(abs(sheet.trial_balance_difference)) as trial_balance_difference,
            sum(abs(sheet.total_assets - sheet.total_liabilities - sheet.total_equity - coalesce(unclosed.profit, 0)))
                as net_assets_identity_gap
        from sheet
        left join unclosed on sheet.month_end = unclosed.month_end
        where sheet.quarter_label in (select unnest(?))
        group by sheet.quarter_label
        """,
    ),
    FactCheck(
        "fct_capital_tiers",
        "fct_capital_tiers",
        """
        with

        quarters as (
            select unnest(?) as quarter_label
        ),

        admitted as (
            select
                quarter_label,
                sum(case when account_type = 'asset' then admitted_balance else 0 end) as admitted_assets,
                sum(case when account_type = 'liability' then admitted_balance else 0 end) as admitted_liabilities
            from marts.fct_admitted_balance_sheet
            where quarter_label in (select quarter_label from quarters)
            group by quarter_label
        )

        select
            t.quarter_label,
            count(*) as row_count,
            sum(abs(t.capital_before_limits - (t.admitted_assets - t.admitted_liabilities))) as capital_identity_gap,
            sum(abs(t.actual_capital - (t.core_capital + t.supplementary_capital))) as actual_capital_tier_gap,
            sum(abs(t.core_capital - (t.core_tier1_capital + t.core_tier2_capital))) as core_tier_gap,
            sum(abs(t.supplementary_capital - (t.supplementary_tier1_capital + t.supplementary_tier2_capital)))
                as supplementary_tier_gap,
            sum(greatest(t.supplementary_capital - greatest(t.core_capital, 0) * t.supplementary_to_core_max, 0))
                as supplementary_above_limit,
            sum(greatest(
                t.supplementary_tier2_capital - greatest(t.core_capital, 0) * t.supplementary_tier2_to_core_max, 0
            )) as supplementary_tier2_above_limit,
            sum(case when t.capital_excluded_by_limits < 0 or t.supplementary_capital < 0 then 1 else 0 end)
                as negative_tier_rows,
            sum(abs(t.admitted_assets - a.admitted_assets) + abs(t.admitted_liabilities - a.admitted_liabilities))
                as admitted_balance_sheet_gap
        from marts.fct_capital_tiers as t
        left join admitted as a on t.quarter_label = a.quarter_label
        where t.quarter_label in (select quarter_label from quarters)
        group by t.quarter_label
        """,
    ),
    FactCheck(
        "fct_minimum_capital",
        "fct_minimum_capital",
        """
        with

        quarters as (
            select unnest(?) as quarter_label
        ),

        modules as (
            select
                quarter_label,
                sum(case when module = 'nonlife_insurance' and sub_risk = 'premium' then capital else 0 end)
                    as premium_risk_capital,
                sum(case when module = 'nonlife_insurance' and sub_risk = 'reserve' then capital else 0 end)
                    as reserve_risk_capital,
                sum(case when module = 'credit' and sub_risk = 'default' then capital else 0 end)
                    as default_risk_capital
            from marts.fct_minimum_capital_exposures
            where quarter_label in (select quarter_label from quarters)
            group by quarter_label
        )

        select
            m.quarter_label,
            count(*) as row_count,
            sum(m.exposures_without_factor) as exposures_without_factor,
            sum(m.missing_correlation_pairs) as missing_correlation_pairs,
            sum(case when m.has_reserve_valuation then 0 else 1 end) as rows_without_reserve_valuation,
            sum(case when least(
                m.premium_risk_capital, m.reserve_risk_capital, m.nonlife_insurance_risk_capital,
                m.market_risk_capital, m.credit_risk_capital, m.additional_capital
            ) < 0 then 1 else 0 end) as negative_module_rows,
            sum(abs(m.minimum_capital
                - (m.capitalisable_risk_capital_adjusted + m.control_risk_capital + m.additional_capital)))
                as minimum_capital_identity_gap,
            sum(abs(m.capitalisable_risk_capital_adjusted - m.capitalisable_risk_capital * m.small_insurer_multiplier))
                as small_insurer_adjustment_gap,
            sum(greatest(
                m.capitalisable_risk_capital
                - (m.nonlife_insurance_risk_capital + m.market_risk_capital + m.credit_risk_capital), 0
            )) as capital_above_undiversified_sum,
            cast(min(m.control_risk_q) as double) as control_risk_q,
            cast(min(m.small_insurer_multiplier) as double) as small_insurer_multiplier,
            sum(abs(m.premium_risk_capital - e.premium_risk_capital) + abs(m.reserve_risk_capital
                - e.reserve_risk_capital) + abs(m.default_risk_capital - e.default_risk_capital))
                as exposure_reconciliation_gap
        from marts.fct_minimum_capital as m
        left join modules as e on m.quarter_label = e.quarter_label
        where m.quarter_label in (select quarter_label from quarters)
        group by m.quarter_label
        """,
    ),
    FactCheck(
        "rpt_related_party_disclosure",
        "rpt_related_party_disclosure",
        """
        with

        quarters as (
            select
                period_label as quarter_label,
                start_date,
                end_date
            from reference.reporting_periods
            where period_kind = 'quarter' and period_label in (select unnest(?))
        ),

        disclosed as (
            select
                period_label as quarter_label,
                count(*) as row_count,
                count(*) - count(distinct (row_kind, category, classification)) as duplicate_keys,
                coalesce(string_agg(distinct row_kind, ',' order by row_kind), '') as row_kind_codes,
                coalesce(string_agg(distinct classification, ',' order by classification), '') as classification_codes,
                coalesce(string_agg(distinct case when row_kind = 'transaction' then category end, ','
                    order by case when row_kind = 'transaction' then category end), '') as transaction_category_codes,
                sum(case when item_count <= 0 then 1 else 0 end) as non_positive_count_rows,
                sum(case when amount_cny < 0 then 1 else 0 end) as negative_amount_rows,
                sum(abs(amount_wan_cny * 10000 - amount_cny)) as wan_conversion_gap,
                sum(case when row_kind = 'transaction' then item_count else 0 end) as transaction_count,
                sum(case when row_kind = 'transaction' then amount_cny else 0 end) as transaction_amount,
                sum(case when row_kind = 'unified_agreement' then item_count else 0 end) as agreement_count
            from regulatory.rpt_related_party_disclosure
            where period_label in (select quarter_label from quarters)
            group by period_label
        ),

        executed as (
            select
                quarters.quarter_label,
                count(t.rpt_transaction_id) as transaction_count,
                coalesce(sum(t.amount), 0) as transaction_amount
            from quarters
            left join marts.fct_related_party_transactions as t
                on t.executed_on between quarters.start_date and quarters.end_date
            group by quarters.quarter_label
        ),

        signed as (
            select
                quarters.quarter_label,
                count(a.agreement_id) as agreement_count
            from quarters
            left join staging.stg_related_party__unified_agreements as a
                on a.signed_on between quarters.start_date and quarters.end_date
            group by quarters.quarter_label
        )

        select
            quarters.quarter_label,
            coalesce(disclosed.row_count, 0) as row_count,
            coalesce(disclosed.duplicate_keys, 0) as duplicate_keys,
            coalesce(disclosed.row_kind_codes, '') as row_kind_codes,
            coalesce(disclosed.classification_codes, '') as classification_codes,
            coalesce(disclosed.transaction_category_codes, '') as transaction_category_codes,
            coalesce(disclosed.non_positive_count_rows, 0) as non_positive_count_rows,
            coalesce(disclosed.negative_amount_rows, 0) as negative_amount_rows,
            coalesce(disclosed.wan_conversion_gap, 0) as wan_conversion_gap,
            coalesce(disclosed.transaction_count, 0) - executed.transaction_count as transaction_count_gap,
            coalesce(disclosed.transaction_amount, 0) - executed.transaction_amount as transaction_amount_gap,
            coalesce(disclosed.agreement_count, 0) - signed.agreement_count as agreement_count_gap
        from quarters
        left join disclosed on quarters.quarter_label = disclosed.quarter_label
        inner join executed on quarters.quarter_label = executed.quarter_label
        inner join signed on quarters.quarter_label = signed.quarter_label
        """,
        close_quarter_only=True,
        schema="regulatory",
    ),
)


def aggregates(con: duckdb.DuckDBPyConnection, check: FactCheck, quarters: list[Period]) -> pd.DataFrame:
    """The check's aggregate rows for ``quarters``, DECIMAL kept as Python Decimal."""
    cursor = con.execute(check.sql, [[q.label for q in quarters]])
    columns = [d[0] for d in cursor.description]
    return pd.DataFrame(cursor.fetchall(), columns=columns, dtype=object)
