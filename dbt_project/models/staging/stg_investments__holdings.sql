-- A table on Spark: the Python checks (and reserving) read it through the warehouse resource, which reads
-- Spark's table files (a view has none); a view on DuckDB.
{{ config(materialized='table' if target.type == 'spark' else 'view') }}

with

source as (
    select * from {{ source('investments', 'holdings') }}
    where {{ delivered_by_close() }}
),

renamed as (
    select
        as_of_date,
        holding_id,
        security_id,
        asset_class,
        currency,
        amount_original,
        amount_cny,
        rating,
        modified_duration,
        issuer,
        counterparty_type,
        is_financing
    from source
)

select * from renamed
