{#- Fails when a role has more rejected rows than vars.reject_tolerance allows (default 0).
    The failing rows are the rejects themselves, so dbt reports their count, and
    `dbt test --store-failures` keeps them for inspection. -#}
{% test rejects_within_tolerance(model, column_name='role') %}
with counts as (
    select {{ column_name }} as role, count(*) as reject_count
    from {{ model }}
    group by 1
),
tolerance as (
    {%- for role in active_roles() %}
    select '{{ role }}' as role, {{ reject_tolerance(role) }} as tolerated
    {{ "union all" if not loop.last }}
    {%- endfor %}
)
select rejects.*, counts.reject_count, tolerance.tolerated
from {{ model }} as rejects
join counts on rejects.{{ column_name }} = counts.role
join tolerance on counts.role = tolerance.role
where counts.reject_count > tolerance.tolerated
{% endtest %}
