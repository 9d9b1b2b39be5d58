{#- Incremental models partitioned by quarter (orchestration/incremental.py): an incremental build rewrites the
    quarters from the rebuild_from var on and keeps the others; a full refresh (a first build, changed code,
    no record of the last close) builds every quarter. DuckDB deletes the rebuilt quarters in a pre-hook and
    appends; Spark overwrites the partitions it writes (insert_overwrite). Models pass is_incremental() in, so
    that a unit test's override of it (unit tests build in full) reaches the filter. -#}

{#- The config of a model incremental by quarter_column (one call instead of the same block in every model). -#}
{% macro quarter_incremental(quarter_column) -%}
    {{ config(
        materialized='incremental',
        incremental_strategy='insert_overwrite' if target.type == 'spark' else 'append',
        partition_by=[quarter_column] if target.type == 'spark' else none,
        pre_hook="{{ delete_rebuilt_quarters('" ~ quarter_column ~ "') }}",
        on_schema_change='fail'
    ) }}
{%- endmacro %}

{#- The config of a model that renames staged rows (or adds attributes by joins) and that nothing in the project
    sums: a view on DuckDB, which reads the staged Parquet in place (no copy written); a table incremental by
    quarter_column on other engines, whose warehouse resource (orchestration/defs/resources.py) reads tables'
    files. Its key is tested on the staged model: with unique_since_rebuild only while an incremental model reads
    the same source (a close's rebuild_from follows only such sources' deliveries), with unique otherwise. -#}
{% macro staged_projection(quarter_column) -%}
    {{ return(adapter.dispatch('staged_projection', 'regwh')(quarter_column)) }}
{%- endmacro %}

{% macro default__staged_projection(quarter_column) -%}
    {{ quarter_incremental(quarter_column) }}
{%- endmacro %}

{% macro duckdb__staged_projection(quarter_column) -%}
    {{ config(materialized='view') }}
{%- endmacro %}

{% macro rebuilt_quarters(quarter_column, incremental, from_previous=false) -%}
    {%- set start = rebuild_from() -%}
    {%- if from_previous and start -%}
        {#- the quarter before (quarter labels are written 2025Q2) -#}
        {%- set year, quarter = start[:4] | int, start[5:] | int -%}
        {%- set start = (year - 1) ~ 'Q4' if quarter == 1 else year ~ 'Q' ~ (quarter - 1) -%}
    {%- endif -%}
    {%- if incremental -%}
        {{ quarter_column }} >= '{{ start }}'
    {%- else -%}
        1 = 1
    {%- endif -%}
{%- endmacro %}

{% macro delete_rebuilt_quarters(quarter_column) -%}
    {%- if is_incremental() and target.type != 'spark' -%}
        delete from {{ this }} where {{ rebuilt_quarters(quarter_column, true) }}
    {%- endif -%}
{%- endmacro %}

{#- The rows a test of an incremental model checks: those of the rebuilt quarters in an incremental build (the
    others are the rows the last close built and tested, unchanged since, by the same code: the project's
    fingerprint covers models, macros and tests), every row otherwise. Sound only for a check of one row, or of
    rows of one quarter together (a key that includes the quarter), or, as in unique_since_rebuild, of the
    rebuilt rows against all rows. -#}
{% macro tested_quarters(quarter_column) -%}
    {{ rebuilt_quarters(quarter_column, rebuild_from() != "") }}
{%- endmacro %}

{#- The first day of a quarter written 2025Q2, as a date literal (null for ""). -#}
{% macro quarter_start(label) -%}
    {%- if label -%}
        cast('{{ label[:4] }}-{{ "%02d" | format((label[5:] | int - 1) * 3 + 1) }}-01' as date)
    {%- else -%}
        cast(null as date)
    {%- endif -%}
{%- endmacro %}

{#- fct_policies' rows an incremental build writes: the policies issued in the rebuilt quarters and those in
    `recancelled` (a relation of policy_id). DuckDB replaces exactly those rows (delete+insert on policy_id);
    Spark overwrites whole partitions, so every policy issued in or after the earliest of their issue quarters. -#}
{% macro rebuilt_policies(policies, recancelled) -%}
    {{ return(adapter.dispatch('rebuilt_policies', 'regwh')(policies, recancelled)) }}
{%- endmacro %}

{% macro default__rebuilt_policies(policies, recancelled) -%}
    ({{ rebuilt_quarters(policies ~ '.issued_quarter', true) }}
    or {{ policies }}.policy_id in (select {{ recancelled }}.policy_id from {{ recancelled }}))
{%- endmacro %}

{% macro spark__rebuilt_policies(policies, recancelled) -%}
    {{ policies }}.issued_quarter >= (
        select min(touched.issued_quarter) from (
            select '{{ rebuild_from() }}' as issued_quarter
            union all
            select {{ policies }}.issued_quarter from {{ policies }}
            inner join {{ recancelled }} on {{ policies }}.policy_id = {{ recancelled }}.policy_id
        ) as touched
    )
{%- endmacro %}
