-- A table on Spark: the Python checks (and reserving) read it through the warehouse resource, which reads
-- Spark's table files (a view has none); a view on DuckDB.
{{ config(materialized='table' if target.type == 'spark' else 'view') }}

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
