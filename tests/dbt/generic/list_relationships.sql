{#- `relationships` for a list column: fails for every element of {{ column_name }} (a list of
    keys, e.g. a finding's row_refs or edge_ids) that is not a {{ field }} of {{ to }}.
    mt_unnest and NOT EXISTS: the same test on DuckDB and Spark. -#}
{% test list_relationships(model, column_name, to, field) %}
select parent.element
from (select {{ mt_unnest(column_name) }} as element from {{ model }}) as parent
where parent.element is not null
  and not exists (select 1 from {{ to }} as child where child.{{ field }} = parent.element)
{% endtest %}
