-- Underwriting figures of the last 12 months per reported quarter (the closed quarter and the one before, from
-- int_reporting__solvency_periods) and line: retained premium (the premium-risk exposure, C-ROSS II R4 Art. 9),
-- earned premium, incurred claims and operating expenses (the combined ratio of R4 Arts. 15-17).
-- A table, not a view: a few rows computed from whole fact tables, which its tests and readers would each
-- compute again.
{{ config(materialized='table') }}
with

quarters as (
    select
        solvency_periods.period_label,
        solvency_periods.end_date
    from {{ ref('int_reporting__solvency_periods') }} as solvency_periods
    inner join {{ ref('reporting_periods') }} as periods
        on solvency_periods.period_label = periods.period_label and periods.period_kind = 'quarter'
),

-- Premiums of the four quarters ending at the quarter: retained = written - ceded.
premiums as (
    select
        quarters.period_label,
        premiums.line_of_business,
        count(distinct premiums.quarter_label) as premium_quarters,
        sum(premiums.written_premium - premiums.ceded_premium) as retained_premium,
        sum(premiums.earned_premium) as earned_premium
    from quarters
    inner join {{ ref('reporting_periods') }} as premium_quarters
        on
            quarters.end_date >= premium_quarters.end_date
            and premium_quarters.end_date > cast({{ dbt.dateadd('year', -1, 'quarters.end_date') }} as date)
    inner join {{ ref('fct_premiums') }} as premiums on premium_quarters.period_label = premiums.quarter_label
    group by quarters.period_label, premiums.line_of_business
),

-- Claims incurred in the 12 months as reported: payments plus case-reserve movements booked in them.
claims as (
    select
        quarters.period_label,
        movements.line_of_business,
        sum(movements.amount) as incurred_claims
    from quarters
    inner join {{ ref('int_claims__incurred_movements') }} as movements
        on
            quarters.end_date >= movements.booked_date
            and movements.booked_date > cast({{ dbt.dateadd('year', -1, 'quarters.end_date') }} as date)
    group by quarters.period_label, movements.line_of_business
),

-- Operating expenses of the 12 months by line (the ledger's expense sub-ledger: commission and general expenses).
expenses as (
    select
        quarters.period_label,
        allocation.line_of_business,
        sum(allocation.amount) as operating_expenses
    from quarters
    inner join {{ ref('stg_ledger__expense_allocation') }} as allocation
        on
            quarters.end_date >= allocation.month_end
            and allocation.month_end > cast({{ dbt.dateadd('year', -1, 'quarters.end_date') }} as date)
    group by quarters.period_label, allocation.line_of_business
),

final as (
    select
        premiums.period_label as quarter_label,
        premiums.line_of_business,
        premiums.premium_quarters,
        premiums.retained_premium,
        premiums.earned_premium,
        coalesce(claims.incurred_claims, 0) as incurred_claims,
        coalesce(expenses.operating_expenses, 0) as operating_expenses
    from premiums
    left join claims
        on premiums.period_label = claims.period_label and premiums.line_of_business = claims.line_of_business
    left join expenses
        on premiums.period_label = expenses.period_label and premiums.line_of_business = expenses.line_of_business
)

select * from final
