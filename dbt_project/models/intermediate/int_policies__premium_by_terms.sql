-- Premium transactions summed by their policy's terms (product, line of business, channel, issue date, start and
-- end of cover) and booked quarter: the UPR (int_policies__quarter_end_upr) and the written premium of
-- fct_premiums need no more than that. At the seed insurer's size 0.8 million rows instead of 17 million
-- transactions, so no copy of the transactions with their policy's terms is written. Incremental by booked_quarter
-- (the delivery quarter; macros/incremental.sql): a policy's terms never change, so a quarter's rows depend only on
-- its delivered transactions. A cancellation is not a term (it arrives in a later delivery): the UPR takes the
-- cancelled policies' transactions off by itself.
{{ quarter_incremental('booked_quarter') }}
with

premiums as (
    select
        policy_id,
        booked_quarter,
        amount
    from {{ ref('stg_policy__premium_transactions') }}
    where {{ rebuilt_quarters('booked_quarter', is_incremental()) }}
),

policies as (
    select
        policy_id,
        product_code,
        line_of_business,
        channel,
        cast(issued_at as date) as issued_date,
        start_date,
        end_date
    from {{ ref('fct_policies') }}
),

-- A left join: a transaction without its policy stays (null terms), caught by the not_null test of line_of_business.
final as (
    select
        policies.product_code,
        policies.line_of_business,
        policies.channel,
        policies.issued_date,
        policies.start_date,
        policies.end_date,
        premiums.booked_quarter,
        cast(sum(premiums.amount) as decimal(38, 2)) as amount
    from premiums
    left join policies on premiums.policy_id = policies.policy_id
    group by
        policies.product_code,
        policies.line_of_business,
        policies.channel,
        policies.issued_date,
        policies.start_date,
        policies.end_date,
        premiums.booked_quarter
)

select * from final
