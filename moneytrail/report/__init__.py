"""The report step: exports, report.json, report.md, the HTML report, run_metadata.json and the
evidence index.

It runs after `dbt build`, whether the build succeeded or not, and reads dbt's
target/run_results.json (which node built, failed or was skipped), target/manifest.json (the
lineage, to say why a node was skipped) and the marts. A mart whose model did not succeed in
this build is reported as missing even when an older table of that name is still in the
warehouse: findings are only ever quoted from this run.

Determinism: report.json, report.md, the exports and the evidence index hold no wall-clock
time, duration or absolute path, so the same inputs, vars and seed give the same bytes.
Timestamps, dbt timings and local paths go to run_metadata.json, which the evidence index
lists separately, without a hash, outside the determinism guarantee.

Modules: ``write`` (write_reports, the step), ``artifacts`` (dbt's run results), ``analyses``
(the sections, from the mart registry), ``counts`` and ``sentences`` (what each analysis
tallies and says), ``fields`` (the columns each section quotes), ``markdown`` (report.md),
``index`` (evidence index), ``schema`` (report.schema.json), ``common`` (shared helpers).
Every number comes from the dbt models of models/report/ (schema report): Python formats.
"""

from moneytrail.report.analyses import ANALYSES, Analysis
from moneytrail.report.artifacts import DbtArtifacts, default_target_dir, load_artifacts
from moneytrail.report.common import (
    FAILED_STATUSES,
    HTML_EXPOSURE,
    LINK_TIERS,
    METADATA_FILE,
    NOT_BUILT_STATUSES,
    OK_STATUSES,
    REPORT_EXPOSURE,
    REPORT_FORMAT,
    REPORT_SCHEMA_PATH,
    TOP_N,
    BuildContext,
    ReportResult,
    ReportSchemaError,
    StepOutcome,
    applied_settings,
    canonical_json,
    effective_vars,
    scrub,
)
from moneytrail.report.index import write_evidence_index
from moneytrail.report.markdown import inline_counts, render_markdown
from moneytrail.report.schema import load_schema, validate_report
from moneytrail.report.write import write_reports

__all__ = [
    "ANALYSES",
    "FAILED_STATUSES",
    "HTML_EXPOSURE",
    "LINK_TIERS",
    "METADATA_FILE",
    "NOT_BUILT_STATUSES",
    "OK_STATUSES",
    "REPORT_EXPOSURE",
    "REPORT_FORMAT",
    "REPORT_SCHEMA_PATH",
    "TOP_N",
    "Analysis",
    "BuildContext",
    "DbtArtifacts",
    "ReportResult",
    "ReportSchemaError",
    "StepOutcome",
    "applied_settings",
    "canonical_json",
    "default_target_dir",
    "effective_vars",
    "inline_counts",
    "load_artifacts",
    "load_schema",
    "render_markdown",
    "scrub",
    "validate_report",
    "write_evidence_index",
    "write_reports",
]
