with

source as (
    select * from {{ source('ledger', 'expense_allocation') }}
    where {{ delivered_by_close() }}
),

renamed as (
    select
        month_end,
        account_code,
        line_of_business,
        amount,
        quarter as delivered_quarter
    from source
)

select * from renamed
