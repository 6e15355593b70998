-- Spark variant of models/intermediate/int_name_matches.py (moneytrail/spark_steps.py).
{{ mt_python_step('int_name_matches', {'int_org_names': '*', 'int_er_decisions': '*', 'int_er_aliases': '*'}, ['match_settings']) }}
