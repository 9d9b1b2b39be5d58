-- Admitted balance sheet (认可资产 / 认可负债, C-ROSS II Rule 1) per quarter end and balance-sheet line (CNY).
-- Assets are admitted unless the chart-of-accounts mapping marks the account non_admitted (Rule 1 Art. 10:
-- intangibles other than land-use rights, deferred tax assets from operating losses, prepaid expenses, ...);
-- liabilities are admitted at their balance-sheet amount. Equity accounts are not part of it.
with

quarter_ends as (
    select
        period_label as quarter_label,
        end_date as quarter_end
    from {{ ref('reporting_periods') }}
    where
        period_kind = 'quarter'
        and period_label <= '{{ close_quarter() }}'
),

ledger as (
    select * from {{ ref('fct_ledger_balances') }}
),

mapping as (
    select
        cast(account_code as {{ dbt.type_string() }}) as account_code,
        statement_line,
        admissibility,
        rule_reference
    from {{ ref('chart_of_accounts_mapping') }}
    where statement = 'balance_sheet'
),

accounts as (
    select
        quarter_ends.quarter_label,
        quarter_ends.quarter_end,
        ledger.account_code,
        ledger.account_type,
        coalesce(mapping.statement_line, ledger.account_code) as statement_line,
        mapping.account_code is not null as is_mapped,
        coalesce(mapping.admissibility, 'admitted') as admissibility,
        mapping.rule_reference,
        ledger.statement_balance
    from quarter_ends
    inner join ledger on quarter_ends.quarter_end = ledger.month_end
    left join mapping on ledger.account_code = mapping.account_code
    where ledger.account_type in ('asset', 'liability')
),

final as (
    select
        quarter_label,
        quarter_end,
        account_type,
        statement_line,
        admissibility,
        min(rule_reference) as rule_reference,
        min(case when is_mapped then 1 else 0 end) = 1 as is_mapped,
        count(*) as account_count,
        sum(statement_balance) as statement_balance,
        sum(case when admissibility = 'admitted' then statement_balance else 0 end) as admitted_balance,
        sum(case when admissibility = 'admitted' then 0 else statement_balance end) as non_admitted_balance
    from accounts
    group by quarter_label, quarter_end, account_type, statement_line, admissibility
)

select * from final
