-- Integrated risk rating (风险综合评级) per period of rpt_solvency_metrics: the latest rating the regulator
-- published on or before the period end (delivered by the close quarter). An input, never computed.
with

in_scope as (
    select * from {{ ref('int_reporting__solvency_periods') }}
),

ranked as (
    select
        in_scope.period_label,
        ratings.assessed_period,
        ratings.rating,
        ratings.published_on,
        row_number() over (
            partition by in_scope.period_label
            order by ratings.published_on desc nulls last, ratings.assessed_period desc nulls last
        ) as recency
    from in_scope
    inner join {{ ref('stg_regulator__risk_ratings') }} as ratings on in_scope.end_date >= ratings.published_on
),

final as (
    select
        period_label,
        assessed_period,
        rating,
        {{ cross_ii_rating_class('rating') }} as rating_class,
        published_on
    from ranked
    where recency = 1
)

select * from final
