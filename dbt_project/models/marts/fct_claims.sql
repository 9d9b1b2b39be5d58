-- One row per reported claim with its line of business and lifecycle times.
with

claims as (
    select * from {{ ref('stg_claims__claims') }}
),

policies as (
    select * from {{ ref('fct_policies') }}
),

lifecycle as (
    select * from {{ ref('int_claims__lifecycle') }}
),

final as (
    select
        claims.claim_id,
        claims.policy_id,
        policies.member_id,
        policies.product_code,
        policies.line_of_business,
        claims.accident_date,
        claims.reported_at,
        cast(claims.reported_at as date) as reported_date,
        claims.report_channel,
        claims.is_online_report,
        claims.cause,
        lifecycle.documents_complete_at,
        lifecycle.closed_at,
        cast(lifecycle.closed_at as date) as closed_date,
        lifecycle.first_paid_at,
        lifecycle.final_paid_at
    from claims
    left join policies on claims.policy_id = policies.policy_id
    left join lifecycle on claims.claim_id = lifecycle.claim_id
)

select * from final
