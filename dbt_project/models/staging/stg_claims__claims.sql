with

source as (
    select * from {{ source('claims', 'claims') }}
    where {{ delivered_by_close() }}
),

renamed as (
    select
        claim_id,
        policy_id,
        accident_date,
        reported_at,
        report_channel,
        report_channel in ('app', 'wechat', 'web') as is_online_report,
        cause
    from source
)

select * from renamed
