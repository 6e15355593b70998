-- Vendor influence breadth: per vendor, how many recipients and donors its linked donations
-- reach, how much money, and how confident the links are. Ranked by recipients, then money.
-- Employees' payroll giving (to the vendor's own PAC, or by payroll deduction: cross_links.is_payroll_giving,
-- the payroll_giving mart's rule) is how a company or union PAC raises money, not reach beyond the vendor:
-- it is counted apart (n_payroll_contributions, payroll_amount) and never in the recipients, donors, money
-- or sample edges of the breadth. A vendor whose linked donations are all payroll giving (or that has
-- none) reaches no recipient and has no row: its people's giving is in payroll_giving.
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
        count(distinct recipient_id) filter (where not is_payroll_giving) as n_recipients,
        count(distinct donor_key) filter (where not is_payroll_giving) as n_donors,
        count(*) filter (where not is_payroll_giving) as n_linked_contributions,
        coalesce(sum(amount) filter (where not is_payroll_giving), 0) as total_amount,
        count(*) filter (where is_payroll_giving) as n_payroll_contributions,
        coalesce(sum(amount) filter (where is_payroll_giving), 0) as payroll_amount,
        {%- for t in link_tiers() %}
        count(*) filter (where confidence_tier = '{{ t }}' and not is_payroll_giving) as n_links_{{ t }},
        {%- endfor %}
        coalesce(
            {{ mt_list_agg('recipient_id', distinct=true, filter='not is_payroll_giving') }}, {{ mt_empty_text_list() }}
        ) as recipients,
        {{ mt_list_agg('edge_id', filter='not is_payroll_giving', limit=20) }} as sample_edge_ids
    from edges
    group by vendor_entity_id
)
select
    {{ stable_id('breadth:v1', ['p.vendor_entity_id']) }} as finding_id,
    row_number() over (order by p.n_recipients desc, p.total_amount desc, p.vendor_entity_id) as breadth_rank,
    p.*,
    'measured' as evidence_kind
from per_vendor p
where p.n_recipients > 0
