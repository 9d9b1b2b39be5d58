-- Unearned premium reserve per policy at each quarter end (1/365 method on written premium, gross, no
-- deduction of acquisition costs): UPR = written premium booked by the quarter end
-- x unexpired days of cover after it / days of cover. Not yet started: fully unearned; expired or
-- cancelled by the quarter end: zero.
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
        and period_label <= '{{ var("close_quarter") }}'
        and end_date >= (select min(premiums.booked_date) from premiums)
),

alive as (
    select
        quarter_ends.quarter_label,
        quarter_ends.quarter_end,
        policies.policy_id,
        policies.start_date,
        policies.end_date,
        {{ days_between('policies.start_date', 'policies.end_date') }} + 1 as cover_days
    from policies
    inner join quarter_ends
        on
            cast(policies.issued_at as date) <= quarter_ends.quarter_end
            and policies.end_date > quarter_ends.quarter_end
            and (policies.cancelled_on is null or policies.cancelled_on > quarter_ends.quarter_end)
),

written_to_date as (
    select
        alive.quarter_label,
        alive.policy_id,
        sum(premiums.amount) as written_premium
    from alive
    inner join premiums
        on
            alive.policy_id = premiums.policy_id
            and alive.quarter_end >= premiums.booked_date
    group by alive.quarter_label, alive.policy_id
),

final as (
    select
        alive.quarter_label,
        alive.quarter_end,
        alive.policy_id,
        written_to_date.written_premium,
        alive.cover_days,
        case
            when alive.quarter_end < alive.start_date then alive.cover_days
            else {{ days_between('alive.quarter_end', 'alive.end_date') }}
        end as unexpired_days,
        cast(
            written_to_date.written_premium
            * case
                when alive.quarter_end < alive.start_date then alive.cover_days
                else {{ days_between('alive.quarter_end', 'alive.end_date') }}
            end
            / alive.cover_days as decimal(20, 6)
        ) as unearned_premium_reserve
    from alive
    inner join written_to_date
        on
            alive.quarter_label = written_to_date.quarter_label
            and alive.policy_id = written_to_date.policy_id
)

select * from final
