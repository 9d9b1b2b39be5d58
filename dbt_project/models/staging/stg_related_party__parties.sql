with

source as (
    select * from {{ source('related_party', 'parties') }}
    where {{ latest_snapshot(source('related_party', 'parties')) }}
),

renamed as (
    select
        party_id as related_party_id,
        party_name as related_party_name,
        party_type as related_party_type,
        relationship,
        valid_from,
        valid_to
    from source
)

select * from renamed
