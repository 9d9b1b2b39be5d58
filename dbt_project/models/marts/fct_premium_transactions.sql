-- One row per premium transaction (written, endorsement, cancellation, refund) with its policy's product, line of
-- business and channel, which never change. Amounts in CNY, DECIMAL(18,2). Nothing in the warehouse sums it (the
-- premium figures read int_policies__premium_by_terms): it is the transaction-level fact for checks and analysts,
-- a view on DuckDB (macros/incremental.sql, staged_projection), a table incremental by booked quarter elsewhere.
{{ staged_projection('booked_quarter') }}
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
        premiums.transaction_type,
        premiums.booked_at,
        premiums.booked_date,
        premiums.booked_quarter,
        premiums.amount
    from premiums
    left join policies on premiums.policy_id = policies.policy_id
)

select * from final
