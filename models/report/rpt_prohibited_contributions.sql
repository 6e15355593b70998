-- One row: prohibited contributions, probable and doubtful, and their total.
select
    count(*) as section_rows,
    count(*) as findings,
    count(case when finding_status = 'probable' then 1 end) as probable,
    count(case when finding_status <> 'probable' then 1 end) as doubtful,
    coalesce(sum(amount), 0) as total_amount
from {{ ref('prohibited_contributions') }}
