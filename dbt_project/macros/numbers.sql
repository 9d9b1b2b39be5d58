{#-
    Decimal arithmetic that gives the same digits on DuckDB and Spark. Spark keeps a product or quotient exact
    only while its precision fits 38 digits (otherwise it rounds to as few as 6 decimals), so operands are cast
    to declared precisions first. DuckDB divides decimals as DOUBLE, so ratio_of divides in integers there.
-#}

{#- Exact CNY -> wan CNY (10,000 CNY), decimal(38, 10). -#}
{% macro to_wan(amount) -%}
    cast(cast({{ amount }} as decimal(32, 10)) * cast(0.0001 as decimal(5, 4)) as decimal(38, 10))
{%- endmacro %}

{#- numerator / denominator * 100 as decimal(38, 10); null when the denominator is zero. -#}
{% macro percent_of(numerator, denominator) -%}
    {{ ratio_of('100 * cast(' ~ numerator ~ ' as decimal(27, 10))', denominator) }}
{%- endmacro %}

{#-
    numerator / denominator as decimal(38, 10), rounded half away from zero at the 10th decimal on every
    engine; null when the denominator is zero. Numerator up to 10^17, denominator up to 10^14 (10 decimals).
-#}
{% macro ratio_of(numerator, denominator) -%}
    {{ return(adapter.dispatch('ratio_of', 'regwh')(numerator, denominator)) }}
{%- endmacro %}

{#- Decimal division: (28,10) / (24,10) is exact to exactly 10 decimals on Spark, rounded half up. -#}
{% macro default__ratio_of(numerator, denominator) -%}
    cast(
        cast({{ numerator }} as decimal(28, 10)) / nullif(cast({{ denominator }} as decimal(24, 10)), 0)
        as decimal(38, 10)
    )
{%- endmacro %}

{#- DuckDB: both operands in units of 10^-10 as HUGEINT, the quotient rounded half away from zero by `//`. -#}
{% macro duckdb__ratio_of(numerator, denominator) -%}
    {%- set n = 'cast(cast(' ~ numerator ~ ' as decimal(27, 10)) * cast(10000000000 as decimal(11, 0)) as hugeint)' -%}
    {%- set d = 'cast(cast(' ~ denominator ~ ' as decimal(24, 10)) * cast(10000000000 as decimal(11, 0)) as hugeint)' -%}
    cast(
        cast(
            sign({{ n }}) * sign({{ d }}) * ((abs({{ n }}) * 20000000000 + abs({{ d }})) // nullif(2 * abs({{ d }}), 0))
            as decimal(38, 0)
        ) * cast(0.0000000001 as decimal(11, 10))
        as decimal(38, 10)
    )
{%- endmacro %}

{#- amount x factor, exact on both engines: amounts up to 10^17 with 10 decimals, factors up to 10^4 with 6. -#}
{% macro times_factor(amount, factor) -%}
    cast(cast({{ amount }} as decimal(27, 10)) * cast({{ factor }} as decimal(10, 6)) as decimal(38, 10))
{%- endmacro %}

{#- percent % of amount (a ratio from percent_of, 10 decimals, of an amount up to 10^9), decimal(36, 10). -#}
{% macro percent_of_amount(percent, amount) -%}
    cast(
        cast(cast({{ percent }} as decimal(16, 10)) * cast(0.01 as decimal(3, 2)) as decimal(18, 12))
        * cast({{ amount }} as decimal(19, 10))
        as decimal(36, 10)
    )
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
