with

source as (
    select * from {{ source('policy', 'premium_transactions') }}
    where {{ delivered_by_close() }}
),

renamed as (
    select
        transaction_id as premium_transaction_id,
        policy_id,
        transaction_type,
        booked_at,
        cast(booked_at as date) as booked_date,
        amount,
        quarter as booked_quarter
    from source
)

select * from renamed
