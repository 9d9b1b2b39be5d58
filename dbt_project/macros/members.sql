{#-
    Members with a policy in force at each period's end: one row per period of `periods` (period_label,
    end_date) with members_end, counted distinct over `policies` (start_date, end_date, cancelled_on, member_id).
    A policy is in force on its start and end dates, and no longer on the day it is cancelled.
-#}
{% macro members_in_force(periods, policies) -%}
    {{ return(adapter.dispatch('members_in_force', 'regwh')(periods, policies)) }}
{%- endmacro %}

{% macro in_force_on(day, policy) -%}
    {{ day }} >= {{ policy }}.start_date
    and {{ day }} <= {{ policy }}.end_date
    and ({{ policy }}.cancelled_on is null or {{ day }} < {{ policy }}.cancelled_on)
{%- endmacro %}

{#- One range join of the periods to the policies (the shape Spark plans well). -#}
{% macro default__members_in_force(periods, policies) -%}
    select
        periods.period_label,
        count(distinct policies.member_id) as members_end
    from {{ periods }} as periods
    inner join {{ policies }} as policies on {{ in_force_on('periods.end_date', 'policies') }}
    group by periods.period_label
{%- endmacro %}

{#- DuckDB: counted once per distinct end (a half year ends with its second quarter: four ends for six periods),
    40 % less at scale 1. On Spark this shape did not finish (docs/performance.md, "Small intermediates as tables"). -#}
{% macro duckdb__members_in_force(periods, policies) -%}
    select
        periods.period_label,
        by_end.members_end
    from {{ periods }} as periods
    inner join (
        select
            ends.end_date,
            count(distinct policies.member_id) as members_end
        from (select distinct end_date from {{ periods }}) as ends
        inner join {{ policies }} as policies on {{ in_force_on('ends.end_date', 'policies') }}
        group by ends.end_date
    ) as by_end on periods.end_date = by_end.end_date
{%- endmacro %}
