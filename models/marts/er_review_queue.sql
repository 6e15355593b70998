-- The links worth a human look first: uncertain tiers (probable, low) and family / ownership
-- links nobody has reviewed yet, most money at stake first (contributions through the link,
-- then the vendor's contract value), with the features that made the match and sample rows
-- of both sides. Its CSV (`moneytrail match-review`) round-trips: fill in decision, note,
-- reviewer and decided_on, point vars.er_link_decisions_file at it, rebuild.
with queue as (
    select *
    from {{ ref('int_name_links') }}
    where review_decision is null
      and (confidence_tier in ('probable', 'low') or link_scope <> 'same_organisation')
),
contributions as (
    select
        employer_norm as name_norm,
        'vendor_employer' as relation,
        employer as name_raw,
        row_ref,
        row_index,
        amount
    from {{ ref('int_contributions') }}
    where not is_organisation and not employer_is_non_answer and employer_norm is not null
    union all
    select donor_org_norm, 'vendor_business_donor', donor_name, row_ref, row_index, amount
    from {{ ref('int_contributions') }}
    where is_organisation and donor_org_norm is not null
),
other_side as (
    select
        c.relation,
        c.name_norm,
        count(*) as other_rows,
        sum(abs(c.amount)) as donations_at_stake,
        {{ mt_string_agg("c.name_raw || ' <' || c.row_ref || '>'", ' | ', ['c.row_index', 'c.row_ref'], filter='c.n <= 3') }} as other_examples
    from (
        select *, row_number() over (partition by relation, name_norm order by row_index, row_ref) as n
        from contributions
        where name_norm in (select other_name_norm from queue)
    ) c
    group by c.relation, c.name_norm
),
vendor_side as (
    select
        v.vendor_name_norm,
        count(*) as vendor_rows,
        sum(v.contract_value) as contract_value_at_stake,
        {{ mt_string_agg("v.vendor_name || ' <' || v.row_ref || '>'", ' | ', ['v.row_index', 'v.row_ref'], filter='v.n <= 3') }} as vendor_examples
    from (
        select *, row_number() over (partition by vendor_name_norm order by row_index, row_ref) as n
        from {{ ref('int_contracts') }}
        where vendor_name_norm in (select vendor_name_norm from queue)
    ) v
    group by v.vendor_name_norm
)
select
    row_number() over (
        order by coalesce(o.donations_at_stake, 0) desc, coalesce(v.contract_value_at_stake, 0) desc,
        q.tier_rank, q.score desc, q.relation, q.vendor_name_norm, q.other_name_norm
    ) as queue_rank,
    q.vendor_name_norm as left_name,
    q.other_name_norm as right_name,
    cast(null as {{ mt_text() }}) as decision,
    cast(null as {{ mt_text() }}) as note,
    cast(null as {{ mt_text() }}) as reviewer,
    cast(null as {{ mt_text() }}) as decided_on,
    q.relation,
    q.link_id,
    q.confidence_tier,
    q.match_type,
    q.link_scope,
    q.score,
    q.token_sort_score,
    q.coverage_left,
    q.coverage_right,
    q.shared_tokens,
    q.token_rarity,
    q.number_mismatch,
    q.type_conflict,
    q.knowledge_note,
    coalesce(o.donations_at_stake, 0) as donations_at_stake,
    coalesce(v.contract_value_at_stake, 0) as contract_value_at_stake,
    coalesce(o.other_rows, 0) as other_rows,
    coalesce(v.vendor_rows, 0) as vendor_rows,
    v.vendor_examples,
    o.other_examples
from queue q
left join other_side o on o.relation = q.relation and o.name_norm = q.other_name_norm
left join vendor_side v on v.vendor_name_norm = q.vendor_name_norm
