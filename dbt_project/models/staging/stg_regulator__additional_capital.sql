with

source as (
    select * from {{ source('regulator', 'additional_capital') }}
    where {{ delivered_by_close() }}
),

renamed as (
    select
        notice_id,
        amount as additional_capital,
        effective_from,
        notified_on,
        quarter as delivered_quarter
    from source
)

select * from renamed
