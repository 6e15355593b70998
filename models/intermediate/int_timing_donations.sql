-- Linked donations that enter the timing test: one row per (vendor, recipient, donation row),
-- links at vars.min_link_tier or better, memo rows and refunds left out.
{%- set enabled = timing_enabled() %}
{#- Precision of the declared donation_date format: the test refuses dates without a day. -#}
{%- set spec = (role_config('contributions').get('columns') or {}).get('donation_date') %}
{%- set fmt = spec.get('format', '') if spec is mapping else '' %}
{%- if '%d' in fmt or '%j' in fmt or '%e' in fmt %}{% set precision = 'day' %}
{%- elif '%m' in fmt or '%b' in fmt or '%B' in fmt %}{% set precision = 'month' %}
{%- else %}{% set precision = 'year' %}{% endif %}
select distinct
    vendor_entity_id as vendor_key,
    recipient_id as recipient_key,
    donation_date,
    contribution_row_ref as row_ref,
    min(edge_id) over (partition by vendor_entity_id, recipient_id, contribution_row_ref) as edge_id,
    '{{ precision }}' as date_precision,
    {{ mt_literal(spec.get('column') if spec is mapping else none) }}::varchar as date_column
from {{ ref('cross_links') }}
where tier_rank <= {{ min_link_tier_rank() }}
  and not is_memo
  and amount > 0
  {%- if not enabled %}
  and false  -- timing switched off in the role map
  {%- endif %}
