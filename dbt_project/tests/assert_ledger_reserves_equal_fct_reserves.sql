-- 勾稽: the balance sheet's reserve accounts equal fct_reserves at every valued quarter end (1 fen tolerance:
-- the ledger books reserves to the fen, fct_reserves sums policies at 1e-6 CNY).
with

ledger as (
    select
        balances.month_end,
        account_map.statement_line,
        sum(balances.statement_balance) as ledger_amount
    from {{ ref('fct_ledger_balances') }} as balances
    inner join {{ ref('chart_of_accounts_mapping') }} as account_map
        on balances.account_code = account_map.account_code
    where account_map.reconciles_with = 'fct_reserves'
    group by balances.month_end, account_map.statement_line
),

reserves as (
    select
        quarter_end,
        sum(unearned_premium_reserve) as unearned_premium_reserve,
        sum(outstanding_claims_reserve) as outstanding_claims_reserve
    from {{ ref('fct_reserves') }}
    group by quarter_end
),

compared as (
    select
        ledger.month_end,
        ledger.statement_line,
        ledger.ledger_amount,
        case
            when ledger.statement_line = 'unearned_premium_reserve' then reserves.unearned_premium_reserve
            else reserves.outstanding_claims_reserve
        end as subledger_amount
    from ledger
    inner join reserves on ledger.month_end = reserves.quarter_end
)

select *
from compared
where abs(ledger_amount - subledger_amount) > 0.01
