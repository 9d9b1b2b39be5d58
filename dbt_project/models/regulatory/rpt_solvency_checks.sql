-- The frame the Great Expectations suite expectations/quarterly_solvency.json validates: one row per period of
-- rpt_solvency_metrics with its published figures side by side and the identity gaps computed from them
-- (unrounded, DECIMAL(38,10)): each gap is zero when the published figures satisfy the identity.
with

metrics as (
    select * from {{ ref('rpt_solvency_metrics') }}
),

-- Figures as decimal(34, 10) (万元 up to 10^24), so that the gaps below stay exact on Spark too.
wide as (
    select
        period_label,
        cast(max(case when metric_code = 'admitted_assets' then metric_value end) as decimal(34, 10))
            as admitted_assets,
        cast(max(case when metric_code = 'admitted_liabilities' then metric_value end) as decimal(34, 10))
            as admitted_liabilities,
        cast(max(case when metric_code = 'actual_capital' then metric_value end) as decimal(34, 10))
            as actual_capital,
        cast(max(case when metric_code = 'core_capital' then metric_value end) as decimal(34, 10))
            as core_capital,
        cast(max(case when metric_code = 'minimum_capital' then metric_value end) as decimal(34, 10))
            as minimum_capital,
        cast(max(case when metric_code = 'core_solvency_surplus' then metric_value end) as decimal(34, 10))
            as core_solvency_surplus,
        cast(max(case when metric_code = 'core_solvency_ratio' then metric_value end) as decimal(34, 10))
            as core_solvency_ratio,
        cast(max(case when metric_code = 'comprehensive_solvency_surplus' then metric_value end) as decimal(34, 10))
            as comprehensive_solvency_surplus,
        cast(max(case when metric_code = 'comprehensive_solvency_ratio' then metric_value end) as decimal(34, 10))
            as comprehensive_solvency_ratio
    from metrics
    group by period_label
),

capital as (
    select
        quarter_end,
        cast({{ to_wan('capital_excluded_by_limits') }} as decimal(34, 10)) as capital_excluded_by_limits
    from {{ ref('fct_capital_tiers') }}
),

final as (
    select
        wide.*,
        capital.capital_excluded_by_limits,
        cast(
            wide.actual_capital
            - (wide.admitted_assets - wide.admitted_liabilities - capital.capital_excluded_by_limits)
            as decimal(38, 10)
        ) as actual_capital_gap,
        cast(wide.core_solvency_surplus - (wide.core_capital - wide.minimum_capital) as decimal(38, 10))
            as core_surplus_gap,
        cast(wide.comprehensive_solvency_surplus - (wide.actual_capital - wide.minimum_capital) as decimal(38, 10))
            as comprehensive_surplus_gap,
        cast(
            {{ percent_of_amount('wide.core_solvency_ratio', 'wide.minimum_capital') }} - wide.core_capital
            as decimal(38, 6)
        ) as core_ratio_gap,
        cast(
            {{ percent_of_amount('wide.comprehensive_solvency_ratio', 'wide.minimum_capital') }} - wide.actual_capital
            as decimal(38, 6)
        ) as comprehensive_ratio_gap
    from wide
    inner join {{ ref('reporting_periods') }} as periods on wide.period_label = periods.period_label
    inner join capital on periods.end_date = capital.quarter_end
)

select * from final
