"""The report step itself: write_reports() gathers the build's outcome, exports the marts,
quotes each analysis and writes report.json, report.md, the HTML pages, run_metadata.json and
the evidence index. It never raises on a failed or missing build: every problem becomes an entry
in report.json's errors."""

from __future__ import annotations

import datetime as _dt
import hashlib
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from moneytrail import exports
from moneytrail.exports import json_value
from moneytrail.report.analyses import ANALYSES, analysis_section
from moneytrail.report.artifacts import DbtArtifacts, build_status, default_target_dir, load_artifacts, node_entries
from moneytrail.report.common import (
    FAILED_STATUSES,
    HTML_EXPOSURE,
    METADATA_FILE,
    NOT_BUILT_STATUSES,
    OK_STATUSES,
    REPORT_FORMAT,
    BuildContext,
    ReportResult,
    applied_settings,
    canonical_json,
    query_rows,
    report_row,
    report_rows,
    scrub,
)
from moneytrail.report.er import COUNTS_MODEL as ER_COUNTS_MODEL
from moneytrail.report.er import er_section
from moneytrail.report.index import write_evidence_index
from moneytrail.report.markdown import render_markdown
from moneytrail.report.schema import validate_report


@dataclass(frozen=True)
class _Run:
    """What write_reports knows before it opens the warehouse."""

    out_dir: Path
    db_path: Path
    target_dir: Path
    artifacts: DbtArtifacts
    scrub_paths: tuple[Path | None, ...]


def write_reports(
    out_dir: Path,
    db_path: Path,
    run_name: str,
    target_dir: Path | None = None,
    run_vars: Mapping[str, Any] | None = None,
    context: BuildContext | None = None,
) -> ReportResult:
    """Exports, report.json (schema-checked), report.md, run_metadata.json, evidence index.

    Never raises on a failed or missing build: every problem becomes an entry in `errors`
    and ok=false. It raises only on a bug of its own (e.g. ReportSchemaError)."""
    started = time.monotonic()
    context = context or BuildContext()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    target_dir = Path(target_dir) if target_dir is not None else default_target_dir()
    artifacts = load_artifacts(target_dir, context.invocation_id)
    run = _Run(out_dir, Path(db_path), target_dir, artifacts, (db_path, out_dir, target_dir, Path.cwd()))
    errors = _step_errors(context, run)
    nodes = node_entries(artifacts, run.scrub_paths)
    errors += [
        {
            "source": "dbt_node",
            "unique_id": n["unique_id"],
            "status": n["status"],
            "message": n.get("message", n["status"]),
        }
        for n in nodes
        if n["status"] in NOT_BUILT_STATUSES
    ]
    build = build_status(nodes, artifacts)
    not_built = _not_built(artifacts, {n["unique_id"]: n["status"] for n in nodes})
    unavailable = {spec.name: r for spec in exports.EXPORTS if (r := not_built(spec.model_id))}
    cli_vars = run_vars
    if cli_vars is None:
        cli_vars = ((artifacts.run_results or {}).get("args") or {}).get("vars") or {}
    used_vars = applied_settings(cli_vars)

    con = _open_warehouse(run, errors)
    try:
        export_result = exports.export_marts(con, out_dir, unavailable)
        missing = {m.name: m.reason for m in export_result.missing}
        inputs = _inputs(con, context.input_tables, errors)
        data_quality = _data_quality(con, _dq_missing(missing, not_built), errors, run.scrub_paths)
        sections_missing = _report_missing(missing, not_built)
        analyses = _analyses(con, export_result, sections_missing, used_vars, errors, run.scrub_paths)
        entity_resolution = er_section(con, not_built, errors, run.scrub_paths)
    finally:
        if con is not None:
            con.close()

    sections = {"data_quality": data_quality, "entity_resolution": entity_resolution, "analyses": analyses}
    report = _document(run_name, used_vars, context, errors, build, inputs, sections, export_result)
    validate_report(report)
    return _write_files(run, report, export_result, errors, started)


