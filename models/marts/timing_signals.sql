-- Timing permutation results per vendor-recipient pair with their evidence: the donations
-- (row refs and link edge ids); the vendor's awards (dates and row refs) are in timing_awards,
-- once per vendor, joined on vendor_entity_id. Modelled findings: a p-value says how
-- unusual the observed closeness is under the stated null (null_model, one sentence per
-- finding), not that anything improper happened. Pairs the test cannot judge are kept with
-- status_reason 'not tested: ...'; timing_settings records the settings applied.
{%- set rf = red_flag_settings() %}
with tests as (
    select * from {{ ref('int_timing_tests') }}
),
donations as (
    select
        vendor_key,
        recipient_key,
        {{ mt_list_agg('row_ref', ['donation_date', 'row_ref']) }} as donation_row_refs,
        {{ mt_list_agg('edge_id', distinct=true) }} as edge_ids
    from {{ ref('int_timing_donations') }}
    group by vendor_key, recipient_key
),
vendor_names as (
    select vendor_entity_id, min(vendor_name_norm) as vendor_name_norm
    from {{ ref('int_name_links') }}
    group by vendor_entity_id
)
select
    t.finding_id,
    t.vendor_key as vendor_entity_id,
    n.vendor_name_norm,
    t.recipient_key as recipient_id,
    t.status,
    t.status_reason,
    t.n_donations,
    t.n_awards,
    t.n_award_rows,
    t.observed_mean_days,
    t.null_mean_days,
    t.null_sd_days,
    t.effect_size,
    t.k_as_extreme,
    t.n_tied,
    t.n_permutations,
    t.p_value,
    t.q_value,
    t.seed,
    t.calendar as null_calendar,
    t.first_award_date,
    t.last_award_date,
    t.null_model,
    t.timing_settings,
    coalesce(
        t.status = 'tested'
        and t.p_value <= {{ mt_literal(rf.timing_max_p) }}
        and t.q_value <= {{ mt_literal(rf.timing_max_q) }}
        and t.effect_size >= {{ mt_literal(rf.timing_min_effect) }},
        false
    ) as is_signal,
    d.donation_row_refs,
    d.edge_ids,
    'modelled' as evidence_kind
from tests t
left join donations d on d.vendor_key = t.vendor_key and d.recipient_key = t.recipient_key
left join vendor_names n on n.vendor_entity_id = t.vendor_key
