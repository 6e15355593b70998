-- What each reviewed decision did in this build (one row per decision): the report's count of
-- decisions applied is `count(*) filter (where applied)`; er_review_summary has the totals.
with d as (
    select * from {{ ref('int_er_decisions') }}
),
m as (
    select * from {{ ref('int_name_matches') }}
),
hits as (
    select
        d.decision_id,
        count(m.left_name) as link_rows,
        -- new to the analyses: no link before, or one below vars.min_link_tier
        count(m.left_name) filter (
            where m.matcher_tier is null or {{ tier_rank_expr('m.matcher_tier') }} > {{ min_link_tier_rank() }}
        ) as added_rows
    from d
    left join m
      on ((m.left_name = d.left_name_norm and m.right_name = d.right_name_norm)
          or (m.left_name = d.right_name_norm and m.right_name = d.left_name_norm))
     and (d.relation is null or d.relation = m.relation)
    group by d.decision_id
),
present as (
    select
        d.decision_id,
        l.entity_id as left_entity_id,
        r.entity_id as right_entity_id
    from d
    left join {{ ref('int_entity_map') }} l on l.normalized_name = d.left_name_norm
    left join {{ ref('int_entity_map') }} r on r.normalized_name = d.right_name_norm
),
effects as (
    select
        d.*,
        h.link_rows,
        p.left_entity_id,
        p.right_entity_id,
        case
            when p.left_entity_id is null or p.right_entity_id is null then 'names_not_in_data'
            when d.decision = 'not_same' and h.link_rows > 0 then 'link_removed'
            when d.decision = 'not_same' then 'kept_apart'
            when d.decision = 'same' and h.added_rows > 0 then 'link_added'
            when d.decision = 'same' and h.link_rows > 0 then 'link_confirmed'
            when d.decision = 'same' and p.left_entity_id = p.right_entity_id then 'entities_merged'
            when d.decision = 'unsure' and h.link_rows > 0 then 'marked_unsure'
            else 'no_effect'
        end as effect
    from d
    join hits h using (decision_id)
    join present p using (decision_id)
)
select
    *,
    effect not in ('names_not_in_data', 'no_effect') as applied
from effects
