-- 勾稽: investment asset accounts equal the custodian's holdings (not financing) at every month end, and the
-- financing liability accounts equal the financing positions.
with

ledger as (
    select
        balances.month_end,
        balances.account_type = 'liability' as is_financing,
        sum(balances.statement_balance) as ledger_amount
    from {{ ref('fct_ledger_balances') }} as balances
    inner join {{ ref('chart_of_accounts_mapping') }} as account_map
        on balances.account_code = account_map.account_code
    where account_map.reconciles_with = 'fct_investments'
    group by balances.month_end, balances.account_type = 'liability'
),

holdings as (
    select
        as_of_date,
        is_financing,
        sum(amount_cny) as holdings_amount
    from {{ ref('fct_investments') }}
    group by as_of_date, is_financing
),

compared as (
    select
        ledger.month_end,
        ledger.is_financing,
        ledger.ledger_amount,
        coalesce(holdings.holdings_amount, 0) as holdings_amount
    from ledger
    left join holdings
        on ledger.month_end = holdings.as_of_date and ledger.is_financing = holdings.is_financing
)

select *
from compared
where ledger_amount <> holdings_amount
