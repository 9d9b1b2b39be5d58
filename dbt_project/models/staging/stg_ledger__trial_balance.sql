-- A table on Spark: the Python checks (and reserving) read it through the warehouse resource, which reads
-- Spark's table files (a view has none); a view on DuckDB.
{{ config(materialized='table' if target.type == 'spark' else 'view') }}

with

source as (
    select * from {{ source('ledger', 'trial_balance') }}
    where {{ delivered_by_close() }}
),

renamed as (
    select
        month_end,
        account_code,
        opening_balance,
        debit,
        credit,
        closing_balance,
        quarter as delivered_quarter
    from source
)

select * from renamed
