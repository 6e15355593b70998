"""The moneytrail application: CLI, pipeline (ingest -> validate -> dbt build -> report),
dbt invocation, report, exports, evidence index and release gate.

Loading lives in ``ingest`` (tabular files, SQL dumps, manifest, run-file inputs); the
functions dbt's Python models call live in ``python_udfs``.
"""
