-- Monthly trial balance per account with its type (CNY). The ledger delivers balances on each account's
-- normal side; debit_balance restates them debit-positive. Balance-sheet amounts: assets = debit balance,
-- liabilities and equity = -debit balance; profit of a month = credit - debit over income and expense accounts.
with

balances as (
    select * from {{ ref('stg_ledger__trial_balance') }}
),

accounts as (
    select * from {{ ref('stg_ledger__chart_of_accounts') }}
),

final as (
    select
        balances.month_end,
        balances.account_code,
        accounts.account_name,
        accounts.account_type,
        accounts.normal_balance,
        balances.opening_balance,
        balances.debit,
        balances.credit,
        balances.closing_balance,
        case
            when accounts.normal_balance = 'debit' then balances.closing_balance
            else -balances.closing_balance
        end as debit_balance,
        case
            when accounts.account_type = 'asset' and accounts.normal_balance = 'debit' then balances.closing_balance
            when accounts.account_type = 'asset' then -balances.closing_balance
            when accounts.account_type in ('liability', 'equity') and accounts.normal_balance = 'credit'
                then balances.closing_balance
            when accounts.account_type in ('liability', 'equity') then -balances.closing_balance
            else 0
        end as statement_balance,
        case
            when accounts.account_type in ('income', 'expense') then balances.credit - balances.debit
            else 0
        end as profit_contribution
    from balances
    inner join accounts on balances.account_code = accounts.account_code
)

select * from final
