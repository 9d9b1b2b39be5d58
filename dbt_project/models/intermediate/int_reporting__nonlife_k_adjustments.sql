-- Characteristic coefficients k of the non-life premium and reserve risk factors (C-ROSS II R4) per reported
-- quarter (the closed quarter and the one before), risk and line with an exposure, with the ratio each is read
-- from; bands from
-- cross_ii_k_bands in force for the quarter. K = sum of a row's k clamped to [-0.25, 0.25] (R4 Art. 7).
-- A table, not a view: a few rows computed from whole fact tables, which its tests and readers would each
-- compute again.
{{ config(materialized='table') }}
with

quarters as (
    select
        solvency_periods.period_label,
        solvency_periods.end_date
    from {{ ref('int_reporting__solvency_periods') }} as solvency_periods
    inner join {{ ref('reporting_periods') }} as periods
        on solvency_periods.period_label = periods.period_label and periods.period_kind = 'quarter'
),

k_bands as (
    {{ cross_ii_in_force('cross_ii_k_bands', ['line_of_business', 'factor', 'lower_bound'], 'quarters') }}
),

-- Premium k1 (R4 Arts. 15-17) by the combined ratio of the last 12 months per line: (claims incurred as reported
-- + operating expenses allocated to the line) / earned premium (int_reporting__underwriting_12m; the rule does
-- not define the ratio: gross of reinsurance, IBNR movements left out, see docs/cross_ii_parameters.md). Fewer
-- than four quarters of premium (history too short) or no positive earned premium -> not computable, k1 = 0; a
-- negative ratio falls in no band (they start above 0), k1 = 0 (Art. 20).
-- Premium k2 (R4 Arts. 15-17): NE = (non-proportional ceded - non-proportional assumed premium of the last 12
-- months) / retained premium of the last 12 months (written - ceded, as the premium-risk exposure, R4 Art. 9).
-- Non-proportional = excess-of-loss treaties, line of the treaty; no inward business is delivered (assumed = 0).
nonproportional_ceded_12m as (
    select
        quarters.period_label,
        treaties.line_of_business,
        sum(cessions.ceded_premium) as ceded_premium
    from quarters
    inner join {{ ref('stg_reinsurance__cessions') }} as cessions
        on
            quarters.end_date >= cessions.booked_date
            and cessions.booked_date > cast({{ dbt.dateadd('year', -1, 'quarters.end_date') }} as date)
    inner join {{ ref('stg_reinsurance__treaties') }} as treaties
        on cessions.treaty_id = treaties.treaty_id and treaties.is_non_proportional
    group by quarters.period_label, treaties.line_of_business
),

-- NE is not computable without a positive retained premium: k2 = 0 (R4 Art. 20).
premium_ratios as (
    select
        underwriting.quarter_label as period_label,
        underwriting.line_of_business,
        case
            when underwriting.premium_quarters = 4 and underwriting.earned_premium > 0
                then {{ ratio_of('underwriting.incurred_claims + underwriting.operating_expenses',
                    'underwriting.earned_premium') }}
        end as combined_ratio,
        case
            when underwriting.retained_premium > 0
                then {{ ratio_of('coalesce(ceded.ceded_premium, 0)', 'underwriting.retained_premium') }}
        end as nonproportional_cession_ratio
    from {{ ref('int_reporting__underwriting_12m') }} as underwriting
    inner join quarters on underwriting.quarter_label = quarters.period_label
    left join nonproportional_ceded_12m as ceded
        on
            underwriting.quarter_label = ceded.period_label
            and underwriting.line_of_business = ceded.line_of_business
),

