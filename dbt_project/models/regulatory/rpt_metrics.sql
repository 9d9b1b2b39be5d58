-- Every computed figure per reporting period, one row per period and metric: the disclosure figures and the
-- C-ROSS solvency figures. Packages publish from here, filtered by reference.metric_publication.
with

disclosure as (
    select
        period_label,
        metric_code,
        unit,
        metric_value
    from {{ ref('rpt_disclosure_metrics') }}
),

solvency as (
    select
        period_label,
        metric_code,
        unit,
        metric_value
    from {{ ref('rpt_solvency_metrics') }}
),

final as (
    select * from disclosure
    union all
    select * from solvency
)

select * from final
