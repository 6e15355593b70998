-- CAL-ACCESS Schedule A receipts (RCPT_CD) with the contributor's name as LAST, FIRST (the
-- file splits it; CTRIB_NAML alone for businesses and committees). Everything else as loaded.
{{ config(enabled='calaccess' in var('source_presets', [])) }}
with r as (
    select *, nullif(trim("CTRIB_NAMF"), '') as first_name, nullif(trim("CTRIB_NAML"), '') as last_name
    from {{ source('calaccess', 'calaccess_rcpt') }}
)
select
    {{ raw_row_ref('r', 'calaccess_rcpt') }} as row_ref,
    case when first_name is null then last_name else last_name || ', ' || first_name end as contributor_name,
    "FILING_ID" as filing_id,
    "AMEND_ID" as amend_id,
    "LINE_ITEM" as line_item,
    "FORM_TYPE" as form_type,
    "TRAN_ID" as tran_id,
    "ENTITY_CD" as entity_cd,
    "CTRIB_ZIP4" as ctrib_zip4,
    "CTRIB_EMP" as ctrib_emp,
    "CTRIB_OCC" as ctrib_occ,
    "TRAN_TYPE" as tran_type,
    "RCPT_DATE" as rcpt_date,
    "AMOUNT" as amount,
    "CMTE_ID" as cmte_id,
    "MEMO_CODE" as memo_code
from r
