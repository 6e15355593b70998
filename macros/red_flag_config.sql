{% macro red_flag_settings() %}
  {{ return(checked_settings('red_flags', {
      'min_rules': 2,
      'procurement_methods': ['SOLE SOURCE', 'NOT COMPETED', 'LIMITED COMPETITION', 'NOT AVAILABLE FOR COMPETITION', 'EMERGENCY', 'EXEMPT', 'URGENT'],
      'timing_max_p': 0.05,
      'timing_max_q': 0.10,
      'timing_min_effect': 1.0,
      'breadth_min_recipients': 3,
  })) }}
{% endmacro %}
