-- The candidates role, typed, with row references and reject reasons; every input row is here.
{{ stage_role('candidates') }}
