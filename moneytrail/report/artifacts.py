"""dbt's artifacts of a build: which node built, failed or was skipped, and why."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from moneytrail.dbt_runner import PROJECT_DIR
from moneytrail.report.common import FAILED_STATUSES, NOT_BUILT_STATUSES, OK_STATUSES, scrub

# ----------------------------------------------------------------------------------------------
# dbt artifacts
# ----------------------------------------------------------------------------------------------


def default_target_dir() -> Path:
    """Where dbt writes its artifacts: $DBT_TARGET_PATH, else the project's target-path."""
    configured = os.environ.get("DBT_TARGET_PATH")
    if not configured:
        project = yaml.safe_load((PROJECT_DIR / "dbt_project.yml").read_text(encoding="utf-8")) or {}
        configured = project.get("target-path", "target")
    path = Path(configured)
    return path if path.is_absolute() else PROJECT_DIR / path


@dataclass
class DbtArtifacts:
    state: str  # current | missing | stale | unreadable
    detail: str | None
    run_results: dict[str, Any] | None
    manifest: dict[str, Any] | None


def load_artifacts(target_dir: Path, expected_invocation: str | None) -> DbtArtifacts:
    """run_results.json and manifest.json, trusted only when they belong to the expected build."""
    path = target_dir / "run_results.json"
    if not path.is_file():
        return DbtArtifacts("missing", "dbt wrote no run_results.json for this build", None, None)
    try:
        run_results = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        return DbtArtifacts("unreadable", f"run_results.json could not be read: {exc}", None, None)
    invocation = (run_results.get("metadata") or {}).get("invocation_id")
    if expected_invocation is not None and invocation != expected_invocation:
        # dbt writes nothing when a build stops before its first node (e.g. a compile error
        # while parsing), so the file on disk belongs to an earlier command.
        return DbtArtifacts(
            "stale",
            "run_results.json in the dbt target folder is not from this build "
            "(dbt stopped before running any node, or another dbt command overwrote it)",
            None,
            None,
        )
    manifest = None
    manifest_path = target_dir / "manifest.json"
    if manifest_path.is_file():
        try:
            candidate = json.loads(manifest_path.read_text(encoding="utf-8"))
            if (candidate.get("metadata") or {}).get("invocation_id") == invocation:
                manifest = candidate
        except (OSError, ValueError):
            manifest = None
    return DbtArtifacts("current", None, run_results, manifest)


def node_entries(artifacts: DbtArtifacts, scrub_paths: Sequence[Path | None]) -> list[dict[str, Any]]:
    if artifacts.run_results is None:
        return []
    statuses = {r["unique_id"]: str(r.get("status") or "").lower() for r in artifacts.run_results["results"]}
    out = []
    for r in sorted(artifacts.run_results["results"], key=lambda r: r["unique_id"]):
        uid = r["unique_id"]
        status = statuses[uid]
        entry: dict[str, Any] = {"unique_id": uid, "resource_type": uid.split(".", 1)[0], "status": status}
        if status not in OK_STATUSES or status == "warn":
            message = scrub(r.get("message"), *scrub_paths)
            if status == "skipped":
                message = _skip_reason(uid, statuses, artifacts.manifest)
            entry["message"] = message or status
        if isinstance(r.get("failures"), int) and r["failures"]:
            entry["failures"] = r["failures"]
        out.append(entry)
    return out


def _skip_reason(uid: str, statuses: Mapping[str, str], manifest: dict[str, Any] | None) -> str:
    """Name the failed nodes upstream of a skipped one (dbt only says 'skipped')."""
    if manifest is None:
        return "upstream failed (no manifest to say which)"
    parents = manifest.get("parent_map") or {}
    children = manifest.get("child_map") or {}
    causes: set[str] = set()
    seen: set[str] = set()
    stack = [uid]
    while stack:
        node = stack.pop()
        for child in children.get(node, []):
            # a failing test or unit test of an upstream model (or of the node itself) skips it too
            if child.split(".", 1)[0] in {"test", "unit_test"} and statuses.get(child) in FAILED_STATUSES:
                if node != uid or child.startswith("unit_test."):
                    causes.add(child)
        for parent in parents.get(node, []):
            if parent in seen:
                continue
            seen.add(parent)
            if statuses.get(parent) in FAILED_STATUSES:
                causes.add(parent)
            else:
                stack.append(parent)
    if not causes:
        return "skipped by dbt (no failed upstream node found)"
    return "upstream failed: " + ", ".join(sorted(causes))


def build_status(nodes: Sequence[dict[str, Any]], artifacts: DbtArtifacts) -> dict[str, Any]:
    counts: dict[str, int] = {}
    for n in nodes:
        counts[n["status"]] = counts.get(n["status"], 0) + 1
    failed = any(n["status"] in NOT_BUILT_STATUSES for n in nodes)
    if artifacts.state != "current":
        status = "not_run"
    else:
        status = "failed" if failed else "success"
    return {
        "status": status,
        "run_results": artifacts.state,
        "dbt_command": (artifacts.run_results or {}).get("args", {}).get("which"),
        "dbt_version": (artifacts.run_results or {}).get("metadata", {}).get("dbt_version"),
        # the engine that built the tables (duckdb, or spark for `moneytrail run --engine spark`)
        "dbt_adapter": (artifacts.manifest or {}).get("metadata", {}).get("adapter_type"),
        "counts_by_status": dict(sorted(counts.items())),
        "nodes": list(nodes),
    }
