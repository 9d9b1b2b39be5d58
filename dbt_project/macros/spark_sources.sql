{#-
  Sources on engines that cannot read a file path in FROM (Spark): run as `on-run-start`.

  dbt-duckdb reads each raw source through its `meta.external_location` (read_parquet with hive
  partitioning, generated from the contracts). On Spark the same Parquet folders become one view per source,
  `<source schema>.<table>` over `parquet.`<folder>``: partition folders (quarter=2025Q1, ...) are discovered
  at query time, so a newly extracted quarter needs no repair, and no model changes (`source()` resolves to
  the view). The folder is the part of the external location before its first glob; REGWH_LAKE_URI replaces
  the local `.../lake` prefix when the cluster reads the lake from elsewhere (hdfs://, s3a://).

  Sources whose source-level `meta.lake_folder` names a lake folder instead (the `reserving` schema, which the
  Dagster reserving assets write as `lake/<lake_folder>/<table>/<quarter>.parquet` through the Spark warehouse
  resource) become external Parquet tables with the columns' declared `data_type`s: they exist before the
  first file is written, and Spark lists the folder's files whenever a query reads them.
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
            {%- set written = node.source_meta.get('lake_folder') -%}
            {%- if (location or written) and node.schema not in schemas -%}
                {%- do schemas.append(node.schema) -%}
                {%- do statements.append('create database if not exists ' ~ node.schema) -%}
            {%- endif -%}
            {%- if location -%}
                {%- do statements.append(
                    'create or replace view ' ~ node.schema ~ '.' ~ node.identifier
                    ~ ' as select * from parquet.`' ~ location ~ '`'
                ) -%}
            {%- elif written -%}
                {%- set columns = [] -%}
                {%- for column in node.columns.values() -%}
                    {%- do columns.append(column.name ~ ' ' ~ column.data_type) -%}
                {%- endfor -%}
                {%- do statements.append(
                    'create table if not exists ' ~ node.schema ~ '.' ~ node.identifier
                    ~ ' (' ~ columns | join(', ') ~ ') using parquet location \'' ~ regwh.lake_root() ~ '/'
                    ~ written ~ '/' ~ node.identifier ~ '\''
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

{#- The lake as the engine reads it: REGWH_LAKE_URI, else $REGWH_HOME/lake. -#}
{% macro lake_root() -%}
    {{ return((env_var('REGWH_LAKE_URI', '') or env_var('REGWH_HOME') ~ '/lake').rstrip('/')) }}
{%- endmacro %}
