{#- The quarter being closed (written 2025Q2) and the first quarter the incremental models rebuild ("" = every
    quarter; macros/incremental.sql). The close sets them in the environment (REGWH_CLOSE_QUARTER,
    REGWH_REBUILD_FROM): dbt then re-parses only the files that read them when they change, where new --vars
    would make it parse the whole project again. A --vars value, or a unit test's override, still wins. -#}
{% macro close_quarter() -%}
    {{ return(var('close_quarter', env_var('REGWH_CLOSE_QUARTER', '2025Q2'))) }}
{%- endmacro %}

{% macro rebuild_from() -%}
    {{ return(var('rebuild_from', env_var('REGWH_REBUILD_FROM', ''))) }}
{%- endmacro %}
