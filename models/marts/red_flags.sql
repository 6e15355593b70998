-- Red flags per vendor-recipient pair: transparent rules over the signals, each naming the
-- stable ids of the findings behind it. A pair is flagged when at least min_rules fire.
--   non_competitive_award  the vendor holds an award whose procurement method matches
--                          vars.red_flags.procurement_methods (sole source, emergency, ...)
--   timing_cluster         timing_signals.is_signal for the pair (p, q, effect thresholds)
--   bundled_donations      a bundle to the recipient whose employer links to the vendor
--   limit_excess           a limit flag for the recipient with a contribution linked to the vendor
--   broad_influence        the vendor reaches >= breadth_min_recipients recipients
{%- set rf = red_flag_settings() %}
with pairs as (
    select
        vendor_entity_id,
        recipient_id,
        min(vendor_name_norm) as vendor_name_norm,
        count(*) as n_linked_contributions,
        sum(amount) as linked_amount,
        list(edge_id order by edge_id) as edge_ids
    from {{ ref('cross_links') }}
    where tier_rank <= {{ min_link_tier_rank() }} and not is_memo
    group by vendor_entity_id, recipient_id
),
vendor_names as (
    select distinct vendor_name_norm, vendor_entity_id from {{ ref('int_name_links') }}
),
non_competitive as (
    select
        v.vendor_entity_id,
        list(c.row_ref order by c.row_ref) as award_row_refs,
        list(distinct c.procurement_method_norm order by c.procurement_method_norm) as methods
    from {{ ref('stg_contracts') }} c
    join vendor_names v on v.vendor_name_norm = c.vendor_name_norm
    where {% for m in rf.procurement_methods %}contains(c.procurement_method_norm, {{ sql_string(m | upper) }}){{ " or " if not loop.last }}{% endfor %}
    group by v.vendor_entity_id
),
timing as (
    select vendor_entity_id, recipient_id, finding_id
    from {{ ref('timing_signals') }}
    where is_signal
),
bundles as (
    select linked_vendor_entity_id as vendor_entity_id, recipient_id,
           list(bundle_id order by bundle_id) as bundle_ids
    from {{ ref('bundles') }}
    where linked_vendor_entity_id is not null
    group by 1, 2
),
limit_rows as (
    select f.flag_id, f.recipient_id, unnest(f.row_refs) as row_ref
    from {{ ref('limit_flags') }} f
),
limits as (
    select l.vendor_entity_id, r.recipient_id, list(distinct r.flag_id order by r.flag_id) as flag_ids
    from limit_rows r
    join {{ ref('cross_links') }} l
      on l.contribution_row_ref = r.row_ref and l.recipient_id = r.recipient_id
     and l.tier_rank <= {{ min_link_tier_rank() }}
    group by 1, 2
),
breadth as (
    select vendor_entity_id, finding_id, n_recipients
    from {{ ref('vendor_breadth') }}
    where n_recipients >= {{ mt_literal(rf.breadth_min_recipients) }}
),
rules as (
    select
        p.*,
        nc.vendor_entity_id is not null as non_competitive_award,
        t.finding_id is not null as timing_cluster,
        b.vendor_entity_id is not null as bundled_donations,
        l.vendor_entity_id is not null as limit_excess,
        br.vendor_entity_id is not null as broad_influence,
        nc.methods as procurement_methods,
        nc.award_row_refs as non_competitive_award_row_refs,
        t.finding_id as timing_finding_id,
        b.bundle_ids,
        l.flag_ids as limit_flag_ids,
        br.finding_id as breadth_finding_id
    from pairs p
    left join non_competitive nc on nc.vendor_entity_id = p.vendor_entity_id
    left join timing t on t.vendor_entity_id = p.vendor_entity_id and t.recipient_id = p.recipient_id
    left join bundles b on b.vendor_entity_id = p.vendor_entity_id and b.recipient_id = p.recipient_id
    left join limits l on l.vendor_entity_id = p.vendor_entity_id and l.recipient_id = p.recipient_id
    left join breadth br on br.vendor_entity_id = p.vendor_entity_id
),
scored as (
    select
        *,
        list_filter([
            case when non_competitive_award then 'non_competitive_award' end,
            case when timing_cluster then 'timing_cluster' end,
            case when bundled_donations then 'bundled_donations' end,
            case when limit_excess then 'limit_excess' end,
            case when broad_influence then 'broad_influence' end
        ], x -> x is not null) as rules_fired
    from rules
)
select
    {{ stable_id('redflag:v1', ['vendor_entity_id', 'recipient_id']) }} as flag_id,
    vendor_entity_id,
    vendor_name_norm,
    recipient_id,
    len(rules_fired) as n_rules,
    rules_fired,
    case when len(rules_fired) >= 4 then 'high' when len(rules_fired) = 3 then 'medium' else 'low' end as severity,
    non_competitive_award,
    timing_cluster,
    bundled_donations,
    limit_excess,
    broad_influence,
    procurement_methods,
    non_competitive_award_row_refs,
    timing_finding_id,
    bundle_ids,
    limit_flag_ids,
    breadth_finding_id,
    n_linked_contributions,
    linked_amount,
    edge_ids,
    case when timing_cluster then 'modelled' else 'measured' end as evidence_kind
from scored
where len(rules_fired) >= {{ mt_literal(rf.min_rules) }}
