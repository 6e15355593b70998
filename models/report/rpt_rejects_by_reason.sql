-- Rejected rows per role and reason.
select
    role,
    reject_reason as reason,
    count(*) as n_rows
from {{ ref('stg_rejects') }}
group by role, reject_reason
