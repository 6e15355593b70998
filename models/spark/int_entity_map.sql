-- Spark form of models/intermediate/int_entity_map.py, distributed (python_udfs/entities.py,
-- entity_map): the union-find runs per bucket of connected components (int_entity_components),
-- one Spark task per bucket, on the bucket's names with their row counts, the links among them
-- and the decisions naming them. Clusters never cross a component, so each bucket's rows are
-- exactly its rows of the single-process table (tests/python/test_entities_parallel.py; the Spark
-- equivalence tests compare the tables).
with

counts as (
    select name_norm as name, cast(sum(n_rows) as bigint) as n_rows
    from {{ ref('int_org_names') }}
    where name_norm is not null
    group by name_norm
),

-- a name's bucket: its component's, or its own when no edge touches it
bucketed as (
    select c.name, c.n_rows, {{ mt_entity_bucket_of('coalesce(k.component, c.name)') }} as bucket
    from counts as c
    left join {{ ref('int_entity_components') }} as k on k.name = c.name
),

component_bucket as (
    select name, {{ mt_entity_bucket_of('component') }} as bucket from {{ ref('int_entity_components') }}
),

matches as (
    select m.left_name, m.right_name, m.tier, b.bucket
    from {{ ref('int_name_matches') }} as m
    inner join component_bucket as b on b.name = m.left_name
    where
        m.link_scope = 'same_organisation' and m.review_decision is distinct from 'not_same'
        and m.tier in ('high', 'medium')
),

decisions as (
    select d.left_name_norm, d.right_name_norm, d.decision, b.bucket
    from {{ ref('int_er_decisions') }} as d
    inner join bucketed as b on b.name = d.left_name_norm
),

bucket_counts as (
    select bucket, collect_list(struct(name, n_rows)) as items from bucketed group by bucket
),

bucket_matches as (
    select bucket, collect_list(struct(left_name, right_name, tier)) as items from matches group by bucket
),

bucket_decisions as (
    select bucket, collect_list(struct(left_name_norm, right_name_norm, decision)) as items
    from decisions
    group by bucket
),

bucket_inputs as (
    select /*+ repartition(32, bucket) */
        c.bucket,
        c.items as counts,
        m.items as matches,
        d.items as decisions
    from bucket_counts as c
    left join bucket_matches as m on m.bucket = c.bucket
    left join bucket_decisions as d on d.bucket = c.bucket
)

select e.*
from (select inline(mt_entity_bucket(counts, matches, decisions)) from bucket_inputs) as e
