{#-
  Sources on engines that cannot read a file path in FROM (Spark): run as `on-run-start`.

  dbt-duckdb reads each raw source through its `meta.external_location` (read_parquet with hive
  partitioning, generated from the contracts). On Spark the same Parquet folders become one view per source,
  `<source schema>.<table>` over `parquet.`<folder>``: partition folders (quarter=2025Q1, ...) are discovered
  at query time, so a newly extracted quarter needs no repair, and no model changes (`source()` resolves to
  the view). The folder is the part of the external location before its first glob; REGWH_LAKE_URI replaces
  the local `.../lake` prefix when the cluster reads the lake from elsewhere (hdfs://, s3a://).

  Sources without an external location (the `reserving` schema written by the Dagster reserving assets)
  are tables their writer creates in the metastore; nothing is registered for them here.
-#}
{% macro register_lake_sources() -%}
    {{ return(adapter.dispatch('register_lake_sources', 'regwh')()) }}
{%- endmacro %}

{#- DuckDB reads the external locations directly: nothing to run (an empty hook is skipped). -#}
{% macro default__register_lake_sources() -%}{%- endmacro %}

{% macro spark__register_lake_sources() -%}
    {%- if execute -%}
        {%- set schemas = [] -%}
        {%- set statements = [] -%}
        {%- for node in graph.sources.values() | sort(attribute='unique_id') -%}
            {%- set location = regwh.lake_folder(node) -%}
            {%- if location -%}
                {%- if node.schema not in schemas -%}
                    {%- do schemas.append(node.schema) -%}
                    {%- do statements.append('create database if not exists ' ~ node.schema) -%}
                {%- endif -%}
                {%- do statements.append(
                    'create or replace view ' ~ node.schema ~ '.' ~ node.identifier
                    ~ ' as select * from parquet.`' ~ location ~ '`'
                ) -%}
            {%- endif -%}
        {%- endfor -%}
        {%- for statement in statements -%}
            {%- do run_query(statement) -%}
        {%- endfor -%}
        {{ log('registered ' ~ (statements | length - schemas | length) ~ ' lake sources on ' ~ target.name, info=true) }}
    {%- endif -%}
{%- endmacro %}

{#- The Parquet folder of one source table (a string), or none if the source has no external location. -#}
{% macro lake_folder(node) -%}
    {%- set external = node.meta.get('external_location') or node.config.get('meta', {}).get('external_location') -%}
    {%- if not external -%}{{ return(none) }}{%- endif -%}
    {%- set found = modules.re.search("'([^']+)'", external) -%}
    {%- if not found -%}
        {{ exceptions.raise_compiler_error('cannot read a path from external_location of ' ~ node.unique_id ~ ': ' ~ external) }}
    {%- endif -%}
    {%- set folder = found.group(1).replace('{name}', node.identifier).split('*')[0].rstrip('/') -%}
    {%- set lake_uri = env_var('REGWH_LAKE_URI', '') -%}
    {%- if lake_uri and '/lake/' in folder -%}
        {%- set folder = lake_uri.rstrip('/') ~ '/' ~ folder.split('/lake/', 1)[1] -%}
    {%- endif -%}
    {{ return(folder) }}
{%- endmacro %}

{#-
  `dbt run-operation load_parquet_table --args '{relation: reserving.ibnr_estimates, path: /x/ibnr.parquet}'`:
  (re)create a metastore table from Parquet files. This is what a Spark writer of the reserving assets
  produces; the Spark test uses it to load the reserving tables that the DuckDB close computed.
-#}
{% macro load_parquet_table(relation, path) -%}
    {%- set schema = relation.split('.')[0] -%}
    {%- do run_query('create database if not exists ' ~ schema) -%}
    {%- do run_query('drop table if exists ' ~ relation) -%}
    {%- do run_query('create table ' ~ relation ~ ' using parquet as select * from parquet.`' ~ path ~ '`') -%}
    {{ log('loaded ' ~ relation ~ ' from ' ~ path, info=true) }}
{%- endmacro %}
