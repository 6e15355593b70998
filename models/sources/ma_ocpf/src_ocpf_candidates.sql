-- The recipients of the Boston 2021 scrape: every row is a contribution to a mayoral candidate's
-- committee, named by its candidate ("Last, First"); one row per candidate, with the first row
-- that names it as evidence.
{{ config(enabled='ma_ocpf' in var('source_presets', [])) }}
select
    min_by({{ raw_row_ref('r', 'ocpf_receipts') }}, r.row_index) as row_ref,
    r.{{ mt_ident('Candidate') }} as candidate,
    count(*) as n_rows
from {{ source('ma_ocpf', 'ocpf_receipts') }} r
where nullif(trim(r.{{ mt_ident('Candidate') }}), '') is not null
group by r.{{ mt_ident('Candidate') }}
