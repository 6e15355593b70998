-- Spark variant of models/intermediate/int_entity_map.py (moneytrail/spark_steps.py).
{{ mt_python_step('int_entity_map', {'int_org_names': '*', 'int_name_matches': '*', 'int_er_decisions': '*'}, []) }}
