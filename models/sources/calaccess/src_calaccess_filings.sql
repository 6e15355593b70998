-- The recipients of the CAL-ACCESS receipts: each receipt belongs to a filing (FILING_ID) whose
-- filer is the recipient. The filer is named on the filing's cover page
-- (CVR_CAMPAIGN_DISCLOSURE_CD), not in RCPT_CD, so without it each filing stands for its
-- recipient, of unknown kind (candidate committee, PAC, party...).
{{ config(enabled='calaccess' in var('source_presets', [])) }}
select
    min_by({{ raw_row_ref('r', 'calaccess_rcpt') }}, r.row_index) as row_ref,
    r.{{ mt_ident('FILING_ID') }} as filing_id,
    'filing ' || r.{{ mt_ident('FILING_ID') }} || ' (filer not in RCPT_CD)' as filing_label
from {{ source('calaccess', 'calaccess_rcpt') }} r
where nullif(trim(r.{{ mt_ident('FILING_ID') }}), '') is not null
group by r.{{ mt_ident('FILING_ID') }}
