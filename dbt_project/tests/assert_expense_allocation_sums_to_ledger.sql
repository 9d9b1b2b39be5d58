-- 勾稽: for every month of the trial balance and every account the expense sub-ledger allocates, the lines add up
-- to the account's turnover (debit - credit), to the fen; a month with turnover but no allocation fails too.
with

allocated_accounts as (
    select distinct account_code
    from {{ ref('stg_ledger__expense_allocation') }}
),

ledger as (
    select
        trial_balance.month_end,
        trial_balance.account_code,
        trial_balance.debit - trial_balance.credit as turnover
    from {{ ref('stg_ledger__trial_balance') }} as trial_balance
    inner join allocated_accounts on trial_balance.account_code = allocated_accounts.account_code
),

allocation as (
    select
        month_end,
        account_code,
        sum(amount) as allocated
    from {{ ref('stg_ledger__expense_allocation') }}
    group by month_end, account_code
),

compared as (
    select
        coalesce(ledger.month_end, allocation.month_end) as month_end,
        coalesce(ledger.account_code, allocation.account_code) as account_code,
        coalesce(ledger.turnover, 0) as turnover,
        coalesce(allocation.allocated, 0) as allocated
    from ledger
    full outer join allocation
        on ledger.month_end = allocation.month_end and ledger.account_code = allocation.account_code
)

select *
from compared
where turnover != allocated
