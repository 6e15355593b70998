-- One row: the link graph's totals (every tier) and how many edges the analyses use, at the
-- analysis tier (vars.min_link_tier) or better, and leave out.
{%- set rank = min_link_tier_rank() %}
{%- set below = link_tiers()[rank:] %}
select
    {{ mt_literal(link_tiers()[rank - 1]) }} as analysis_tier,
    {{ rank }} as analysis_tier_rank,
    {{ mt_literal(below | join(', ') or 'none') }} as tiers_below_analysis_tier,
    count(case when tier_rank <= {{ rank }} then 1 end) as section_rows,
    count(*) as edges,
    count(case when tier_rank <= {{ rank }} then 1 end) as edges_at_analysis_tier,
    count(case when tier_rank > {{ rank }} then 1 end) as edges_below_analysis_tier,
    count(distinct vendor_entity_id) as distinct_vendors,
    count(distinct donor_key) as distinct_donors,
    count(distinct recipient_id) as distinct_recipients,
    count(distinct contribution_row_ref) as distinct_contributions,
    coalesce(sum(amount), 0) as total_amount
from {{ ref('cross_links') }}
