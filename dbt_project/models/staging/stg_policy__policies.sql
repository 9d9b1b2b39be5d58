with

source as (
    select * from {{ source('policy', 'policies') }}
    where {{ delivered_by_close() }}
),

renamed as (
    select
        policy_id,
        member_id,
        product_code,
        channel,
        issued_at,
        start_date,
        end_date,
        sum_insured,
        quarter as issued_quarter
    from source
)

select * from renamed
