{#- The report's counts by group (models/report/rpt_<analysis>_groups): one row per dimension and
    value (NULL as '(null)') with its number of rows. `parts`: a list of {dimension, relation,
    expr, where} (where: optional SQL on the relation). Each analysis has models of its own, so
    a mart that fails or is skipped leaves only its own section without numbers. -#}
{% macro report_groups(parts) %}
select
    dimension,
    group_key,
    count(*) as n
from (
    {%- for p in parts %}
    select {{ mt_literal(p.dimension) }} as dimension, {{ report_key(p.expr) }} as group_key
    from {{ p.relation }}
    {%- if p.get('where') %}
    where {{ p.where }}
    {%- endif %}
    {{ 'union all' if not loop.last }}
    {%- endfor %}
) grouped
group by dimension, group_key
{% endmacro %}

{#- A value as the report's group key: text, NULL as '(null)'. -#}
{% macro report_key(expr) %}coalesce(cast({{ expr }} as {{ mt_text() }}), '(null)'){% endmacro %}
