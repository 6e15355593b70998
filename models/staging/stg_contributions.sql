-- Accepted contributions in canonical form, with the normalised names every analysis joins on.
{%- set cfg = role_config('contributions') %}
{%- set org_types = cfg.get('organisation_types') or [] %}
{%- if org_types | length > 0 %}
{%- set is_org %}coalesce(upper(contributor_type) in ({% for t in org_types %}{{ sql_string(t | upper) }}{{ ", " if not loop.last }}{% endfor %}), false){% endset %}
{%- else %}
{%- set is_org = 'false' %}
{%- endif %}
with base as (
    select *, {{ is_org }} as is_organisation
    from {{ ref('base_contributions') }}
    where passes_when and reject_reason is null
),
-- organisation names are normalised once per distinct spelling, not once per row
employer_names as (
    select employer, {{ normalize_org_name('employer') }} as employer_norm
    from (select distinct employer from base where employer is not null)
),
employer_flags as (
    select employer, employer_norm, {{ is_employer_non_answer('employer_norm') }} as employer_is_non_answer
    from employer_names
),
org_donor_names as (
    select donor_name, {{ normalize_org_name('donor_name') }} as donor_org_norm
    from (select distinct donor_name from base where is_organisation)
),
donor_names as (
    select
        donor_name,
        {{ normalize_person_name('donor_name') }} as donor_name_norm,
        {{ person_name_key('donor_name') }} as donor_person_key
    from (select distinct donor_name from base)
),
normalised as (
    select
        base.*,
        e.employer_norm,
        coalesce(e.employer_is_non_answer, false) as employer_is_non_answer,
        case when base.is_organisation then o.donor_org_norm end as donor_org_norm,
        d.donor_name_norm,
        case when base.is_organisation then o.donor_org_norm else d.donor_person_key end as donor_person_key,
        {{ zip5('base.donor_zip') }} as donor_zip5,
        base.memo_code is not null as is_memo,
        base.amount < 0 as is_refund
    from base
    left join donor_names d on d.donor_name = base.donor_name
    left join employer_flags e on e.employer = base.employer
    -- an equality-only join condition keeps this a hash join (an extra predicate on one side
    -- turns it into a nested loop)
    left join org_donor_names o on o.donor_name = base.donor_name
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
    donor_person_key,
    donor_zip,
    donor_zip5,
    donor_id,
    {{ donor_identity_expr() }} as donor_key,
    employer,
    employer_norm,
    employer_is_non_answer,
    donor_org_norm,
    occupation,
    recipient_id,
    recipient_name,
    donation_date,
    amount,
    memo_code,
    is_memo,
    is_refund,
    transaction_type,
    election_code,
    other_id,
    memo_text,
    amendment_indicator,
    report_type,
    tran_id,
    file_num
from normalised
