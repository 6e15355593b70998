{#- The primary key of a model: fails for every key with a NULL part and for every key that
    occurs more than once. `columns: []` declares a one-row model (its key is empty): it fails
    when the model has more than one row. tests/python/test_dbt_layers.py requires a primary
    key (this test, or unique + not_null on one column) on every model. -#}
{% test primary_key(model, columns) %}
{%- if columns | length == 0 %}
select count(*) as occurrences
from {{ model }}
having count(*) > 1
{%- else %}
select {{ columns | join(', ') }}, count(*) as occurrences
from {{ model }}
group by {{ columns | join(', ') }}
having count(*) > 1 or {% for c in columns %}{{ c }} is null{{ " or " if not loop.last }}{% endfor %}
{%- endif %}
{% endtest %}
