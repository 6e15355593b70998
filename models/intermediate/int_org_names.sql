-- Distinct normalised organisation names per side, with how often and how they were written.
-- The matcher works on these (thousands of names), never on rows (millions).
select
    side,
    role,
    field,
    name_norm,
    count(*) as n_rows,
    count(distinct name_raw) as n_spellings,
    {{ mt_list_agg('name_raw', distinct=true, limit=5) }} as sample_spellings
from {{ ref('int_org_name_rows') }}
group by side, role, field, name_norm
