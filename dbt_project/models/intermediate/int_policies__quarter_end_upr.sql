-- Unearned premium reserve per policy at each quarter end (1/365 method on written premium, gross, no
-- deduction of acquisition costs): UPR = written premium booked by the quarter end
-- x unexpired days of cover after it / days of cover. Not yet started: fully unearned; expired or
-- cancelled by the quarter end: zero. A table, not a view: fct_premiums and the checks and tests read it.
-- Incremental by quarter end (macros/incremental.sql): a quarter's rows depend on the policies and premium
-- booked by its end only, i.e. on the deliveries up to that quarter. Built a quarter end at a time on DuckDB
-- (batches_from: no quarter end before the first premium booked has a row): at scale 10 one aggregation of
-- every quarter end's policies spilled beyond the disk.
-- Each row carries its policy's product, line of business and channel (which never change), so that
-- fct_premiums sums it by those without joining the policies again.
{{ quarter_incremental('quarter_label', batches_from=['fct_premium_transactions', 'booked_quarter']) }}

with

policies as (
    select * from {{ ref('fct_policies') }}
),

premiums as (
    select * from {{ ref('fct_premium_transactions') }}
),

quarter_ends as (
    select
        period_label as quarter_label,
        end_date as quarter_end
    from {{ ref('reporting_periods') }}
    where
        period_kind = 'quarter'
        and period_label <= '{{ close_quarter() }}'
        and {{ rebuilt_quarters('period_label', is_incremental()) }}
),

-- Each premium transaction meets the quarter ends at which its policy is alive and it is already booked, and
-- one aggregation gives the written premium to date per policy and quarter end: a single pass, linear in
-- transactions x quarter ends of cover (no join of the alive policies back onto their sums).
written_to_date as (
    select
        quarter_ends.quarter_label,
        quarter_ends.quarter_end,
        policies.policy_id,
        policies.product_code,
        policies.line_of_business,
        policies.channel,
        policies.start_date,
        policies.end_date,
        sum(premiums.amount) as written_premium
    from policies
    inner join premiums on policies.policy_id = premiums.policy_id
    inner join quarter_ends
        on
            cast(policies.issued_at as date) <= quarter_ends.quarter_end
            and policies.end_date > quarter_ends.quarter_end
            and (policies.cancelled_on is null or policies.cancelled_on > quarter_ends.quarter_end)
            and premiums.booked_date <= quarter_ends.quarter_end
    group by
        quarter_ends.quarter_label,
        quarter_ends.quarter_end,
        policies.policy_id,
        policies.product_code,
        policies.line_of_business,
        policies.channel,
        policies.start_date,
        policies.end_date
),

alive as (
    select
        quarter_label,
        quarter_end,
        policy_id,
        product_code,
        line_of_business,
        channel,
        start_date,
        end_date,
        written_premium,
        {{ days_between('start_date', 'end_date') }} + 1 as cover_days
    from written_to_date
),

final as (
    select
        quarter_label,
        quarter_end,
        policy_id,
        product_code,
        line_of_business,
        channel,
        written_premium,
        cover_days,
        case
            when quarter_end < start_date then cover_days
            else {{ days_between('quarter_end', 'end_date') }}
        end as unexpired_days,
        cast(
            written_premium
            * case
                when quarter_end < start_date then cover_days
                else {{ days_between('quarter_end', 'end_date') }}
            end
            / cover_days as decimal(20, 6)
        ) as unearned_premium_reserve
    from alive
)

select * from final
