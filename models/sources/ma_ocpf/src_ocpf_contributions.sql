-- Massachusetts OCPF itemised contributions as the Boston 2021 scrape of deposit reports writes
-- them (ingest/presets/ma_ocpf.py): the donor's name as "LAST, FIRST" (the form the person key
-- reads), and the contributor type the file implies. The file has no OCPF record type (201
-- individual, 202 committee, 211 business...): a row with a first name is a person; a row without
-- one may be a committee, a union, a business, bank interest or a processor's fee. A person with
-- the candidate's own last and first name is the candidate (own money, no limit). A row without a
-- first name whose name says PAC or Political Action Committee is a PAC, one that says Committee a
-- committee of unknown kind: read from the name, so findings resting on it are doubtful. A name written
-- wholly in FirstName (LastName empty) is kept as it is.
{{ config(enabled='ma_ocpf' in var('source_presets', [])) }}
with r as (
    select
        *,
        nullif(trim({{ mt_ident('FirstName') }}), '') as first_name,
        nullif(trim({{ mt_ident('LastName') }}), '') as last_name,
        upper(trim(split_part({{ mt_ident('Candidate') }}, ',', 1))) as candidate_last,
        upper(split_part(trim(split_part({{ mt_ident('Candidate') }}, ',', 2)), ' ', 1)) as candidate_first
    from {{ source('ma_ocpf', 'ocpf_receipts') }}
)
select
    {{ raw_row_ref('r', 'ocpf_receipts') }} as row_ref,
    case
        when first_name is null then last_name
        when last_name is null then first_name
        else last_name || ', ' || first_name
    end as donor_name,
    case
        -- a PAC must say "Political Action Committee" in its name (M.G.L. c. 55 s. 5); deposit
        -- reports also abbreviate it "Pol Action Comm" / "Pol. Action Comm."
        when first_name is null and {{ mt_regexp_matches('upper(last_name)', '\\bPAC\\b|POLITICAL ACTION|\\bPOL\\.? ACTION\\b') }} then 'PAC (BY NAME)'
        when first_name is null and {{ mt_regexp_matches('upper(last_name)', '\\bCOMMITTEE\\b|\\bCTTEE?\\b') }} then 'COMMITTEE (BY NAME)'
        when first_name is null then 'NO FIRST NAME'
        when upper(last_name) = candidate_last and upper(split_part(first_name, ' ', 1)) = candidate_first then 'CANDIDATE'
        else 'PERSON'
    end as contributor_type,
    {{ mt_ident('Date') }} as contribution_date,
    {{ mt_ident('Candidate') }} as candidate,
    {{ mt_ident('City') }} as city,
    {{ mt_ident('State') }} as state,
    {{ mt_ident('ZipCode') }} as zip_code,
    {{ mt_ident('Amount') }} as amount,
    {{ mt_ident('Occupation') }} as occupation,
    {{ mt_ident('Employer') }} as employer,
    {{ mt_ident('Report') }} as report
from r
