{#-
  Settings when dbt runs directly: the same schema as `moneytrail run` (moneytrail/settings.schema.yaml,
  copied into mt_settings_schema() by `python -m moneytrail.settings generate`) and the same rules
  as moneytrail/settings.py. And the only two ways a name or a setting becomes SQL text:
  mt_ident() and mt_literal().
-#}

{#- A double-quoted identifier, embedded double quotes doubled. Refuses empty, NUL, non-text. -#}
{% macro mt_ident(name) %}
  {{ return(adapter.dispatch('mt_ident', 'moneytrail')(name)) }}
{% endmacro %}

{% macro mt_ident_checked(name) %}
  {% if name is not string or name == '' or '\x00' in name %}
    {{ exceptions.raise_compiler_error("not a valid SQL identifier: " ~ tojson(name)) }}
  {% endif %}
  {{ return(name) }}
{% endmacro %}

{% macro default__mt_ident(name) %}
  {{ return('"' ~ mt_ident_checked(name).replace('"', '""') ~ '"') }}
{% endmacro %}


{#- A SQL literal: text in single quotes (quotes doubled), integers, finite numbers, true/false,
    null. Anything else (a list, a mapping, NaN, a NUL in text) is refused. -#}
{% macro mt_literal(value) %}
  {{ return(adapter.dispatch('mt_literal', 'moneytrail')(value)) }}
{% endmacro %}

{% macro default__mt_literal(value) %}
  {% if value is none %}{{ return('null') }}{% endif %}
  {% if value is boolean %}{{ return('true' if value else 'false') }}{% endif %}
  {% if value is integer %}{{ return(value | string) }}{% endif %}
  {% if value is number %}
    {% if value != value or value > 1e308 or value < -1e308 %}
      {{ exceptions.raise_compiler_error("no SQL literal for the number " ~ value) }}
    {% endif %}
    {{ return(value | string) }}
  {% endif %}
  {% if value is string %}
    {% if '\x00' in value %}{{ exceptions.raise_compiler_error("a value holds a NUL character: " ~ tojson(value)) }}{% endif %}
    {{ return("'" ~ value.replace("'", "''") ~ "'") }}
  {% endif %}
  {{ exceptions.raise_compiler_error("no SQL literal for " ~ tojson(value)) }}
{% endmacro %}


{#- A schema node with its `ref:` resolved (the node's own keys win). -#}
{% macro mt_node(node, defs) %}
  {% if 'ref' not in node %}{{ return(node) }}{% endif %}
  {% set out = {} %}
  {% do out.update(mt_node(defs[node['ref']], defs)) %}
  {% for k, v in node.items() if k != 'ref' %}{% do out.update({k: v}) %}{% endfor %}
  {{ return(out) }}
{% endmacro %}


{% macro mt_show(value) %}
  {% set text = tojson(value, sort_keys=true) %}
  {{ return(text if text | length <= 60 else text[:57] ~ '...') }}
{% endmacro %}


{% macro mt_kind(value) %}
  {% if value is none %}{{ return('null') }}
  {% elif value is boolean %}{{ return('true/false') }}
  {% elif value is integer %}{{ return('an integer') }}
  {% elif value is number %}{{ return('a number') }}
  {% elif value is string %}{{ return('text') }}
  {% elif value is mapping %}{{ return('a mapping') }}
  {% elif value is iterable %}{{ return('a list') }}
  {% endif %}
  {{ return('a value') }}
{% endmacro %}


{% macro mt_expected(node, defs) %}
  {% set node = mt_node(node, defs) %}
  {% if 'any_of' in node %}
    {% set parts = [] %}
    {% for option in node['any_of'] %}{% do parts.append(mt_expected(option, defs)) %}{% endfor %}
    {{ return(parts | join(' or ')) }}
  {% endif %}
  {% set kind = node.get('type') %}
  {% if 'enum' in node %}
    {% set text = 'one of ' ~ node['enum'] | join(', ') %}
  {% elif kind in ('integer', 'number') %}
    {% set bounds = [] %}
    {% if 'minimum' in node %}{% do bounds.append('>= ' ~ node['minimum']) %}{% endif %}
    {% if 'exclusive_minimum' in node %}{% do bounds.append('> ' ~ node['exclusive_minimum']) %}{% endif %}
    {% if 'maximum' in node %}{% do bounds.append('<= ' ~ node['maximum']) %}{% endif %}
    {% if 'exclusive_maximum' in node %}{% do bounds.append('< ' ~ node['exclusive_maximum']) %}{% endif %}
    {% set text = ('an integer' if kind == 'integer' else 'a number') ~ ((' ' ~ bounds | join(' and ')) if bounds else '') %}
  {% elif kind == 'boolean' %}
    {% set text = 'true or false' %}
  {% elif kind == 'string' %}
    {% if 'pattern' in node %}{% set text = 'text matching ' ~ node['pattern'] %}
    {% elif node.get('max_length') == 1 and node.get('min_length') == 1 %}{% set text = 'one character' %}
    {% else %}{% set text = 'text' %}{% endif %}
  {% elif kind == 'list' %}
    {% set text = 'a list' ~ ((' of ' ~ mt_expected(node['items'], defs).replace('one of ', 'values from ')) if 'items' in node else '') %}
  {% elif kind == 'mapping' %}
    {% set text = 'a mapping' ~ ((' with keys ' ~ node['keys'].keys() | reject('in', node.get('not_keys', [])) | join(', ')) if 'keys' in node else '') %}
  {% else %}
    {% set text = kind | string %}
  {% endif %}
  {{ return(text ~ (', or null' if node.get('nullable') else '')) }}
{% endmacro %}


{#- Edit distance, for "did you mean" (moneytrail/settings.py uses difflib; this is close). -#}
{% macro mt_distance(a, b) %}
  {% set ns = namespace(prev=range(b | length + 1) | list, cur=[]) %}
  {% for i in range(1, a | length + 1) %}
    {% set ns.cur = [i] %}
    {% for j in range(1, b | length + 1) %}
      {% set ns.cur = ns.cur + [[ns.prev[j] + 1, ns.cur[j - 1] + 1, ns.prev[j - 1] + (0 if a[i - 1] == b[j - 1] else 1)] | min] %}
    {% endfor %}
    {% set ns.prev = ns.cur %}
  {% endfor %}
  {{ return(ns.prev[b | length]) }}
{% endmacro %}


{% macro mt_nearest(word, choices) %}
  {% set ns = namespace(best=none, dist=99) %}
  {% for c in choices %}
    {% set d = mt_distance(word | lower, c | lower) %}
    {% if d < ns.dist %}{% set ns.best = c %}{% set ns.dist = d %}{% endif %}
  {% endfor %}
  {{ return(ns.best if ns.dist <= [2, (word | length) // 3] | max else none) }}
{% endmacro %}


{#- Every way `value` breaks `node` (moneytrail/settings.py check(), same messages). -#}
{% macro mt_check(value, node, path, defs) %}
  {% set node = mt_node(node, defs) %}
  {% set problems = [] %}
  {% if value is none %}
    {% if not node.get('nullable') %}{% do problems.append(path ~ ': null is not allowed; expected ' ~ mt_expected(node, defs)) %}{% endif %}
    {{ return(problems) }}
  {% endif %}
  {% if 'any_of' in node %}
    {% for option in node['any_of'] %}
      {% if mt_check(value, option, path, defs) | length == 0 %}{{ return([]) }}{% endif %}
    {% endfor %}
    {{ return([path ~ ': ' ~ mt_show(value) ~ ' is not allowed; expected ' ~ mt_expected(node, defs)]) }}
  {% endif %}
  {% set kind = node['type'] %}
  {% set bad_type = path ~ ': ' ~ mt_show(value) ~ ' is ' ~ mt_kind(value) ~ '; expected ' ~ mt_expected(node, defs) %}
  {% if kind == 'boolean' %}
    {{ return([] if value is boolean else [bad_type]) }}
  {% elif kind in ('integer', 'number') %}
    {% set is_num = value is number and value is not boolean and value == value and value < 1e308 and value > -1e308 %}
    {% set is_int = value is integer %}
    {% if not (is_int if kind == 'integer' else is_num) %}{{ return([bad_type]) }}{% endif %}
    {% set ok = ('minimum' not in node or value >= node['minimum'])
      and ('maximum' not in node or value <= node['maximum'])
      and ('exclusive_minimum' not in node or value > node['exclusive_minimum'])
      and ('exclusive_maximum' not in node or value < node['exclusive_maximum'])
      and ('enum' not in node or value in node['enum']) %}
    {{ return([] if ok else [path ~ ': ' ~ mt_show(value) ~ ' is out of range; expected ' ~ mt_expected(node, defs)]) }}
  {% elif kind == 'string' %}
    {% if value is not string %}{{ return([bad_type]) }}{% endif %}
    {% if modules.re.search('[\\x00-\\x08\\x0b-\\x1f\\x7f]', value) %}
      {{ return([path ~ ': ' ~ mt_show(value) ~ ' holds a control character (NUL, ...); expected ' ~ mt_expected(node, defs)]) }}
    {% endif %}
    {% if 'enum' in node and value not in node['enum'] %}
      {% set hint = mt_nearest(value, node['enum']) %}
      {{ return([path ~ ': ' ~ mt_show(value) ~ ' is not allowed' ~ (' (did you mean ' ~ hint ~ '?)' if hint is not none else '') ~ '; expected ' ~ mt_expected(node, defs)]) }}
    {% endif %}
    {% if value | length < node.get('min_length', 0) %}
      {{ return([path ~ ': ' ~ mt_show(value) ~ ' is too short; expected ' ~ mt_expected(node, defs)]) }}
    {% endif %}
    {% if 'max_length' in node and value | length > node['max_length'] %}
      {{ return([path ~ ': ' ~ mt_show(value) ~ ' is too long; expected ' ~ mt_expected(node, defs)]) }}
    {% endif %}
    {% if 'pattern' in node and modules.re.fullmatch(node['pattern'], value) is none %}
      {{ return([path ~ ': ' ~ mt_show(value) ~ ' is not allowed; expected ' ~ mt_expected(node, defs) ~ ' (' ~ node['description'] ~ ')']) }}
    {% endif %}
    {{ return([]) }}
  {% elif kind == 'list' %}
    {% if value is string or value is mapping or value is not iterable %}{{ return([bad_type]) }}{% endif %}
    {% if value | length < node.get('min_items', 0) %}
      {% do problems.append(path ~ ': the list needs at least ' ~ node['min_items'] ~ ' item(s); expected ' ~ mt_expected(node, defs)) %}
    {% endif %}
    {% if 'items' in node %}
      {% for item in value %}{% do problems.extend(mt_check(item, node['items'], path ~ '[' ~ loop.index ~ ']', defs)) %}{% endfor %}
    {% endif %}
    {{ return(problems) }}
  {% elif kind == 'mapping' %}
    {% if value is not mapping %}{{ return([bad_type]) }}{% endif %}
    {% set keys = node.get('keys') %}
    {% if keys is not none and node.get('not_keys') %}
      {% set kept = {} %}
      {% for k, v in keys.items() if k not in node['not_keys'] %}{% do kept.update({k: v}) %}{% endfor %}
      {% set keys = kept %}
    {% endif %}
    {% for key in value %}
      {% if key is not string %}
        {% do problems.append(path ~ ': key ' ~ mt_show(key) ~ ' is ' ~ mt_kind(key) ~ '; keys are text') %}
      {% elif keys is not none and key not in keys %}
        {% set hint = mt_nearest(key, keys.keys() | list) %}
        {% do problems.append(path ~ '.' ~ key ~ ': unknown key' ~ (' (did you mean ' ~ hint ~ '?)' if hint is not none else '') ~ '; allowed: ' ~ keys.keys() | join(', ')) %}
      {% endif %}
    {% endfor %}
    {% if keys is not none %}
      {% for key, child in keys.items() %}
        {% if key in value %}
          {% do problems.extend(mt_check(value[key], child, path ~ '.' ~ key, defs)) %}
        {% elif mt_node(child, defs).get('required') %}
          {% do problems.append(path ~ '.' ~ key ~ ': missing; expected ' ~ mt_expected(child, defs)) %}
        {% endif %}
      {% endfor %}
    {% endif %}
    {% if 'values' in node %}
      {% for key, item in value.items() if key is string %}
        {% do problems.extend(mt_check(item, node['values'], path ~ '.' ~ key, defs)) %}
      {% endfor %}
    {% endif %}
    {% if 'exactly_one_of' in node %}
      {% set given = node['exactly_one_of'] | select('in', value) | list %}
      {% if given | length != 1 %}
        {% do problems.append(path ~ ': needs exactly one of ' ~ node['exactly_one_of'] | join(', ') ~ ((' (given: ' ~ given | join(', ') ~ ')') if given else '')) %}
      {% endif %}
    {% endif %}
    {{ return(problems) }}
  {% endif %}
  {{ exceptions.raise_compiler_error("settings schema: unknown type " ~ kind ~ " at " ~ path) }}
{% endmacro %}


{#- Problems of one top-level var (by its schema entry), [] when valid or absent. -#}
{% macro mt_var_problems(name, value) %}
  {% set schema = mt_settings_schema() %}
  {{ return(mt_check(value, schema['vars']['keys'][name], 'vars.' ~ name, schema['definitions'])) }}
{% endmacro %}


{#- The value of one top-level var, its schema defaults filled in; stops the node (not the
    parse) with every problem when it breaks the schema. -#}
{% macro mt_setting(name) %}
  {% set schema = mt_settings_schema() %}
  {% set node = mt_node(schema['vars']['keys'][name], schema['definitions']) %}
  {% set value = var(name, node.get('default')) %}
  {% set problems = mt_check(value, node, 'vars.' ~ name, schema['definitions']) %}
  {% if problems %}
    {% if execute %}{{ exceptions.raise_compiler_error("invalid settings:\n  " ~ problems | join('\n  ')) }}{% endif %}
    {{ return(node.get('default')) }}
  {% endif %}
  {% if value is mapping and 'keys' in node %}
    {% set out = {} %}
    {% for key, child in node['keys'].items() %}
      {% set c = mt_node(child, schema['definitions']) %}
      {% if key in value %}{% do out.update({key: value[key]}) %}
      {% elif 'default' in c %}{% do out.update({key: c['default']}) %}{% endif %}
    {% endfor %}
    {{ return(out) }}
  {% endif %}
  {{ return(value) }}
{% endmacro %}


{#- Every var against the schema, and no unknown --vars key: the on-run-start hook of dbt
    build/run/test (dbt_project.yml) and the first step of validate_role_map. -#}
{% macro mt_validate_settings() %}
  {% if not execute %}{{ return('') }}{% endif %}
  {% set schema = mt_settings_schema() %}
  {% set known = schema['vars']['keys'] %}
  {% set merged = mt_active_vars() %}
  {% set cli_vars = invocation_args_dict.get('vars') or {} %}
  {% if cli_vars is string %}{% set cli_vars = fromyaml(cli_vars) or {} %}{% endif %}
  {% for key in cli_vars if key not in known %}{% do merged.update({key: cli_vars[key]}) %}{% endfor %}
  {% set problems = mt_check(merged, schema['vars'], 'vars', schema['definitions']) %}
  {% if problems %}
    {{ exceptions.raise_compiler_error("invalid settings:\n  " ~ problems | join('\n  ')) }}
  {% endif %}
  {{ return('') }}
{% endmacro %}
