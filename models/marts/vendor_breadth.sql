-- Vendor influence breadth: per vendor, how many recipients and donors its linked donations
-- reach, how much money, and how confident the links are. Ranked by recipients, then money (vendors with no
-- linked donations have no row).
with edges as (
    select *
    from {{ ref('cross_links') }}
    where tier_rank <= {{ min_link_tier_rank() }}
      and not is_memo
),
per_vendor as (
    select
        vendor_entity_id,
        min(vendor_name) as vendor_name,
        min(vendor_name_norm) as vendor_name_norm,
        count(distinct recipient_id) as n_recipients,
        count(distinct donor_key) as n_donors,
        count(*) as n_linked_contributions,
        sum(amount) as total_amount,
        {%- for t in link_tiers() %}
        count(*) filter (where confidence_tier = '{{ t }}') as n_links_{{ t }},
        {%- endfor %}
        {{ mt_list_agg('recipient_id', distinct=true) }} as recipients,
        {{ mt_list_agg('edge_id', limit=20) }} as sample_edge_ids
    from edges
    group by vendor_entity_id
)
select
    {{ stable_id('breadth:v1', ['p.vendor_entity_id']) }} as finding_id,
    row_number() over (order by p.n_recipients desc, p.total_amount desc, p.vendor_entity_id) as breadth_rank,
    p.*,
    'measured' as evidence_kind
from per_vendor p
