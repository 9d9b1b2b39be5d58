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

upr as (
    select
        policy_id,
        quarter_label,
        unearned_premium_reserve
    from {{ ref('int_policies__quarter_end_upr') }}
),

upr_brought_forward as (
    select
        upr.policy_id,
        quarters.quarter_label,
        upr.unearned_premium_reserve
    from upr
    inner join quarters on upr.quarter_label = quarters.previous_quarter_label
    where quarters.quarter_label <= '{{ var("close_quarter") }}'
),

keys as (
    select
        policy_id,
        quarter_label
    from written
    union
    select
        policy_id,
        quarter_label
    from ceded
    union
    select
        policy_id,
        quarter_label
    from upr
    union
    select
        policy_id,
        quarter_label
    from upr_brought_forward
),

final as (
    select
        keys.policy_id,
        keys.quarter_label,
        policies.product_code,
        policies.line_of_business,
        policies.channel,
        coalesce(written.written_premium, 0) as written_premium,
        coalesce(ceded.ceded_premium, 0) as ceded_premium,
        coalesce(upr_brought_forward.unearned_premium_reserve, 0) as opening_upr,
        coalesce(upr.unearned_premium_reserve, 0) as closing_upr,
        cast(
            coalesce(written.written_premium, 0)
            + coalesce(upr_brought_forward.unearned_premium_reserve, 0)
            - coalesce(upr.unearned_premium_reserve, 0) as decimal(20, 6)
        ) as earned_premium
    from keys
    inner join policies on keys.policy_id = policies.policy_id
    left join written on keys.policy_id = written.policy_id and keys.quarter_label = written.quarter_label
    left join ceded on keys.policy_id = ceded.policy_id and keys.quarter_label = ceded.quarter_label
    left join upr on keys.policy_id = upr.policy_id and keys.quarter_label = upr.quarter_label
    left join upr_brought_forward
        on
            keys.policy_id = upr_brought_forward.policy_id
            and keys.quarter_label = upr_brought_forward.quarter_label
)

select * from final
