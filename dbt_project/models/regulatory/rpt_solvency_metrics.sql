-- Solvency figures (C-ROSS II) for the closed quarter, the quarter before it and the half year ending at the
-- close quarter, one row per period and metric, in the metric dictionary's unit at full precision.
-- All are stocks or ratios at the period end: a half year takes the figures of its last quarter end.
-- Surplus and ratios are computed from the unrounded CNY figures; rounding happens only at publication.
with

in_scope as (
    select * from {{ ref('int_reporting__solvency_periods') }}
),

wide as (
    select
        in_scope.period_label,
        capital.admitted_assets,
        capital.admitted_liabilities,
        capital.actual_capital,
        capital.core_capital,
        minimum.minimum_capital
    from in_scope
    inner join {{ ref('fct_capital_tiers') }} as capital on in_scope.end_date = capital.quarter_end
    left join {{ ref('fct_minimum_capital') }} as minimum on in_scope.end_date = minimum.quarter_end
),

{%- set metrics = {
    'admitted_assets': to_wan('admitted_assets'),
    'admitted_liabilities': to_wan('admitted_liabilities'),
    'actual_capital': to_wan('actual_capital'),
    'core_capital': to_wan('core_capital'),
    'minimum_capital': to_wan('minimum_capital'),
    'core_solvency_surplus': to_wan('core_capital - minimum_capital'),
    'core_solvency_ratio': percent_of('core_capital', 'minimum_capital'),
    'comprehensive_solvency_surplus': to_wan('actual_capital - minimum_capital'),
    'comprehensive_solvency_ratio': percent_of('actual_capital', 'minimum_capital'),
} %}

final as (
    {{ metric_rows(metrics) }}
)

select * from final
