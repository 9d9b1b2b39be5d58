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
