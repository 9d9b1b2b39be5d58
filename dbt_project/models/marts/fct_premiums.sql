-- Written, ceded and earned premium per policy and quarter, with product, line of business and channel.
-- Earned premium of a quarter = written in the quarter + UPR at the previous quarter end - UPR at this
-- quarter end (1/365 method, so cancellations and refunds are earned consistently with the reserve).
with

policies as (
    select * from {{ ref('fct_policies') }}
),

quarters as (
    select
        period_label as quarter_label,
        lag(period_label) over (order by start_date asc nulls last) as previous_quarter_label
    from {{ ref('reporting_periods') }}
    where period_kind = 'quarter'
),

written as (
    select
        policy_id,
        booked_quarter as quarter_label,
        sum(amount) as written_premium
    from {{ ref('fct_premium_transactions') }}
    group by policy_id, booked_quarter
),

ceded as (
    select
        policy_id,
        booked_quarter as quarter_label,
        sum(ceded_premium) as ceded_premium
    from {{ ref('stg_reinsurance__cessions') }}
    group by policy_id, booked_quarter
),

-- Both read the UPR table itself: a CTE read twice would be materialised in memory first.
upr as (
    select
        policy_id,
        quarter_label,
        unearned_premium_reserve
    from {{ ref('int_policies__quarter_end_upr') }}
),

upr_brought_forward as (
    select
        brought_forward.policy_id,
        quarters.quarter_label,
        brought_forward.unearned_premium_reserve
    from {{ ref('int_policies__quarter_end_upr') }} as brought_forward
    inner join quarters on brought_forward.quarter_label = quarters.previous_quarter_label
    where quarters.quarter_label <= '{{ var("close_quarter") }}'
),

-- One pass over the four inputs, grouped by policy and quarter (each input has at most one row per key
-- once grouped, so the sums and maxima below are the inputs' own values).
amounts as (
    select
        policy_id,
        quarter_label,
        written_premium,
        cast(null as decimal(38, 2)) as ceded_premium,
        cast(null as decimal(20, 6)) as opening_upr,
        cast(null as decimal(20, 6)) as closing_upr
    from written
    union all
    select
        policy_id,
        quarter_label,
        null as written_premium,
        ceded_premium,
        null as opening_upr,
        null as closing_upr
    from ceded
    union all
    select
        policy_id,
        quarter_label,
        null as written_premium,
        null as ceded_premium,
        null as opening_upr,
        unearned_premium_reserve as closing_upr
    from upr
    union all
    select
        policy_id,
        quarter_label,
        null as written_premium,
        null as ceded_premium,
        unearned_premium_reserve as opening_upr,
        null as closing_upr
    from upr_brought_forward
),

by_key as (
    select
        policy_id,
        quarter_label,
        max(written_premium) as written_premium,
        max(ceded_premium) as ceded_premium,
        max(opening_upr) as opening_upr,
        max(closing_upr) as closing_upr
    from amounts
    group by policy_id, quarter_label
),

final as (
    select
        by_key.policy_id,
        by_key.quarter_label,
        policies.product_code,
        policies.line_of_business,
        policies.channel,
        coalesce(by_key.written_premium, 0) as written_premium,
        coalesce(by_key.ceded_premium, 0) as ceded_premium,
        coalesce(by_key.opening_upr, 0) as opening_upr,
        coalesce(by_key.closing_upr, 0) as closing_upr,
        cast(
            coalesce(by_key.written_premium, 0)
            + coalesce(by_key.opening_upr, 0)
            - coalesce(by_key.closing_upr, 0) as decimal(20, 6)
        ) as earned_premium
    from by_key
    inner join policies on by_key.policy_id = policies.policy_id
)

select * from final
