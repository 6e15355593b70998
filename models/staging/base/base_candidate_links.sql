-- The candidate_links role (e.g. the FEC candidate-committee linkage file), typed, with row references and reject reasons; every input row is here.
{{ stage_role('candidate_links') }}
