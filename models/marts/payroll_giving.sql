-- Payroll giving: employees giving to their own employer's PAC, one row per recipient and
-- normalised employer over the whole period. A contribution counts when either signal holds:
--   to_own_employer_pac  the recipient is a PAC whose sponsor's name covers the donor's employer
--                        (macros/bundle_config.sql sponsor_covers_employer): the committee
--                        master's connected organisation, or, where that says nothing, the
--                        sponsor the PAC's own name carries (detected_by pac_named_after_employer;
--                        an FEC separate segregated fund's name must include its sponsor's full name)
--   memo_says_payroll    the filer's memo text contains one of vars.bundles.payroll_memo_patterns
--                        (FEC filers write "P/R DEDUCTION ($500.00 MONTHLY)")
-- This is how a corporate or union PAC raises money from its restricted class, so it is context
-- about a vendor (its PAC and how much its people give through it), never a bundle.
{%- set cfg = bundle_settings() %}
with recipients as (
    select
        recipient_id,
        recipient_name,
        recipient_kind,
        connected_org_name,
        connected_org_norm,
        pac_name_sponsor_norm
    from {{ ref('int_recipients') }}
),
contributions as (
    select
        c.*,
        r.recipient_name as recipient_name_known,
        r.recipient_kind,
        r.connected_org_name,
        {{ own_employer_pac_basis('c', 'r') }} as own_pac_basis,
        {{ is_own_employer_pac('c', 'r') }} as to_own_employer_pac,
        {{ memo_says_payroll('c', cfg.payroll_memo_patterns) }} as memo_says_payroll
    from {{ ref('int_contributions') }} c
    left join recipients r on r.recipient_id = c.recipient_id
    where c.employer_norm is not null
      and not coalesce(c.is_superseded, false)  -- restated by a later amendment: the same gift again
      and not c.employer_is_non_answer
      and not c.is_organisation
      {%- if cfg.exclude_memo %}
      and not c.is_memo
      {%- endif %}
),
payroll as (
    select * from contributions where to_own_employer_pac or memo_says_payroll
),
per_pac as (
    select
        recipient_id,
        employer_norm,
        min(recipient_name_known) as recipient_name,
        coalesce(min(recipient_kind), 'unknown') as recipient_kind,
        min(connected_org_name) as connected_org_name,
        count(distinct donor_key) as n_donors,
        count(*) as n_contributions,
        sum(amount) as total_amount,
        min(donation_date) as first_date,
        max(donation_date) as last_date,
        count(distinct donation_date) as n_days,
        count(*) filter (where to_own_employer_pac) as n_to_own_employer_pac,
        count(*) filter (where own_pac_basis = 'pac_name') as n_sponsor_from_pac_name,
        count(*) filter (where memo_says_payroll) as n_memo_payroll,
        {{ mt_list_agg('employer', distinct=true) }} as employer_spellings,
        {{ mt_list_agg('row_ref', ['donation_date', 'row_index', 'row_ref']) }} as row_refs
    from payroll
    group by recipient_id, employer_norm
),
vendor_for_employer as (
    {{ best_vendor_for_employer() }}
)
select
    {{ stable_id('payroll:v1', ['p.recipient_id', 'p.employer_norm']) }} as finding_id,
    p.recipient_id,
    p.recipient_name,
    p.recipient_kind,
    p.connected_org_name,
    p.employer_norm,
    p.employer_spellings,
    p.n_donors,
    p.n_contributions,
    p.total_amount,
    p.first_date,
    p.last_date,
    p.n_days,
    p.n_to_own_employer_pac,
    p.n_sponsor_from_pac_name,
    p.n_memo_payroll,
    {{ mt_list_filter(mt_list([
        "case when p.n_to_own_employer_pac > p.n_sponsor_from_pac_name then 'to_own_employer_pac' end",
        "case when p.n_sponsor_from_pac_name > 0 then 'pac_named_after_employer' end",
        "case when p.n_memo_payroll > 0 then 'memo_says_payroll' end"
    ]), 'x -> x is not null') }} as detected_by,
    p.row_refs,
    v.vendor_entity_id as linked_vendor_entity_id,
    v.vendor_name_norm as linked_vendor_name_norm,
    v.link_id as linked_via_link_id,
    v.confidence_tier as link_confidence_tier,
    'measured' as evidence_kind
from per_pac p
left join vendor_for_employer v on v.employer_norm = p.employer_norm
