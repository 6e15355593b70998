{#- The body of a Spark variant of a Python model (models/spark/): the rows of its inputs go to
    the session function mt_step_<name> (moneytrail/spark_steps.py runs the Python model file
    on them) and its result is exploded back into rows. `refs` maps each input to the columns
    passed ('*' for all), or to {'columns': [...], 'where': condition} for only the distinct
    rows of those columns that pass the condition; `config_keys` are the model config values
    the Python model reads. -#}
{% macro mt_python_step(name, refs, config_keys) %}
{%- set cfg = {} %}
{%- for key in config_keys %}{% do cfg.update({key: config.get(key)}) %}{% endfor %}
select step.*
from (
    select inline(mt_step_{{ name }}(
        {{ mt_literal(tojson(cfg)) }},
        named_struct(
            {%- for r, cols in refs.items() %}
            {%- if cols is mapping %}
            {#- only the distinct rows of these columns that pass `where` (what the step reads of them) #}
            {{ mt_literal(r) }}, (select collect_list(struct({{ cols['columns'] | join(', ') }})) from (select distinct {{ cols['columns'] | join(', ') }} from {{ ref(r) }} where {{ cols['where'] }}) as d){{ "," if not loop.last }}
            {%- else %}
            {{ mt_literal(r) }}, (select collect_list(struct({{ cols if cols == '*' else cols | join(', ') }})) from {{ ref(r) }}){{ "," if not loop.last }}
            {%- endif %}
            {%- endfor %}
        )
    ))
) step
{% endmacro %}

{#- The bucket of right names that scores a name pair on Spark (models/spark/int_match_pairs.sql,
    int_name_matches.sql): a hash of the relation and the right name, so every pair of one
    right name is scored in one task. -#}
{% macro mt_match_bucket_of(relation, right_name) -%}
pmod(xxhash64({{ relation }}, {{ right_name }}), 32)
{%- endmacro %}

{#- The bucket of vendors whose timing tests run in one task on Spark
    (models/spark/int_timing_tests.sql): a hash of the vendor key. -#}
{% macro mt_timing_bucket_of(vendor_key) -%}
pmod(xxhash64({{ vendor_key }}), 32)
{%- endmacro %}

{#- Connected components of an undirected graph on Spark (models/spark/int_entity_components.sql),
    by min-label propagation with pointer jumping: every node starts labelled with itself; each
    round a node takes the least label among its own and its neighbours', then the label of
    its label; it stops when a round changes no label (at most max_rounds, else an error).
    Each round is a table of its own in the scratch database `scratch` (dbt cannot loop inside
    one statement, and Spark would otherwise recompute every earlier round); the model's
    post-hook drops that database. `edges_sql`: a query of (a, b) pairs, both directions.
    Returns the relation holding (name, label) after the last round. -#}
{% macro mt_spark_components(edges_sql, scratch, max_rounds=64) %}
  {%- if not execute -%}{{ return(scratch ~ '.round_0') }}{%- endif -%}
  {%- do run_query('drop database if exists ' ~ scratch ~ ' cascade') -%}
  {%- do run_query('create database ' ~ scratch) -%}
  {%- do run_query('create table ' ~ scratch ~ '.edges using parquet as ' ~ edges_sql) -%}
  {%- do run_query('create table ' ~ scratch ~ '.round_0 using parquet as select distinct a as name, a as label from ' ~ scratch ~ '.edges') -%}
  {%- set ns = namespace(last=0, done=false) -%}
  {%- for i in range(1, max_rounds + 1) -%}
    {%- if not ns.done -%}
      {%- set prev = scratch ~ '.round_' ~ (i - 1) -%}
      {%- set cur = scratch ~ '.round_' ~ i -%}
      {%- set step_sql -%}
        create table {{ cur }} using parquet as
        with nb as (
            select e.a as name, min(l.label) as m
            from {{ scratch }}.edges as e
            inner join {{ prev }} as l on l.name = e.b
            group by e.a
        ),
        step as (
            select l.name, case when nb.m < l.label then nb.m else l.label end as label
            from {{ prev }} as l
            left join nb on nb.name = l.name
        )
        select s.name, case when t.label < s.label then t.label else s.label end as label
        from step as s
        inner join step as t on t.name = s.label
      {%- endset -%}
      {%- do run_query(step_sql) -%}
      {%- set changed = run_query('select count(*) from ' ~ cur ~ ' as n inner join ' ~ prev ~ ' as o on o.name = n.name where n.label <> o.label').columns[0].values()[0] -%}
      {%- set ns.last = i -%}
      {%- if changed == 0 -%}{%- set ns.done = true -%}{%- endif -%}
    {%- endif -%}
  {%- endfor -%}
  {%- if not ns.done -%}
    {{ exceptions.raise_compiler_error("connected components did not settle in " ~ max_rounds ~ " rounds (mt_spark_components); a chain of links that long is not an organisation: look at int_name_matches") }}
  {%- endif -%}
  {{ return(scratch ~ '.round_' ~ ns.last) }}
{% endmacro %}

{#- The bucket of entity-map components whose clusters are found in one task on Spark
    (models/spark/int_entity_map.sql): a hash of the component's label. -#}
{% macro mt_entity_bucket_of(component) -%}
pmod(xxhash64({{ component }}), 32)
{%- endmacro %}

{#- The CTEs `relations` and `side_names` of the Spark matcher's models (int_match_tokens,
    int_match_knowledge): each relation's names as int_org_names has them, vendors on the left
    (is_left) of both vendor_employer and vendor_business_donor, as the single-process model
    passes them to the matcher and to er_decisions.apply_knowledge. -#}
{% macro mt_match_side_names() %}
relations as (
    select 'vendor_employer' as relation, 'employer' as right_side
    union all
    select 'vendor_business_donor' as relation, 'business_donor' as right_side
),

side_names as (
    select distinct
        r.relation,
        o.name_norm as raw_name,
        o.side = 'vendor' as is_left
    from relations as r
    inner join {{ ref('int_org_names') }} as o
        on o.side = 'vendor' or o.side = r.right_side
    where o.name_norm is not null
),
{% endmacro %}
