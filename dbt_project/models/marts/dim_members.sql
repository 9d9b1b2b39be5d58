-- Members with personal data as tokens only (tokenised at extraction). Incremental by joined_quarter (the
-- delivery quarter: a member is delivered once, in the quarter they joined; macros/incremental.sql).
{{ quarter_incremental('joined_quarter') }}
with

members as (
    select * from {{ ref('stg_policy__members') }}
    where {{ rebuilt_quarters('joined_quarter', is_incremental()) }}
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
