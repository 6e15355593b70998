-- DC Office of Contracting and Procurement awards: the award date is the first date of the Base
-- Contract Period ('start - end'); OCP publishes no separate award date. Blank rows of the
-- published list keep their place and are filtered out by the role map's when:.
{{ config(enabled='dc' in var('source_presets', [])) }}
select
    {{ raw_row_ref('r', 'dc_ocp_awards') }} as row_ref,
    r.{{ mt_ident('Agency') }} as agency,
    nullif(trim(r.{{ mt_ident('Contract Number') }}), '') as contract_number,
    r.{{ mt_ident('Caption') }} as caption,
    r.{{ mt_ident('Award Amount') }} as award_amount,
    r.{{ mt_ident('Base Contract Period') }} as base_contract_period,
    nullif(trim(split_part(r.{{ mt_ident('Base Contract Period') }}, '-', 1)), '') as base_period_start,
    r.{{ mt_ident('Market Type') }} as market_type,
    r.{{ mt_ident('Vendor Name') }} as vendor_name
from {{ source('dc', 'dc_ocp_awards') }} r
