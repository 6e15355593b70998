-- Contribution-limit excesses: per donor (vars.donor_identity), per recipient whose limit the
-- gifts count toward, per period, the counted total above the limit that applies. Each flag
-- states its rule (contributor kind, recipient kind, period, amount, source) and lists every
-- contributing row. With vars.source_rules fec the rule comes from seeds/fec_contribution_limits
-- by cycle, contributor kind and recipient kind (int_recipients); otherwise it is the configured
-- flat limit (vars.contribution_limits). Rows that do not count are in int_contributions with
-- their reason; flag_status 'doubtful' marks a flag whose rule could not be pinned down.
-- Built one bucket of donors at a time (macros/bucketed_table.sql): a donor's groups never
-- span two buckets.
{{ config(materialized=mt_bucketed_materialization(), bucket_rows_of='int_contributions') }}
{%- set fec = source_rules() == 'fec' %}
{%- set seeded = source_rules() in seeded_rules() %}
{%- set cfg = limit_settings() %}
with counted as {{ mt_cte_inline() }} (
    select {{ mt_star_except(ref('int_contributions'), ['recipient_name'], 'c') }}, r.recipient_kind, r.recipient_name, r.party as recipient_party, r.office as recipient_office
    from {{ ref('int_contributions') }} c
    left join {{ ref('int_recipients') }} r on r.recipient_id = c.limit_recipient_id
    -- every later CTE reads its rows from here: one bucket of donors per pass
    where c.counts_toward_limit and {{ mt_bucket_filter(['c.donor_key']) }}
),
{%- if fec %}
ruled as {{ mt_cte_inline() }} (
    select
        counted.*,
        case
            when recipient_kind = 'party_national' and party_account is not null then 'party_national_account'
            when recipient_kind = 'unknown' then 'candidate'
            else recipient_kind
        end as rule_recipient_kind,
        case
            when recipient_kind = 'candidate' then 'election'
            else 'calendar_year'
        end as period_kind,
        case
            when recipient_kind = 'party_national' and party_account is not null then year(donation_date) || ' ' || party_account || ' account'
            when recipient_kind = 'candidate' and election_label is not null then election_label
            when recipient_kind = 'candidate' then 'unknown election (cycle ' || (year(donation_date) + year(donation_date) % 2) || ')'
            else cast(year(donation_date) as {{ mt_text() }})
        end as period,
        case
            when recipient_kind = 'candidate' and election_year is not null then election_year + election_year % 2
            else year(donation_date) + year(donation_date) % 2
        end as rule_cycle
    from counted
),
limited as {{ mt_cte_inline() }} (
    -- read twice (the sums, then the groups over the limit): inlined, each reads only its
    -- columns, streamed
    select
        ruled.*,
        l.period as rule_period,
        l.limit_amount,
        l.source_title as rule_source_title,
        l.source_url as rule_source_url,
        l.note as rule_note
    from ruled
    left join {{ ref('fec_contribution_limits') }} l
      on l.cycle = ruled.rule_cycle
     and l.contributor_kind = 'individual'
     and l.recipient_kind = ruled.rule_recipient_kind
),
totals as (
    -- sums first, on the group keys alone; the rest is only gathered for the groups over the
    -- limit. The limit is one value per group: the recipient and the period fix its rule.
    select donor_key, limit_recipient_id as recipient_id, period_kind, period
    from limited
    -- unlimited and unchecked recipient kinds never flag; a missing seed row would leave
    -- limit_amount NULL: the seed test on cycles keeps that visible in int_contributions
    where rule_period in ('election', 'calendar_year')
    group by donor_key, limit_recipient_id, period_kind, period
    having sum(counted_amount) > any_value(limit_amount)
),
flagged as (
    select
        c.donor_key, c.limit_recipient_id as recipient_id, c.period_kind, c.period,
        any_value(c.recipient_kind) as recipient_kind,
        any_value(c.recipient_name) as recipient_name,
        any_value(c.rule_recipient_kind) as rule_recipient_kind,
        any_value(c.rule_cycle) as rule_cycle,
        any_value(c.limit_amount) as limit_amount,
        any_value(c.rule_period) as rule_period,
        any_value(c.rule_source_title) as rule_source_title,
        any_value(c.rule_source_url) as rule_source_url,
        bool_or(c.contributor_kind = 'organisation') as any_organisation,
        sum(c.counted_amount) as total_amount,
        min(c.donor_name) as donor_name,
        any_value(c.contributor_kind) as contributor_kind,
        count(*) as n_contributions,
        min(c.donation_date) as first_date,
        max(c.donation_date) as last_date,
        {{ mt_list_agg('c.employer_norm', distinct=true, filter='c.employer_norm is not null') }} as employers_norm,
        {{ mt_list_agg('c.conduit_id', distinct=true, filter='c.conduit_id is not null') }} as conduit_ids,
        {{ mt_list_agg('c.row_ref', ['c.donation_date', 'c.row_index', 'c.row_ref']) }} as row_refs
    from limited c
    semi join totals t
      on t.donor_key = c.donor_key and t.recipient_id = c.limit_recipient_id
     and t.period_kind = c.period_kind and t.period = c.period
    group by c.donor_key, c.limit_recipient_id, c.period_kind, c.period
),
stated as (
    select
        *,
        case
            when recipient_kind = 'unknown' then 'recipient ' || recipient_id || ' is not in the committee master: its kind is unknown; compared with the lowest individual limit that could apply (candidate, per election) over the calendar year'
            when period like 'unknown election%' then 'the rows carry no usable election code (TRANSACTION_PGI): they may belong to different elections, each with its own limit'
            when any_organisation then 'an organisation (ENTITY_TP ORG) gave: the person limit applies to a partnership or LLC, whose gift is attributed to its partners; a corporation may not give at all (see prohibited_contributions)'
            when recipient_kind = 'candidate' and total_amount <= 2 * limit_amount then 'at most twice the per-election limit: lawful if the committee redesignated the excess to another election or reattributed it to a joint account holder (11 CFR 110.1(b)(5), 110.1(k)(3)), which itemized rows need not show'
            when recipient_kind = 'hybrid_pac' then 'hybrid PAC: the gift would be unlimited in its non-contribution account; a receipt reported as transaction type 15 instead of 10 looks like an excess'
        end as doubt_reason
    from flagged
)
select
    {{ stable_id('limit:v2', ['donor_key', 'recipient_id', 'period']) }} as flag_id,
    donor_key,
    donor_name,
    contributor_kind,
    recipient_id,
    recipient_name,
    recipient_kind,
    period_kind,
    period,
    n_contributions,
    total_amount,
    limit_amount,
    total_amount - limit_amount as excess_amount,
    case when doubt_reason is null then 'excess' else 'doubtful' end as flag_status,
    doubt_reason,
    case when recipient_kind = 'unknown' then 'lowest individual limit: ' else '' end
        || 'individual -> ' || rule_recipient_kind || ': $' || cast(limit_amount as {{ mt_text() }}) || ' per '
        || case when rule_period = 'election' then 'election' else 'calendar year' end
        || ' (' || (rule_cycle - 1) || '-' || rule_cycle || ')'
        || case when recipient_kind = 'unknown' then ', summed over the calendar year' else '' end as rule,
    'fec_contribution_limits' as limit_basis,
    rule_source_title,
    rule_source_url,
    first_date,
    last_date,
    employers_norm,
    conduit_ids,
    row_refs,
    'measured' as evidence_kind
