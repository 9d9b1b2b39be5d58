-- One row per claim with the times that drive service metrics: documents complete, closed, paid.
with

events as (
    select * from {{ ref('stg_claims__claim_events') }}
),

payments as (
    select * from {{ ref('stg_claims__claim_payments') }}
),

event_times as (
    select
        claim_id,
        min(case when event_type = 'documents_complete' then event_at end) as documents_complete_at,
        max(case when event_type = 'closed' then event_at end) as closed_at
    from events
    group by claim_id
),

payment_times as (
    select
        claim_id,
        min(paid_at) as first_paid_at,
        max(paid_at) as final_paid_at
    from payments
    group by claim_id
),

final as (
    select
        coalesce(e.claim_id, p.claim_id) as claim_id,
        e.documents_complete_at,
        e.closed_at,
        p.first_paid_at,
        p.final_paid_at
    from event_times as e
    full outer join payment_times as p on e.claim_id = p.claim_id
)

select * from final
