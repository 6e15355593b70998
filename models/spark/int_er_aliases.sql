-- Spark variant of models/intermediate/int_er_aliases.py (moneytrail/spark_steps.py). Of the
-- contract rows it passes only the distinct vendor names that carry a parent or DBA name: the
-- model reads nothing else of them (python_udfs/er_decisions.data_aliases), so the one task
-- this step runs in holds the aliases the data states, not every contract row.
{{ mt_python_step('int_er_aliases', {
    'er_aliases': '*',
    'int_contracts': {
        'columns': ['vendor_name_norm', 'parent_vendor_name_norm', 'dba_name_norm'],
        'where': 'vendor_name_norm is not null and (parent_vendor_name_norm is not null or dba_name_norm is not null)',
    },
}, ['aliases_file']) }}
