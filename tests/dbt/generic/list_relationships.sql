{#- `relationships` for a list column: fails for every element of {{ column_name }} (a list of
    keys, e.g. a finding's row_refs or edge_ids) that is not a {{ field }} of {{ to }}. -#}
{% test list_relationships(model, column_name, to, field) %}
select parent.element
from (select unnest({{ column_name }}) as element from {{ model }}) as parent
anti join {{ to }} as child on child.{{ field }} = parent.element
where parent.element is not null
{% endtest %}
