{#- Schemas are named after the layer (staging, intermediate, marts), not prefixed with the
    target's default schema: the warehouse is one file per project, so there is nothing to
    keep apart, and users query marts.<model> directly. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {{ (custom_schema_name or target.schema) | trim }}
{%- endmacro %}