def _document(
    run_name: str,
    used_vars: Mapping[str, Any],
    context: BuildContext,
    errors: list[dict[str, Any]],
    build: dict[str, Any],
    inputs: list[dict[str, Any]],
    sections: Mapping[str, dict[str, Any]],
    export_result: exports.ExportResult,
) -> dict[str, Any]:
    """report.json as a dict; ok only when nothing failed and every section is there."""
    ok = (
        not errors
        and build["status"] == "success"
        and (context.build is None or context.build.success)
        and all(s.get("status") == "ok" for s in sections["analyses"].values())
        and all(s.get("status") == "ok" for s in sections["data_quality"].values())
        and sections["entity_resolution"].get("status") == "ok"
    )
    return {
        "format": REPORT_FORMAT,
        "ok": ok,
        "run": _run_section(run_name, used_vars),
        "inputs": inputs,
        "errors": errors,
        "build": build,
        "data_quality": sections["data_quality"],
        "entity_resolution": sections["entity_resolution"],
        "analyses": sections["analyses"],
        "exports": _exports_section(export_result),
    }


def _write_files(
    run: _Run,
    report: dict[str, Any],
    export_result: exports.ExportResult,
    errors: list[dict[str, Any]],
    started: float,
) -> ReportResult:
    html_files, html_error = _html_step(run.out_dir, run.db_path, report, run.scrub_paths)
    if html_error is not None:
        errors.append(html_error)
        report["ok"] = False
    out_dir = run.out_dir
    exports.write_text(out_dir / "report.json", exports.dumps_document(report))
    exports.write_text(out_dir / "report.md", render_markdown(report))
    metadata = _run_metadata(run.artifacts, out_dir, run.db_path, run.target_dir, time.monotonic() - started)
    exports.write_text(out_dir / METADATA_FILE, exports.dumps_document(metadata))
    write_evidence_index(out_dir, export_result, html_files)
    return ReportResult(bool(report["ok"]), out_dir, report, tuple(errors))


def _error(source: str, message: str, unique_id: str | None = None, status: str = "error") -> dict[str, Any]:
    return {"source": source, "unique_id": unique_id, "status": status, "message": message}


def _step_errors(context: BuildContext, run: _Run) -> list[dict[str, Any]]:
    """Errors of the steps before the report: settings, ingest, role-map validation, dbt itself."""
    errors: list[dict[str, Any]] = []
    paths = run.scrub_paths
    for source, step in (("settings", context.settings), ("ingest", context.ingest)):
        if step is not None and not step.success:
            errors.append(_error(source, scrub(step.message or f"the {source} step failed", *paths)))
    if context.validation is not None and not context.validation.success:
        errors.append(
            _error("validate_role_map", scrub(context.validation.message or "the role map is invalid", *paths))
        )
    artifacts = run.artifacts
    if artifacts.state != "current":
        message = artifacts.detail or ""
        if context.build is not None and not context.build.success and context.build.message:
            message = f"{scrub(context.build.message, *paths)}\n({message})"
        errors.append(_error("dbt", message))
    elif context.build is not None and not context.build.success and context.build.message:
        # a node failure already has its node entry; this is dbt's own error beyond the nodes
        results = (artifacts.run_results or {}).get("results") or []
        if not any(True for r in results if str(r.get("status")).lower() in FAILED_STATUSES):
            errors.append(_error("dbt", scrub(context.build.message, *paths)))
    return errors


def _not_built(artifacts: DbtArtifacts, statuses: Mapping[str, str]) -> Callable[[str], str | None]:
    def not_built(model_id: str) -> str | None:
        if artifacts.state != "current":
            return "not built by this run: " + (artifacts.detail or "no dbt results")
        status = statuses.get(model_id)
        if status is None:
            return f"{model_id} was not part of this build"
        if status not in OK_STATUSES:
            return f"{model_id} did not build in this run (status {status})"
        return None

    return not_built


def _open_warehouse(run: _Run, errors: list[dict[str, Any]]) -> duckdb.DuckDBPyConnection | None:
    if not run.db_path.is_file():
        errors.append(_error("report", f"warehouse file {run.db_path.name} not found"))
        return None
    try:
        from ingest import warehouse

        return warehouse.connect(run.db_path, read_only=True)
    except duckdb.Error as exc:
        errors.append(_error("report", f"the warehouse could not be opened: {scrub(str(exc), *run.scrub_paths)}"))
        return None


# the report models (models/report/) the data-quality section reads, by the export it belongs to
DQ_REPORT_MODELS = {"stg_rejects": ("rpt_rejects", "rpt_rejects_by_reason", "rpt_reject_sample")}


def report_models_read() -> tuple[str, ...]:
    """Every report model (models/report/) the report step reads, sorted: each section's, the
    data-quality section's and the entity-resolution counts. The dbt exposure `report` lists
    them (tests/python/test_docs.py keeps the two equal)."""
    names = {m for a in ANALYSES for m in a.report_models}
    names.update(m for models in DQ_REPORT_MODELS.values() for m in models)
    names.add(ER_COUNTS_MODEL.removeprefix("model.moneytrail."))
    return tuple(sorted(names))


