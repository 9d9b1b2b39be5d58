-- 主要指标表: the quarterly solvency summary, one row per indicator with this quarter's and last quarter's
-- value and the regulatory tests (core ratio >= 50 %, comprehensive ratio >= 100 %, rating class B or better).
with

close_quarter as (
    select
        period_label,
        start_date
    from {{ ref('reporting_periods') }}
    where period_label = '{{ close_quarter() }}'
),

last_quarter as (
    select periods.period_label
    from {{ ref('reporting_periods') }} as periods
    cross join close_quarter
    where
        periods.period_kind = 'quarter'
        and periods.end_date = cast({{ dbt.dateadd('day', -1, 'close_quarter.start_date') }} as date)
),

metrics as (
    select * from {{ ref('rpt_solvency_metrics') }}
),

ratings as (
    select * from {{ ref('rpt_solvency_rating') }}
),

indicators as (
    select
        metrics.metric_code,
        max(case when metrics.period_label = close_quarter.period_label then metrics.metric_value end)
            as this_quarter_value,
        max(case when metrics.period_label = last_quarter.period_label then metrics.metric_value end)
            as last_quarter_value,
        cast(null as {{ dbt.type_string() }}) as this_quarter_grade,
        cast(null as {{ dbt.type_string() }}) as last_quarter_grade
    from metrics
    cross join close_quarter
    cross join last_quarter
    group by metrics.metric_code
    union all
    select
        'integrated_risk_rating' as metric_code,
        cast(null as decimal(38, 10)) as this_quarter_value,
        cast(null as decimal(38, 10)) as last_quarter_value,
        max(case when ratings.period_label = close_quarter.period_label then ratings.rating end)
            as this_quarter_grade,
        max(case when ratings.period_label = last_quarter.period_label then ratings.rating end)
            as last_quarter_grade
    from close_quarter
    cross join last_quarter
    left join ratings on ratings.period_label in (close_quarter.period_label, last_quarter.period_label)
),

tested as (
    select
        indicators.*,
        case indicators.metric_code
            when 'core_solvency_ratio' then 'core_solvency_ratio >= 50 %'
            when 'comprehensive_solvency_ratio' then 'comprehensive_solvency_ratio >= 100 %'
            when 'integrated_risk_rating' then 'integrated_risk_rating class B or better'
        end as regulatory_test,
        case indicators.metric_code
            when 'core_solvency_ratio'
                then
                    indicators.this_quarter_value >= {{ cross_ii_solvency_standard('core_solvency_ratio_min_percent') }}
            when 'comprehensive_solvency_ratio'
                then
                    indicators.this_quarter_value
                    >= {{ cross_ii_solvency_standard('comprehensive_solvency_ratio_min_percent') }}
            when 'integrated_risk_rating'
                then
                    {{ cross_ii_rating_class('indicators.this_quarter_grade') }}
                    in {{ cross_ii_solvency_standard('rating_classes_passing') }}
        end as this_quarter_passed,
        case indicators.metric_code
            when 'core_solvency_ratio'
                then
                    indicators.last_quarter_value >= {{ cross_ii_solvency_standard('core_solvency_ratio_min_percent') }}
            when 'comprehensive_solvency_ratio'
                then
                    indicators.last_quarter_value
                    >= {{ cross_ii_solvency_standard('comprehensive_solvency_ratio_min_percent') }}
            when 'integrated_risk_rating'
                then
                    {{ cross_ii_rating_class('indicators.last_quarter_grade') }}
                    in {{ cross_ii_solvency_standard('rating_classes_passing') }}
        end as last_quarter_passed
    from indicators
),

final as (
    select
        tested.metric_code,
        metric_dictionary.name_zh,
        metric_dictionary.unit,
        tested.this_quarter_value,
        tested.last_quarter_value,
        tested.this_quarter_grade,
        tested.last_quarter_grade,
        tested.regulatory_test,
        tested.this_quarter_passed,
        tested.last_quarter_passed
    from tested
    inner join {{ ref('metric_dictionary') }} as metric_dictionary on tested.metric_code = metric_dictionary.code
)

select * from final
