with

source as (
    select * from {{ source('policy', 'members') }}
    where {{ delivered_by_close() }}
),

renamed as (
    select
        member_id,
        name as name_token,
        id_card_no as id_card_token,
        phone as phone_token,
        bank_account as bank_account_token,
        gender,
        province,
        joined_at,
        quarter as joined_quarter
    from source
)

select * from renamed
