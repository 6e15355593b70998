-- Accepted candidates in canonical form.
{{ accepted_rows('candidates', [
    'candidate_id',
    'candidate_name',
    'committee_id',
    'office',
    'party',
    'state',
    'election_year',
]) }}
