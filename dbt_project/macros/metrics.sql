{#-
    One row per period and metric (period_label, metric_code, unit, metric_value) from the columns of
    `relation`, which has one row per period: `metrics` maps each metric code to its SQL expression over those
    columns. The value is decimal(38, 10), the unit the metric dictionary's.
-#}
{% macro metric_rows(metrics, relation='wide') -%}
    select
        figures.period_label,
        figures.metric_code,
        metric_dictionary.unit,
        figures.metric_value
    from (
        {% for code, expression in metrics.items() -%}
            select
                period_label,
                '{{ code }}' as metric_code,
                cast({{ expression }} as decimal(38, 10)) as metric_value
            from {{ relation }}
            {% if not loop.last -%} union all {%- endif %}
        {% endfor %}
    ) as figures
    inner join {{ ref('metric_dictionary') }} as metric_dictionary on figures.metric_code = metric_dictionary.code
{%- endmacro %}
