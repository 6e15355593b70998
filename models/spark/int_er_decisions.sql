-- Spark variant of models/intermediate/int_er_decisions.py (the same Python model runs inside
-- the session function; moneytrail/spark_steps.py).
{{ mt_python_step('int_er_decisions', {'er_link_decisions': '*'}, ['decisions_file']) }}
