"""What every part of the report step shares: constants, the step's dataclasses, the readers of
the report models (models/report/) and the formatting of money, row refs and recipients in sentences."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import yaml

from ingest.sqlquote import quote_ident
from moneytrail.dbt_runner import PROJECT_DIR
from moneytrail.exports import json_value
from python_udfs.matcher_config import TIERS

REPORT_SCHEMA_PATH = Path(__file__).resolve().parent.parent / "report.schema.json"
REPORT_FORMAT = "moneytrail-report/1"
INDEX_FORMAT = "moneytrail-evidence-index/1"
TOP_N = 10
LIST_CAP = 20  # longer lists in report.json are cut to this many items; the exports hold all

FAILED_STATUSES = {"error", "fail", "runtime error"}
NOT_BUILT_STATUSES = FAILED_STATUSES | {"skipped"}
OK_STATUSES = {"success", "pass", "warn", "no-op"}

REPORT_FILES = ("report.json", "report.md")
METADATA_FILE = "run_metadata.json"
INDEX_FILES = ("evidence_index.json", "evidence_index.md")
INGEST_MANIFEST_FILE = "ingest_manifest.json"
REPORT_EXPOSURE = "exposure.moneytrail.report"
HTML_EXPOSURE = "exposure.moneytrail.html_report"


class ReportSchemaError(ValueError):
    """report.json does not match moneytrail/report.schema.json (a bug in the report step)."""


@dataclass(frozen=True)
class StepOutcome:
    """What the caller knows about a dbt step it ran in-process (cmd_run)."""

    success: bool
    message: str | None = None


@dataclass(frozen=True)
class BuildContext:
    """What `moneytrail run` knows that the files alone do not say."""

    invocation_id: str | None = None  # of the dbt build; run_results.json must carry it
    build: StepOutcome | None = None
    validation: StepOutcome | None = None
    settings: StepOutcome | None = None  # schema validation of the run file and vars
    ingest: StepOutcome | None = None
    input_tables: tuple[str, ...] | None = None  # the raw tables this run loaded


@dataclass(frozen=True)
class ReportResult:
    ok: bool
    out_dir: Path
    report: dict[str, Any]
    errors: tuple[dict[str, Any], ...]


def canonical_json(obj: Any) -> str:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def effective_vars(cli_vars: Mapping[str, Any] | None) -> dict[str, Any]:
    """The vars dbt used: dbt_project.yml's vars with the command line's top-level keys on top."""
    project = yaml.safe_load((PROJECT_DIR / "dbt_project.yml").read_text(encoding="utf-8")) or {}
    merged = dict(project.get("vars") or {})
    merged.update(dict(cli_vars or {}))
    return merged


def applied_settings(cli_vars: Mapping[str, Any] | None) -> dict[str, Any]:
    """The settings the build applied: the effective vars validated against the settings schema
    with its defaults filled in; vars that break the schema (a refused run) are recorded as given."""
    from moneytrail import settings

    try:
        return settings.applied(settings.validate_vars(cli_vars))
    except settings.SettingsError:
        # as given, JSON-safe (a YAML date in a refused setting becomes its ISO text)
        given: dict[str, Any] = json.loads(json.dumps(effective_vars(cli_vars), default=str))
        return given


def scrub(message: str | None, *paths: Path | None) -> str:
    """A dbt or DuckDB message without machine-specific absolute paths."""
    text = (message or "").rstrip()
    for path in sorted({str(p.resolve()) for p in paths if p is not None} | {str(PROJECT_DIR)}, key=len, reverse=True):
        text = text.replace(path + os.sep, "").replace(path, ".")
    return text


def cap_lists(values: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in values.items():
        if isinstance(value, list) and len(value) > LIST_CAP:
            out[key] = value[:LIST_CAP]
            out[f"{key}_count"] = len(value)
        else:
            out[key] = value
    return out


def query_rows(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
    """A small, bounded query (LIMITed or aggregated) as JSON-ready dicts."""
    cur = con.execute(sql, list(params))
    names = [d[0] for d in cur.description]
    return [{n: json_value(v) for n, v in zip(names, row, strict=False)} for row in cur.fetchall()]


REPORT_SCHEMA = "report"  # models/report/: the numbers the report states, aggregated by dbt


def report_rows(con: duckdb.DuckDBPyConnection, model: str, order_by: str = "") -> list[dict[str, Any]]:
    """Every row of report.<model> (a small, already aggregated dbt model), in order_by's order."""
    order = f" order by {order_by}" if order_by else ""
    return query_rows(con, f"select * from {REPORT_SCHEMA}.{quote_ident(model)}{order}")


def report_row(con: duckdb.DuckDBPyConnection, model: str) -> dict[str, Any]:
    """The one row of a one-row report model (its primary-key test says it has one)."""
    rows = report_rows(con, model)
    if len(rows) != 1:
        raise duckdb.InvalidInputException(f"{REPORT_SCHEMA}.{model} has {len(rows)} rows, not one")
    return rows[0]


def group_counts(con: duckdb.DuckDBPyConnection, analysis: str, dimension: str) -> dict[str, int]:
    """report.rpt_<analysis>_groups for one dimension: value -> rows, in value order."""
    rows = con.execute(
        f"select group_key, n from {REPORT_SCHEMA}.{quote_ident(groups_model(analysis))} "
        "where dimension = ? order by group_key",
        [dimension],
    ).fetchall()
    return {k: n for k, n in rows}


def summary_model(analysis: str) -> str:
    """The one-row report model of an analysis (its totals and section_rows)."""
    return f"rpt_{analysis}"


def groups_model(analysis: str) -> str:
    """The report model of an analysis's counts by group (dimension, group_key, n)."""
    return f"rpt_{analysis}_groups"


def money(value: Any) -> str:
    """'1234.50' -> '$1,234.50' (exact: works on the decimal string, never on a float)."""
    if value is None:
        return "an unknown amount"
    text = str(value)
    sign = "-" if text.startswith("-") else ""
    whole, _, frac = text.lstrip("-").partition(".")
    grouped = f"{int(whole):,}" if whole.isdigit() else whole
    return f"{sign}${grouped}" + (f".{frac}" if frac else "")


def ref_list(values: Any, export: str, total: Any = None, limit: int = 5) -> str:
    items = list(values or [])
    if not items:
        return "none"
    shown = ", ".join(f"`{v}`" for v in items[:limit])
    n = total if isinstance(total, int) else len(items)
    if n > limit:
        shown += f" (+{n - limit} more in {export})"
    return shown


def num(value: Any, digits: int = 3) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, float):
        return format(value, f".{digits}g")
    return str(value)


LINK_TIERS = TIERS  # python_udfs.matcher_config; the link_tiers() macro is kept equal by test_dbt_layers


def recipient_label(f: Mapping[str, Any], id_key: str = "recipient_id", name_key: str = "recipient_name") -> str:
    """'C00123 (NAME; candidate X)': an id never stands without the name we know for it."""
    rid = f.get(id_key)
    parts = []
    if f.get(name_key):
        parts.append(str(f[name_key]))
    candidate = f.get("candidate_name")
    if candidate and candidate != f.get(name_key):
        parts.append(f"candidate {candidate}")
    if not parts:
        parts.append("name unknown")
    return f"{rid} ({'; '.join(parts)})"
