-- One row per policy: terms, product line, channel and cancellation. Incremental by issued_quarter (the delivery
-- quarter; macros/incremental.sql), but a policy's cancellation is booked in a later quarter's delivery: an
-- incremental build rewrites the policies issued in the rebuilt quarters and the earlier policies whose
-- cancellation is booked in a rebuilt quarter, in the delivered transactions (a new cancellation) or in the
-- table (a cancellation a corrected delivery took back). DuckDB deletes the rebuilt issue quarters in a pre-hook
-- and replaces those policies by policy_id (delete+insert); Spark overwrites whole issue-quarter partitions, from
-- the earliest such policy's issue quarter on (macros/incremental.sql, rebuilt_policies).
-- depends_on: {{ ref('stg_policy__premium_transactions') }}
{{ config(
    materialized='incremental',
    incremental_strategy='insert_overwrite' if target.type == 'spark' else 'delete+insert',
    unique_key=none if target.type == 'spark' else 'policy_id',
    partition_by=['issued_quarter'] if target.type == 'spark' else none,
    pre_hook="{{ delete_rebuilt_quarters('issued_quarter') }}",
    on_schema_change='fail'
) }}
with

policies as (
    select * from {{ ref('stg_policy__policies') }}
),

products as (
    select * from {{ ref('stg_policy__products') }}
),

cancellations as (
    select * from {{ ref('int_policies__cancellations') }}
),

{% if is_incremental() %}
-- Earlier policies whose row changes: cancelled in a rebuilt quarter now, or in the table as built.
recancelled as (
    select policy_id from {{ ref('stg_policy__premium_transactions') }}
    where transaction_type = 'cancellation' and {{ rebuilt_quarters('booked_quarter', true) }}
    union
    select policy_id from {{ this }}
    where cancelled_on >= {{ quarter_start(rebuild_from()) }}
),
{% endif %}

final as (
    select
        policies.policy_id,
        policies.member_id,
        policies.product_code,
        products.line_of_business,
        policies.channel,
        policies.issued_at,
        policies.start_date,
        policies.end_date,
        policies.sum_insured,
        cancellations.cancelled_on,
        policies.issued_quarter
    from policies
    left join products on policies.product_code = products.product_code
    left join cancellations on policies.policy_id = cancellations.policy_id
    {%- if is_incremental() %}
    where {{ rebuilt_policies('policies', 'recancelled') }}
    {%- endif %}
)

select * from final
