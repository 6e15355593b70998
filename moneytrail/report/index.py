"""The evidence index: every artifact of the run with its sha256, as JSON and Markdown."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from moneytrail import exports
from moneytrail.report.common import (
    HTML_EXPOSURE,
    INDEX_FORMAT,
    INGEST_MANIFEST_FILE,
    METADATA_FILE,
    REPORT_EXPOSURE,
    REPORT_FILES,
)


def _record_count(path: Path) -> int | None:
    """CSV: data rows; JSONL: lines; JSON: array items, or 1 for an object; Markdown: none."""
    suffix = path.suffix
    if suffix == ".csv":
        import csv

        with open(path, encoding="utf-8", newline="") as fh:
            return max(sum(1 for _ in csv.reader(fh)) - 1, 0)
    if suffix == ".jsonl":
        with open(path, encoding="utf-8") as fh:
            return sum(1 for line in fh if line.strip())
    if suffix == ".json":
        data = json.loads(path.read_text(encoding="utf-8"))
        return len(data) if isinstance(data, list) else 1
    return None


def write_evidence_index(
    out_dir: Path, export_result: exports.ExportResult, html_files: Sequence[str] = ()
) -> list[dict[str, Any]]:
    """evidence_index.json and .md: every artifact of the run with its sha256, sorted by path.

    The two index files do not list themselves; run_metadata.json is listed apart, without a
    hash, because it holds timestamps."""
    producers: dict[str, tuple[str, str | None]] = {f.path: ("export", f.model) for f in export_result.files}
    # an export's records are the rows its writer wrote; reading a 10 GB file back to count them
    # took a minute at 70M input rows (tests/python/test_report.py counts them independently)
    written = {f.path: f.records for f in export_result.files}
    producers.update({name: ("report", REPORT_EXPOSURE) for name in REPORT_FILES})
    producers.update({name: ("html", HTML_EXPOSURE) for name in html_files})
    if (out_dir / INGEST_MANIFEST_FILE).is_file():
        producers[INGEST_MANIFEST_FILE] = ("ingest", "source.moneytrail.raw.ingest_manifest")
    artifacts = []
    for rel in sorted(producers):
        path = out_dir / rel
        step, model = producers[rel]
        artifacts.append(
            {
                "path": rel,
                "sha256": exports.sha256_file(path),
                "bytes": path.stat().st_size,
                "records": written[rel] if rel in written else _record_count(path),
                "step": step,
                "model": model,
            }
        )
    index = {
        "format": INDEX_FORMAT,
        "artifacts": artifacts,
        "not_hashed": [
            {
                "path": METADATA_FILE,
                "reason": "wall-clock timestamps, durations and local paths; outside the determinism guarantee",
            }
        ],
        "missing_exports": [{"name": m.name, "model": m.model, "reason": m.reason} for m in export_result.missing],
    }
    exports.write_text(out_dir / "evidence_index.json", exports.dumps_document(index))
    md = [
        "# Evidence index",
        "",
        f"{len(artifacts)} artifact(s); sha256 of each file as written. `{METADATA_FILE}` "
        "holds run timings and is not hashed.",
        "",
        "| path | records | step | producer | sha256 |",
        "|---|---:|---|---|---|",
    ]
    for a in artifacts:
        records = "" if a["records"] is None else a["records"]
        md.append(f"| {a['path']} | {records} | {a['step']} | {a['model'] or ''} | `{a['sha256']}` |")
    if export_result.missing:
        md += ["", "Missing exports:", ""]
        md += [f"- {m.name} ({m.model}): {m.reason}" for m in export_result.missing]
    exports.write_text(out_dir / "evidence_index.md", "\n".join(md) + "\n")
    return artifacts
