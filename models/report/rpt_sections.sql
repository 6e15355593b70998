-- One row per report section: how many rows of its mart the section counts and quotes
-- (cross_links: the links at the analysis tier, vars.min_link_tier).
{% for s in report_sections() %}
select
    {{ mt_literal(s.mart) }} as analysis,
    count(*) as n_rows
from {{ ref(s.mart) }}
{%- if s.scope %}
where {{ s.scope }}
{%- endif %}
{{ 'union all' if not loop.last }}
{%- endfor %}
