-- Unearned premium reserve at each quarter end (1/365 method on written premium, gross, no deduction of
-- acquisition costs) by cohort: the policies of one product, line of business and channel with the same cover
-- (start and end dates). UPR = written premium booked by the quarter end x unexpired days of cover after it /
-- days of cover. Not yet started: fully unearned; expired or cancelled by the quarter end: zero. Policies of a
-- cohort share the factor unexpired days / days of cover, so the cohort's UPR is its written premium times that
-- factor, rounded once per cohort: the same as policy by policy, without a row per policy and quarter end (at
-- the seed insurer's size 147 thousand rows instead of 41 million; rounding per policy moved a quarter's total
-- by less than 0.001 CNY).
-- Incremental by quarter end (macros/incremental.sql): a quarter's rows depend on the policies and premium
-- booked by its end only, i.e. on the deliveries up to that quarter. Built a quarter end at a time on DuckDB
-- (batches_from: no quarter end before the first premium booked has a row), each batch a pass over the policies
-- and one over the premium transactions, which carry their policy's terms (no join of the two but to the few
-- cancelled policies).
{{ quarter_incremental('quarter_label', batches_from=['fct_premium_transactions', 'booked_quarter']) }}

with

policies as (
    select
        product_code,
        line_of_business,
        channel,
        issued_at,
        start_date,
        end_date,
        cancelled_on
    from {{ ref('fct_policies') }}
),

premiums as (
    select
        policy_id,
        product_code,
        line_of_business,
        channel,
        policy_issued_at,
        cover_start_date,
        cover_end_date,
        booked_date,
        amount
    from {{ ref('fct_premium_transactions') }}
),

cancellations as (
    select * from {{ ref('int_policies__cancellations') }}
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
        1 as policies,
        cast(0 as decimal(18, 2)) as amount
    from policies
    inner join quarter_ends
        on
            cast(policies.issued_at as date) <= quarter_ends.quarter_end
            and policies.end_date > quarter_ends.quarter_end
            and (policies.cancelled_on is null or policies.cancelled_on > quarter_ends.quarter_end)
),

-- Each premium transaction of a policy in force at a quarter end and booked by it adds its amount there.
written as (
    select
        quarter_ends.quarter_label,
        quarter_ends.quarter_end,
        premiums.product_code,
        premiums.line_of_business,
        premiums.channel,
        premiums.cover_start_date as start_date,
        premiums.cover_end_date as end_date,
        0 as policies,
        premiums.amount
    from premiums
    left join cancellations on premiums.policy_id = cancellations.policy_id
    inner join quarter_ends
        on
            cast(premiums.policy_issued_at as date) <= quarter_ends.quarter_end
            and premiums.cover_end_date > quarter_ends.quarter_end
            and (cancellations.cancelled_on is null or cancellations.cancelled_on > quarter_ends.quarter_end)
            and premiums.booked_date <= quarter_ends.quarter_end
),

amounts as (
    select * from in_force
    union all
    select * from written
),

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
