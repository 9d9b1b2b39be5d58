-- Written, ceded and earned premium per quarter, product, line of business and channel (the policies'
-- attributes, which never change). Earned premium of a quarter = written in the quarter + UPR at the
-- previous quarter end - UPR at this quarter end (1/365 method, so cancellations and refunds are earned
-- consistently with the reserve). The UPR is computed and rounded per cohort of policies of equal cover in
-- int_policies__quarter_end_upr and only summed here; the opening UPR of a key is the closing UPR of the
-- same key at the previous quarter end. Incremental by
-- quarter (macros/incremental.sql): an incremental build reads its inputs from the quarter before the first
-- rebuilt one on.
{{ quarter_incremental('quarter_label') }}
with

policies as (
    select
        policy_id,
        product_code,
        line_of_business,
        channel
    from {{ ref('fct_policies') }}
),

quarters as (
    select
        period_label as quarter_label,
        lag(period_label) over (order by start_date asc nulls last) as previous_quarter_label
    from {{ ref('reporting_periods') }}
    where period_kind = 'quarter'
),

-- The premium by policy terms and the UPR table carry their policies' attributes (every transaction's policy is
-- in fct_policies: the not-null test on int_policies__premium_by_terms.line_of_business), so only the cessions
-- are joined to the policies.
written as (
    select
        booked_quarter as quarter_label,
        product_code,
        line_of_business,
        channel,
        sum(amount) as written_premium
    from {{ ref('int_policies__premium_by_terms') }}
    where {{ rebuilt_quarters('booked_quarter', is_incremental()) }}
    group by booked_quarter, product_code, line_of_business, channel
),

ceded as (
    select
        cessions.booked_quarter as quarter_label,
        policies.product_code,
        policies.line_of_business,
        policies.channel,
        sum(cessions.ceded_premium) as ceded_premium
    from {{ ref('stg_reinsurance__cessions') }} as cessions
    inner join policies on cessions.policy_id = policies.policy_id
    where {{ rebuilt_quarters('cessions.booked_quarter', is_incremental()) }}
    group by cessions.booked_quarter, policies.product_code, policies.line_of_business, policies.channel
),

-- The UPR table's cohorts (one row per cohort and quarter end: its unique_combination test) of each key.
closing as (
    select
        quarter_label,
        product_code,
        line_of_business,
        channel,
        sum(policies) as policies,
        sum(unearned_premium_reserve) as closing_upr
    from {{ ref('int_policies__quarter_end_upr') }}
    where {{ rebuilt_quarters('quarter_label', is_incremental(), from_previous=true) }}
    group by quarter_label, product_code, line_of_business, channel
),

brought_forward as (
    select
        quarters.quarter_label,
        closing.product_code,
        closing.line_of_business,
        closing.channel,
        closing.closing_upr as opening_upr
    from closing
    inner join quarters on closing.quarter_label = quarters.previous_quarter_label
    where quarters.quarter_label <= '{{ close_quarter() }}'
),

-- The four inputs, each with at most one row per key, grouped by key (null-safe on product and channel).
amounts as (
    select
        quarter_label,
        product_code,
        line_of_business,
        channel,
        cast(null as bigint) as policies,
        written_premium,
        cast(null as decimal(38, 2)) as ceded_premium,
        cast(null as decimal(38, 6)) as opening_upr,
        cast(null as decimal(38, 6)) as closing_upr
    from written
    union all
    select
        quarter_label,
        product_code,
        line_of_business,
        channel,
        null as policies,
        null as written_premium,
        ceded_premium,
        null as opening_upr,
        null as closing_upr
    from ceded
    union all
    select
        quarter_label,
        product_code,
        line_of_business,
        channel,
        policies,
        null as written_premium,
        null as ceded_premium,
        null as opening_upr,
        closing_upr
    from closing
    union all
    select
        quarter_label,
        product_code,
        line_of_business,
        channel,
        null as policies,
        null as written_premium,
        null as ceded_premium,
        opening_upr,
        null as closing_upr
    from brought_forward
),

by_key as (
    select
        quarter_label,
        product_code,
        line_of_business,
        channel,
        max(policies) as policies,
        max(written_premium) as written_premium,
        max(ceded_premium) as ceded_premium,
        max(opening_upr) as opening_upr,
        max(closing_upr) as closing_upr
    from amounts
    group by quarter_label, product_code, line_of_business, channel
),

final as (
    select
        quarter_label,
        product_code,
        line_of_business,
        channel,
        coalesce(policies, 0) as policies,
        cast(coalesce(written_premium, 0) as decimal(38, 2)) as written_premium,
        cast(coalesce(ceded_premium, 0) as decimal(38, 2)) as ceded_premium,
        cast(coalesce(opening_upr, 0) as decimal(20, 6)) as opening_upr,
        cast(coalesce(closing_upr, 0) as decimal(20, 6)) as closing_upr,
        cast(
            coalesce(written_premium, 0)
            + coalesce(opening_upr, 0)
            - coalesce(closing_upr, 0) as decimal(20, 6)
        ) as earned_premium
    from by_key
    where {{ rebuilt_quarters('quarter_label', is_incremental()) }}
)

select * from final
