with

source as (
    select * from {{ source('ledger', 'chart_of_accounts') }}
    where {{ latest_snapshot(source('ledger', 'chart_of_accounts')) }}
),

renamed as (
    select
        account_code,
        account_name,
        account_type,
        normal_balance
    from source
)

select * from renamed
