"""Checks on the regulatory outputs: every computed figure (``rpt_metrics``) and the quarterly solvency summary
(主要指标表), one row per figure so that a failing rule names it. The related-party disclosure's check is with
the related-party facts."""

from orchestration.fact_checks.check import FactCheck, with_quarters

# Figures that cannot be negative (counts, times, amounts that are sums of non-negative items, stocks of
# assets, liabilities, reserves and minimum capital) and the shares that are parts of a whole, in percent.
NON_NEGATIVE = (
    "premium_income_original", "premium_income_health", "claims_paid", "medical_advance_avg", "rpt_amount",
    "total_assets", "total_liabilities", "unearned_premium_reserve", "outstanding_claims_reserve",
    "admitted_assets", "admitted_liabilities", "minimum_capital",
)  # fmt: skip
SHARES = ("premium_share_health", "online_report_rate", "one_day_settlement_rate")


def _codes(codes: tuple[str, ...]) -> str:
    return ", ".join(f"'{code}'" for code in codes)


RPT_METRICS = FactCheck(
    "rpt_metrics",
    "rpt_metrics",
    with_quarters(
        f"""
        periods as (
            select
                quarter_label as period_label,
                'quarter' as period_kind,
                start_date,
                end_date
            from quarters
            where checked
            union all
            select
                halves.period_label,
                halves.period_kind,
                halves.start_date,
                halves.end_date
            from reference.reporting_periods as halves
            where
                halves.period_kind = 'half_year'
                and (
                    select count(*)
                    from quarters
                    where quarters.checked and quarters.start_date >= halves.start_date
                        and quarters.end_date <= halves.end_date
                ) = 2
        ),

        figures as (
            select
                period_label,
                metric_code,
                count(*) as row_count,
                max(unit) as unit,
                max(metric_value) as metric_value,
                max(metric_text) as metric_text
            from regulatory.rpt_metrics
            group by period_label, metric_code
        ),

        from_quarters as (
            select
                periods.period_label,
                figures.metric_code,
                sum(figures.metric_value) as quarters_sum,
                min(figures.metric_value) as quarters_min,
                max(figures.metric_value) as quarters_max,
                arg_max(figures.metric_value, quarters.end_date) as last_value,
                arg_max(figures.metric_text, quarters.end_date) as last_text
            from periods
            inner join quarters
                on quarters.start_date >= periods.start_date and quarters.end_date <= periods.end_date
            inner join figures on quarters.quarter_label = figures.period_label
            where periods.period_kind = 'half_year'
            group by periods.period_label, figures.metric_code
        ),

        health as (
            select
                period_label,
                max(case when metric_code = 'premium_income_health' then metric_value end)
                - max(case when metric_code = 'premium_income_original' then metric_value end) as gap
            from figures
            group by period_label
        )

        select
            periods.period_label as quarter_label,
            concat(periods.period_label, ' ', dictionary.code) as figure,
            coalesce(figures.row_count, 0) as row_count,
            case when figures.unit = dictionary.unit then 0 else 1 end as unit_mismatch,
            case
                when dictionary.unit = 'grade' and figures.metric_text is not null then 0
                when dictionary.unit <> 'grade' and figures.metric_value is not null then 0
                else 1
            end as value_missing,
            case when dictionary.unit = 'grade' then figures.metric_text end as grade,
            case when dictionary.unit in ('count', 'seconds') or dictionary.code in ({_codes(NON_NEGATIVE)})
                then cast(figures.metric_value as double) end as non_negative_value,
            case when dictionary.code in ({_codes(SHARES)}) then cast(figures.metric_value as double) end
                as share_percent,
            case when periods.period_kind = 'half_year' then cast(case dictionary.aggregation
                when 'sum' then figures.metric_value - from_quarters.quarters_sum
                when 'end' then figures.metric_value - from_quarters.last_value
                when 'min' then figures.metric_value - from_quarters.quarters_min
            end as double) end as half_year_vs_quarters_gap,
            case when periods.period_kind = 'half_year' and dictionary.aggregation = 'distinct' then cast(greatest(
                from_quarters.quarters_max - figures.metric_value, figures.metric_value - from_quarters.quarters_sum, 0
            ) as double) end as distinct_count_outside_quarters,
            case when periods.period_kind = 'half_year' and dictionary.unit = 'grade'
                then case when figures.metric_text = from_quarters.last_text then 0 else 1 end
            end as grade_not_last_quarters,
            case when dictionary.code = 'premium_income_health' then cast(health.gap as double) end
                as health_minus_original
        from periods
        cross join reference.metric_dictionary as dictionary
        left join figures on periods.period_label = figures.period_label and dictionary.code = figures.metric_code
        left join from_quarters
            on periods.period_label = from_quarters.period_label and dictionary.code = from_quarters.metric_code
        left join health on periods.period_label = health.period_label
        order by periods.end_date, periods.period_kind, dictionary.code
        """
    ),
    schema="regulatory",
    row_label="figure",
)


