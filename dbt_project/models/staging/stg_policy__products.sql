with

source as (
    select * from {{ source('policy', 'products') }}
    where {{ latest_snapshot(source('policy', 'products')) }}
),

renamed as (
    select
        product_code,
        product_name,
        line_of_business,
        term_days,
        launched_on
    from source
)

select * from renamed
