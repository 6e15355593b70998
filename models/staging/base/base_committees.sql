-- The committees role (e.g. the FEC committee master), typed, with row references and reject reasons; every input row is here.
{{ stage_role('committees') }}