def _model_missing(models: Sequence[str], not_built: Callable[[str], str | None]) -> str | None:
    """Why the first of these report models cannot be read in this run, if one cannot."""
    return next((r for m in models if (r := not_built(f"model.moneytrail.{m}"))), None)


def _report_missing(missing: Mapping[str, str], not_built: Callable[[str], str | None]) -> dict[str, str]:
    """The missing exports, and the sections whose report models did not build in this run."""
    out = dict(missing)
    for a in ANALYSES:
        reason = out.get(a.name) or _model_missing(a.report_models, not_built)
        if reason is None and a.attach is not None:
            # its findings quote the attached mart's columns: a stale or absent table would
            # pass off an earlier run's evidence, or none, as this run's
            why = missing.get(a.attach.mart) or not_built(f"model.moneytrail.{a.attach.mart}")
            if why is not None:
                reason = f"{why} (each finding quotes its {', '.join(a.attach.columns)})"
        if reason is not None:
            out[a.name] = reason
    return out


def _dq_missing(missing: Mapping[str, str], not_built: Callable[[str], str | None]) -> dict[str, str]:
    out = dict(missing)
    for name, models in DQ_REPORT_MODELS.items():
        reason = out.get(name) or _model_missing(models, not_built)
        if reason is not None:
            out[name] = reason
    return out


def _analyses(
    con: duckdb.DuckDBPyConnection | None,
    export_result: exports.ExportResult,
    missing: Mapping[str, str],
    used_vars: Mapping[str, Any],
    errors: list[dict[str, Any]],
    scrub_paths: Sequence[Path | None],
) -> dict[str, Any]:
    exported_by_model: dict[str, list[str]] = {}
    for f in export_result.files:
        exported_by_model.setdefault(f.model, []).append(f.path)
    analyses: dict[str, Any] = {}
    for a in ANALYSES:
        head = {"title": a.title, "model": a.model_id, "evidence_kind": a.evidence}
        if a.name in missing:
            analyses[a.name] = {"status": "missing", **head, "reason": missing[a.name]}
            continue
        assert con is not None
        try:
            files = exported_by_model.get(a.model_id, [])
            if a.attach is not None:  # the attached mart's export holds the quoted columns in full
                files = files + exported_by_model.get(f"model.moneytrail.{a.attach.mart}", [])
            analyses[a.name] = analysis_section(con, a, files, used_vars)
        except duckdb.Error as exc:
            message = f"{a.relation}: {scrub(str(exc), *scrub_paths)}"
            analyses[a.name] = {"status": "error", **head, "reason": message}
            errors.append(_error("report", message, a.model_id))
    return analyses


def _run_section(run_name: str, used_vars: Mapping[str, Any]) -> dict[str, Any]:
    seed = used_vars.get("run_seed")
    return {
        "name": run_name,
        "role_map_digest": hashlib.sha256(canonical_json(used_vars).encode("utf-8")).hexdigest(),
        # a refused run_seed (settings error above) is not an integer: recorded as null
        "run_seed": seed if isinstance(seed, int) and not isinstance(seed, bool) else None,
        "vars": json_value(used_vars),
    }


def _exports_section(export_result: exports.ExportResult) -> dict[str, Any]:
    return {
        "files": [
            {"path": f.path, "model": f.model, "records": f.records}
            for f in sorted(export_result.files, key=lambda f: f.path)
        ],
        "missing": [{"name": m.name, "model": m.model, "reason": m.reason} for m in export_result.missing],
    }


# ----------------------------------------------------------------------------------------------
# HTML report (all of it lives in moneytrail/html/): its failure is recorded, never fatal
# ----------------------------------------------------------------------------------------------


def _html_step(
    out_dir: Path, db_path: Path, report: dict[str, Any], scrub_paths: Sequence[Path | None]
) -> tuple[list[str], dict[str, Any] | None]:
    """Write output/<run>/html/; on any failure remove the half-written folder and return the error."""
    try:
        from moneytrail.html import write_html

        return write_html(out_dir, db_path, report), None
    except Exception as exc:
        import shutil

        shutil.rmtree(out_dir / "html", ignore_errors=True)
        message = f"the HTML report could not be written: {type(exc).__name__}: {scrub(str(exc), *scrub_paths)}"
        return [], {"source": "report", "unique_id": HTML_EXPOSURE, "status": "error", "message": message}


