-- One row per premium transaction (written, endorsement, cancellation, refund) with its policy's
-- product, line of business, channel and terms (issue time, start and end of cover), which never change: the
-- UPR (int_policies__quarter_end_upr) reads them here instead of joining every transaction to its policy
-- again. Amounts in CNY, DECIMAL(18,2). Incremental by booked quarter (the delivery quarter;
-- macros/incremental.sql).
{{ quarter_incremental('booked_quarter') }}
with

premiums as (
    select * from {{ ref('stg_policy__premium_transactions') }}
    where {{ rebuilt_quarters('booked_quarter', is_incremental()) }}
),

policies as (
    select * from {{ ref('fct_policies') }}
),

final as (
    select
        premiums.premium_transaction_id,
        premiums.policy_id,
        policies.product_code,
        policies.line_of_business,
        policies.channel,
        policies.issued_at as policy_issued_at,
        policies.start_date as cover_start_date,
        policies.end_date as cover_end_date,
        premiums.transaction_type,
        premiums.booked_at,
        premiums.booked_date,
        premiums.booked_quarter,
        premiums.amount
    from premiums
    left join policies on premiums.policy_id = policies.policy_id
)

select * from final
