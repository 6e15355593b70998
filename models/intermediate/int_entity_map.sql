-- Canonical organisations: every distinct normalised name maps to one entity. Names with the
-- same aggressive key (the same words in any order) are one entity, whatever side they come
-- from; the canonical name is the smallest normalised name of the group, so the entity_id
-- depends only on the names, never on input order.
with names as (
    select distinct name_norm, {{ org_name_aggressive('name_norm') }} as aggressive_key
    from {{ ref('int_org_names') }}
),
canonical as (
    select aggressive_key, min(name_norm) as canonical_name
    from names
    group by aggressive_key
)
select
    n.name_norm,
    n.aggressive_key,
    c.canonical_name,
    left(sha256('entity:v1:organisation:' || c.canonical_name), 16) as entity_id
from names n
join canonical c using (aggressive_key)
