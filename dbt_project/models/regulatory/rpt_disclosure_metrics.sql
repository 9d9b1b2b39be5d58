-- Disclosure figures per reporting period (the closed quarter, the three before it, and the half years
-- ending in that year), one row per period and metric, in the metric dictionary's unit at full precision.
-- Each figure is computed from the facts over the whole period, so a half year follows each metric's
-- aggregation: sums add up over quarters, distinct counts and ratios are recomputed, stocks are at the end.
with

periods as (
    select * from {{ ref('reporting_periods') }}
),

close_quarter as (
    select end_date
    from periods
    where period_label = '{{ close_quarter() }}'
),

in_scope as (
    select periods.*
    from periods
    cross join close_quarter
    where
        periods.end_date <= close_quarter.end_date
        and periods.end_date > cast({{ dbt.dateadd('year', -1, 'close_quarter.end_date') }} as date)
),

-- Written premium of the quarters within the period (fct_premiums: per quarter, product, line and channel).
premiums as (
    select
        in_scope.period_label,
        sum(f.written_premium) as premium_income_original,
        sum(case when f.line_of_business = 'health' then f.written_premium else 0 end) as premium_income_health
    from in_scope
    inner join periods as quarters
        on
            in_scope.start_date <= quarters.start_date
            and in_scope.end_date >= quarters.end_date
            and quarters.period_kind = 'quarter'
    inner join {{ ref('fct_premiums') }} as f on quarters.period_label = f.quarter_label
    group by in_scope.period_label
),

payments as (
    select
        in_scope.period_label,
        sum(f.amount) as claims_paid,
        count(distinct f.claim_id) as claims_count,
        sum(case when f.payment_type = 'medical_advance' then f.amount end) as medical_advance_paid,
        count(distinct case when f.payment_type = 'medical_advance' then f.claim_id end) as medical_advance_claims
    from in_scope
    inner join {{ ref('fct_claim_payments') }} as f
        on f.paid_date between in_scope.start_date and in_scope.end_date
    group by in_scope.period_label
),

reported as (
    select
        in_scope.period_label,
        count(*) as claims_reported,
        sum(case when f.is_online_report then 1 else 0 end) as claims_reported_online
    from in_scope
    inner join {{ ref('fct_claims') }} as f
        on f.reported_date between in_scope.start_date and in_scope.end_date
    group by in_scope.period_label
),

closed as (
    select
        in_scope.period_label,
        count(*) as claims_closed,
        sum(
            case when {{ seconds_between('f.documents_complete_at', 'f.closed_at') }} <= 86400 then 1 else 0 end
        ) as claims_closed_within_one_day,
        min({{ seconds_between('f.documents_complete_at', 'f.final_paid_at') }}) as fastest_settlement_seconds
    from in_scope
    inner join {{ ref('fct_claims') }} as f
        on f.closed_date between in_scope.start_date and in_scope.end_date
    group by in_scope.period_label
),

-- Members with a policy in force at the period's end (macros/members.sql: counted once per distinct end on DuckDB).
members as (
    {{ members_in_force('in_scope', ref('fct_policies')) }}
),

related_party as (
    select
        in_scope.period_label,
        count(*) as rpt_count,
        sum(f.amount) as rpt_amount
    from in_scope
    inner join {{ ref('fct_related_party_transactions') }} as f
        on f.executed_on between in_scope.start_date and in_scope.end_date
    group by in_scope.period_label
),

reserves as (
    select
        in_scope.period_label,
        sum(f.unearned_premium_reserve) as unearned_premium_reserve,
        sum(f.outstanding_claims_reserve) as outstanding_claims_reserve
    from in_scope
    inner join {{ ref('fct_reserves') }} as f on in_scope.end_date = f.quarter_end
    group by in_scope.period_label
),

balance_sheet as (
    select
        in_scope.period_label,
        f.total_assets,
        f.total_liabilities
    from in_scope
    inner join {{ ref('fct_balance_sheet') }} as f on in_scope.end_date = f.month_end
),

profit as (
    select
        in_scope.period_label,
        sum(f.profit_before_tax_month) as profit_before_tax
    from in_scope
    inner join {{ ref('fct_balance_sheet') }} as f
        on f.month_end between in_scope.start_date and in_scope.end_date
    group by in_scope.period_label
),

investable_by_date as (
    select
        as_of_date,
        sum(case when is_financing then -amount_cny else amount_cny end) as investable_funds_net
    from {{ ref('fct_investments') }}
    group by as_of_date
),