def _inputs(
    con: duckdb.DuckDBPyConnection | None, tables: Sequence[str] | None, errors: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    if con is None:
        return []
    if not exports.relation_columns(con, "raw", "ingest_manifest"):
        errors.append(
            {
                "source": "report",
                "unique_id": None,
                "status": "error",
                "message": "raw.ingest_manifest does not exist: nothing was ingested",
            }
        )
        return []
    rows = query_rows(
        con,
        """
        select table_name, dataset_version_id, input_sha256 as sha256, input_bytes as bytes,
               row_count as rows, source_format, source_path
        from raw.ingest_manifest order by table_name""",
    )
    if tables is not None:
        rows = [r for r in rows if r["table_name"] in set(tables)]
    for r in rows:
        # older manifests may hold an absolute path; report.json never carries one
        if Path(r["source_path"]).is_absolute():
            r["source_path"] = Path(r["source_path"]).name
    return rows


def _data_quality(
    con: duckdb.DuckDBPyConnection | None,
    missing: Mapping[str, str],
    errors: list[dict[str, Any]],
    scrub_paths: Sequence[Path | None],
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if "dq_row_accounting" in missing:
        out["row_accounting"] = {
            "status": "missing",
            "model": "model.moneytrail.dq_row_accounting",
            "reason": missing["dq_row_accounting"],
        }
    else:
        assert con is not None
        try:
            out["row_accounting"] = {
                "status": "ok",
                "model": "model.moneytrail.dq_row_accounting",
                "rows": query_rows(con, "select * from staging.dq_row_accounting order by role"),
            }
        except duckdb.Error as exc:
            out["row_accounting"] = _dq_error("dq_row_accounting", exc, errors, scrub_paths)
    if "stg_rejects" in missing:
        out["rejects"] = {
            "status": "missing",
            "model": "model.moneytrail.stg_rejects",
            "reason": missing["stg_rejects"],
        }
    else:
        assert con is not None
        try:
            out["rejects"] = {
                "status": "ok",
                "model": "model.moneytrail.stg_rejects",
                "total": report_row(con, "rpt_rejects")["rejected_rows"],
                "by_role_reason": [
                    {"role": r["role"], "reason": r["reason"], "rows": r["n_rows"]}
                    for r in report_rows(con, "rpt_rejects_by_reason", "role, reason")
                ],
                "sample": [
                    {k: r[k] for k in ("role", "row_ref", "reason", "date_raw", "amount_raw")}
                    for r in report_rows(con, "rpt_reject_sample", "role, sample_rank")
                ],
            }
        except duckdb.Error as exc:
            out["rejects"] = _dq_error("stg_rejects", exc, errors, scrub_paths)
    return out


def _dq_error(
    name: str, exc: Exception, errors: list[dict[str, Any]], scrub_paths: Sequence[Path | None]
) -> dict[str, Any]:
    message = f"staging.{name}: {scrub(str(exc), *scrub_paths)}"
    errors.append({"source": "report", "unique_id": f"model.moneytrail.{name}", "status": "error", "message": message})
    return {"status": "error", "model": f"model.moneytrail.{name}", "reason": message}


def _run_metadata(
    artifacts: DbtArtifacts, out_dir: Path, db_path: Path, target_dir: Path, report_seconds: float
) -> dict[str, Any]:
    rr = artifacts.run_results or {}
    return {
        "note": "Not part of the determinism guarantee: wall-clock times, durations, local paths.",
        "report_written_at": _dt.datetime.now(_dt.UTC).replace(microsecond=0).isoformat(),
        "report_step_seconds": round(report_seconds, 3),
        "dbt_invocation_id": (rr.get("metadata") or {}).get("invocation_id"),
        "dbt_generated_at": (rr.get("metadata") or {}).get("generated_at"),
        "dbt_invocation_started_at": (rr.get("metadata") or {}).get("invocation_started_at"),
        "dbt_elapsed_seconds": rr.get("elapsed_time"),
        "dbt_run_results": artifacts.state,
        "node_execution_seconds": {
            r["unique_id"]: r.get("execution_time")
            for r in sorted(rr.get("results") or [], key=lambda r: r["unique_id"])
        },
        "paths": {
            "out_dir": str(out_dir.resolve()),
            "warehouse": str(Path(db_path).resolve()),
            "dbt_target": str(target_dir.resolve()),
        },
    }
