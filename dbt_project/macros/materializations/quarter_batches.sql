{#- An incremental model built one quarter at a time on DuckDB (quarter_incremental(..., batches_from=...)).
    Each quarter is one `insert ... select * from (model) where <quarter column> = '<quarter>'`: the filter reaches
    the model's inputs through its joins and groupings, so one quarter's groups are held at a time instead of
    every quarter's (at scale 10 the UPR table's single aggregation spilled beyond the disk). The quarters are
    the reporting periods from the first value of `batches_from` (a model and its quarter column) to the close,
    limited to the rebuilt ones in an incremental build, whose rows are deleted first; a full build replaces the
    table. One transaction: a failed quarter leaves the table as it was. Spark keeps the incremental
    materialisation (insert_overwrite), whose aggregations spill across the cluster. -#}
{% materialization quarter_batches, adapter='duckdb' %}
    {%- set quarter_column = config.require('quarter_column') -%}
    {%- set batches_from = config.require('batches_from') -%}
    {%- set existing_relation = load_cached_relation(this) -%}
    {%- set target_relation = this.incorporate(type='table') -%}
    {%- set incremental = is_incremental() -%}

    {{ run_hooks(pre_hooks, inside_transaction=False) }}
    {{ run_hooks(pre_hooks, inside_transaction=True) }}

    {%- set quarters_sql -%}
        select period_label from {{ ref('reporting_periods') }}
        where
            period_kind = 'quarter'
            and period_label >= (select min({{ batches_from[1] }}) from {{ ref(batches_from[0]) }})
            and period_label <= '{{ close_quarter() }}'
            and {{ rebuilt_quarters('period_label', incremental) }}
        order by period_label
    {%- endset -%}
    {%- set quarters = run_query(quarters_sql).columns[0].values() -%}

    {%- if incremental -%}
        {%- call statement('delete_rebuilt') -%}
            delete from {{ target_relation }} where {{ rebuilt_quarters(quarter_column, true) }}
        {%- endcall -%}
    {%- else -%}
        {%- if existing_relation is not none and not existing_relation.is_table -%}
            {{ adapter.drop_relation(existing_relation) }}
        {%- endif -%}
        {%- call statement('create_empty') -%}
            create or replace table {{ target_relation }} as
            select * from ({{ compiled_code }}) as batch where 1 = 0
        {%- endcall -%}
    {%- endif -%}

    {%- for quarter in quarters -%}
        {%- call statement('main' if loop.last else 'batch_' ~ quarter) -%}
            insert into {{ target_relation }}
            select * from ({{ compiled_code }}) as batch where {{ quarter_column }} = '{{ quarter }}'
        {%- endcall -%}
    {%- else -%}
        {%- call statement('main') -%}
            select 0
        {%- endcall -%}
    {%- endfor -%}

    {% do persist_docs(target_relation, model) %}
    {{ run_hooks(post_hooks, inside_transaction=True) }}
    {% do adapter.commit() %}
    {{ run_hooks(post_hooks, inside_transaction=False) }}
    {{ return({'relations': [target_relation]}) }}
{% endmaterialization %}
