{#- People's names are compared as written, folded: upper case, accents and punctuation off,
    whitespace collapsed. No reordering: "SMITH, JOHN" and "JOHN SMITH" stay different keys. -#}
{% macro normalize_person_name(expr) %}
nullif(trim(regexp_replace(regexp_replace(upper(strip_accents({{ expr }})), '[^A-Z0-9 ]+', ' ', 'g'), ' +', ' ', 'g')), '')
{% endmacro %}

{#- First five digits of a ZIP code; other postal codes pass through trimmed and upper-cased. -#}
{% macro zip5(expr) %}
case when regexp_matches({{ expr }}, '^[0-9]{5}') then left({{ expr }}, 5) else nullif(upper(trim({{ expr }})), '') end
{% endmacro %}
