{#- Memory bounded by a bucket, not by the data (DuckDB).

    A mart that gathers a list per group (the row references of every limit flag or bundle) holds
    every group's list at once in one hash aggregate: at 70M contribution rows that was 1.4M
    groups with 5.8M references (limit_flags) and 1.4M with 16.8M (bundle_groups), more than
    DuckDB's memory limit. Such a mart is materialized `mt_bucketed_table`: the same SELECT runs
    once per bucket of its groups, each bucket's rows appended to one table that replaces the old
    one at the end, in one transaction (nothing visible if a bucket fails).

    - The model calls mt_bucket_filter(group keys) where it reads its rows (the group keys, or a
      part of them, so a group never spans two buckets). Unbucketed (dbt show, unit tests, one
      bucket) the filter is `hash(keys) % 1 = 0`, which holds for every row; the
      materialization rewrites the two marked numbers for each bucket.
    - Buckets: one per vars.build_bucket_rows rows of the model named by config bucket_rows_of
      (its input), at least one. The buckets partition the groups (hash of the keys modulo the
      count; hash(NULL) is a number), so the table holds the same rows whatever the count.
    - Spark builds such a mart as a plain table (mt_bucketed_materialization): there every
      aggregate is distributed already, and the filter is `true`. -#}

{% macro mt_bucketed_materialization() %}
  {{ return('mt_bucketed_table' if target.type == 'duckdb' else 'table') }}
{% endmacro %}

{% macro mt_bucket_filter(keys) %}{{ return(adapter.dispatch('mt_bucket_filter', 'moneytrail')(keys)) }}{% endmacro %}
{% macro default__mt_bucket_filter(keys) -%}
(hash({{ keys | join(', ') }}) % /*mt_bucket_count*/1 = /*mt_bucket_index*/0)
{%- endmacro %}
{% macro spark__mt_bucket_filter(keys) %}true{% endmacro %}


{#- How many buckets: the input's rows over vars.build_bucket_rows, rounded up, at least one. -#}
{% macro mt_bucket_count(input_relation) %}
  {% set per_bucket = mt_setting('build_bucket_rows') %}
  {% set rows = run_query('select count(*) from ' ~ input_relation).columns[0].values()[0] %}
  {{ return([1, ((rows + per_bucket - 1) // per_bucket) | int] | max) }}
{% endmacro %}
