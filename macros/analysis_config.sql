{#- Validated analysis settings: unknown keys and bad values stop the build with a message
    naming the setting, instead of silently falling back to a default. -#}

{% macro config_error(message) %}
  {#- at run time only, like role_map_error: a bad setting fails its own nodes, not the parse -#}
  {% if execute %}{{ exceptions.raise_compiler_error("analysis config: " ~ message ~ ". Set it under vars in dbt_project.yml or in your run file's vars.") }}{% endif %}
{% endmacro %}

{#- A mapping of settings checked against the settings schema (types, ranges, allowed values,
    unknown keys) with its schema defaults; `defaults` fills keys the schema gives no default. -#}
{% macro checked_settings(name, defaults, allowed_values={}) %}
  {% set given = mt_setting(name) or {} %}
  {% set merged = {} %}
  {% do merged.update(defaults) %}
  {% do merged.update(given) %}
  {% for key, choices in allowed_values.items() %}
    {% if merged[key] not in choices %}
      {{ config_error("vars." ~ name ~ "." ~ key ~ " is '" ~ merged[key] ~ "' (allowed: " ~ choices | join(', ') ~ ")") }}
    {% endif %}
  {% endfor %}
  {{ return(merged) }}
{% endmacro %}

{% macro donor_identity_expr() %}
  {% set allowed = ['donor_id', 'donor_name_norm', 'donor_zip5', 'donor_name', 'donor_zip'] %}
  {% set fields = mt_setting('donor_identity') %}
  {% if fields is string or fields | length == 0 %}{{ config_error("vars.donor_identity must be a non-empty list") }}{% endif %}
  {% for f in fields %}
    {% if f not in allowed %}{{ config_error("vars.donor_identity has unknown field '" ~ f ~ "' (allowed: " ~ allowed | join(', ') ~ ")") }}{% endif %}
    {% if f in ['donor_id', 'donor_zip', 'donor_zip5'] and role_column('contributions', 'donor_id' if f == 'donor_id' else 'donor_zip') is none %}
      {{ config_error("vars.donor_identity uses " ~ f ~ ", but role_map.contributions does not map " ~ ('donor_id' if f == 'donor_id' else 'donor_zip')) }}
    {% endif %}
  {% endfor %}
  {% set parts = [] %}
  {% for f in fields %}{% do parts.append("coalesce(" ~ f ~ ", '')") %}{% endfor %}
  {{ return(parts | join(" || '|' || ")) }}
{% endmacro %}

{#- First 16 hex characters of sha256 over a fixed prefix and values joined by ':' (DESIGN §2). -#}
{% macro stable_id(prefix, exprs) %}
left(sha256('{{ prefix }}:' || {% for e in exprs %}coalesce(cast({{ e }} as varchar), ''){{ " || ':' || " if not loop.last }}{% endfor %}), 16)
{% endmacro %}

{#- Confidence tiers of links, best first. Analyses use links at vars.min_link_tier or better. -#}
{% macro link_tiers() %}{{ return(['high', 'medium', 'probable', 'low']) }}{% endmacro %}

{% macro tier_rank_expr(expr) %}
case {{ expr }}{% for t in link_tiers() %} when '{{ t }}' then {{ loop.index }}{% endfor %} end
{% endmacro %}

{% macro min_link_tier_rank() %}
  {% set tier = mt_setting('min_link_tier') %}
  {% if tier not in link_tiers() %}{{ config_error("vars.min_link_tier is '" ~ tier ~ "' (allowed: " ~ link_tiers() | join(', ') ~ ")") }}{% endif %}
  {{ return(link_tiers().index(tier) + 1) }}
{% endmacro %}
