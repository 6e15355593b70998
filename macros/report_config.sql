{#- The report's sections (models/report/): every mart with a report section in the registry
    (meta.moneytrail.report in the marts' YAML, moneytrail/registry.py), whether it has an
    evidence_kind column, and the rows the section counts and quotes (`scope`, SQL on the mart;
    none: every row). tests/python/test_report_models.py keeps this list equal to the registry. -#}
{% macro report_sections() %}
  {{ return([
      {'mart': 'red_flags', 'evidence_kind': true, 'scope': none},
      {'mart': 'timing_signals', 'evidence_kind': true, 'scope': none},
      {'mart': 'bundles', 'evidence_kind': true, 'scope': none},
      {'mart': 'payroll_giving', 'evidence_kind': true, 'scope': none},
      {'mart': 'limit_flags', 'evidence_kind': true, 'scope': none},
      {'mart': 'prohibited_contributions', 'evidence_kind': true, 'scope': none},
      {'mart': 'vendor_breadth', 'evidence_kind': true, 'scope': none},
      {'mart': 'cross_links', 'evidence_kind': false, 'scope': 'tier_rank <= ' ~ min_link_tier_rank()},
  ]) }}
{% endmacro %}

{#- A value as the report's group key: text, NULL as '(null)'. -#}
{% macro report_key(expr) %}coalesce(cast({{ expr }} as {{ mt_text() }}), '(null)'){% endmacro %}
