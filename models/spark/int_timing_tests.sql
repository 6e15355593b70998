-- Spark variant of models/intermediate/int_timing_tests.py (moneytrail/spark_steps.py).
{{ mt_python_step('int_timing_tests', {'int_timing_donations': '*', 'int_timing_awards': '*'}, ['timing_settings', 'run_seed']) }}