-- Average investable funds: mean of the opening balance (previous month end) and each month end.
investable as (
    select
        in_scope.period_label,
        sum(case when i.as_of_date = in_scope.end_date then i.investable_funds_net end) as investable_funds_net,
        sum(i.investable_funds_net) as investable_funds_sum,
        count(*) as investable_funds_points
    from in_scope
    inner join investable_by_date as i
        on
            cast({{ dbt.dateadd('day', -1, 'in_scope.start_date') }} as date) <= i.as_of_date
            and in_scope.end_date >= i.as_of_date
    group by in_scope.period_label
),

investment_income as (
    select
        in_scope.period_label,
        sum(f.yield_contribution) as investment_result
    from in_scope
    inner join {{ ref('fct_investment_income') }} as f
        on f.booked_on between in_scope.start_date and in_scope.end_date
    group by in_scope.period_label
),

agreements as (
    select
        in_scope.period_label,
        count(*) as rpt_unified_agreements
    from in_scope
    inner join {{ ref('stg_related_party__unified_agreements') }} as f
        on f.signed_on between in_scope.start_date and in_scope.end_date
    group by in_scope.period_label
),

wide as (
    select
        in_scope.period_label,
        coalesce(premiums.premium_income_original, 0) as premium_income_original,
        coalesce(premiums.premium_income_health, 0) as premium_income_health,
        coalesce(payments.claims_paid, 0) as claims_paid,
        coalesce(payments.claims_count, 0) as claims_count,
        payments.medical_advance_paid,
        payments.medical_advance_claims,
        reported.claims_reported,
        reported.claims_reported_online,
        closed.claims_closed,
        closed.claims_closed_within_one_day,
        closed.fastest_settlement_seconds,
        coalesce(members.members_end, 0) as members_end,
        coalesce(related_party.rpt_count, 0) as rpt_count,
        coalesce(related_party.rpt_amount, 0) as rpt_amount,
        coalesce(agreements.rpt_unified_agreements, 0) as rpt_unified_agreements,
        reserves.unearned_premium_reserve,
        reserves.outstanding_claims_reserve,
        balance_sheet.total_assets,
        balance_sheet.total_liabilities,
        profit.profit_before_tax,
        investable.investable_funds_net,
        investable.investable_funds_sum,
        investable.investable_funds_points,
        investment_income.investment_result
    from in_scope
    left join premiums on in_scope.period_label = premiums.period_label
    left join payments on in_scope.period_label = payments.period_label
    left join reported on in_scope.period_label = reported.period_label
    left join closed on in_scope.period_label = closed.period_label
    left join members on in_scope.period_label = members.period_label
    left join related_party on in_scope.period_label = related_party.period_label
    left join agreements on in_scope.period_label = agreements.period_label
    left join reserves on in_scope.period_label = reserves.period_label
    left join balance_sheet on in_scope.period_label = balance_sheet.period_label
    left join profit on in_scope.period_label = profit.period_label
    left join investable on in_scope.period_label = investable.period_label
    left join investment_income on in_scope.period_label = investment_income.period_label
),

{%- set metrics = {
    'premium_income_original': to_wan('premium_income_original'),
    'premium_income_health': to_wan('premium_income_health'),
    'premium_share_health': percent_of('premium_income_health', 'premium_income_original'),
    'claims_paid': to_wan('claims_paid'),
    'claims_count': 'claims_count',
    'online_report_rate': percent_of('claims_reported_online', 'claims_reported'),
    'one_day_settlement_rate': percent_of('claims_closed_within_one_day', 'claims_closed'),
    'fastest_settlement_seconds': 'fastest_settlement_seconds',
    'medical_advance_avg': ratio_of(to_wan('medical_advance_paid'), 'medical_advance_claims'),
    'members_end': 'members_end',
    'rpt_count': 'rpt_count',
    'rpt_amount': to_wan('rpt_amount'),
    'rpt_unified_agreements': 'rpt_unified_agreements',
    'unearned_premium_reserve': to_wan('unearned_premium_reserve'),
    'outstanding_claims_reserve': to_wan('outstanding_claims_reserve'),
    'total_assets': to_wan('total_assets'),
    'total_liabilities': to_wan('total_liabilities'),
    'net_assets': to_wan('total_assets - total_liabilities'),
    'profit_before_tax': to_wan('profit_before_tax'),
    'investable_funds_net': to_wan('investable_funds_net'),
    'comprehensive_investment_yield': percent_of(
        'investment_result * investable_funds_points', 'investable_funds_sum'
    ),
} %}

final as (
    {{ metric_rows(metrics) }}
)

select * from final
