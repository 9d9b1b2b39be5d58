with

source as (
    select * from {{ source('related_party', 'unified_agreements') }}
    where {{ delivered_by_close() }}
),

renamed as (
    select
        agreement_id,
        party_id as related_party_id,
        agreement_type,
        signed_on,
        expires_on
    from source
)

select * from renamed
