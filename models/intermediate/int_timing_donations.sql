-- Linked donations that enter the timing test: one row per (vendor, recipient, donation row),
-- links at vars.min_link_tier or better, memo rows and refunds left out.
{%- set enabled = timing_enabled() %}
{#- Precision of the declared donation_date format: the test refuses dates without a day. -#}
{%- set precision = date_precision('contributions', 'donation_date') %}
{#- The mapped input column, named in the test's refusals. -#}
{%- set spec = (role_config('contributions').get('columns') or {}).get('donation_date') %}
{%- set column = spec.get('column') if spec is mapping else (spec if spec is string else none) %}
select distinct
    vendor_entity_id as vendor_key,
    recipient_id as recipient_key,
    donation_date,
    contribution_row_ref as row_ref,
    min(edge_id) over (partition by vendor_entity_id, recipient_id, contribution_row_ref) as edge_id,
    '{{ precision }}' as date_precision,
    {{ mt_literal(date_source('contributions', 'donation_date')) }} as date_source,
    cast({{ mt_literal(column) }} as {{ mt_text() }}) as date_column
from {{ ref('int_cross_links') }}
where tier_rank <= {{ min_link_tier_rank() }}
  and not is_memo
  and amount > 0
  {%- if not enabled %}
  and false  -- timing switched off in the role map
  {%- endif %}
