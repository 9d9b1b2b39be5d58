-- Reserves per line of business at each valued quarter end (CNY):
-- unearned premium reserve (1/365, per cohort of policies of equal cover) and outstanding claims reserve
-- = case reserves + IBNR (chain-ladder / Bornhuetter-Ferguson) + claim-handling expense reserve (ULAE).
with

-- The quarters the close reports (int_reporting__solvency_periods: the closed quarter and the one before), as
-- the reserving asset valued them: valuations an earlier close left in the table (a 2024Q4 valuation after the
-- 2025Q1 close) are not this close's, so the figures do not depend on which periods were closed before.
valuations as (
    select distinct estimates.valuation_quarter as quarter_label
    from {{ source('reserving', 'ibnr_estimates') }} as estimates
    inner join {{ ref('int_reporting__solvency_periods') }} as solvency_periods
        on estimates.valuation_quarter = solvency_periods.period_label
),

quarter_ends as (
    select
        periods.period_label as quarter_label,
        periods.end_date as quarter_end
    from {{ ref('reporting_periods') }} as periods
    inner join valuations on periods.period_label = valuations.quarter_label
),

lines as (
    select
        line_of_business,
        ulae_ratio
    from {{ ref('reserving_assumptions') }}
),

-- fct_premiums' closing UPR is the sum of int_policies__quarter_end_upr's cohorts by quarter, product, line and
-- channel.
upr as (
    select
        quarter_label,
        line_of_business,
        sum(closing_upr) as unearned_premium_reserve
    from {{ ref('fct_premiums') }}
    group by quarter_label, line_of_business
),

case_reserves as (
    select
        quarter_ends.quarter_label,
        m.line_of_business,
        sum(m.amount) as case_reserve
    from quarter_ends
    inner join {{ ref('int_claims__incurred_movements') }} as m
        on quarter_ends.quarter_end >= m.booked_date
    where m.movement_type = 'case_reserve'
    group by quarter_ends.quarter_label, m.line_of_business
),

ibnr as (
    select
        valuation_quarter as quarter_label,
        line as line_of_business,
        cast(sum(ibnr) as decimal(20, 2)) as ibnr
    from {{ source('reserving', 'ibnr_estimates') }}
    group by valuation_quarter, line
),

combined as (
    select
        quarter_ends.quarter_label,
        quarter_ends.quarter_end,
        lines.line_of_business,
        lines.ulae_ratio,
        coalesce(upr.unearned_premium_reserve, 0) as unearned_premium_reserve,
        coalesce(case_reserves.case_reserve, 0) as case_reserve,
        coalesce(ibnr.ibnr, 0) as ibnr
    from quarter_ends
    cross join lines
    left join upr
        on quarter_ends.quarter_label = upr.quarter_label and lines.line_of_business = upr.line_of_business
    left join case_reserves
        on
            quarter_ends.quarter_label = case_reserves.quarter_label
            and lines.line_of_business = case_reserves.line_of_business
    left join ibnr
        on quarter_ends.quarter_label = ibnr.quarter_label and lines.line_of_business = ibnr.line_of_business
),

final as (
    select
        quarter_label,
        quarter_end,
        line_of_business,
        unearned_premium_reserve,
        case_reserve,
        ibnr,
        cast(ulae_ratio * (case_reserve + ibnr) as decimal(20, 2)) as claim_handling_expense_reserve,
        cast(case_reserve + ibnr + ulae_ratio * (case_reserve + ibnr) as decimal(20, 2))
            as outstanding_claims_reserve
    from combined
)

select * from final
