-- Every vendor-recipient pair with linked money (links at vars.min_link_tier or better) and the
-- verdict of each red-flag rule. Rules are evidence about the PAIR:
--   bundled_donations  a bundle (marts.bundles) to this recipient from donors whose employer
--                      links to this vendor
--   limit_excess       a contribution-limit flag (flag_status excess) for this recipient that
--                      includes a contribution linked to this vendor
--   prohibited_contribution  a contribution the recipient may not accept at all
--                      (prohibited_contributions, finding_status probable) that is linked to
--                      this vendor (typically the vendor's own treasury money)
-- Doubtful limit flags and prohibited findings do not fire a rule: they are listed in
-- rules_not_evaluated with their count.
--   timing_cluster     the pair's timing permutation test is a signal (timing_signals.is_signal)
-- Rules resting on overlapping contribution rows count once: the independent evidence is the
-- number of groups of fired rules that share rows. Facts about the vendor alone (an award by a
-- non-competitive procurement method, breadth of its giving) are context columns: they never
-- fire a flag (the rows behind a non-competitive award are in non_competitive_awards, once
-- per vendor). A rule whose inputs are missing, or that does not apply to the recipient's kind,
-- is listed in rules_not_evaluated with the reason. red_flags keeps the flagged pairs.
{%- set rf = red_flag_settings() %}
{%- set bcfg = bundle_settings() %}
{%- set timing_on = timing_enabled() %}
{%- set has_procurement = role_column('contracts', 'procurement_method') is not none %}
with edges as (
    select *
    from {{ ref('cross_links') }}
    where tier_rank <= {{ min_link_tier_rank() }} and not is_memo
),
linked as (
    select
        vendor_entity_id,
        recipient_id,
        min(vendor_name) as vendor_name,
        min(vendor_name_norm) as vendor_name_norm,
        count(*) as n_linked_contributions,
        sum(amount) as linked_amount,
        {{ mt_list_agg('edge_id') }} as edge_ids
    from edges
    group by vendor_entity_id, recipient_id
),
bundles as (
    select
        linked_vendor_entity_id as vendor_entity_id,
        recipient_id,
        min(linked_vendor_name_norm) as vendor_name_norm,
        {{ mt_list_agg('bundle_id') }} as bundle_ids,
        flatten({{ mt_list_agg('row_refs', ['bundle_id']) }}) as bundle_row_refs
    from {{ ref('bundles') }}
    where linked_vendor_entity_id is not null
    group by 1, 2
),
limit_rows as (
    select f.flag_id, f.recipient_id, f.flag_status = 'excess' as is_definite, {{ mt_unnest('f.row_refs') }} as row_ref
    from {{ ref('limit_flags') }} f
),
limits as (
    select
        l.vendor_entity_id,
        r.recipient_id,
        {{ mt_list_agg('r.flag_id', distinct=true, filter='r.is_definite') }} as limit_flag_ids,
        {{ mt_list_agg('r.row_ref', distinct=true, filter='r.is_definite') }} as limit_row_refs,
        count(distinct r.flag_id) filter (where not r.is_definite) as n_doubtful_limit_flags
    from limit_rows r
    -- linked by the contribution row only: an earmarked gift's flag carries the ultimate
    -- recipient, while its cross-link edge carries the committee that filed the row
    join edges l on l.contribution_row_ref = r.row_ref
    group by 1, 2
),
prohibited as (
    -- linked by the contribution row; the finding's recipient is the ultimate one
    select
        l.vendor_entity_id,
        p.recipient_id,
        {{ mt_list_agg('p.finding_id', distinct=true, filter="p.finding_status = 'probable'") }} as prohibited_finding_ids,
        {{ mt_list_agg('p.row_ref', distinct=true, filter="p.finding_status = 'probable'") }} as prohibited_row_refs,
        count(distinct p.finding_id) filter (where p.finding_status <> 'probable') as n_doubtful_prohibited
    from {{ ref('prohibited_contributions') }} p
    join edges l on l.contribution_row_ref = p.row_ref
    group by 1, 2
),
pairs as (
    select vendor_entity_id, recipient_id from linked
    union
    select vendor_entity_id, recipient_id from bundles
    union
    select vendor_entity_id, recipient_id from prohibited
    union
    select vendor_entity_id, recipient_id from limits
),
timing as (
    select vendor_entity_id, recipient_id, finding_id, status, is_signal, donation_row_refs
    from {{ ref('timing_signals') }}
),
recipients as (
    select recipient_id, recipient_name, recipient_kind, is_unlimited, candidate_name
    from {{ ref('int_recipients') }}
),
vendor_names as (
    select vendor_entity_id, min(vendor_name_norm) as vendor_name_norm
    from {{ ref('int_name_links') }}
    group by vendor_entity_id
),
non_competitive as (
    select vendor_entity_id, procurement_methods as methods
    from {{ ref('non_competitive_awards') }}
),
breadth as (
    select vendor_entity_id, finding_id, n_recipients
    from {{ ref('vendor_breadth') }}
),
joined as (
    select
        p.vendor_entity_id,
        coalesce(l.vendor_name_norm, b.vendor_name_norm, vn.vendor_name_norm) as vendor_name_norm,
        l.vendor_name,
        p.recipient_id,
        r.recipient_name,
        coalesce(r.recipient_kind, 'unknown') as recipient_kind,
        coalesce(r.is_unlimited, false) as recipient_is_unlimited,
        coalesce(l.n_linked_contributions, 0) as n_linked_contributions,
        coalesce(l.linked_amount, 0) as linked_amount,
        coalesce(l.edge_ids, {{ mt_empty_text_list() }}) as edge_ids,
        -- pair rules
        coalesce({{ mt_list_len('b.bundle_ids') }}, 0) > 0 as bundled_donations,
        coalesce({{ mt_list_len('lf.limit_flag_ids') }}, 0) > 0 as limit_excess,
        coalesce({{ mt_list_len('pr.prohibited_finding_ids') }}, 0) > 0 as prohibited_contribution,
        coalesce(t.is_signal, false) as timing_cluster,
        b.bundle_ids,
        b.bundle_row_refs,
        lf.limit_flag_ids,
        lf.limit_row_refs,
        pr.prohibited_finding_ids,
        pr.prohibited_row_refs,
        t.finding_id as timing_finding_id,
        t.status as timing_status,
        case when t.is_signal then t.donation_row_refs end as timing_row_refs,
        -- why a rule could not say anything about this pair
        case
            when r.recipient_kind is null or r.recipient_kind = 'unknown' then
                {%- if bcfg.unclassified_recipients == 'exclude' %}
                'bundled_donations: not evaluated - the kind of the recipient is unknown (no committee-kind data) and vars.bundles.unclassified_recipients is exclude'
                {%- else %}
                null
                {%- endif %}
            when r.recipient_kind not in ({% for k in bcfg.recipient_kinds %}{{ sql_string(k) }}{{ ", " if not loop.last }}{% endfor %}) then
                'bundled_donations: not applicable - the recipient is a ' || r.recipient_kind
                || ' and bundles count gifts to {{ bcfg.recipient_kinds | join(", ") }} only (vars.bundles.recipient_kinds)'
        end as bundles_reason,
        case
            when r.is_unlimited then 'limit_excess: not applicable - the recipient may accept unlimited contributions (' || r.recipient_kind || ')'
            when lf.n_doubtful_limit_flags > 0 then 'limit_excess: doubtful - ' || lf.n_doubtful_limit_flags || ' linked limit flag(s) whose rule could not be pinned down (limit_flags.flag_status doubtful) do not count'
        end as limit_reason,
        case
            when pr.n_doubtful_prohibited > 0 then 'prohibited_contribution: doubtful - ' || pr.n_doubtful_prohibited || ' linked finding(s) of prohibited_contributions are doubtful and do not count'
        end as prohibited_reason,
        {%- if not timing_on %}
        'timing_cluster: not evaluated - the contracts role has no award dates (role_map.contracts.timing.enabled is false)' as timing_reason,
        {%- else %}
        case
            when t.status is null then 'timing_cluster: not evaluated - no linked donation enters the timing test (memo rows and refunds are left out)'
            when t.status = 'too_few_donations' then 'timing_cluster: not evaluated - too few donations for the permutation test (vars.timing.min_donations)'
            when t.status = 'no_award_dates' then 'timing_cluster: not evaluated - the vendor has no award dates'
        end as timing_reason,
        {%- endif %}
        -- context: facts about the vendor alone
        {%- if has_procurement %}
        nc.vendor_entity_id is not null as non_competitive_award,
        {%- else %}
        cast(null as boolean) as non_competitive_award,
        {%- endif %}
        nc.methods as procurement_methods,
        coalesce(br.n_recipients, 0) as vendor_n_recipients,
        coalesce(br.n_recipients, 0) >= {{ rf.breadth_min_recipients | int }} as broad_influence,
        br.finding_id as breadth_finding_id,
        {%- if has_procurement %}
        {{ mt_empty_text_list() }} as context_not_evaluated
        {%- else %}
        {{ mt_list(["'non_competitive_award: not evaluated - the contracts role maps no procurement_method'"]) }} as context_not_evaluated
        {%- endif %}
    from pairs p
    left join linked l on l.vendor_entity_id = p.vendor_entity_id and l.recipient_id = p.recipient_id
    left join bundles b on b.vendor_entity_id = p.vendor_entity_id and b.recipient_id = p.recipient_id
    left join limits lf on lf.vendor_entity_id = p.vendor_entity_id and lf.recipient_id = p.recipient_id
    left join prohibited pr on pr.vendor_entity_id = p.vendor_entity_id and pr.recipient_id = p.recipient_id
    left join timing t on t.vendor_entity_id = p.vendor_entity_id and t.recipient_id = p.recipient_id
    left join recipients r on r.recipient_id = p.recipient_id
    left join vendor_names vn on vn.vendor_entity_id = p.vendor_entity_id
    left join non_competitive nc on nc.vendor_entity_id = p.vendor_entity_id
    left join breadth br on br.vendor_entity_id = p.vendor_entity_id
),
scored as (
    select
        *,
        {{ mt_list_filter(mt_list([
            "case when bundled_donations then 'bundled_donations' end",
            "case when limit_excess then 'limit_excess' end",
            "case when prohibited_contribution then 'prohibited_contribution' end",
            "case when timing_cluster then 'timing_cluster' end"
        ]), 'x -> x is not null') }} as rules_fired,
        {{ mt_list_filter(mt_list(['bundles_reason', 'limit_reason', 'prohibited_reason', 'timing_reason']), 'x -> x is not null') }} as rules_not_evaluated
    from joined
),
evidence as (
    -- one row per fired rule with its contribution rows
    -- struct fields, named for the columns they become
    select flag_key, item.rule as rule, item.rows as rows  -- noqa: AL09
    from (
        select
            vendor_entity_id || '|' || recipient_id as flag_key,
            {{ mt_unnest(mt_list([
                mt_struct({'rule': "'bundled_donations'", 'rows': 'bundle_row_refs'}),
                mt_struct({'rule': "'limit_excess'", 'rows': 'limit_row_refs'}),
                mt_struct({'rule': "'prohibited_contribution'", 'rows': 'prohibited_row_refs'}),
                mt_struct({'rule': "'timing_cluster'", 'rows': 'timing_row_refs'})
            ])) }} as item
        from scored
    ) fired_rules
    where coalesce({{ mt_list_len('item.rows') }}, 0) > 0
),
adjacent as (
    -- fired rules of one pair sharing a contribution row (every rule is adjacent to itself)
    select a.flag_key, a.rule, b.rule as neighbour
    from evidence a
    join evidence b on b.flag_key = a.flag_key and {{ mt_list_overlap('a.rows', 'b.rows') }}
),
-- rules resting on shared rows are one piece of evidence: label every rule with the smallest
-- rule name reachable through shared rows; with at most four rules three rounds reach them all
label_1 as (
    select flag_key, rule, min(neighbour) as label from adjacent group by flag_key, rule
),
label_2 as (
    select a.flag_key, a.rule, min(l.label) as label
    from adjacent a join label_1 l on l.flag_key = a.flag_key and l.rule = a.neighbour
    group by a.flag_key, a.rule
),
label_3 as (
    select a.flag_key, a.rule, min(l.label) as label
    from adjacent a join label_2 l on l.flag_key = a.flag_key and l.rule = a.neighbour
    group by a.flag_key, a.rule
),
groups as (
    select flag_key, count(distinct label) as n_independent_rules from label_3 group by flag_key
),
counted as (
    select s.*, coalesce(g.n_independent_rules, 0) as n_independent_rules
    from scored s
    left join groups g on g.flag_key = s.vendor_entity_id || '|' || s.recipient_id
)
select
    {{ stable_id('redflag:v2', ['vendor_entity_id', 'recipient_id']) }} as flag_id,
    vendor_entity_id,
    vendor_name_norm,
    vendor_name,
    recipient_id,
    recipient_name,
    recipient_kind,
    n_independent_rules >= {{ rf.min_independent_rules | int }} as is_flagged,
    {{ mt_list_len('rules_fired') }} as n_rules,
    n_independent_rules,
    rules_fired,
    case
        when n_independent_rules >= 3 then 'high'
        when n_independent_rules = 2 then 'medium'
        when n_independent_rules = 1 then 'low'
    end as severity,
    rules_not_evaluated,
    bundled_donations,
    limit_excess,
    prohibited_contribution,
    timing_cluster,
    bundle_ids,
    limit_flag_ids,
    prohibited_finding_ids,
    timing_finding_id,
    timing_status,
    non_competitive_award,
    broad_influence,
    procurement_methods,
    vendor_n_recipients,
    breadth_finding_id,
    context_not_evaluated,
    n_linked_contributions,
    linked_amount,
    edge_ids,
    case when timing_cluster then 'modelled' else 'measured' end as evidence_kind
from counted
