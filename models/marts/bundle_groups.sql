-- Same-employer, same-day giving: every group of at least vars.bundles.min_donors distinct
-- donors who wrote down the same normalised employer and gave to the same recipient on the same
-- day, with the verdict whether it is a bundle in the journalistic sense and, when not, why:
--   bundle                      the recipient's kind is in vars.bundles.recipient_kinds
--                               (candidate committees by default)
--   payroll_giving              the employees gave to their own employer's PAC (the PAC's
--                               connected organisation is their employer) or the filer's memo
--                               says payroll deduction: the employer's PAC collecting from its
--                               own people is how such PACs work, not a bundle
--   recipient_kind_not_bundled  the recipient is of another kind (a PAC, a party, ...)
--   recipient_unclassified      no committee-kind data for the recipient; counted as a bundle
--                               only with vars.bundles.unclassified_recipients: include
-- Earmarked gifts (FEC rules) count where int_contributions places them: a conduit's pass-on
-- row (24T/24I) at the intended recipient (OTHER_ID) with the conduit named, a recipient's own
-- earmark receipt (15E) with its conduit named; a pass-on row that is the same gift as the
-- recipient's own row (int_contributions.same_gift_row_ref) is left out, so a gift counts once.
-- One donor's several gifts are not a bundle; non-answer employers (RETIRED, SELF-EMPLOYED, ...)
-- and organisations never bundle; refunds and (by default) memo rows are left out.
-- Built one bucket of groups at a time (macros/bucketed_table.sql).
{{ config(materialized=mt_bucketed_materialization(), bucket_rows_of='int_contributions') }}
{%- set cfg = bundle_settings() %}
with recipients as (
    select
        recipient_id,
        recipient_name,
        recipient_kind,
        kind_source,
        candidate_id,
        candidate_name,
        connected_org_name,
        connected_org_norm,
        pac_name_sponsor_norm
    from {{ ref('int_recipients') }}
),
attributed as {{ mt_cte_inline() }} (
    select
        {{ mt_star_except(ref('int_contributions'), ['recipient_id', 'conduit_id'], 'c') }},
        c.recipient_id as filer_id,
        -- an earmark without OTHER_ID stays with its filer (its intended recipient is unknown)
        coalesce(c.limit_recipient_id, c.recipient_id) as recipient_id,
        case when c.limit_recipient_id is not null then c.conduit_id end as conduit_id
    from {{ ref('int_contributions') }} c
    -- a row a later amendment restates (int_contributions.is_superseded) is the same gift again
    where c.same_gift_row_ref is null and not coalesce(c.is_superseded, false)
),
contributions as {{ mt_cte_inline() }} (
    -- read twice (the counts, then the lists): inlined, each reads only its columns, streamed
    select
        c.*,
        r.recipient_name as recipient_name_known,
        r.recipient_kind,
        r.kind_source,
        r.candidate_id,
        r.candidate_name,
        r.connected_org_name,
        {{ is_own_employer_pac('c', 'r') }} as to_own_employer_pac,
        {{ memo_says_payroll('c', cfg.payroll_memo_patterns) }} as memo_says_payroll
    from attributed c
    left join recipients r on r.recipient_id = c.recipient_id
    where c.employer_norm is not null
      and not c.employer_is_non_answer
      and not c.is_organisation
      and c.amount > 0
      -- qualifying and groups read their rows from here: one bucket of groups per pass
      and {{ mt_bucket_filter(['c.recipient_id', 'c.donation_date', 'c.employer_norm']) }}
      {%- if cfg.exclude_memo %}
      and not c.is_memo
      {%- endif %}
),
qualifying as (
    -- counts first; the lists are only built for the groups that qualify
    select recipient_id, donation_date, employer_norm
    from contributions
    group by recipient_id, donation_date, employer_norm
    having count(distinct donor_key) >= {{ cfg.min_donors | int }}
),
groups as (
    select
        c.recipient_id,
        c.donation_date,
        c.employer_norm,
        min(c.recipient_name_known) as recipient_name,
        min(c.recipient_kind) as recipient_kind,
        min(c.kind_source) as kind_source,
        min(c.candidate_id) as candidate_id,
        min(c.candidate_name) as candidate_name,
        min(c.connected_org_name) as connected_org_name,
        count(distinct donor_key) as n_donors,
        count(*) as n_contributions,
        sum(amount) as total_amount,
        count(*) filter (where c.to_own_employer_pac) as n_to_own_employer_pac,
        count(*) filter (where c.memo_says_payroll) as n_memo_payroll,
        count(*) filter (where c.to_own_employer_pac or c.memo_says_payroll) as n_payroll,
        {{ mt_list_agg('employer', distinct=true) }} as employer_spellings,
        {{ mt_list_agg('c.conduit_id', distinct=true, filter='c.conduit_id is not null') }} as conduit_ids,
        {{ mt_list_agg('row_ref', ['row_index', 'row_ref']) }} as row_refs
    from contributions c
    -- qualifying has one row per group: the join keeps each contribution once
    join qualifying q
      on q.recipient_id = c.recipient_id and q.donation_date = c.donation_date
     and q.employer_norm = c.employer_norm
    group by c.recipient_id, c.donation_date, c.employer_norm
),
classified as (
    select
        *,
        case
            -- any payroll row makes the group the employer's own collection, not an intermediary's
            when n_payroll > 0 then 'payroll_giving'
            when recipient_kind is null or recipient_kind = 'unknown' then 'recipient_unclassified'
            when recipient_kind in ({% for k in cfg.recipient_kinds %}{{ sql_string(k) }}{{ ", " if not loop.last }}{% endfor %}) then 'bundle'
            else 'recipient_kind_not_bundled'
        end as group_status
    from groups
),
conduit_names as (
    select g.recipient_id, g.donation_date, g.employer_norm,
           {{ mt_list_agg('coalesce(r.recipient_name, u.conduit_id)', ['u.conduit_id']) }} as conduit_names
    from (select recipient_id, donation_date, employer_norm, {{ mt_unnest('conduit_ids') }} as conduit_id from groups) u
    join groups g using (recipient_id, donation_date, employer_norm)
    left join recipients r on r.recipient_id = u.conduit_id
    group by all
),
vendor_for_employer as (
    {{ best_vendor_for_employer() }}
)
select
    {{ stable_id('bundle:v1', ['g.recipient_id', 'g.donation_date', 'g.employer_norm']) }} as bundle_id,
    g.recipient_id,
    g.recipient_name,
    coalesce(g.recipient_kind, 'unknown') as recipient_kind,
    g.kind_source,
    g.candidate_id,
    g.candidate_name,
    g.connected_org_name,
    g.group_status,
    g.group_status = 'bundle'
    {%- if cfg.unclassified_recipients == 'include' %}
        or g.group_status = 'recipient_unclassified'
    {%- endif %} as is_bundle,
    g.donation_date,
    g.employer_norm,
    g.employer_spellings,
    g.n_donors,
    g.n_contributions,
    g.total_amount,
    g.n_to_own_employer_pac,
    g.n_memo_payroll,
    coalesce(g.conduit_ids, {{ mt_empty_text_list() }}) as conduit_ids,
    coalesce(cn.conduit_names, {{ mt_empty_text_list() }}) as conduit_names,
    g.row_refs,
    {{ mt_list_head('g.row_refs', 5) }} as sample_row_refs,
    v.vendor_entity_id as linked_vendor_entity_id,
    v.vendor_name_norm as linked_vendor_name_norm,
    v.link_id as linked_via_link_id,
    v.confidence_tier as link_confidence_tier,
    'measured' as evidence_kind
from classified g
left join vendor_for_employer v on v.employer_norm = g.employer_norm
left join conduit_names cn
  on cn.recipient_id = g.recipient_id and cn.donation_date = g.donation_date and cn.employer_norm = g.employer_norm
