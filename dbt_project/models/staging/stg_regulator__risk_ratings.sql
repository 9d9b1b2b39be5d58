with

source as (
    select * from {{ source('regulator', 'risk_ratings') }}
    where {{ delivered_by_close() }}
),

renamed as (
    select
        assessed_period,
        rating,
        published_on,
        quarter as delivered_quarter
    from source
)

select * from renamed
