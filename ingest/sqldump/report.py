"""What a dump load tells its user: a text summary and the manifest as a JSON file."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from ingest.manifest import ManifestEntry


def format_summary(entries: Sequence[ManifestEntry]) -> str:
    """A few lines for people: tables and rows, statements loaded and skipped, warnings."""
    if not entries:
        return "no tables loaded"
    first = entries[0]
    details = first.details
    total = sum(e.row_count for e in entries)
    lines = [f"loaded {len(entries)} table(s), {total:,} rows from {first.source_path} ({details.get('dialect')} dump)"]
    width = max(len(e.table_name) for e in entries)
    for e in entries:
        lines.append(f"  raw.{e.table_name:<{width}}  {e.row_count:>12,} rows")
    for title, key in (("dump", "statements"), ("schema file", "schema_statements")):
        counts = details.get(key)
        if not counts:
            continue
        for cls in ("loaded", "skipped"):
            items = Counter(counts.get(cls, {}))
            if items:
                shown = ", ".join(f"{k} {v:,}" for k, v in sorted(items.items()))
                lines.append(f"{title} statements {cls}: {shown}")
    for warning in details.get("warnings", []):
        lines.append(f"warning: {warning}")
    return "\n".join(lines)


def manifest_json(entries: Sequence[ManifestEntry]) -> str:
    """The manifest rows as JSON: sorted by table, sorted keys, no timestamps."""
    body = [e.as_dict() for e in sorted(entries, key=lambda e: e.table_name)]
    return json.dumps(body, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def write_manifest_json(path: Path | str, entries: Sequence[ManifestEntry]) -> None:
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(manifest_json(entries), encoding="utf-8")
