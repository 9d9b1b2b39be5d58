-- Balance-sheet totals and profit before tax per month end, from the general-ledger trial balance (CNY).
with

ledger as (
    select * from {{ ref('fct_ledger_balances') }}
),

final as (
    select
        month_end,
        sum(case when account_type = 'asset' then statement_balance else 0 end) as total_assets,
        sum(case when account_type = 'liability' then statement_balance else 0 end) as total_liabilities,
        sum(case when account_type = 'equity' then statement_balance else 0 end) as total_equity,
        sum(profit_contribution) as profit_before_tax_month,
        sum(debit_balance) as trial_balance_difference
    from ledger
    group by month_end
)

select * from final
