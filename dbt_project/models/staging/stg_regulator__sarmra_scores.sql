with

source as (
    select * from {{ source('regulator', 'sarmra_scores') }}
    where {{ delivered_by_close() }}
),

renamed as (
    select
        assessment_year,
        score as sarmra_score,
        notified_on,
        quarter as delivered_quarter
    from source
)

select * from renamed
