-- Members with personal data as tokens only (tokenised at extraction). Nothing in the project sums it: a view on
-- DuckDB (writing 5.5 million rows of four tokens each cost a close 12 s at the seed insurer's size), a table
-- incremental by joined_quarter (the delivery quarter: a member is delivered once, in the quarter they joined)
-- elsewhere (macros/incremental.sql, staged_projection).
{{ staged_projection('joined_quarter') }}
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
