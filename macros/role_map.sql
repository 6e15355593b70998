{#-
  The role map contract: which canonical fields each role has, their types, which must be
  mapped (required) and which must hold a value in every row (nonempty; else the row is a reject).
  Everything that reads the role map goes through these macros, so a missing role, field or
  column stops the build with one message that names it and says where to set it.
-#}

{#- The fields, in staging column order, come from the settings schema
    (moneytrail/settings.schema.yaml role_fields:, copied into mt_settings_schema()): adding a
    field is one line there. Each: type (text, date, amount), required, nonempty. -#}
{% macro role_fields() %}
  {{ return(mt_settings_schema()['role_fields']) }}
{% endmacro %}


{#- Roles a run may leave out: committees, candidate_links and candidates. Without candidates
    and committees no recipient has a kind: the analyses that need one (bundles) say so in the
    report ("Not run: needs the candidates role ..."). -#}
{% macro role_is_configured(role) %}
  {% set role_map = var('role_map', none) %}
  {{ return(role_map is mapping and role in role_map and role_map[role] is not none) }}
{% endmacro %}

{% macro role_is_optional(role) %}
  {{ return(role in ['committees', 'candidate_links', 'candidates']) }}
{% endmacro %}

{#- The roles this run stages: every required role (missing ones fail when used) and the
    optional roles that are configured. -#}
{% macro active_roles() %}
  {% set roles = [] %}
  {% for role in role_fields() %}
    {% if role_is_configured(role) or not role_is_optional(role) %}{% do roles.append(role) %}{% endif %}
  {% endfor %}
  {{ return(roles) }}
{% endmacro %}


{#- Raised when a node runs, not while dbt parses the project: a broken role stops only the
    nodes that read it, and dbt build still runs everything else. -#}
{% macro role_map_error(message) %}
  {% if execute %}{{ exceptions.raise_compiler_error(
      "role map: " ~ message ~ ". Set it under vars.role_map in dbt_project.yml, or in the vars of your run file (moneytrail run FILE), or with dbt --vars."
  ) }}{% endif %}
{% endmacro %}


{#- The validated configuration of one role. `schema_check=false` skips the settings-schema
    pass (role_column calls this once per field; the schema check already ran for the node
    through role_relation/stage_role and for the whole run in the on-run-start hook). -#}
{% macro role_config(role, schema_check=true) %}
  {% set role_map = var('role_map', none) %}
  {% if role_map is none or role_map is not mapping %}
    {{ role_map_error("vars.role_map is missing or not a mapping") }}
    {{ return({'columns': {}}) }}
  {% endif %}
  {% if role not in role_map or role_map[role] is not mapping %}
    {{ role_map_error("role '" ~ role ~ "' is not configured (add role_map." ~ role ~ " with table: or model:, and columns:)") }}
    {{ return({'columns': {}}) }}
  {% endif %}
  {% set cfg = role_map[role] %}
  {#- types, ranges, unknown keys: the settings schema (moneytrail/settings.schema.yaml) -#}
  {% set problems = [] %}
  {% if schema_check %}
    {% set schema = mt_settings_schema() %}
    {% set problems = mt_check(cfg, schema['vars']['keys']['role_map']['keys'][role], 'vars.role_map.' ~ role, schema['definitions']) %}
  {% endif %}
  {% if problems %}
    {{ role_map_error(problems | join('; ')) }}
    {{ return({'columns': {}}) }}
  {% endif %}
  {% if ('table' in cfg) == ('model' in cfg) %}
    {{ role_map_error("role '" ~ role ~ "' needs exactly one of table: (a raw table) or model: (a dbt model)") }}
  {% endif %}
  {% set fields = role_fields()[role] %}
  {% set columns = cfg.get('columns') or {} %}
  {% if columns is not mapping %}
    {{ role_map_error("role '" ~ role ~ "' columns: must map fields to column names") }}
    {% set columns = {} %}
  {% endif %}
  {% for field in columns %}
    {% if field not in fields %}
      {{ role_map_error("role '" ~ role ~ "' maps unknown field '" ~ field ~ "' (fields of this role: " ~ fields.keys() | list | sort | join(', ') ~ ")") }}
    {% endif %}
  {% endfor %}
  {% for field, spec in fields.items() %}
    {% if spec.required and field not in columns %}
      {{ role_map_error("role '" ~ role ~ "' is missing required field '" ~ field ~ "' (add role_map." ~ role ~ ".columns." ~ field ~ ": <column name>)") }}
    {% endif %}
    {% if field in columns and spec.type == 'date' and (columns[field] is not mapping or 'format' not in columns[field] or 'column' not in columns[field]) %}
      {{ role_map_error("role '" ~ role ~ "' field '" ~ field ~ "' is a date and needs {column: <name>, format: <strptime format>}") }}
    {% endif %}
    {% if field in columns and spec.type != 'date' and columns[field] is mapping and 'format' in columns[field] %}
      {{ role_map_error("role '" ~ role ~ "' field '" ~ field ~ "' is " ~ spec.type ~ ", not a date: format: does not apply (map it to a column name)") }}
    {% endif %}
    {% if field in columns and spec.type != 'text' and columns[field] is mapping and 'concat' in columns[field] %}
      {{ role_map_error("role '" ~ role ~ "' field '" ~ field ~ "' is " ~ spec.type ~ ": concat: joins text fields only (map it to one column)") }}
    {% endif %}
  {% endfor %}
  {{ return(cfg) }}
{% endmacro %}


{#- The column a field is mapped to (for a {concat: [...]} field: the list of its columns),
    or none when an optional field is not mapped. -#}
{% macro role_column(role, field) %}
  {% set columns = role_config(role, schema_check=false).get('columns') or {} %}
  {% set mapped = columns.get(field) %}
  {% if mapped is mapping and 'concat' in mapped %}{{ return(mapped['concat'] | list) }}{% endif %}
  {% if mapped is mapping %}{{ return(mapped['column']) }}{% endif %}
  {{ return(mapped) }}
{% endmacro %}


{#- The SQL text of a mapped field read from `alias`, trimmed, '' as NULL; none when not mapped.
    {concat: [a, b], sep: s}: the trimmed non-empty parts joined with s, in order (an empty or
    NULL part and its separator are left out; all parts empty gives NULL). Names and the
    separator reach SQL only through mt_ident and mt_literal. -#}
{% macro role_field_sql(role, field, alias) %}
  {% set mapped = (role_config(role, schema_check=false).get('columns') or {}).get(field) %}
  {% if mapped is none %}{{ return(none) }}{% endif %}
  {% if mapped is mapping and 'concat' in mapped %}
    {% set parts = [] %}
    {% for col in mapped['concat'] %}
      {% do parts.append("nullif(trim(cast(" ~ alias ~ "." ~ mt_ident(col) ~ " as " ~ mt_text() ~ ")), '')") %}
    {% endfor %}
    {{ return("nullif(concat_ws(" ~ mt_literal(mapped.get('sep', ' ')) ~ ", " ~ parts | join(', ') ~ "), '')") }}
  {% endif %}
  {{ return("nullif(trim(cast(" ~ alias ~ "." ~ mt_ident(role_column(role, field)) ~ " as " ~ mt_text() ~ ")), '')") }}
{% endmacro %}


{#- The relation playing a role; at execution time also checks every mapped column exists. -#}
{% macro role_relation(role, before_build=false) %}
  {% set cfg = role_config(role) %}
  {% if 'model' not in cfg %}
    {% set relation = source('raw', role) %}
  {% else %}
    {% if execute and graph.nodes.values() | selectattr('resource_type', 'equalto', 'model') | selectattr('name', 'equalto', cfg['model']) | list | length == 0 %}
      {{ role_map_error("role '" ~ role ~ "' points at model '" ~ cfg['model'] ~ "', which is not an enabled model of this project") }}
    {% endif %}
    {% set relation = ref(cfg['model']) %}
  {% endif %}
  {% if execute %}
    {% set existing = adapter.get_relation(database=relation.database, schema=relation.schema, identifier=relation.identifier) %}
    {% if existing is none %}
      {% if 'table' in cfg %}
        {{ role_map_error("role '" ~ role ~ "' points at table raw." ~ cfg['table'] ~ ", which does not exist in the warehouse (load it with: moneytrail ingest FILE --table " ~ cfg['table'] ~ ")") }}
      {% elif before_build %}
        {#- Not built yet: its columns are checked when the staging model compiles. -#}
        {{ return(relation) }}
      {% else %}
        {{ role_map_error("role '" ~ role ~ "' points at model " ~ cfg['model'] ~ ", which has not been built") }}
      {% endif %}
    {% endif %}
    {% set have = adapter.get_columns_in_relation(existing) | map(attribute='name') | list %}
    {% set wanted = [] %}
    {% for field in role_fields()[role] %}
      {% set col = role_column(role, field) %}
      {% if col is string %}{% do wanted.append((field, col)) %}
      {% elif col is not none %}{% for part in col %}{% do wanted.append((field, part)) %}{% endfor %}
      {% endif %}
    {% endfor %}
    {% for w in cfg.get('when') or [] %}{% do wanted.append(('when', w.get('column'))) %}{% endfor %}
    {% if 'model' in cfg %}{% do wanted.append(('row_ref', 'row_ref')) %}{% endif %}
    {% for field, col in wanted %}
      {% if col not in have %}
        {{ role_map_error("role '" ~ role ~ "' maps field '" ~ field ~ "' to column '" ~ col ~ "', which " ~ existing ~ " does not have (its columns: " ~ have | join(', ') ~ ")") }}
      {% endif %}
    {% endfor %}
  {% endif %}
  {{ return(relation) }}
{% endmacro %}


{#- SQL predicate for the role's `when:` filters (true when none). -#}
{% macro role_when_predicate(role) %}
  {% set filters = role_config(role).get('when') or [] %}
  {% if filters | length == 0 %}{{ return('true') }}{% endif %}
  {% set parts = [] %}
  {% for f in filters %}
    {% if f is not mapping or 'column' not in f %}
      {{ role_map_error("role '" ~ role ~ "' has a when: entry without column: (" ~ f ~ ")") }}
    {% endif %}
    {% set col = mt_ident(f['column']) %}
    {% if 'equals' in f %}
      {% do parts.append(col ~ ' = ' ~ sql_string(f['equals'])) %}
    {% elif 'in' in f %}
      {% set vals = [] %}{% for v in f['in'] %}{% do vals.append(sql_string(v)) %}{% endfor %}
      {% do parts.append(col ~ ' in (' ~ vals | join(', ') ~ ')') %}
    {% elif 'not_in' in f %}
      {% set vals = [] %}{% for v in f['not_in'] %}{% do vals.append(sql_string(v)) %}{% endfor %}
      {% do parts.append('coalesce(' ~ col ~ ' not in (' ~ vals | join(', ') ~ '), true)') %}
    {% elif 'is_null' in f %}
      {% do parts.append(col ~ (' is null' if f['is_null'] is sameas true else ' is not null')) %}
    {% else %}
      {{ role_map_error("role '" ~ role ~ "' when: on column '" ~ f['column'] ~ "' needs one of equals:, in:, not_in:, is_null:") }}
    {% endif %}
  {% endfor %}
  {{ return('coalesce(' ~ parts | join(' and ') ~ ', false)') }}
{% endmacro %}


{#- Kept for the models that call it: a text literal through mt_literal (macros/settings.sql). -#}
{% macro sql_string(value) %}
  {{ return(mt_literal(value | string)) }}
{% endmacro %}


{% macro reject_tolerance(role) %}
  {% set per_role = mt_setting('reject_tolerance') %}
  {% set cfg = role_config(role) %}
  {% if 'reject_tolerance' in cfg %}{{ return(cfg['reject_tolerance']) }}{% endif %}
  {{ return(per_role.get(role, 0) if per_role is mapping else per_role) }}
{% endmacro %}


{#- `dbt run-operation validate_role_map`: check every role before anything runs. -#}
{% macro validate_role_map() %}
  {% do mt_validate_settings() %}
  {% do mt_check_run_config() %}
  {% for role in active_roles() %}
    {% do role_relation(role, before_build=true) %}
    {% do role_when_predicate(role) %}
  {% endfor %}
  {{ log("role map: all roles valid (" ~ active_roles() | join(', ') ~ ")", info=true) }}
{% endmacro %}


{#- Whether the timing analysis runs. It needs award dates; a source without them must say so
    explicitly with role_map.contracts.timing: {enabled: false}. -#}
{% macro timing_enabled() %}
  {% set timing = role_config('contracts').get('timing') or {} %}
  {% if timing is not mapping or timing.keys() | list | reject('equalto', 'enabled') | list | length > 0 %}
    {{ role_map_error("role 'contracts' key timing: takes only {enabled: true|false}") }}
  {% endif %}
  {% set enabled = timing.get('enabled', true) %}
  {% if enabled not in [true, false] %}
    {{ role_map_error("role 'contracts' timing.enabled must be true or false, got '" ~ enabled ~ "'") }}
  {% endif %}
  {% if enabled and role_column('contracts', 'award_date') is none %}
    {{ role_map_error("the timing analysis needs role 'contracts' field 'award_date', which is not mapped (map it as award_date: {column: <name>, format: <strptime format>}, or switch the analysis off for this source with role_map.contracts.timing: {enabled: false})") }}
  {% endif %}
  {{ return(enabled) }}
{% endmacro %}


{#- Precision of a date field, from its declared strptime format: 'day' when the format names a
    day (%d, %e, %j), 'month' when it names a month but no day, 'year' otherwise. A date without
    a day is parsed as the 1st (of January): the timing test refuses it (python_udfs/timing.py
    reads the date_precision column of int_timing_awards / int_timing_donations). -#}
{% macro date_precision(role, field) %}
  {% set spec = (role_config(role, schema_check=false).get('columns') or {}).get(field) %}
  {% set fmt = spec.get('format', '') if spec is mapping else '' %}
  {% if '%d' in fmt or '%j' in fmt or '%e' in fmt %}{{ return('day') }}{% endif %}
  {% if '%m' in fmt or '%b' in fmt or '%B' in fmt %}{{ return('month') }}{% endif %}
  {{ return('year') }}
{% endmacro %}


{#- Where a date field comes from, in words, for messages and findings: the role-map key, the
    input column and its format. -#}
{% macro date_source(role, field) %}
  {% set spec = (role_config(role, schema_check=false).get('columns') or {}).get(field) %}
  {% if spec is not mapping %}{{ return('role_map.' ~ role ~ '.columns.' ~ field ~ ' (not mapped)') }}{% endif %}
  {{ return('role_map.' ~ role ~ '.columns.' ~ field ~ ': column ' ~ tojson(spec.get('column')) ~ ', format ' ~ tojson(spec.get('format'))) }}
{% endmacro %}
