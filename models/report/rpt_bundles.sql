-- One row: the bundles' totals, and the settings the section states (vars.bundles) with
-- whether any role can give recipients a kind (candidates or committees).
{%- set cfg = bundle_settings() %}
select
    count(*) as section_rows,
    count(*) as bundles,
    coalesce(sum(n_contributions), 0) as contributions,
    coalesce(sum(total_amount), 0) as total_amount,
    count(linked_vendor_entity_id) as linked_to_vendor,
    {{ cfg.min_donors }} as min_donors,
    {{ mt_literal(cfg.recipient_kinds | join(', ')) }} as recipient_kinds,
    {{ mt_literal(cfg.unclassified_recipients) }} as unclassified_recipients,
    {{ 'true' if role_is_configured('candidates') or role_is_configured('committees') else 'false' }} as recipient_kinds_known
from {{ ref('bundles') }}