premium_k as (
    select
        ratios.period_label,
        'premium' as sub_risk,
        ratios.line_of_business,
        ratios.combined_ratio,
        cast(coalesce(k1_bands.k_value, 0) as decimal(18, 6)) as k1_combined_ratio,
        ratios.nonproportional_cession_ratio,
        cast(coalesce(bands.k_value, 0) as decimal(18, 6)) as k2_nonproportional_cession,
        cast(null as decimal(38, 10)) as runoff_deviation,
        cast(null as decimal(18, 6)) as k1_runoff_deviation,
        cast(1 as decimal(18, 6)) as runoff_discount
    from premium_ratios as ratios
    left join k_bands as bands
        on
            ratios.period_label = bands.period_label
            and ratios.line_of_business = bands.line_of_business
            and bands.factor = 'premium_k2_nonproportional_cession'
            and {{ cross_ii_in_band('ratios.nonproportional_cession_ratio', 'bands', 'lower_bound', 'upper_bound') }}
    left join k_bands as k1_bands
        on
            ratios.period_label = k1_bands.period_label
            and ratios.line_of_business = k1_bands.line_of_business
            and k1_bands.factor = 'premium_k1_combined_ratio'
            and {{ cross_ii_in_band('ratios.combined_ratio', 'k1_bands', 'lower_bound', 'upper_bound') }}
),

-- Reserve k1 (R4 Arts. 28-30) by the mean run-off deviation of the outstanding claims reserve at the last two
-- year ends (int_claims__runoff_deviation); without both, k1 = 0 (history too short, R4 Art. 33). The same mean
-- at -5 % or less discounts the total reserve-risk capital by 5 % (2023 notice §2(4), cross_ii_k_bands line
-- all): applied to each line's reserve-risk capital, the same on their sum. Rows for the lines with a reserve
-- valued at the quarter end (fct_reserves).
reserve_lines as (
    select
        quarters.period_label,
        reserves.line_of_business
    from quarters
    inner join {{ ref('fct_reserves') }} as reserves on quarters.end_date = reserves.quarter_end
),

runoff as (
    select
        quarters.period_label,
        case
            when count(deviations.runoff_deviation) = 2
                then {{ times_factor('sum(deviations.runoff_deviation)', '0.5') }}
        end as runoff_deviation
    from quarters
    left join {{ ref('int_claims__runoff_deviation') }} as deviations
        on quarters.period_label = deviations.quarter_label
    group by quarters.period_label
),

reserve_k as (
    select
        reserve_lines.period_label,
        'reserve' as sub_risk,
        reserve_lines.line_of_business,
        cast(null as decimal(38, 10)) as combined_ratio,
        cast(null as decimal(18, 6)) as k1_combined_ratio,
        cast(null as decimal(38, 10)) as nonproportional_cession_ratio,
        cast(null as decimal(18, 6)) as k2_nonproportional_cession,
        runoff.runoff_deviation,
        cast(coalesce(line_bands.k_value, 0) as decimal(18, 6)) as k1_runoff_deviation,
        cast(1 + coalesce(total_bands.k_value, 0) as decimal(18, 6)) as runoff_discount
    from reserve_lines
    inner join runoff on reserve_lines.period_label = runoff.period_label
    left join k_bands as line_bands
        on
            reserve_lines.period_label = line_bands.period_label
            and reserve_lines.line_of_business = line_bands.line_of_business
            and line_bands.factor = 'reserve_k1_runoff_deviation'
            and {{ cross_ii_in_band('runoff.runoff_deviation', 'line_bands', 'lower_bound', 'upper_bound') }}
    left join k_bands as total_bands
        on
            reserve_lines.period_label = total_bands.period_label
            and total_bands.line_of_business = 'all'
            and total_bands.factor = 'reserve_total_runoff_ocr'
            and {{ cross_ii_in_band('runoff.runoff_deviation', 'total_bands', 'lower_bound', 'upper_bound') }}
),

combined as (
    select * from premium_k
    union all
    select * from reserve_k
),

final as (
    select
        period_label as quarter_label,
        sub_risk,
        line_of_business,
        combined_ratio,
        k1_combined_ratio,
        nonproportional_cession_ratio,
        k2_nonproportional_cession,
        runoff_deviation,
        k1_runoff_deviation,
        cast(
            greatest(
                least(
                    coalesce(k1_combined_ratio, 0) + coalesce(k2_nonproportional_cession, 0)
                    + coalesce(k1_runoff_deviation, 0),
                    0.25
                ),
                -0.25
            ) as decimal(18, 6)
        ) as k_adjustment,
        runoff_discount
    from combined
)

select * from final
