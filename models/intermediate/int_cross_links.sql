-- The link graph: one edge per contribution row linked to a vendor, through the employer the
-- donor wrote down (vendor_employer) or the business that gave (vendor_business_donor).
-- Every edge carries the name-level link's match type, tier and features and both row refs.
-- Links between the same organisation only, unless vars.er_link_scopes opts in to family
-- (units of one brand) and ownership (parent / subsidiary) links; every edge says its scope.
-- is_payroll_giving marks an employee's gift through the workplace (to the employer's own PAC,
-- or a payroll deduction by the memo), defined as in payroll_giving: context, not influence.
{%- set scopes = er_link_scopes() %}
{%- set bundles = bundle_settings() %}
with scoped_links as (
    select * from {{ ref('int_name_links') }}
    where link_scope in ({% for s in scopes %}{{ mt_literal(s) }}{{ ", " if not loop.last }}{% endfor %})
),
-- one edge per (relation, vendor entity, other entity, contribution row): when two spellings of
-- one vendor entity (BORREGO SOLAR SYSTEMS / BORREGO SOLAR SYTEMS) both link the same row, the
-- best link (tier, then score, then spelling) stands for the edge. A row links through its one
-- name (employer or business donor), so the best link is chosen per name, among the links
-- alone, before any contribution row is joined: the same choice as per row, without ranking
-- millions of wide edge rows (which ran out of memory at 70M contribution rows)
links as (
    select *
    from (
        select
            *,
            row_number() over (
                partition by relation, vendor_entity_id, other_entity_id, other_name_norm
                order by tier_rank, score desc, vendor_name_norm
            ) as link_rank
        from scoped_links
    ) ranked_links
    where link_rank = 1
),
contributions as {{ mt_cte_inline() }} (
    -- a row a later amendment restates (is_superseded) is the same gift again: no edge of its own
    -- (read by both relations: inlined, each reads only the rows and columns it joins)
    select * from {{ ref('int_contributions') }}
    where not coalesce(is_superseded, false)
),
recipients as (
    select recipient_id, recipient_kind, connected_org_norm, pac_name_sponsor_norm
    from {{ ref('int_recipients') }}
),
vendor_rows as (
    -- a vendor's first award row stands for the vendor side of every edge
    select
        vendor_name_norm,
        {{ mt_first('row_ref', ['row_index', 'row_ref']) }} as vendor_row_ref,
        {{ mt_first('vendor_name', ['row_index', 'row_ref']) }} as vendor_name,
        count(*) as vendor_award_rows
    from {{ ref('int_contracts') }}
    group by vendor_name_norm
),
edges as (
    select l.*, {{ mt_star_except(ref('int_contributions'), ['row_ref'], 'c') }}, c.row_ref as contribution_row_ref
    from links l
    join contributions c
      on l.relation = 'vendor_employer'
     and c.employer_norm = l.other_name_norm
     and not c.employer_is_non_answer
     and not c.is_organisation
    union all
    select l.*, {{ mt_star_except(ref('int_contributions'), ['row_ref'], 'c') }}, c.row_ref as contribution_row_ref
    from links l
    join contributions c
      on l.relation = 'vendor_business_donor'
     and c.is_organisation
     and c.donor_org_norm = l.other_name_norm
)
select
    {{ stable_id('edge:v1', ['e.relation', 'e.vendor_entity_id', 'e.other_entity_id', 'e.contribution_row_ref']) }} as edge_id,
    e.link_id,
    e.relation,
    e.vendor_entity_id,
    e.vendor_name_norm,
    v.vendor_name,
    e.other_entity_id,
    e.other_name_norm,
    case when e.relation = 'vendor_employer' then e.employer else e.donor_name end as other_name_raw,
    e.match_type,
    e.confidence_tier,
    e.tier_rank,
    e.score,
    e.overlap_ratio,
    e.shared_tokens,
    e.token_rarity,
    e.number_mismatch,
    e.link_scope,
    e.review_decision,
    e.knowledge_note,
    v.vendor_row_ref,
    v.vendor_award_rows,
    e.contribution_row_ref,
    e.donor_key,
    e.donor_name,
    e.recipient_id,
    e.donation_date,
    e.amount,
    e.is_memo,
    e.amount < 0 as is_refund,
    e.relation = 'vendor_employer'
    and ({{ is_own_employer_pac('e', 'r') }} or {{ memo_says_payroll('e', bundles.payroll_memo_patterns) }}) as is_payroll_giving
from edges e
join vendor_rows v on v.vendor_name_norm = e.vendor_name_norm
left join recipients r on r.recipient_id = e.recipient_id
