with

source as (
    select * from {{ source('investments', 'investment_income') }}
    where {{ delivered_by_close() }}
),

renamed as (
    select
        income_id,
        security_id,
        income_type,
        booked_on,
        amount
    from source
)

select * from renamed
