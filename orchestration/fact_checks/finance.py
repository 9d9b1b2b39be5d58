"""Checks on the finance facts: ledger balances, balance sheet, investments and investment income."""

from orchestration.fact_checks.check import FactCheck, with_quarters

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


FCT_LEDGER_BALANCES = FactCheck(
    "fct_ledger_balances",
    "fct_ledger_balances",
    with_quarters(
        """
        ledger as (
            select
                quarters.quarter_label,
                quarters.checked,
                ledger.*,
                lag(ledger.month_end) over (partition by ledger.account_code order by ledger.month_end)
                    as previous_month_end,
                lag(ledger.closing_balance) over (partition by ledger.account_code order by ledger.month_end)
                    as previous_closing
            from marts.fct_ledger_balances as ledger
            inner join quarters on ledger.month_end between quarters.start_date and quarters.end_date
        ),

        delivered as (
            select
                quarters.quarter_label,
                count(*) as row_count
            from staging.stg_ledger__trial_balance as balances
            inner join quarters on balances.month_end between quarters.start_date and quarters.end_date
            where quarters.checked
            group by quarters.quarter_label
        ),

        months as (
            select
                quarter_label,
                month_end,
                sum(debit) - sum(credit) as turnover_gap
            from ledger
            where checked
            group by quarter_label, month_end
        ),

        invested as (
            select
                ledger.quarter_label,
                ledger.month_end,
                ledger.account_type = 'liability' as is_financing,
                sum(ledger.statement_balance) as amount
            from ledger
            inner join reference.chart_of_accounts_mapping as mapping
                on ledger.account_code = cast(mapping.account_code as varchar)
            where ledger.checked and mapping.reconciles_with = 'fct_investments'
            group by ledger.quarter_label, ledger.month_end, ledger.account_type = 'liability'
        ),

        held as (
            select
                as_of_date,
                is_financing,
                sum(amount_cny) as amount
            from marts.fct_investments
            group by as_of_date, is_financing
        ),

        investment_gaps as (
            select
                invested.quarter_label,
                sum(abs(invested.amount - coalesce(held.amount, 0))) as gap
            from invested
            left join held on invested.month_end = held.as_of_date and invested.is_financing = held.is_financing
            group by invested.quarter_label
        ),

        turnover_gaps as (
            select
                quarter_label,
                sum(abs(turnover_gap)) as gap
            from months
            group by quarter_label
        )

        select
            ledger.quarter_label,
            count(*) as row_count,
            count(distinct ledger.month_end) as month_ends,
            count(*) - count(distinct (ledger.month_end, ledger.account_code)) as duplicate_keys,
            count(*) - max(delivered.row_count) as rows_vs_trial_balance_gap,
            coalesce(string_agg(distinct ledger.account_type, ',' order by ledger.account_type), '')
                as account_type_codes,
            coalesce(string_agg(distinct ledger.normal_balance, ',' order by ledger.normal_balance), '')
                as normal_balance_codes,
            sum(case when ledger.debit < 0 or ledger.credit < 0 then 1 else 0 end) as negative_turnover_rows,
            cast(sum(abs(ledger.closing_balance - ledger.opening_balance - case
                when ledger.normal_balance = 'debit' then ledger.debit - ledger.credit
                else ledger.credit - ledger.debit
            end)) as double) as roll_forward_gap,
            cast(coalesce(sum(abs(ledger.opening_balance - ledger.previous_closing)), 0) as double)
                as opening_vs_previous_closing_gap,
            sum(case when ledger.previous_month_end is not null
                and ledger.previous_month_end <> last_day(ledger.month_end - interval 1 month) then 1 else 0 end)
                as months_skipped,
            cast(max(turnover_gaps.gap) as double) as turnover_imbalance,
            cast(coalesce(max(investment_gaps.gap), 0) as double) as investments_vs_holdings_gap
        from ledger
        left join delivered on ledger.quarter_label = delivered.quarter_label
        left join turnover_gaps on ledger.quarter_label = turnover_gaps.quarter_label
        left join investment_gaps on ledger.quarter_label = investment_gaps.quarter_label
        where ledger.checked
        group by ledger.quarter_label
        """
    ),
)


FCT_INVESTMENT_INCOME = FactCheck(
    "fct_investment_income",
    "fct_investment_income",
    with_quarters(
        """
        income as (
            select
                quarters.quarter_label,
                quarters.end_date,
                income.*
            from marts.fct_investment_income as income
            inner join quarters on income.booked_on between quarters.start_date and quarters.end_date
            where quarters.checked
        ),

        first_held as (
            select
                security_id,
                min(as_of_date) as first_held_on
            from staging.stg_investments__holdings
            group by security_id
        ),

        ledger as (
            select
                quarters.quarter_label,
                sum(ledger.profit_contribution) as profit
            from marts.fct_ledger_balances as ledger
            inner join quarters on ledger.month_end between quarters.start_date and quarters.end_date
            inner join reference.chart_of_accounts_mapping as mapping
                on ledger.account_code = cast(mapping.account_code as varchar)
            where quarters.checked and mapping.reconciles_with = 'fct_investment_income'
            group by quarters.quarter_label
        )

        select
            income.quarter_label,
            count(*) as row_count,
            count(*) - count(distinct income.income_id) as duplicate_keys,
            coalesce(string_agg(distinct income.income_type, ',' order by income.income_type), '') as income_type_codes,
            sum(case when income.amount < 0
                and income.income_type in ('interest', 'dividend', 'impairment', 'financing_interest')
                then 1 else 0 end) as negative_amount_rows,
            cast(sum(abs(income.yield_contribution - case
                when income.income_type in ('impairment', 'financing_interest') then -income.amount
                else income.amount
            end)) as double) as yield_sign_gap,
            sum(case when first_held.first_held_on is null or first_held.first_held_on > income.end_date
                then 1 else 0 end) as income_without_holding,
            cast(
                sum(case when income.income_type = 'oci_fair_value_change' then 0 else income.yield_contribution end)
                - coalesce(max(ledger.profit), 0) as double
            ) as profit_vs_ledger_gap
        from income
        left join first_held on income.security_id = first_held.security_id
        left join ledger on income.quarter_label = ledger.quarter_label
        group by income.quarter_label
        """
    ),
)
