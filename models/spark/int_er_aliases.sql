-- Spark variant of models/intermediate/int_er_aliases.py (moneytrail/spark_steps.py).
{{ mt_python_step('int_er_aliases', {'er_aliases': '*', 'int_contracts': ['vendor_name_norm', 'parent_vendor_name_norm', 'dba_name_norm']}, ['aliases_file']) }}
