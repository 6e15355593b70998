-- Spark only (python_udfs/matcher_parallel.py, step 3): the reviewed knowledge each bucket of right
-- names needs: the right names of the bucket that an alias (by its key, er_decisions.alias_key)
-- or a decision (by name) touches, the left names those aliases and decisions reach, and the
-- alias and decision rows themselves. The names are int_org_names' own, as the single-process
-- model passes them to er_decisions.apply_knowledge.
with

{{ mt_match_side_names() }}
-- the reviewed knowledge: the raw names an alias (by its key) or a decision (by name) touches
aliases as (
    select
        a.*,
        mt_alias_key(a.name_norm) as key_name,
        mt_alias_key(a.alias_of_norm) as key_of
    from {{ ref('int_er_aliases') }} as a
),

decisions as (
    select * from {{ ref('int_er_decisions') }}
),

-- what touches a name: an alias by the name's alias key ('k:' probes), a decision by the name
-- itself ('n:' probes); items are (kind, id, origin), the primary keys of both tables
items as (
    select concat('k:', key_name) as probe, 'alias' as item_kind, alias_id as item_id, origin as item_origin
    from aliases
    union
    select concat('k:', key_of) as probe, 'alias' as item_kind, alias_id as item_id, origin as item_origin
    from aliases
    union
    select concat('n:', left_name_norm) as probe, 'decision' as item_kind, decision_id as item_id, origin as item_origin
    from decisions
    union
    select concat('n:', right_name_norm) as probe, 'decision' as item_kind, decision_id as item_id, origin as item_origin
    from decisions
),

-- every raw name an item touches (the alias key computed once per name)
touched as (
    select n.relation, n.raw_name, n.is_left, i.item_kind, i.item_id, i.item_origin
    from (
        select relation, raw_name, is_left, explode(array(concat('k:', mt_alias_key(raw_name)), concat('n:', raw_name))) as probe
        from side_names
        where raw_name <> ''
    ) as n
    inner join items as i on i.probe = n.probe
),

-- the items touching a right name of each bucket
bucket_items as (
    select distinct
        relation,
        {{ mt_match_bucket_of('relation', 'raw_name') }} as bucket,
        item_kind,
        item_id,
        item_origin
    from touched
    where not is_left
),

known_right as (
    select distinct relation, raw_name, {{ mt_match_bucket_of('relation', 'raw_name') }} as bucket
    from touched
    where not is_left
),

-- left names the bucket's items reach
known_left as (
    select distinct t.relation, b.bucket, t.raw_name
    from touched as t
    inner join bucket_items as b
        on
            b.relation = t.relation and b.item_kind = t.item_kind and b.item_id = t.item_id
            and b.item_origin = t.item_origin
    where t.is_left
),

bucket_aliases as (
    select b.relation, b.bucket, a.*
    from bucket_items as b
    inner join aliases as a on a.alias_id = b.item_id and a.origin = b.item_origin
    where b.item_kind = 'alias'
),

bucket_decisions as (
    select b.relation as rel, b.bucket, d.*
    from bucket_items as b
    inner join decisions as d on d.decision_id = b.item_id and d.origin = b.item_origin
    where b.item_kind = 'decision'
),

bucket_left as (
    select relation, bucket, collect_list(raw_name) as names from known_left group by relation, bucket
),

bucket_right as (
    select relation, bucket, collect_list(raw_name) as names from known_right group by relation, bucket
),

bucket_decision_rows as (
    select
        rel,
        bucket,
        collect_list(struct(
            decision_id, origin, relation, left_name, right_name, left_name_norm, right_name_norm,
            decision, note, reviewer, decided_on, source
        )) as items
    from bucket_decisions
    group by rel, bucket
),

bucket_alias_rows as (
    select
        relation,
        bucket,
        collect_list(struct(
            alias_id, origin, name, alias_of, name_norm, alias_of_norm, relation_kind, link_scope, note, source
        )) as items
    from bucket_aliases
    group by relation, bucket
)

-- every bucket here has a right name the knowledge touches (the other three derive from those)
select
    r.relation,
    r.bucket,
    l.names as left_known,
    r.names as right_known,
    d.items as decisions,
    a.items as aliases
from bucket_right as r
left join bucket_left as l on l.relation = r.relation and l.bucket = r.bucket
left join bucket_decision_rows as d on d.rel = r.relation and d.bucket = r.bucket
left join bucket_alias_rows as a on a.relation = r.relation and a.bucket = r.bucket
