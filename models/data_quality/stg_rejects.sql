-- Every row that passed its role's `when:` filter but did not parse, with the reason and the
-- raw text of the fields that failed. Counted against vars.reject_tolerance by a data test.
{%- set roles = active_roles() %}
{%- for role in roles %}
select
    '{{ role }}' as role,
    row_ref,
    dataset_version_id,
    row_index,
    reject_reason,
    {%- if role == 'contributions' %}
    donation_date_raw as date_raw,
    amount_raw
    {%- elif role == 'contracts' %}
    award_date_raw as date_raw,
    contract_value_raw as amount_raw
    {%- else %}
    cast(null as {{ mt_text() }}) as date_raw,
    cast(null as {{ mt_text() }}) as amount_raw
    {%- endif %}
from {{ ref('base_' ~ role) }}
where passes_when and reject_reason is not null
{{ "union all" if not loop.last }}
{%- endfor %}
