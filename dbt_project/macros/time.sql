{#- Seconds from timestamp a to timestamp b (engine-specific). -#}
{% macro seconds_between(a, b) -%}
    {{ return(adapter.dispatch('seconds_between', 'regwh')(a, b)) }}
{%- endmacro %}

{% macro default__seconds_between(a, b) -%}
    cast(date_diff('second', {{ a }}, {{ b }}) as bigint)
{%- endmacro %}

{% macro spark__seconds_between(a, b) -%}
    cast(unix_timestamp({{ b }}) - unix_timestamp({{ a }}) as bigint)
{%- endmacro %}

{#- Whole days from date a to date b (b - a). -#}
{% macro days_between(a, b) -%}
    {{ return(adapter.dispatch('days_between', 'regwh')(a, b)) }}
{%- endmacro %}

{% macro default__days_between(a, b) -%}
    cast(date_diff('day', {{ a }}, {{ b }}) as bigint)
{%- endmacro %}

{% macro spark__days_between(a, b) -%}
    cast(datediff({{ b }}, {{ a }}) as bigint)
{%- endmacro %}
