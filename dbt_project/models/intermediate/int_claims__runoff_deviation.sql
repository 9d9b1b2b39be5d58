-- Run-off deviation (回溯偏差率) of the outstanding claims reserve held at each of the last two year ends before
-- a reported and valued quarter end, re-estimated at that quarter end, all lines together (no motor business is
-- written, so this is the non-motor total of C-ROSS II R4 Arts. 24-31): (payments since the year end on accidents
-- up to it + case reserves and IBNR still held for them at the quarter end - case reserves and IBNR held at the
-- year end) / the latter. The claim-handling expense reserve (ULAE) is left out on both sides: its payments are
-- not delivered by accident date. Gross of reinsurance: no reinsurance share of reserves is delivered.
-- A table, not a view: a few rows computed from whole fact tables, which its tests and readers would each
-- compute again.
{{ config(materialized='table') }}
with

valuations as (
    select distinct valuation_quarter
    from {{ source('reserving', 'ibnr_estimates') }}
),

-- The quarters a close reports (int_reporting__solvency_periods: the closed quarter and the one before) that the
-- reserving asset valued.
valued_quarters as (
    select
        solvency_periods.period_label,
        solvency_periods.end_date
    from {{ ref('int_reporting__solvency_periods') }} as solvency_periods
    inner join {{ ref('reporting_periods') }} as periods
        on solvency_periods.period_label = periods.period_label and periods.period_kind = 'quarter'
    inner join valuations on solvency_periods.period_label = valuations.valuation_quarter
),

year_ends as (
    select
        valued_quarters.period_label,
        valued_quarters.end_date,
        periods.period_label as year_end_quarter,
        periods.end_date as year_end
    from valued_quarters
    inner join {{ ref('reporting_periods') }} as periods
        on
            periods.period_kind = 'quarter'
            and extract(month from periods.end_date) = 12
            and extract(year from periods.end_date) >= extract(year from valued_quarters.end_date) - 2
            and extract(year from periods.end_date) <= extract(year from valued_quarters.end_date) - 1
),

-- Claim movements on accidents up to the year end, booked by the quarter end.
claims_run_off as (
    select
        year_ends.period_label,
        year_ends.year_end_quarter,
        sum(
            case
                when movements.movement_type = 'case_reserve' and movements.booked_date <= year_ends.year_end
                    then movements.amount
                else 0
            end
        ) as case_reserve_at_year_end,
        sum(
            case
                when movements.movement_type = 'payment' and movements.booked_date > year_ends.year_end
                    then movements.amount
                else 0
            end
        ) as paid_since_year_end,
        sum(case when movements.movement_type = 'case_reserve' then movements.amount else 0 end)
            as case_reserve_now
    from year_ends
    inner join {{ ref('int_claims__incurred_movements') }} as movements
        on
            year_ends.year_end >= movements.accident_date
            and year_ends.end_date >= movements.booked_date
    group by year_ends.period_label, year_ends.year_end_quarter
),

ibnr_at_year_end as (
    select
        valuation_quarter as year_end_quarter,
        cast(sum(ibnr) as decimal(20, 2)) as ibnr
    from {{ source('reserving', 'year_end_ibnr_estimates') }}
    group by valuation_quarter
),

ibnr_now as (
    select
        year_ends.period_label,
        year_ends.year_end_quarter,
        cast(sum(estimates.ibnr) as decimal(20, 2)) as ibnr
    from year_ends
    inner join {{ source('reserving', 'ibnr_estimates') }} as estimates
        on
            year_ends.period_label = estimates.valuation_quarter
            and year_ends.year_end >= estimates.origin
    group by year_ends.period_label, year_ends.year_end_quarter
),

combined as (
    select
        year_ends.period_label as quarter_label,
        year_ends.year_end_quarter,
        year_ends.year_end,
        cast(claims_run_off.case_reserve_at_year_end + ibnr_at_year_end.ibnr as decimal(20, 2)) as reserve_at_year_end,
        coalesce(claims_run_off.paid_since_year_end, 0) as paid_since_year_end,
        cast(coalesce(claims_run_off.case_reserve_now, 0) + coalesce(ibnr_now.ibnr, 0) as decimal(20, 2))
            as reserve_now
    from year_ends
    left join claims_run_off
        on
            year_ends.period_label = claims_run_off.period_label
            and year_ends.year_end_quarter = claims_run_off.year_end_quarter
    left join ibnr_at_year_end on year_ends.year_end_quarter = ibnr_at_year_end.year_end_quarter
    left join ibnr_now
        on
            year_ends.period_label = ibnr_now.period_label
            and year_ends.year_end_quarter = ibnr_now.year_end_quarter
),

final as (
    select
        quarter_label,
        year_end_quarter,
        year_end,
        reserve_at_year_end,
        cast(paid_since_year_end as decimal(20, 2)) as paid_since_year_end,
        reserve_now,
        case
            when reserve_at_year_end > 0
                then {{ ratio_of('paid_since_year_end + reserve_now - reserve_at_year_end', 'reserve_at_year_end') }}
        end as runoff_deviation
    from combined
)

select * from final
