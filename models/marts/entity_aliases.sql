-- The entity map as users read it: every alias (a normalised name on one side) of every
-- canonical organisation, with its provenance: role, field, raw spellings, row count and the
-- first row references; entity_alias_rows lists every row behind every alias.
with rows as (
    select
        e.entity_id,
        e.canonical_name,
        e.cluster_size,
        r.*
    from {{ ref('int_org_name_rows') }} r
    join {{ ref('int_entity_map') }} e on e.normalized_name = r.name_norm
),
spellings as (
    select side, name_norm, {{ mt_list_agg('name_raw') }} as spellings
    from (select distinct side, name_norm, name_raw from rows)
    group by side, name_norm
)
select
    {{ stable_id('alias:v1', ['r.entity_id', 'r.side', 'r.name_norm']) }} as alias_id,
    r.entity_id,
    r.canonical_name,
    r.cluster_size,
    r.side,
    r.role,
    r.field,
    r.name_norm,
    count(*) as n_rows,
    any_value(s.spellings) as spellings,
    -- bounded: an alias can stand on millions of rows (entity_alias_rows has them all); the
    -- first 10 in input order (row_ref breaks ties of row_index between inputs). An alias is one
    -- side and name (the side fixes role and field; a name has one entity)
    {{ mt_first_n('r.row_ref', ['r.row_index', 'r.row_ref'], 10) }} as first_row_refs
from rows r
join spellings s on s.side = r.side and s.name_norm = r.name_norm
group by r.entity_id, r.canonical_name, r.cluster_size, r.side, r.role, r.field, r.name_norm
