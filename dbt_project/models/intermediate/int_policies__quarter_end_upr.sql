-- Unearned premium reserve at each quarter end (1/365 method on written premium, gross, no deduction of
-- acquisition costs) by cohort: the policies of one product, line of business and channel with the same cover
-- (start and end dates). UPR = written premium booked by the quarter end x unexpired days of cover after it /
-- days of cover. Not yet started: fully unearned; expired or cancelled by the quarter end: zero. Policies of a
-- cohort share the factor unexpired days / days of cover, so the cohort's UPR is its written premium times that
-- factor, rounded once per cohort: the same as policy by policy, without a row per policy and quarter end (at
-- the seed insurer's size 147 thousand rows instead of 41 million; rounding per policy moved a quarter's total
-- by less than 0.001 CNY).
-- Written premium comes summed by policy terms and booked quarter (int_policies__premium_by_terms), policies
-- counted by terms and cancellation date: whether a policy is in force at a quarter end depends on those alone.
-- The transactions of policies cancelled by a quarter end are summed the same way and taken off.
-- Incremental by quarter end (macros/incremental.sql): a quarter's rows depend on the policies and premium
-- booked by its end only, i.e. on the deliveries up to that quarter.
{{ quarter_incremental('quarter_label') }}

with

-- Policies by terms and cancellation date (null: not cancelled).
policies as (
    select
        product_code,
        line_of_business,
        channel,
        cast(issued_at as date) as issued_date,
        start_date,
        end_date,
        cancelled_on,
        count(*) as policies
    from {{ ref('fct_policies') }}
    group by product_code, line_of_business, channel, cast(issued_at as date), start_date, end_date, cancelled_on
),

premiums as (
    select * from {{ ref('int_policies__premium_by_terms') }}
),

cancelled_policies as (
    select * from {{ ref('fct_policies') }}
    where cancelled_on is not null
),

-- The transactions of the cancelled policies, by terms, cancellation date and booked quarter.
cancelled_premiums as (
    select
        cancelled_policies.product_code,
        cancelled_policies.line_of_business,
        cancelled_policies.channel,
        cast(cancelled_policies.issued_at as date) as issued_date,
        cancelled_policies.start_date,
        cancelled_policies.end_date,
        cancelled_policies.cancelled_on,
        premium_transactions.booked_quarter,
        cast(sum(premium_transactions.amount) as decimal(38, 2)) as amount
    from {{ ref('stg_policy__premium_transactions') }} as premium_transactions
    inner join cancelled_policies on premium_transactions.policy_id = cancelled_policies.policy_id
    group by
        cancelled_policies.product_code,
        cancelled_policies.line_of_business,
        cancelled_policies.channel,
        cast(cancelled_policies.issued_at as date),
        cancelled_policies.start_date,
        cancelled_policies.end_date,
        cancelled_policies.cancelled_on,
        premium_transactions.booked_quarter
),

quarter_ends as (
    select
        period_label as quarter_label,
        end_date as quarter_end
    from {{ ref('reporting_periods') }}
    where
        period_kind = 'quarter'
        and period_label <= '{{ close_quarter() }}'
        and {{ rebuilt_quarters('period_label', is_incremental()) }}
),

-- Each policy in force at a quarter end (issued by it, neither expired nor cancelled by it) counts once there.
in_force as (
    select
        quarter_ends.quarter_label,
        quarter_ends.quarter_end,
        policies.product_code,
        policies.line_of_business,
        policies.channel,
        policies.start_date,
        policies.end_date,
        policies.policies,
        cast(0 as decimal(38, 2)) as amount
    from policies
    inner join quarter_ends
        on
            policies.issued_date <= quarter_ends.quarter_end
            and policies.end_date > quarter_ends.quarter_end
            and (policies.cancelled_on is null or policies.cancelled_on > quarter_ends.quarter_end)
),

-- The premium booked by a quarter end of the policies issued by it and not expired...
written as (
    select
        quarter_ends.quarter_label,
        quarter_ends.quarter_end,
        premiums.product_code,
        premiums.line_of_business,
        premiums.channel,
        premiums.start_date,
        premiums.end_date,
        0 as policies,
        premiums.amount
    from premiums
    inner join quarter_ends
        on
            premiums.issued_date <= quarter_ends.quarter_end
            and premiums.end_date > quarter_ends.quarter_end
            and premiums.booked_quarter <= quarter_ends.quarter_label
),

-- ... less that of those cancelled by it.
cancelled as (
    select
        quarter_ends.quarter_label,
        quarter_ends.quarter_end,
        cancelled_premiums.product_code,
        cancelled_premiums.line_of_business,
        cancelled_premiums.channel,
        cancelled_premiums.start_date,
        cancelled_premiums.end_date,
        0 as policies,
        -cancelled_premiums.amount as amount
    from cancelled_premiums
    inner join quarter_ends
        on
            cancelled_premiums.issued_date <= quarter_ends.quarter_end
            and cancelled_premiums.end_date > quarter_ends.quarter_end
            and cancelled_premiums.booked_quarter <= quarter_ends.quarter_label
            and cancelled_premiums.cancelled_on <= quarter_ends.quarter_end
),

amounts as (
    select * from in_force
    union all
    select * from written
    union all
    select * from cancelled
),

-- A cohort whose policies are all cancelled (or none in force) has no reserve: its premium nets to zero.
cohorts as (
    select
        quarter_label,
        quarter_end,
        product_code,
        line_of_business,
        channel,
        start_date,
        end_date,
        cast(sum(policies) as bigint) as policies,
        sum(amount) as written_premium,
        {{ days_between('start_date', 'end_date') }} + 1 as cover_days,
        case
            when quarter_end < start_date then {{ days_between('start_date', 'end_date') }} + 1
            else {{ days_between('quarter_end', 'end_date') }}
        end as unexpired_days
    from amounts
    group by quarter_label, quarter_end, product_code, line_of_business, channel, start_date, end_date
    having sum(policies) > 0
),

final as (
    select
        quarter_label,
        quarter_end,
        product_code,
        line_of_business,
        channel,
        start_date,
        end_date,
        policies,
        written_premium,
        cover_days,
        unexpired_days,
        cast(written_premium * unexpired_days / cover_days as decimal(20, 6)) as unearned_premium_reserve
    from cohorts
)

select * from final
