{#- unique on an incremental model, checking only the values of the rows in the rebuilt quarters (every value in a
    full build) against the whole model: a repeat across quarters is found as soon as one of its rows is
    rebuilt; repeats among the older quarters alone were found by the close that built them (macros/incremental.sql,
    tested_quarters). Cheaper than unique: the values of every row are only probed, and only the rebuilt
    ones grouped. -#}
{% test unique_since_rebuild(model, column_name, quarter_column) %}

select
    {{ column_name }} as unique_field,
    count(*) as n_records
from {{ model }}
where
    {{ column_name }} is not null
    {%- if rebuild_from() %}
    and {{ column_name }} in (
        select rebuilt.{{ column_name }} from {{ model }} as rebuilt
        where {{ tested_quarters('rebuilt.' ~ quarter_column) }}
    )
    {%- endif %}
group by {{ column_name }}
having count(*) > 1

{% endtest %}
