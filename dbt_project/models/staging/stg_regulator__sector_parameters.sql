with

source as (
    select * from {{ source('regulator', 'sector_parameters') }}
    where {{ delivered_by_close() }}
),

renamed as (
    select
        parameter_code,
        value as parameter_value,
        effective_from,
        source as published_in,
        quarter as delivered_quarter
    from source
)

select * from renamed
