-- CAL-ACCESS Schedule A receipts (RCPT_CD) with the contributor's name as LAST, FIRST (the
-- file splits it; CTRIB_NAML alone for businesses and committees). Everything else as loaded.
{{ config(enabled='calaccess' in var('source_presets', [])) }}
with r as (
    select *, nullif(trim({{ mt_ident('CTRIB_NAMF') }}), '') as first_name, nullif(trim({{ mt_ident('CTRIB_NAML') }}), '') as last_name
    from {{ source('calaccess', 'calaccess_rcpt') }}
)
select
    {{ raw_row_ref('r', 'calaccess_rcpt') }} as row_ref,
    case when first_name is null then last_name else last_name || ', ' || first_name end as contributor_name,
    {{ mt_ident('FILING_ID') }} as filing_id,
    {{ mt_ident('AMEND_ID') }} as amend_id,
    {{ mt_ident('LINE_ITEM') }} as line_item,
    {{ mt_ident('FORM_TYPE') }} as form_type,
    {{ mt_ident('TRAN_ID') }} as tran_id,
    {{ mt_ident('ENTITY_CD') }} as entity_cd,
    {{ mt_ident('CTRIB_ZIP4') }} as ctrib_zip4,
    {{ mt_ident('CTRIB_EMP') }} as ctrib_emp,
    {{ mt_ident('CTRIB_OCC') }} as ctrib_occ,
    {{ mt_ident('TRAN_TYPE') }} as tran_type,
    {{ mt_ident('RCPT_DATE') }} as rcpt_date,
    {{ mt_ident('AMOUNT') }} as amount,
    {{ mt_ident('CMTE_ID') }} as cmte_id,
    {{ mt_ident('MEMO_CODE') }} as memo_code
from r
