-- The report's counts by group, long: one row per analysis, dimension and value (NULL as
-- '(null)'), with the number of rows. Dimensions: evidence_kind of each section (in its scope),
-- the link graph by relation, match type and tier, same-day groups by status, timing pairs by
-- status, red flags by severity and rule, red-flag pairs by rule not evaluated, reviewed
-- entity-resolution decisions by effect.
with

sections as (
    {%- for s in report_sections() if s.evidence_kind %}
    select {{ mt_literal(s.mart) }} as analysis, 'evidence_kind' as dimension, {{ report_key('evidence_kind') }} as group_key
    from {{ ref(s.mart) }}
    {%- if s.scope %} where {{ s.scope }}{% endif %}
    {{ 'union all' if not loop.last }}
    {%- endfor %}
),

link_graph as (
    {%- for column in ['relation', 'match_type', 'confidence_tier'] %}
    select 'cross_links' as analysis, {{ mt_literal('by_' ~ column) }} as dimension, {{ report_key(column) }} as group_key
    from {{ ref('cross_links') }}
    {{ 'union all' if not loop.last }}
    {%- endfor %}
),

rules_fired as (
    select {{ mt_unnest('rules_fired') }} as rule from {{ ref('red_flags') }}
),

not_evaluated as (
    select {{ mt_unnest('rules_not_evaluated') }} as reason from {{ ref('red_flag_pairs') }}
    union all
    select {{ mt_unnest('context_not_evaluated') }} as reason from {{ ref('red_flag_pairs') }}
),

grouped as (
    select analysis, dimension, group_key from sections
    union all
    select analysis, dimension, group_key from link_graph
    union all
    select 'bundles', 'same_day_groups_by_status', {{ report_key('group_status') }} from {{ ref('bundle_groups') }}
    union all
    select 'timing_signals', 'by_status', {{ report_key('status') }} from {{ ref('timing_signals') }}
    union all
    select 'red_flags', 'by_severity', {{ report_key('severity') }} from {{ ref('red_flags') }}
    union all
    select 'red_flags', 'by_rule', rule from rules_fired
    union all
    select 'red_flags', 'not_evaluated', reason from not_evaluated
    union all
    select 'entity_resolution', 'by_effect', {{ report_key('effect') }} from {{ ref('er_decisions_applied') }}
)

select
    analysis,
    dimension,
    group_key,
    count(*) as n
from grouped
group by analysis, dimension, group_key
