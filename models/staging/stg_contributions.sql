-- Accepted contributions in canonical form, with the normalised names every analysis joins on.
{%- set cfg = role_config('contributions') %}
{%- set org_types = cfg.get('organisation_types') or [] %}
with base as (
    select * from {{ ref('base_contributions') }}
    where passes_when and reject_reason is null
),
normalised as (
    select
        *,
        {{ normalize_org_name('employer') }} as employer_norm,
        {{ normalize_person_name('donor_name') }} as donor_name_norm,
        {{ zip5('donor_zip') }} as donor_zip5,
        {%- if org_types | length > 0 %}
        coalesce(upper(contributor_type) in ({% for t in org_types %}{{ sql_string(t | upper) }}{{ ", " if not loop.last }}{% endfor %}), false) as is_organisation,
        {%- else %}
        false as is_organisation,
        {%- endif %}
        memo_code is not null as is_memo,
        amount < 0 as is_refund
    from base
)
select
    row_ref,
    dataset_version_id,
    row_index,
    contribution_id,
    contributor_type,
    is_organisation,
    donor_name,
    donor_name_norm,
    donor_zip,
    donor_zip5,
    donor_id,
    {{ donor_identity_expr() }} as donor_key,
    employer,
    employer_norm,
    {{ is_employer_non_answer('employer_norm') }} as employer_is_non_answer,
    case when is_organisation then {{ normalize_org_name('donor_name') }} end as donor_org_norm,
    occupation,
    recipient_id,
    recipient_name,
    donation_date,
    amount,
    memo_code,
    is_memo,
    is_refund,
    transaction_type,
    election_code
from normalised
