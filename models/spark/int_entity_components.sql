-- Spark only (python_udfs/entities.py, entity_map): every name that some clustering edge touches,
-- with its connected component (the least name of it), so int_entity_map can cluster each
-- component apart, in parallel. The edges are what the union-find can merge along: same-organisation
-- links at tier medium or better not decided not_same, reviewed `same` decisions between known
-- names, and names sharing an aggressive key (the same words in any order). A name no edge
-- touches is a component of its own and is not listed.
{{ config(post_hook="drop database if exists mt_entity_components cascade") }}
{%- set edges_sql -%}
with names as (
    select distinct name_norm as name from {{ ref('int_org_names') }} where name_norm is not null and name_norm <> ''
),
edges as (
    select left_name as a, right_name as b
    from {{ ref('int_name_matches') }}
    where link_scope = 'same_organisation' and review_decision is distinct from 'not_same' and tier in ('high', 'medium')
    union all
    select d.left_name_norm as a, d.right_name_norm as b
    from {{ ref('int_er_decisions') }} as d
    inner join names as l on l.name = d.left_name_norm
    inner join names as r on r.name = d.right_name_norm
    where d.decision = 'same'
    union all
    select k.name as a, min(k.name) over (partition by k.word_set) as b
    from (select name, array_join(array_sort(array_distinct(split(name, ' '))), ' ') as word_set from names) as k
)
select distinct a, b from edges where a <> b
union
select distinct b as a, a as b from edges where a <> b
{%- endset %}
{%- set labels = mt_spark_components(edges_sql, 'mt_entity_components') %}
select name, label as component from {{ labels }}
