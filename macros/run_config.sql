{#-
  A warehouse built by `moneytrail run FILE` remembers that run's vars (table meta.run_config,
  written by moneytrail/run_config.py before anything is ingested). dbt build / run / test
  (on-run-start hook), dbt docs generate and compile (stage_role) and the role-map check compare
  them with the vars of the command at hand and stop, saying which command to use, when they
  differ: a plain `dbt build` after a run must never silently rebuild the warehouse with another
  configuration (dbt_project.yml's demo role map). A warehouse without the table (loaded with
  `moneytrail ingest` and built with dbt directly) is not checked. The Python API
  (moneytrail.dbt_runner.invoke) passes its vars deliberately and sets
  MONEYTRAIL_RUN_CONFIG_CHECK=off unless asked to check.
-#}

{#- The vars this dbt command runs with: every schema key that is set (project or --vars). -#}
{% macro mt_active_vars() %}
  {% set merged = {} %}
  {% for key in mt_settings_schema()['vars']['keys'] %}
    {% set value = var(key, '__mt_absent__') %}
    {% if value != '__mt_absent__' %}{% do merged.update({key: value}) %}{% endif %}
  {% endfor %}
  {{ return(merged) }}
{% endmacro %}


{% macro mt_check_run_config() %}
  {% if not execute or env_var('MONEYTRAIL_RUN_CONFIG_CHECK', 'on') == 'off' %}{{ return('') }}{% endif %}
  {% set exists = run_query("select count(*) from information_schema.tables where table_schema = 'meta' and table_name = 'run_config'") %}
  {% if exists.columns[0].values()[0] == 0 %}{{ return('') }}{% endif %}
  {% set row = run_query("select run_name, run_file, vars_json, vars_file from meta.run_config limit 1").rows %}
  {% if row | length == 0 %}{{ return('') }}{% endif %}
  {% set recorded = fromjson(row[0][2]) %}
  {% set active = mt_active_vars() %}
  {% if recorded == active %}{{ return('') }}{% endif %}
  {% set differing = [] %}
  {% for key in (recorded.keys() | list) + (active.keys() | list) %}
    {% if key not in differing and recorded.get(key) != active.get(key) %}{% do differing.append(key) %}{% endif %}
  {% endfor %}
  {% set which = invocation_args_dict.get('which', 'build') %}
  {% set command = 'docs generate' if which == 'generate' else which %}
  {{ exceptions.raise_compiler_error(
      "this warehouse was built by `moneytrail run " ~ row[0][1] ~ "` (run " ~ row[0][0] ~ "), and this dbt "
      ~ command ~ " has other vars (" ~ differing | sort | join(', ') ~ " differ): it would mix another "
      ~ "configuration (dbt_project.yml's demo role map, or your --vars) into the run's warehouse. "
      ~ "Use the run's configuration: `moneytrail dbt " ~ command ~ "`, or `dbt " ~ command
      ~ " --vars \"$(cat " ~ row[0][3] ~ ")\"`; for another configuration write a run file and "
      ~ "`moneytrail run` it (into another warehouse with --db to keep this one)."
  ) }}
{% endmacro %}
