"""Checks on the finance facts: ledger balances, balance sheet, investments and investment income."""

from orchestration.fact_checks.check import FactCheck

FCT_INVESTMENTS = FactCheck(
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
)


FCT_BALANCE_SHEET = FactCheck(
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
)