def _identity(column: str) -> str:
    """``<column>`` surplus and ratio identities of the summary pivot ``wide``: surplus = capital - minimum
    capital, ratio = capital / minimum capital x 100; the figure's own value less the recomputed one."""
    return f"""
            case summary.metric_code
                when 'core_solvency_surplus' then summary.{column} - (wide.core_{column} - wide.minimum_{column})
                when 'comprehensive_solvency_surplus'
                    then summary.{column} - (wide.actual_{column} - wide.minimum_{column})
            end"""


RPT_SOLVENCY_SUMMARY = FactCheck(
    "rpt_solvency_summary",
    "rpt_solvency_summary",
    with_quarters(
        f"""
        closed as (
            select
                quarter_label,
                previous_label
            from quarters
            where checked
        ),

        expected as (
            select
                closed.quarter_label,
                closed.previous_label,
                dictionary.code as metric_code,
                dictionary.unit
            from closed
            cross join reference.metric_dictionary as dictionary
            where dictionary.section = 'solvency'
        ),

        summary as (
            select
                metric_code,
                count(*) as row_count,
                max(unit) as unit,
                max(this_quarter_value) as this_quarter_value,
                max(last_quarter_value) as last_quarter_value,
                max(this_quarter_grade) as this_quarter_grade,
                max(last_quarter_grade) as last_quarter_grade,
                max(regulatory_test) as regulatory_test,
                bool_and(this_quarter_passed) as this_quarter_passed
            from regulatory.rpt_solvency_summary
            group by metric_code
        ),

        wide as (
            select
                max(case when metric_code = 'core_capital' then this_quarter_value end) as core_this_quarter_value,
                max(case when metric_code = 'actual_capital' then this_quarter_value end) as actual_this_quarter_value,
                max(case when metric_code = 'minimum_capital' then this_quarter_value end)
                    as minimum_this_quarter_value,
                max(case when metric_code = 'core_capital' then last_quarter_value end) as core_last_quarter_value,
                max(case when metric_code = 'actual_capital' then last_quarter_value end) as actual_last_quarter_value,
                max(case when metric_code = 'minimum_capital' then last_quarter_value end)
                    as minimum_last_quarter_value
            from summary
        )

        select
            expected.quarter_label,
            concat(expected.quarter_label, ' ', expected.metric_code) as figure,
            coalesce(summary.row_count, 0) as row_count,
            case when summary.unit = expected.unit then 0 else 1 end as unit_mismatch,
            case
                when expected.unit = 'grade' and summary.this_quarter_grade is not null then 0
                when expected.unit <> 'grade' and summary.this_quarter_value is not null then 0
                else 1
            end as this_quarter_missing,
            summary.this_quarter_grade,
            summary.last_quarter_grade,
            case when (summary.regulatory_test is null) = (summary.this_quarter_passed is null) then 0 else 1 end
                as test_without_result,
            cast({_identity("this_quarter_value")} as double) as this_quarter_surplus_gap,
            cast({_identity("last_quarter_value")} as double) as last_quarter_surplus_gap,
            cast(case summary.metric_code
                when 'core_solvency_ratio'
                    then summary.this_quarter_value
                    - wide.core_this_quarter_value / wide.minimum_this_quarter_value * 100
                when 'comprehensive_solvency_ratio'
                    then summary.this_quarter_value
                    - wide.actual_this_quarter_value / wide.minimum_this_quarter_value * 100
            end as double) as this_quarter_ratio_gap,
            cast(case summary.metric_code
                when 'core_solvency_ratio'
                    then summary.last_quarter_value
                    - wide.core_last_quarter_value / wide.minimum_last_quarter_value * 100
                when 'comprehensive_solvency_ratio'
                    then summary.last_quarter_value
                    - wide.actual_last_quarter_value / wide.minimum_last_quarter_value * 100
            end as double) as last_quarter_ratio_gap,
            cast(summary.this_quarter_value - this_metric.metric_value as double) as this_quarter_vs_metrics_gap,
            cast(summary.last_quarter_value - last_metric.metric_value as double) as last_quarter_vs_previous_gap,
            case when this_metric.metric_code is null then 1 else 0 end as this_quarter_metric_missing,
            case when expected.unit = 'grade' then case
                when summary.this_quarter_grade is not distinct from this_metric.metric_text
                    and (last_metric.metric_text is null or summary.last_quarter_grade = last_metric.metric_text) then 0
                else 1
            end end as grade_mismatch
        from expected
        cross join wide
        left join summary on expected.metric_code = summary.metric_code
        left join regulatory.rpt_metrics as this_metric
            on expected.quarter_label = this_metric.period_label and expected.metric_code = this_metric.metric_code
        left join regulatory.rpt_metrics as last_metric
            on expected.previous_label = last_metric.period_label and expected.metric_code = last_metric.metric_code
        order by expected.metric_code
        """
    ),
    close_quarter_only=True,
    schema="regulatory",
    row_label="figure",
)
