-- Accepted candidate-committee links (e.g. the FEC ccl file). Empty when the run has no
-- candidate_links role.
with base as (
    select * from {{ ref('base_candidate_links') }}
    where passes_when and reject_reason is null
)
select
    row_ref,
    dataset_version_id,
    row_index,
    candidate_id,
    committee_id,
    candidate_election_year,
    fec_election_year,
    upper(committee_type) as committee_type,
    upper(committee_designation) as committee_designation,
    linkage_id
from base
