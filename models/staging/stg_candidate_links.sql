-- Accepted candidate-committee links (e.g. the FEC ccl file), codes upper-cased. Empty when the
-- run has no candidate_links role.
{{ accepted_rows('candidate_links', [
    'candidate_id',
    'committee_id',
    'candidate_election_year',
    'fec_election_year',
    'upper(committee_type) as committee_type',
    'upper(committee_designation) as committee_designation',
    'linkage_id',
]) }}
