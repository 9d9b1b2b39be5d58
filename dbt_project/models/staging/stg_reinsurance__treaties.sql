with

source as (
    select * from {{ source('reinsurance', 'treaties') }}
    where {{ latest_snapshot(source('reinsurance', 'treaties')) }}
),

renamed as (
    select
        treaty_id,
        reinsurer_name,
        reinsurer_domestic,
        treaty_type,
        treaty_type = 'excess_of_loss' as is_non_proportional,
        line_of_business,
        cession_rate,
        inception_date,
        expiry_date,
        quarter as delivered_quarter
    from source
)

select * from renamed
