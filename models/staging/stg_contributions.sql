-- Accepted contributions in canonical form: renamed, typed, and sorted into plain booleans.
-- Names are normalised and donors keyed in intermediate (int_contributions), not here.
{%- set cfg = role_config('contributions') %}
{%- set org_types = cfg.get('organisation_types') or [] %}
{%- if org_types | length > 0 %}
{%- set is_org %}coalesce(upper(contributor_type) in ({% for t in org_types %}{{ sql_string(t | upper) }}{{ ", " if not loop.last }}{% endfor %}), false){% endset %}
{%- else %}
{%- set is_org = 'false' %}
{%- endif %}
{{ accepted_rows('contributions', [
    'contribution_id',
    'contributor_type',
    is_org ~ ' as is_organisation',
    'donor_name',
    'donor_zip',
    zip5('donor_zip') ~ ' as donor_zip5',
    'donor_id',
    'employer',
    'occupation',
    'recipient_id',
    'recipient_name',
    'donation_date',
    'amount',
    'memo_code',
    'memo_code is not null as is_memo',
    'amount < 0 as is_refund',
    'transaction_type',
    'election_code',
    'other_id',
    'memo_text',
    'amendment_indicator',
    'report_type',
    'tran_id',
    'file_num',
]) }}
