{#-
  accepted_values on Spark: a YAML boolean (`values: [true]`) is quoted by dbt's default test, and Spark
  refuses BOOLEAN IN ('True') (DATATYPE_MISMATCH), where DuckDB casts. Booleans are written unquoted here;
  every other value goes through dbt's default unchanged.
-#}
{% macro spark__test_accepted_values(model, column_name, values, quote=True) -%}
    {%- set literals = [] -%}
    {%- for value in values -%}
        {%- if value is sameas true or value is sameas false -%}
            {%- do literals.append(value | string | lower) -%}
        {%- elif quote -%}
            {%- do literals.append("'" ~ value ~ "'") -%}
        {%- else -%}
            {%- do literals.append(value | string) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(dbt.default__test_accepted_values(model, column_name, literals, quote=false)) }}
{%- endmacro %}
