{{ config(materialized='view') }}
-- Provenance in full: one row per input row carrying an organisation name, with the alias and
-- entity it belongs to. A view: it costs nothing until queried.
select
    {{ stable_id('alias:v1', ['e.entity_id', 'r.side', 'r.name_norm']) }} as alias_id,
    e.entity_id,
    r.side,
    r.role,
    r.field,
    r.name_norm,
    r.name_raw,
    r.row_ref
from {{ ref('int_org_name_rows') }} r
join {{ ref('int_entity_map') }} e on e.normalized_name = r.name_norm
