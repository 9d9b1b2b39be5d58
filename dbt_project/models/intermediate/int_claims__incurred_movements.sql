-- A table on Spark: the Python checks (and reserving) read it through the warehouse resource, which reads
-- Spark's table files (a view has none); a view on DuckDB.
{{ config(materialized='table' if target.type == 'spark' else 'view') }}

-- Incremental incurred movements per claim: payments and case-reserve movements, with the claim's line
-- and accident date. The reserving triangles (incurred basis) are built from these.
with

claims as (
    select * from {{ ref('fct_claims') }}
),

payments as (
    select
        claim_id,
        paid_date as booked_date,
        amount,
        'payment' as movement_type
    from {{ ref('stg_claims__claim_payments') }}
),

case_reserves as (
    select
        claim_id,
        booked_date,
        amount,
        'case_reserve' as movement_type
    from {{ ref('stg_claims__case_reserve_movements') }}
),

movements as (
    select * from payments
    union all
    select * from case_reserves
),

final as (
    select
        movements.claim_id,
        claims.line_of_business,
        claims.accident_date,
        movements.booked_date,
        movements.movement_type,
        movements.amount
    from movements
    inner join claims on movements.claim_id = claims.claim_id
)

select * from final
