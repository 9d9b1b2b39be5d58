{#-
  Seeds on Spark, two fixes to dbt-spark 1.11's seed loading (DuckDB is untouched):

  1. Column types: the seed YAML declares text columns as `varchar` (DuckDB's name), which Spark rejects
     without a length (DATATYPE_MISSING_SIZE). They are mapped to `string` before dbt-spark creates the table.
     New seed YAML should write `string` (an alias of VARCHAR on DuckDB); this keeps the old YAML working.
  2. Values: with `method: session` dbt-spark substitutes bindings with Python `%` formatting, unescaped,
     so a value with an apostrophe breaks the INSERT, an empty cell becomes the string 'None', and decimals
     pass through float. Rows are written here as escaped string literals (NULL for empty cells) and cast
     to the column type, so decimals stay exact. Correct for `thrift` as well.
-#}
{% macro spark_seed_column_types(model) -%}
    {%- set column_types = model['config'].get('column_types', {}) -%}
    {%- for name, type in column_types.items() -%}
        {%- if (type | string | trim | lower) in ['varchar', 'text', 'character varying'] -%}
            {%- do column_types.update({name: 'string'}) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(column_types) }}
{%- endmacro %}

{% macro spark_literal(value) -%}
    {%- if value is none -%}
        null
    {%- else -%}
        '{{ (value | string).replace("\\", "\\\\").replace("'", "\\'") }}'
    {%- endif -%}
{%- endmacro %}

{% macro spark__create_csv_table(model, agate_table) -%}
    {%- do regwh.spark_seed_column_types(model) -%}
    {{ return(dbt.spark__create_csv_table(model, agate_table)) }}
{%- endmacro %}

{% macro spark__load_csv_rows(model, agate_table) -%}
    {%- set column_types = regwh.spark_seed_column_types(model) -%}
    {%- set types = [] -%}
    {%- for col_name in agate_table.column_names -%}
        {%- do types.append(column_types.get(col_name, adapter.convert_type(agate_table, loop.index0))) -%}
    {%- endfor -%}
    {%- set statements = [] -%}
    {%- for chunk in agate_table.rows | batch(get_batch_size()) -%}
        {%- set sql -%}
            insert into {{ this.render() }} values
            {% for row in chunk -%}
                ({%- for value in row -%}
                    cast({{ regwh.spark_literal(value) }} as {{ types[loop.index0] }})
                    {%- if not loop.last -%}, {% endif -%}
                {%- endfor -%}){%- if not loop.last -%},{%- endif %}
            {% endfor -%}
        {%- endset -%}
        {%- do adapter.add_query(sql, abridge_sql_log=True) -%}
        {%- if loop.index0 == 0 -%}{%- do statements.append(sql) -%}{%- endif -%}
    {%- endfor -%}
    {{ return(statements[0] if statements else '') }}
{%- endmacro %}
