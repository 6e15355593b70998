-- Red flags by evidence kind, severity and rule fired (list items); the pairs evaluated
-- (red_flag_pairs) by rule or context not evaluated (list items, both lists together).
with

rules_fired as (
    select {{ mt_unnest('rules_fired') }} as rule from {{ ref('red_flags') }}
),

not_evaluated as (
    select {{ mt_unnest('rules_not_evaluated') }} as reason from {{ ref('red_flag_pairs') }}
    union all
    select {{ mt_unnest('context_not_evaluated') }} as reason from {{ ref('red_flag_pairs') }}
),

grouped as (
    select 'evidence_kind' as dimension, {{ report_key('evidence_kind') }} as group_key from {{ ref('red_flags') }}
    union all
    select 'by_severity', {{ report_key('severity') }} from {{ ref('red_flags') }}
    union all
    select 'by_rule', rule from rules_fired
    union all
    select 'not_evaluated', reason from not_evaluated
)

select
    dimension,
    group_key,
    count(*) as n
from grouped
group by dimension, group_key
