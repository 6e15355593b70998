-- Massachusetts Central Register contract award notices. The notice writes the vendor's name and
-- address in one field (awarded_to), sometimes several vendors separated by ';': the vendor name
-- used is the text before the first comma of the first vendor (vendor_name_raw keeps the whole
-- field). contract_amount is free text: a plain dollar figure ('$24,999.99') becomes a number,
-- anything else (rates, 'see attached', several figures) stays NULL with contract_amount_raw.
{{ config(enabled='ma_crab' in var('source_presets', [])) }}
with r as (
    select *, trim(replace(replace(coalesce(contract_amount, ''), '$', ''), ',', '')) as amount_clean
    from {{ source('ma_crab', 'crab_awards') }}
)
select
    {{ raw_row_ref('r', 'crab_awards') }} as row_ref,
    r.{{ mt_ident('CustomId') }} as notice_id,
    r.{{ mt_ident('Agency') }} as agency,
    r.{{ mt_ident('ProjectNumber') }} as project_number,
    r.{{ mt_ident('award_description') }} as award_description,
    nullif(trim(split_part(split_part(r.{{ mt_ident('awarded_to') }}, ';', 1), ',', 1)), '') as vendor_name,
    r.{{ mt_ident('awarded_to') }} as vendor_name_raw,
    case when {{ mt_regexp_full_match('r.amount_clean', '[0-9]+(\\.[0-9]{1,2})?') }} then r.amount_clean end as contract_amount,
    r.{{ mt_ident('contract_amount') }} as contract_amount_raw,
    trim(r.{{ mt_ident('published_date') }}) as published_date
from r
