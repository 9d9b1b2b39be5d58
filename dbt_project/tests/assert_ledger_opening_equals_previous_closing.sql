-- 勾稽: each month's opening balance equals the previous month's closing balance, account by account.
with

balances as (
    select
        account_code,
        month_end,
        opening_balance,
        lag(closing_balance) over (
            partition by account_code order by month_end asc nulls last
        ) as previous_closing
    from {{ ref('fct_ledger_balances') }}
)

select *
from balances
where previous_closing is not null and opening_balance <> previous_closing
