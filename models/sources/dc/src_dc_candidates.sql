-- The recipients of the DC contributions: campaign committees (Type 'Campaign Committee'), one
-- row per committee with its candidate and office, the first row naming it as evidence.
{{ config(enabled='dc' in var('source_presets', [])) }}
select
    min_by({{ raw_row_ref('r', 'dc_ocf_contributions') }}, r.row_index) as row_ref,
    r.{{ mt_ident('Committee Name') }} as committee_name,
    coalesce(min(nullif(trim(r.{{ mt_ident('Candidate Name') }}), '')), r.{{ mt_ident('Committee Name') }}) as candidate_name,
    min(r.{{ mt_ident('Type') }}) as committee_type,
    -- the office the campaign is for (Race Type Detail, e.g. 'Council - Ward 4'); the export writes
    -- '?' or nothing for some committees: no office, so no limit is checked for them
    min(nullif(nullif(trim(r.{{ mt_ident('Race Type Detail') }}), ''), '?')) as office
from {{ source('dc', 'dc_ocf_contributions') }} r
where nullif(trim(r.{{ mt_ident('Committee Name') }}), '') is not null
group by r.{{ mt_ident('Committee Name') }}
