-- The entity map as users read it: every alias (a normalised name on one side) of every
-- canonical organisation, with its provenance: role, field, raw spellings, row count and the
-- row references of every input row that carries it.
select
    {{ stable_id('alias:v1', ['e.entity_id', 'r.side', 'r.name_norm']) }} as alias_id,
    e.entity_id,
    e.canonical_name,
    e.cluster_size,
    r.side,
    r.role,
    r.field,
    r.name_norm,
    count(*) as n_rows,
    list(distinct r.name_raw order by r.name_raw) as spellings,
    list(r.row_ref order by r.row_index, r.row_ref) as row_refs
from {{ ref('int_org_name_rows') }} r
join {{ ref('int_entity_map') }} e on e.normalized_name = r.name_norm
group by e.entity_id, e.canonical_name, e.cluster_size, r.side, r.role, r.field, r.name_norm
