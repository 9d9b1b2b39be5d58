-- One row per claim payment, medical advances (医疗垫付) included. Amounts in CNY, DECIMAL(18,2).
with

payments as (
    select * from {{ ref('stg_claims__claim_payments') }}
),

claims as (
    select * from {{ ref('fct_claims') }}
),

final as (
    select
        payments.claim_payment_id,
        payments.claim_id,
        claims.policy_id,
        claims.line_of_business,
        payments.payment_type,
        payments.paid_at,
        payments.paid_date,
        payments.paid_quarter,
        payments.amount
    from payments
    left join claims on payments.claim_id = claims.claim_id
)

select * from final
