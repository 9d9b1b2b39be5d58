-- The periods a close reports solvency figures for: the closed quarter, the quarter before it and the half
-- year ending at the close quarter (if one does). Stocks at each period's end date.
with

periods as (
    select * from {{ ref('reporting_periods') }}
),

close_quarter as (
    select
        period_label,
        start_date,
        end_date
    from periods
    where period_label = '{{ close_quarter() }}'
),

final as (
    select
        periods.period_label,
        periods.end_date
    from periods
    cross join close_quarter
    where
        periods.period_label = close_quarter.period_label
        or (
            periods.period_kind = 'quarter'
            and periods.end_date = cast({{ dbt.dateadd('day', -1, 'close_quarter.start_date') }} as date)
        )
        or (periods.period_kind = 'half_year' and periods.end_date = close_quarter.end_date)
)

select * from final
