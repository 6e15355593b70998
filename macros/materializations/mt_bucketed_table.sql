{#- The materialization of the marts built one bucket of groups at a time: what and why in
    macros/bucketed_table.sql. (Its own file: sqlfluff's jinja templater cannot parse the
    materialization tag, sqlfluff issue 6215, so tests/python/test_sql_lint.py lints every
    other macro file and leaves this one to dbt, whose build runs it on every DuckDB mart
    materialized mt_bucketed_table.) -#}
{% materialization mt_bucketed_table, adapter='duckdb' %}
  {%- set count_mark, index_mark = '/*mt_bucket_count*/1', '/*mt_bucket_index*/0' -%}
  {%- set input_name = config.get('bucket_rows_of') -%}
  {%- if not input_name -%}
    {{ exceptions.raise_compiler_error(model.name ~ " is materialized mt_bucketed_table but sets no bucket_rows_of (the model whose rows decide the bucket count): add it to the model's config") }}
  {%- endif -%}
  {%- if count_mark not in compiled_code or index_mark not in compiled_code -%}
    {{ exceptions.raise_compiler_error(model.name ~ " is materialized mt_bucketed_table but never calls mt_bucket_filter(group keys): every bucket would hold all rows") }}
  {%- endif -%}
  {%- set buckets = mt_bucket_count(ref(input_name)) -%}
  {%- set target_relation = this.incorporate(type='table') -%}
  {%- set existing_relation = load_cached_relation(this) -%}
  {%- set intermediate_relation = make_intermediate_relation(target_relation) -%}
  {%- set backup_relation = make_backup_relation(target_relation, 'table' if existing_relation is none else existing_relation.type) -%}
  {{ drop_relation_if_exists(load_cached_relation(intermediate_relation)) }}
  {{ drop_relation_if_exists(load_cached_relation(backup_relation)) }}

  {{ run_hooks(pre_hooks, inside_transaction=False) }}
  {{ run_hooks(pre_hooks, inside_transaction=True) }}
  {%- if buckets > 1 %}{{ log(model.name ~ ': ' ~ buckets ~ ' buckets of its groups (vars.build_bucket_rows ' ~ mt_setting('build_bucket_rows') ~ ' rows of ' ~ input_name ~ ' each)', info=True) }}{% endif %}
  {%- for bucket in range(buckets) %}
    {%- set code = compiled_code.replace(count_mark, '/*mt_bucket_count*/' ~ buckets).replace(index_mark, '/*mt_bucket_index*/' ~ bucket) %}
    {% call statement('main' if loop.last else 'bucket_' ~ bucket) -%}
      {%- if loop.first -%}
        {{ create_table_as(False, intermediate_relation, code) }}
      {%- else -%}
        insert into {{ intermediate_relation }} select * from (
          {{ code }}
        ) as bucket_rows
      {%- endif -%}
    {%- endcall %}
  {%- endfor %}

  {% if existing_relation is not none %}
    {{ adapter.rename_relation(existing_relation, backup_relation) }}
  {% endif %}
  {{ adapter.rename_relation(intermediate_relation, target_relation) }}
  {{ run_hooks(post_hooks, inside_transaction=True) }}
  {% do persist_docs(target_relation, model) %}
  {{ adapter.commit() }}
  {{ drop_relation_if_exists(backup_relation) }}
  {{ run_hooks(post_hooks, inside_transaction=False) }}
  {{ return({'relations': [target_relation]}) }}
{% endmaterialization %}
