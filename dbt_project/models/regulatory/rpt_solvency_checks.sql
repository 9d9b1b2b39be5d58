-- The frame the Great Expectations suite expectations/quarterly_solvency.json validates: one row per period of
-- rpt_solvency_metrics with its published figures side by side and the identity gaps computed from them
-- (unrounded, DECIMAL(38,10)): each gap is zero when the published figures satisfy the identity.
with

metrics as (
    select * from {{ ref('rpt_solvency_metrics') }}
),

wide as (
    select
        period_label,
        max(case when metric_code = 'admitted_assets' then metric_value end) as admitted_assets,
        max(case when metric_code = 'admitted_liabilities' then metric_value end) as admitted_liabilities,
        max(case when metric_code = 'actual_capital' then metric_value end) as actual_capital,
        max(case when metric_code = 'core_capital' then metric_value end) as core_capital,
        max(case when metric_code = 'minimum_capital' then metric_value end) as minimum_capital,
        max(case when metric_code = 'core_solvency_surplus' then metric_value end) as core_solvency_surplus,
        max(case when metric_code = 'core_solvency_ratio' then metric_value end) as core_solvency_ratio,
        max(case when metric_code = 'comprehensive_solvency_surplus' then metric_value end)
            as comprehensive_solvency_surplus,
        max(case when metric_code = 'comprehensive_solvency_ratio' then metric_value end)
            as comprehensive_solvency_ratio
    from metrics
    group by period_label
),

capital as (
    select
        quarter_end,
        {{ to_wan('capital_excluded_by_limits') }} as capital_excluded_by_limits
    from {{ ref('fct_capital_tiers') }}
),

final as (
    select
        wide.*,
        capital.capital_excluded_by_limits,
        wide.actual_capital - (wide.admitted_assets - wide.admitted_liabilities - capital.capital_excluded_by_limits)
            as actual_capital_gap,
        wide.core_solvency_surplus - (wide.core_capital - wide.minimum_capital) as core_surplus_gap,
        wide.comprehensive_solvency_surplus - (wide.actual_capital - wide.minimum_capital)
            as comprehensive_surplus_gap,
        cast(wide.core_solvency_ratio * wide.minimum_capital / 100 - wide.core_capital as decimal(38, 6))
            as core_ratio_gap,
        cast(wide.comprehensive_solvency_ratio * wide.minimum_capital / 100 - wide.actual_capital as decimal(38, 6))
            as comprehensive_ratio_gap
    from wide
    inner join {{ ref('reporting_periods') }} as periods on wide.period_label = periods.period_label
    inner join capital on periods.end_date = capital.quarter_end
)

select * from final
