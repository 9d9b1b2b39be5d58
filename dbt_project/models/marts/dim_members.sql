-- Members with personal data as tokens only (tokenised at extraction).
with

members as (
    select * from {{ ref('stg_policy__members') }}
)

select
    member_id,
    name_token,
    id_card_token,
    phone_token,
    bank_account_token,
    gender,
    province,
    joined_at
from members
