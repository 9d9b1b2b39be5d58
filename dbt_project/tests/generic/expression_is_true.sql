{#- Rows where a boolean expression does not hold (dbt packages are not installed offline). -#}
{% test expression_is_true(model, expression, column_name=none) %}

select *
from {{ model }}
where not ({{ expression }})

{% endtest %}
