-- The date each cancelled policy stopped being in force: its first cancellation booking.
with

premiums as (
    select * from {{ ref('stg_policy__premium_transactions') }}
),

final as (
    select
        policy_id,
        min(booked_date) as cancelled_on
    from premiums
    where transaction_type = 'cancellation'
    group by policy_id
)

select * from final
