{#- Settings of the red flags (vars.red_flags). A pair is flagged when at least
    min_independent_rules pieces of pair evidence hold (rules resting on overlapping rows count
    once). The procurement methods and breadth threshold only describe the vendor: context. -#}
{% macro red_flag_settings() %}
  {% set cfg = checked_settings('red_flags', {
      'min_independent_rules': 1,
      'procurement_methods': ['SOLE SOURCE', 'NOT COMPETED', 'LIMITED COMPETITION', 'NOT AVAILABLE FOR COMPETITION', 'EMERGENCY', 'EXEMPT', 'URGENT'],
      'timing_max_p': 0.05,
      'timing_max_q': 0.10,
      'timing_min_effect': 1.0,
      'breadth_min_recipients': 3,
  }) %}
  {% if cfg.min_independent_rules | int < 1 %}
    {{ config_error("vars.red_flags.min_independent_rules must be at least 1 (a flag needs evidence about the pair)") }}
  {% endif %}
  {{ return(cfg) }}
{% endmacro %}
