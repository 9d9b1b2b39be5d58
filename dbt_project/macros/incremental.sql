{#- Incremental models partitioned by quarter (orchestration/incremental.py): an incremental build rewrites the
    quarters from the rebuild_from var on and keeps the others; a full refresh (a first build, changed code,
    no record of the last close) builds every quarter. DuckDB deletes the rebuilt quarters in a pre-hook and
    appends; Spark overwrites the partitions it writes (insert_overwrite). Models pass is_incremental() in, so
    that a unit test's override of it (unit tests build in full) reaches the filter. -#}
{% macro rebuilt_quarters(quarter_column, incremental, from_previous=false) -%}
    {%- set start = var("rebuild_from") -%}
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
