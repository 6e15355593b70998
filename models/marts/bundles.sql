-- Bundled donations: at least min_donors distinct donors with the same normalised employer
-- giving to the same recipient on the same day. One donor's several gifts are not a bundle,
-- and non-answer employers (RETIRED, SELF-EMPLOYED, ...) never bundle.
{%- set cfg = checked_settings('bundles', {'min_donors': 3, 'exclude_memo': true}) %}
with contributions as (
    select *
    from {{ ref('stg_contributions') }}
    where employer_norm is not null
      and not employer_is_non_answer
      and not is_organisation
      and amount > 0
      {%- if cfg.exclude_memo %}
      and not is_memo
      {%- endif %}
),
qualifying as (
    -- counts first; the lists are only built for the groups that are bundles
    select recipient_id, donation_date, employer_norm
    from contributions
    group by recipient_id, donation_date, employer_norm
    having count(distinct donor_key) >= {{ mt_literal(cfg.min_donors) }}
),
groups as (
    select
        c.recipient_id,
        c.donation_date,
        c.employer_norm,
        count(distinct donor_key) as n_donors,
        count(*) as n_contributions,
        sum(amount) as total_amount,
        list(distinct employer order by employer) as employer_spellings,
        list(row_ref order by row_index, row_ref) as row_refs
    from contributions c
    semi join qualifying q
      on q.recipient_id = c.recipient_id and q.donation_date = c.donation_date
     and q.employer_norm = c.employer_norm
    group by c.recipient_id, c.donation_date, c.employer_norm
),
vendor_for_employer as (
    -- the best vendor each employer links to; ties broken by tier, score, then name
    select
        other_name_norm as employer_norm,
        vendor_entity_id,
        vendor_name_norm,
        link_id,
        confidence_tier
    from {{ ref('int_name_links') }}
    where relation = 'vendor_employer' and tier_rank <= {{ min_link_tier_rank() }}
    qualify row_number() over (
        partition by other_name_norm order by tier_rank, score desc, vendor_name_norm
    ) = 1
),
recipients as (
    select committee_id, min(candidate_name) as recipient_name
    from {{ ref('stg_candidates') }}
    where committee_id is not null
    group by committee_id
)
select
    {{ stable_id('bundle:v1', ['g.recipient_id', 'g.donation_date', 'g.employer_norm']) }} as bundle_id,
    g.recipient_id,
    r.recipient_name,
    g.donation_date,
    g.employer_norm,
    g.employer_spellings,
    g.n_donors,
    g.n_contributions,
    g.total_amount,
    g.row_refs,
    g.row_refs[1:5] as sample_row_refs,
    v.vendor_entity_id as linked_vendor_entity_id,
    v.vendor_name_norm as linked_vendor_name_norm,
    v.link_id as linked_via_link_id,
    v.confidence_tier as link_confidence_tier,
    'measured' as evidence_kind
from groups g
left join vendor_for_employer v on v.employer_norm = g.employer_norm
left join recipients r on r.committee_id = g.recipient_id
