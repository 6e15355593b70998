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
  {% set allowed = ['donor_id', 'donor_name_norm', 'donor_person_key', 'donor_zip5', 'donor_name', 'donor_zip'] %}
  {% set fields = mt_setting('donor_identity') %}
  {% if fields is string or fields | length == 0 %}{{ config_error("vars.donor_identity must be a non-empty list") }}{% endif %}
  {% for f in fields %}
    {% if f not in allowed %}{{ config_error("vars.donor_identity has unknown field '" ~ f ~ "' (allowed: " ~ allowed | join(', ') ~ ")") }}{% endif %}
    {% if f in ['donor_id', 'donor_zip', 'donor_zip5'] and role_column('contributions', 'donor_id' if f == 'donor_id' else 'donor_zip') is none %}
      {{ config_error("vars.donor_identity uses " ~ f ~ ", but role_map.contributions does not map " ~ ('donor_id' if f == 'donor_id' else 'donor_zip')) }}
    {% endif %}
  {% endfor %}
  {#- A name that normalises to nothing (all titles or suffixes, e.g. "MD, NATHAN") has no
      name key: its own spelling stands in, marked with '=', so such donors are the same only
      when they wrote the same name, never all of one ZIP code together. -#}
  {% set parts = [] %}
  {% for f in fields %}
    {% if f in ['donor_person_key', 'donor_name_norm'] %}{% do parts.append("coalesce(" ~ f ~ ", '=' || donor_name)") %}
    {% else %}{% do parts.append("coalesce(" ~ f ~ ", '')") %}{% endif %}
  {% endfor %}
  {{ return(parts | join(" || '|' || ")) }}
{% endmacro %}

{%- macro stable_id_parts(exprs) -%}
{% for e in exprs %}coalesce(cast({{ e }} as {{ mt_text() }}), ''){{ " || ':' || " if not loop.last }}{% endfor %}
{%- endmacro -%}

{#- First 16 hex characters of sha256 over a fixed prefix and values joined by ':' (DESIGN §2). -#}
{% macro stable_id(prefix, exprs) %}
left({{ mt_sha256("'" ~ prefix ~ ":' || " ~ stable_id_parts(exprs)) }}, 16)
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

{#- Which source's rules give recipients their kinds and contributions their meaning: 'fec'
    (code tables and limits from the FEC seeds; set by the FEC preset) or 'generic' (the
    configured flat limit, sign-based refunds, memo flag). -#}
{% macro source_rules() %}
  {% set rules = var('source_rules', 'generic') %}
  {% if rules not in ['generic', 'fec'] + seeded_rules() %}{{ config_error("vars.source_rules is '" ~ rules ~ "' (allowed: " ~ (['generic', 'fec'] + seeded_rules()) | join(', ') ~ ")") }}{% endif %}
  {% if rules == 'fec' and not role_is_configured('committees') %}
    {{ config_error("vars.source_rules is 'fec', but role_map has no committees role (map the FEC committee master cm.txt, e.g. with source: fec in the run file)") }}
  {% endif %}
  {{ return(rules) }}
{% endmacro %}

{#- vars.contribution_limits, validated. It configures the generic rules (a flat limit); with
    source_rules fec the FEC seeds decide limits, periods, memo rows and refunds, so any
    setting there would be ignored: it is refused instead. -#}
{% macro limit_settings() %}
  {% set defaults = {'limit': 1000, 'period': 'calendar_year', 'exclude_memo': true, 'refunds': 'net', 'exclude_transaction_types': []} %}
  {% if source_rules() == 'fec' %}
    {% set given = var('contribution_limits', {}) or {} %}
    {% if given is not mapping or given | length > 0 %}
      {{ config_error("vars.contribution_limits does not apply with source_rules fec (limits, periods, memo rows and refunds follow the FEC seeds in seeds/fec_*.csv): remove it, or set source_rules: generic for a flat limit") }}
    {% endif %}
    {{ return(defaults) }}
  {% endif %}
  {% if source_rules() in seeded_rules() %}
    {% set given = var('contribution_limits', {}) or {} %}
    {% if given is not mapping or given | length > 0 %}
      {{ config_error("vars.contribution_limits does not apply with source_rules " ~ source_rules() ~ " (limits come from seeds/state_contribution_limits.csv, contributor kinds from seeds/contributor_types.csv): remove it, or set source_rules: generic for a flat limit") }}
    {% endif %}
    {{ return(defaults) }}
  {% endif %}
  {% set cfg = checked_settings('contribution_limits', defaults, {'period': ['calendar_year', 'election', 'cycle'], 'refunds': ['net', 'exclude']}) %}
  {% if cfg.period == 'election' and role_column('contributions', 'election_code') is none %}
    {{ config_error("vars.contribution_limits.period is 'election', but role_map.contributions does not map election_code") }}
  {% endif %}
  {{ return(cfg) }}
{% endmacro %}

{#- Source rules whose limits and contributor kinds are data: seeds/state_contribution_limits.csv
    (a limit per contributor kind and recipient kind, with its source) and
    seeds/contributor_types.csv (the source's contributor codes). A pair without a limit row
    is not checked, and the report says so. -#}
{% macro seeded_rules() %}{{ return(['ma_ocpf', 'dc_ocf', 'ca_calaccess']) }}{% endmacro %}

{#- True when a row of seeds/state_contribution_limits.csv (alias l) applies to a recipient's
    office: the row names no office (any office), or its recipient_office LIKE pattern fits. A
    recipient whose office is not known fits only rows without a pattern. -#}
{% macro seed_office_fits(l, office) %}(nullif({{ l }}.recipient_office, '') is null or {{ office }} like {{ l }}.recipient_office){% endmacro %}

{#- vars.er_link_scopes, checked: the link scopes the analyses count (int_cross_links) and the
    summary quotes (er_review_summary); family and ownership are opt-in. -#}
{% macro er_link_scopes() %}
  {%- set allowed_scopes = ['same_organisation', 'family', 'ownership'] %}
  {%- set scopes = var('er_link_scopes', ['same_organisation']) %}
  {%- if scopes is string or scopes is mapping or scopes is not iterable or scopes | length == 0 %}
    {{ config_error("vars.er_link_scopes is '" ~ scopes ~ "' (allowed: a non-empty list of " ~ allowed_scopes | join(', ') ~ ")") }}
  {%- endif %}
  {%- for s in scopes %}
    {%- if s not in allowed_scopes %}
    {{ config_error("vars.er_link_scopes has '" ~ s ~ "' (allowed: " ~ allowed_scopes | join(', ') ~ ")") }}
    {%- endif %}
  {%- endfor %}
  {{ return(scopes) }}
{% endmacro %}
