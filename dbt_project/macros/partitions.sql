{#- Raw partitions a close may see: nothing delivered for a quarter after the one being closed. -#}
{% macro delivered_by_close(quarter_column='quarter') -%}
    {{ quarter_column }} <= '{{ close_quarter() }}'
{%- endmacro %}

{#- For snapshot tables: the latest state delivered by the close quarter. -#}
{% macro latest_snapshot(relation, quarter_column='quarter') -%}
    {{ quarter_column }} = (
        select max({{ quarter_column }}) from {{ relation }}
        where {{ delivered_by_close(quarter_column) }}
    )
{%- endmacro %}