from stated
{%- elif seeded %}
-- Seeded source rules (vars.source_rules ma_ocpf, dc_ocf, ca_calaccess): the limit for the
-- contributor kind (seeds/contributor_types.csv), recipient kind and, where the seed row names one,
-- the recipient's office (int_recipients; a LIKE pattern) in force in the contribution's year, per
-- calendar year or per campaign (DC: primary and general together, every gift to the committee),
-- from seeds/state_contribution_limits.csv. A pair without a limit row, or whose row has no amount
-- (no limit, or not checked), never flags.
-- Massachusetts party committees share one limit per party (M.G.L. c. 55 s. 7A(a)(2)): their gifts
-- are summed per party when the committees role gives the committee's party, else per committee
-- and the flag is doubtful.
ruled as {{ mt_cte_inline() }} (
    select
        counted.*,
        case
            when counted.recipient_kind = 'party' and nullif(trim(counted.recipient_party), '') is not null
                then 'party ' || upper(trim(counted.recipient_party))
            else counted.limit_recipient_id
        end as limit_group_id,
        case when l.period = 'campaign' then 'campaign' else cast(year(donation_date) as {{ mt_text() }}) end as period,
        l.period as period_kind,
        l.limit_amount,
        l.source_title as rule_source_title,
        l.source_url as rule_source_url,
        l.note as rule_note
    from counted
    join {{ ref('state_contribution_limits') }} l
      on l.rules = {{ mt_literal(source_rules()) }}
     and l.contributor_kind = counted.contributor_kind
     and l.recipient_kind = counted.recipient_kind
     and {{ seed_office_fits('l', 'counted.recipient_office') }}
     and l.period in ('calendar_year', 'campaign')
     and year(counted.donation_date) >= l.year_from
     and (l.year_to is null or year(counted.donation_date) <= l.year_to)
    where l.limit_amount is not null
),
totals as (
    select donor_key, limit_group_id as recipient_id, period, sum(counted_amount) as total_amount
    from ruled
    group by donor_key, limit_group_id, period
    having sum(counted_amount) > any_value(limit_amount)
),
flagged as (
    select
        c.donor_key,
        c.limit_group_id as recipient_id,
        c.period,
        min(c.donor_name) as donor_name,
        any_value(c.contributor_kind) as contributor_kind,
        case
            when bool_and(c.limit_group_id <> c.limit_recipient_id)
                then 'the ' || cast(count(distinct c.limit_recipient_id) as {{ mt_text() }}) || ' committee(s) of ' || c.limit_group_id
            else any_value(c.recipient_name)
        end as recipient_name,
        any_value(c.recipient_kind) as recipient_kind,
        bool_or(c.recipient_kind = 'party' and c.limit_group_id = c.limit_recipient_id) as party_unknown,
        any_value(c.limit_amount) as limit_amount,
        any_value(c.period_kind) as period_kind,
        any_value(c.rule_source_title) as rule_source_title,
        any_value(c.rule_source_url) as rule_source_url,
        any_value(c.rule_note) as rule_note,
        bool_or(c.contributor_type like '%(BY NAME)') as kind_by_name,
        bool_or(c.employer_norm like '%REFUND%') as text_says_refunded,
        count(*) as n_contributions,
        sum(c.counted_amount) as total_amount,
        min(c.donation_date) as first_date,
        max(c.donation_date) as last_date,
        {{ mt_list_agg('c.employer_norm', distinct=true, filter='c.employer_norm is not null') }} as employers_norm,
        {{ mt_list_agg('c.row_ref', ['c.donation_date', 'c.row_index', 'c.row_ref']) }} as row_refs
    from ruled c
    semi join totals t
      on t.donor_key = c.donor_key and t.recipient_id = c.limit_group_id and t.period = c.period
    group by c.donor_key, c.limit_group_id, c.period
)
select
    {{ stable_id('limit:v1', ['donor_key', 'recipient_id', 'period']) }} as flag_id,
    donor_key,
    donor_name,
    contributor_kind,
    recipient_id,
    recipient_name,
    recipient_kind,
    period_kind,
    period,
    n_contributions,
    total_amount,
    limit_amount,
    total_amount - limit_amount as excess_amount,
    case when kind_by_name or text_says_refunded or party_unknown then 'doubtful' else 'excess' end as flag_status,
    case
        when party_unknown then 'the limit is per political party (all its committees share it), but the committees role does not give this committee''s party: the total covers this committee only'
        when kind_by_name then 'the contributor''s kind (' || contributor_kind || ') is read from its name, not from a record type'
        when text_says_refunded then 'the row''s employer text says the excess was refunded (the refund is not itemised in the file)'
    end as doubt_reason,
    contributor_kind || ' -> ' || recipient_kind || ': $' || cast(limit_amount as {{ mt_text() }})
        || case when period_kind = 'campaign' then ' per campaign (' else ' per calendar year (' end
        || {{ mt_literal(source_rules()) }} || '; ' || rule_note || ')' as rule,
    'state_contribution_limits' as limit_basis,
    rule_source_title,
    rule_source_url,
    first_date,
    last_date,
    employers_norm,
    {{ mt_empty_text_list() }} as conduit_ids,
    row_refs,
    'measured' as evidence_kind
