with

source as (
    select * from {{ source('claims', 'claim_payments') }}
    where {{ delivered_by_close() }}
),

renamed as (
    select
        payment_id as claim_payment_id,
        claim_id,
        payment_type,
        paid_at,
        cast(paid_at as date) as paid_date,
        amount,
        quarter as paid_quarter
    from source
)

select * from renamed
