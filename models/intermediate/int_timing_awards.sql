-- Award dates of every vendor: what the timing test compares donations against. Vendors no
-- donation links to are kept under their own key: their awards still tell the test which
-- calendar the contracts data records (the null redraws award dates from that calendar).
{%- set enabled = timing_enabled() %}
{#- Precision of the declared award_date format: the test refuses dates without a day. -#}
{%- set precision = date_precision('contracts', 'award_date') %}
{#- The mapped input column, named in the test's refusals. -#}
{%- set spec = (role_config('contracts').get('columns') or {}).get('award_date') %}
{%- set column = spec.get('column') if spec is mapping else (spec if spec is string else none) %}
with vendor_entities as (
    select distinct vendor_name_norm, vendor_entity_id
    from {{ ref('int_name_links') }}
)
select
    coalesce(v.vendor_entity_id, 'unlinked:' || c.vendor_name_norm) as vendor_key,
    c.award_date,
    c.row_ref,
    '{{ precision }}' as date_precision,
    {{ mt_literal(date_source('contracts', 'award_date')) }} as date_source,
    cast({{ mt_literal(column) }} as {{ mt_text() }}) as date_column
from {{ ref('int_contracts') }} c
left join vendor_entities v on v.vendor_name_norm = c.vendor_name_norm
where c.award_date is not null
  {%- if not enabled %}
  and false  -- timing switched off in the role map
  {%- endif %}