from flagged
{%- else %}
periods as {{ mt_cte_inline() }} (
    select
        *,
        {%- if cfg.period == 'calendar_year' %}
        cast(year(donation_date) as {{ mt_text() }}) as period
        {%- elif cfg.period == 'cycle' %}
        cast(year(donation_date) + year(donation_date) % 2 as {{ mt_text() }}) as period
        {%- else %}
        coalesce(election_label, 'unknown election') as period
        {%- endif %}
    from counted
),
totals as (
    -- sums first; the row lists are only built for the groups over the limit
    select donor_key, limit_recipient_id as recipient_id, period, sum(counted_amount) as total_amount
    from periods
    group by donor_key, limit_recipient_id, period
    having sum(counted_amount) > cast({{ mt_literal(cfg.limit) }} as decimal(18, 2))
),
flagged as (
    select
        c.donor_key,
        c.limit_recipient_id as recipient_id,
        c.period,
        min(c.donor_name) as donor_name,
        any_value(c.contributor_kind) as contributor_kind,
        any_value(c.recipient_name) as recipient_name,
        any_value(c.recipient_kind) as recipient_kind,
        count(*) as n_contributions,
        sum(c.counted_amount) as total_amount,
        min(c.donation_date) as first_date,
        max(c.donation_date) as last_date,
        {{ mt_list_agg('c.employer_norm', distinct=true, filter='c.employer_norm is not null') }} as employers_norm,
        {{ mt_list_agg('c.row_ref', ['c.donation_date', 'c.row_index', 'c.row_ref']) }} as row_refs
    from periods c
    semi join totals t
      on t.donor_key = c.donor_key and t.recipient_id = c.limit_recipient_id and t.period = c.period
    group by c.donor_key, c.limit_recipient_id, c.period
)
select
    {{ stable_id('limit:v1', ['donor_key', 'recipient_id', 'period']) }} as flag_id,
    donor_key,
    donor_name,
    contributor_kind,
    recipient_id,
    recipient_name,
    recipient_kind,
    {{ mt_literal(cfg.period) }} as period_kind,
    period,
    n_contributions,
    total_amount,
    cast({{ mt_literal(cfg.limit) }} as decimal(18, 2)) as limit_amount,
    total_amount - cast({{ mt_literal(cfg.limit) }} as decimal(18, 2)) as excess_amount,
    case when period = 'unknown election' then 'doubtful' else 'excess' end as flag_status,
    case when period = 'unknown election' then 'the rows carry no election code: they may belong to different elections, each with its own limit' end as doubt_reason,
    'configured flat limit: $' || cast(cast({{ mt_literal(cfg.limit) }} as decimal(18, 2)) as {{ mt_text() }}) || ' per ' || {{ mt_literal(cfg.period | replace("_", " ")) }} || ' per donor per recipient' as rule,
    'configured_flat_limit' as limit_basis,
    'vars.contribution_limits' as rule_source_title,
    cast(null as {{ mt_text() }}) as rule_source_url,
    first_date,
    last_date,
    employers_norm,
    {{ mt_empty_text_list() }} as conduit_ids,
    row_refs,
    'measured' as evidence_kind
from flagged
{%- endif %}
