{#- Fails for every row where the parts do not add up to the whole:
    {{ total }} <> sum of {{ parts }}. Used to prove no input row is lost. -#}
{% test rows_balance(model, total, parts) %}
select *
from {{ model }}
where {{ total }} <> ({{ parts | join(' + ') }})
{% endtest %}
