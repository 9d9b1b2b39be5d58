with

source as (
    select * from {{ source('capital', 'capital_instruments') }}
    where {{ latest_snapshot(source('capital', 'capital_instruments')) }}
),

renamed as (
    select
        instrument_id,
        instrument_type,
        provider,
        issued_on,
        maturity_date,
        principal,
        quarter as delivered_quarter
    from source
)

select * from renamed
