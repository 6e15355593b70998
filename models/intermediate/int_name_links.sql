-- Name-level links with stable ids: one row per (relation, vendor name, donor-side name).
-- Pairs a reviewer marked not_same are dropped here, whatever the matcher or an alias said.
select
    {{ stable_id('link:v1', ['m.relation', 'm.left_name', 'm.right_name']) }} as link_id,
    m.relation,
    m.left_name as vendor_name_norm,
    v.entity_id as vendor_entity_id,
    m.right_name as other_name_norm,
    o.entity_id as other_entity_id,
    m.match_type,
    m.tier as confidence_tier,
    {{ tier_rank_expr('m.tier') }} as tier_rank,
    m.score,
    m.token_sort_score,
    m.coverage_left,
    m.coverage_right,
    m.overlap as overlap_ratio,
    m.shared_tokens,
    m.max_idf as token_rarity,
    m.mean_idf,
    m.number_mismatch,
    m.type_conflict,
    m.link_scope,
    m.matcher_tier,
    m.review_decision,
    m.decision_id,
    m.alias_id,
    m.knowledge_note
from {{ ref('int_name_matches') }} m
join {{ ref('int_entity_map') }} v on v.normalized_name = m.left_name
join {{ ref('int_entity_map') }} o on o.normalized_name = m.right_name
where m.review_decision is distinct from 'not_same'
