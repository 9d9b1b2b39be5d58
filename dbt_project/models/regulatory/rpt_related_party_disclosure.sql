-- Quarterly related-party disclosure (关联交易季度统计) for the closed quarter and the quarter before it:
-- transactions by category and classification (major / general, fct_related_party_classification), count and
-- amount, and the unified transaction agreements signed or renewed in the quarter by agreement type.
with

close_quarter as (
    select
        period_label,
        start_date
    from {{ ref('reporting_periods') }}
    where period_label = '{{ close_quarter() }}'
),

in_scope as (
    select
        periods.period_label,
        periods.start_date,
        periods.end_date
    from {{ ref('reporting_periods') }} as periods
    cross join close_quarter
    where
        periods.period_label = close_quarter.period_label
        or (
            periods.period_kind = 'quarter'
            and periods.end_date = cast({{ dbt.dateadd('day', -1, 'close_quarter.start_date') }} as date)
        )
),

transactions as (
    select
        in_scope.period_label,
        'transaction' as row_kind,
        classified.transaction_category as category,
        classified.classification,
        count(*) as item_count,
        sum(classified.amount) as amount_cny
    from in_scope
    inner join {{ ref('fct_related_party_classification') }} as classified
        on classified.executed_on between in_scope.start_date and in_scope.end_date
    group by in_scope.period_label, classified.transaction_category, classified.classification
),

agreements as (
    select
        in_scope.period_label,
        'unified_agreement' as row_kind,
        agreements.agreement_type as category,
        'major' as classification,
        count(*) as item_count,
        cast(null as decimal(38, 2)) as amount_cny
    from in_scope
    inner join {{ ref('stg_related_party__unified_agreements') }} as agreements
        on agreements.signed_on between in_scope.start_date and in_scope.end_date
    group by in_scope.period_label, agreements.agreement_type
),

final as (
    select
        period_label,
        row_kind,
        category,
        classification,
        item_count,
        amount_cny,
        {{ to_wan('amount_cny') }} as amount_wan_cny
    from transactions
    union all
    select
        period_label,
        row_kind,
        category,
        classification,
        item_count,
        amount_cny,
        {{ to_wan('amount_cny') }} as amount_wan_cny
    from agreements
)

select * from final
