-- Contribution-limit excesses: per donor (vars.donor_identity), per recipient, per period, the
-- total of counted contributions above vars.contribution_limits.limit. Each flag lists every
-- contributing row. Memo rows and refunds are treated as configured; rows that did not parse
-- are in staging.stg_rejects and counted in the report, never silently left out.
{%- set cfg = checked_settings('contribution_limits',
    {'limit': 1000, 'period': 'calendar_year', 'exclude_memo': true, 'refunds': 'net',
     'exclude_transaction_types': []},
    {'period': ['calendar_year', 'election', 'cycle'], 'refunds': ['net', 'exclude']}) %}
{%- if cfg.period == 'election' and role_column('contributions', 'election_code') is none %}
  {{ config_error("vars.contribution_limits.period is 'election', but role_map.contributions does not map election_code") }}
{%- endif %}
with counted as (
    select
        *,
        {%- if cfg.period == 'calendar_year' %}
        cast(year(donation_date) as varchar) as period
        {%- elif cfg.period == 'cycle' %}
        cast(year(donation_date) + year(donation_date) % 2 as varchar) as period
        {%- else %}
        coalesce(election_code, 'unknown election') as period
        {%- endif %}
    from {{ ref('stg_contributions') }}
    where true
      {%- if cfg.exclude_memo %}
      and not is_memo
      {%- endif %}
      {%- if cfg.refunds == 'exclude' %}
      and amount >= 0
      {%- endif %}
      {%- if cfg.exclude_transaction_types | length > 0 %}
      and coalesce(transaction_type, '') not in ({% for t in cfg.exclude_transaction_types %}{{ sql_string(t) }}{{ ", " if not loop.last }}{% endfor %})
      {%- endif %}
),
totals as (
    -- sums first; the row lists are only built for the groups over the limit
    select donor_key, recipient_id, period, sum(amount) as total_amount
    from counted
    group by donor_key, recipient_id, period
    having sum(amount) > cast({{ mt_literal(cfg.limit) }} as decimal(18, 2))
),
flagged as (
    select
        c.donor_key,
        c.recipient_id,
        c.period,
        min(c.donor_name) as donor_name,
        count(*) as n_contributions,
        sum(c.amount) as total_amount,
        min(c.donation_date) as first_date,
        max(c.donation_date) as last_date,
        list(distinct c.employer_norm order by c.employer_norm) filter (where c.employer_norm is not null) as employers_norm,
        list(c.row_ref order by c.donation_date, c.row_index, c.row_ref) as row_refs
    from counted c
    semi join totals t
      on t.donor_key = c.donor_key and t.recipient_id = c.recipient_id and t.period = c.period
    group by c.donor_key, c.recipient_id, c.period
)
select
    {{ stable_id('limit:v1', ['donor_key', 'recipient_id', 'period']) }} as flag_id,
    donor_key,
    donor_name,
    recipient_id,
    {{ mt_literal(cfg.period) }} as period_kind,
    period,
    n_contributions,
    total_amount,
    cast({{ mt_literal(cfg.limit) }} as decimal(18, 2)) as limit_amount,
    total_amount - cast({{ mt_literal(cfg.limit) }} as decimal(18, 2)) as excess_amount,
    first_date,
    last_date,
    employers_norm,
    row_refs,
    'measured' as evidence_kind
from flagged
