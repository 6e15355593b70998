-- One row per status of the same-day groups that are not bundles (payroll giving, recipients of
-- other kinds, unclassified recipients): groups, contributions, recipients, their kinds and the
-- first ten recipient ids.
select
    group_status,
    count(*) as n_groups,
    coalesce(sum(n_contributions), 0) as n_contributions,
    count(distinct recipient_id) as n_recipients,
    {{ mt_list_agg('recipient_kind', distinct=true) }} as recipient_kinds,
    {{ mt_list_agg('recipient_id', distinct=true, limit=10) }} as sample_recipients
from {{ ref('bundle_groups') }}
where group_status <> 'bundle'
group by group_status
