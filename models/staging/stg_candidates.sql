-- Accepted candidates in canonical form.
with base as (
    select * from {{ ref('base_candidates') }}
    where passes_when and reject_reason is null
)
select
    row_ref,
    dataset_version_id,
    row_index,
    candidate_id,
    candidate_name,
    {{ normalize_person_name('candidate_name') }} as candidate_name_norm,
    committee_id,
    office,
    party,
    state,
    election_year
from base
