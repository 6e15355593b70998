-- Context for red flags, once per vendor: the vendor's awards whose procurement method
-- matches vars.red_flags.procurement_methods (sole source, not competed, ...). A fact about
-- the vendor alone: red_flag_pairs shows it beside every pair of the vendor (as
-- non_competitive_award and procurement_methods) and never counts it as a rule; the row
-- references are listed here, once, rather than in each of the vendor's pair rows.
{%- set rf = red_flag_settings() %}
{%- set has_procurement = role_column('contracts', 'procurement_method') is not none %}
-- depends_on: {{ ref('int_contracts') }}, {{ ref('int_name_links') }} (whatever the role map maps)
{%- if has_procurement %}
select
    v.vendor_entity_id,
    count(*) as n_award_rows,
    {{ mt_list_agg('c.procurement_method_norm', distinct=true) }} as procurement_methods,
    {{ mt_list_agg('c.row_ref') }} as non_competitive_award_row_refs,
    'measured' as evidence_kind
from {{ ref('int_contracts') }} c
join (select distinct vendor_name_norm, vendor_entity_id from {{ ref('int_name_links') }}) v
  on v.vendor_name_norm = c.vendor_name_norm
where {% for m in rf.procurement_methods %}contains(c.procurement_method_norm, {{ sql_string(m | upper) }}){{ " or " if not loop.last }}{% endfor %}
group by v.vendor_entity_id
{%- else %}
-- the contracts role maps no procurement_method: no vendor has this context (red_flag_pairs
-- says so in context_not_evaluated)
select
    cast(null as {{ mt_text() }}) as vendor_entity_id,
    cast(0 as bigint) as n_award_rows,
    cast(null as {{ mt_text_list_type() }}) as procurement_methods,
    cast(null as {{ mt_text_list_type() }}) as non_competitive_award_row_refs,
    'measured' as evidence_kind
where false
{%- endif %}
