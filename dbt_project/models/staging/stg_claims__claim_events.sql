with

source as (
    select * from {{ source('claims', 'claim_events') }}
    where {{ delivered_by_close() }}
),

renamed as (
    select
        event_id as claim_event_id,
        claim_id,
        event_type,
        event_at
    from source
)

select * from renamed
