with

source as (
    select * from {{ source('claims', 'case_reserve_movements') }}
    where {{ delivered_by_close() }}
),

renamed as (
    select
        movement_id as case_reserve_movement_id,
        claim_id,
        booked_at,
        cast(booked_at as date) as booked_date,
        amount
    from source
)

select * from renamed
