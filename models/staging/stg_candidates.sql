-- Accepted candidates in canonical form.
{{ accepted_rows('candidates', [
    'candidate_id',
    'candidate_name',
    normalize_person_name('candidate_name') ~ ' as candidate_name_norm',
    'committee_id',
    'office',
    'party',
    'state',
    'election_year',
]) }}
