"""Source presets: a run file's `source:` key expands into inputs and a role map."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ingest.presets import fec

PRESETS = {"fec": fec}
# top-level run-file keys the presets read
PRESET_KEYS = {"source", "fec_files"}


def apply(run_path: Path, data: dict[str, Any]) -> dict[str, Any]:
    source = data.get("source")
    if source not in PRESETS:
        raise fec.PresetError(f"{run_path}: source is {source!r}; known sources: {sorted(PRESETS)}")
    return PRESETS[source].expand(run_path, data)
