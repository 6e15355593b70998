-- One row: red flags, the vendor-recipient pairs evaluated, and the unflagged pairs that have
-- vendor-level context only (non-competitive awards, breadth), which never counts as a flag.
select
    (select count(*) from {{ ref('red_flags') }}) as section_rows,
    (select count(*) from {{ ref('red_flags') }}) as flags,
    count(*) as pairs_evaluated,
    count(case when not is_flagged and non_competitive_award then 1 end) as unflagged_non_competitive_award,
    count(case when not is_flagged and broad_influence then 1 end) as unflagged_broad_influence
from {{ ref('red_flag_pairs') }}
