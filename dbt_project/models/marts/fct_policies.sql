-- One row per policy: terms, product line, channel, written premium to date and cancellation.
with

policies as (
    select * from {{ ref('stg_policy__policies') }}
),

products as (
    select * from {{ ref('stg_policy__products') }}
),

cancellations as (
    select * from {{ ref('int_policies__cancellations') }}
),

final as (
    select
        policies.policy_id,
        policies.member_id,
        policies.product_code,
        products.line_of_business,
        policies.channel,
        policies.issued_at,
        policies.start_date,
        policies.end_date,
        policies.sum_insured,
        cancellations.cancelled_on
    from policies
    left join products on policies.product_code = products.product_code
    left join cancellations on policies.policy_id = cancellations.policy_id
)

select * from final
