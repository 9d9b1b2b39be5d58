-- Members with personal data as tokens only (tokenised at extraction). A view over the staged members: the raw
-- partitions are typed Parquet already and the mart adds nothing to a member's row, so a close writes no copy
-- (a new home's first close wrote 5.5 million rows at the seed insurer's size, 14-16 s on a two-core machine).
{{ config(materialized='view') }}
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
    joined_at,
    joined_quarter
from members
