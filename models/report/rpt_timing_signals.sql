-- One row: timing pairs and signals, and whether the contracts role has award dates
-- (role_map.contracts.timing.enabled).
select
    count(*) as section_rows,
    count(*) as pairs,
    count(case when is_signal then 1 end) as signals,
    {{ 'true' if timing_enabled() else 'false' }} as timing_enabled
from {{ ref('timing_signals') }}
