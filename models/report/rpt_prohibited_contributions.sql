-- One row: prohibited contributions, probable and doubtful, their total, and the source rules
-- in force (vars.source_rules).
select
    count(*) as findings,
    count(case when finding_status = 'probable' then 1 end) as probable,
    count(case when finding_status <> 'probable' then 1 end) as doubtful,
    coalesce(sum(amount), 0) as total_amount,
    {{ mt_literal(source_rules()) }} as source_rules
from {{ ref('prohibited_contributions') }}
