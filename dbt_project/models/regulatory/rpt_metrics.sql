-- Every computed figure per reporting period, one row per period and metric: the disclosure figures, the
-- C-ROSS solvency figures and the regulator's integrated risk rating (a grade: metric_text, no metric_value).
-- Packages publish from here, filtered by reference.metric_publication.
with

disclosure as (
    select
        period_label,
        metric_code,
        unit,
        metric_value,
        cast(null as varchar(8)) as metric_text
    from {{ ref('rpt_disclosure_metrics') }}
),

solvency as (
    select
        period_label,
        metric_code,
        unit,
        metric_value,
        cast(null as varchar(8)) as metric_text
    from {{ ref('rpt_solvency_metrics') }}
),

rating as (
    select
        period_label,
        'integrated_risk_rating' as metric_code,
        'grade' as unit,
        cast(null as decimal(38, 10)) as metric_value,
        rating as metric_text
    from {{ ref('rpt_solvency_rating') }}
),

final as (
    select * from disclosure
    union all
    select * from solvency
    union all
    select * from rating
)

select * from final
