"""Source presets: a run file's `source:` key (FEC) and `sources:` mapping (every other source)
expand into inputs and a role map before the run file is checked.

    source: fec                      # the FEC bulk files (fec_files:), see ingest/presets/fec.py
    sources:                         # one entry per source, each naming its files
      usaspending: {contracts: transactions.csv}
      ma_ocpf: {contributions: contributions.csv}

Each source's module documents its files, formats and meaning. Your own `inputs:` are added and
your `vars:` merged over the presets' key by key.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ingest.presets import calaccess, common, dc, fec, ma_crab, ma_ocpf, usaspending
from ingest.presets.common import PresetError

PRESETS = {"fec": fec}
# run-file `sources:` keys -> preset modules
SOURCES: dict[str, Any] = {m.NAME: m for m in (ma_ocpf, usaspending, calaccess, dc, ma_crab)}
# top-level run-file keys the presets read
PRESET_KEYS = {"source", "fec_files", "sources"}

__all__ = ["PRESETS", "PRESET_KEYS", "SOURCES", "PresetError", "apply"]


def apply(run_path: Path, data: dict[str, Any]) -> dict[str, Any]:
    if "sources" in data:
        data = expand_sources(run_path, data)
    if "source" not in data:
        return data
    source = data.get("source")
    if source not in PRESETS:
        raise PresetError(
            f"{run_path}: source is {source!r}; known sources: {sorted(PRESETS)} "
            f"(the others go under sources: {sorted(SOURCES)})"
        )
    expanded: dict[str, Any] = PRESETS[source].expand(run_path, data)
    return expanded


def expand_sources(run_path: Path, data: dict[str, Any]) -> dict[str, Any]:
    """The run file with every `sources:` entry turned into inputs and vars (user keys win)."""
    sources = data.get("sources")
    if not isinstance(sources, dict) or not sources:
        raise PresetError(
            f"{run_path}: sources must be a mapping of source name -> its files; known sources: {sorted(SOURCES)}"
        )
    unknown = sorted(set(sources) - set(SOURCES))
    if unknown:
        hint = " (the FEC bulk files go under source: fec with fec_files:)" if "fec" in unknown else ""
        raise PresetError(f"{run_path}: sources has unknown source(s) {unknown}; known: {sorted(SOURCES)}{hint}")
    inputs: list[dict[str, Any]] = []
    parts: list[tuple[str, dict[str, Any]]] = []
    presets: list[str] = []
    for name in sorted(sources):
        module = SOURCES[name]
        files = sources[name]
        inputs += common.file_inputs(run_path, module, files)
        pvars = module.preset_vars(set(files))
        presets += pvars.pop("source_presets", [])
        parts.append((name, pvars))
    preset_vars = common.combine(run_path, parts)
    if presets:
        preset_vars["source_presets"] = sorted(set(presets))
    if data.get("source") == "fec":
        clash = sorted(set(preset_vars.get("role_map", {})) & set(fec.ROLES))
        if clash:
            raise PresetError(
                f"{run_path}: role(s) {clash} are built by both source: fec and sources:; give each to one of them"
            )
        if "source_rules" in preset_vars:
            raise PresetError(
                f"{run_path}: source: fec decides the contribution rules; sources: may only add contracts here"
            )

    user_inputs, user_vars = common.user_parts(run_path, data, inputs, "loaded by sources:")
    expanded = {k: v for k, v in data.items() if k != "sources"}
    expanded["inputs"] = inputs + list(user_inputs)
    expanded["vars"] = common.merge(preset_vars, user_vars)
    return expanded
