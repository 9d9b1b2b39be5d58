{#- Exact CNY -> wan CNY (10,000 CNY): a multiplication keeps DECIMAL on every engine. -#}
{% macro to_wan(amount) -%}
    cast(({{ amount }}) * cast(0.0001 as decimal(5, 4)) as decimal(38, 10))
{%- endmacro %}

{#- numerator / denominator * 100 as a decimal; null when the denominator is zero. -#}
{% macro percent_of(numerator, denominator) -%}
    cast(cast(100 * ({{ numerator }}) as decimal(38, 10)) / nullif({{ denominator }}, 0) as decimal(38, 10))
{%- endmacro %}

{#- numerator / denominator as a decimal; null when the denominator is zero. -#}
{% macro ratio_of(numerator, denominator) -%}
    cast(cast({{ numerator }} as decimal(38, 10)) / nullif({{ denominator }}, 0) as decimal(38, 10))
{%- endmacro %}

{% macro safe_cast(field, type) -%}
    {{ return(adapter.dispatch('safe_cast', 'regwh')(field, type)) }}
{%- endmacro %}

{% macro duckdb__safe_cast(field, type) -%}
    try_cast({{ field }} as {{ type }})
{%- endmacro %}

{% macro spark__safe_cast(field, type) -%}
    try_cast({{ field }} as {{ type }})
{%- endmacro %}
