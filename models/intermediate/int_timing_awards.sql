-- Award dates of every vendor: what the timing test compares donations against. Vendors no
-- donation links to are kept under their own key: their awards still tell the test which
-- period the contracts data covers (the default null window is the span of all award dates).
{%- set enabled = timing_enabled() %}
with vendor_entities as (
    select distinct vendor_name_norm, vendor_entity_id
    from {{ ref('int_name_links') }}
)
select
    coalesce(v.vendor_entity_id, 'unlinked:' || c.vendor_name_norm) as vendor_key,
    c.award_date,
    c.row_ref
from {{ ref('stg_contracts') }} c
left join vendor_entities v on v.vendor_name_norm = c.vendor_name_norm
where c.award_date is not null
  {%- if not enabled %}
  and false  -- timing switched off in the role map
  {%- endif %}
