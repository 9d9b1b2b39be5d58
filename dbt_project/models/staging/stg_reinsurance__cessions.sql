with

source as (
    select * from {{ source('reinsurance', 'cessions') }}
    where {{ delivered_by_close() }}
),

renamed as (
    select
        cession_id,
        treaty_id,
        policy_id,
        booked_at,
        cast(booked_at as date) as booked_date,
        ceded_premium,
        ceding_commission,
        quarter as booked_quarter
    from source
)

select * from renamed
