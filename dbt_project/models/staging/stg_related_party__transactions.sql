with

source as (
    select * from {{ source('related_party', 'transactions') }}
    where {{ delivered_by_close() }}
),

renamed as (
    select
        transaction_id as rpt_transaction_id,
        party_id as related_party_id,
        category as transaction_category,
        executed_on,
        amount,
        agreement_id,
        quarter as executed_quarter
    from source
)

select * from renamed
