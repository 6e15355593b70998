"""What the source presets share: a file spec read from the run file, and the expansion of a
run file's ``sources:`` mapping (one preset per source, each naming its files) into inputs and
vars.

    name: boston_2021
    sources:
      ma_ocpf: {contributions: contributions.csv.gz}
      ma_crab: {contracts: contract_awards.csv.gz}
    vars: {...}                     # merged over the presets' vars key by key (user wins)

A preset module defines ``NAME``, ``FILES`` (file key -> :class:`FileSpec`) and ``preset_vars(keys)``
(the role map and rule settings for the file keys given). Two presets may not map the same role
or set the same scalar var differently; an input table may come from one place only.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from ingest.errors import IngestError


class PresetError(IngestError, ValueError):
    pass


@dataclass(frozen=True)
class FileSpec:
    """One file of a source as the source publishes it."""

    table: str
    what: str
    required: bool = False
    delimiter: str = ","
    quote: str | None = '"'
    encoding: str = "utf-8"
    extra: dict[str, Any] = field(default_factory=dict)


class Preset(Protocol):
    NAME: str
    FILES: dict[str, FileSpec]

    def preset_vars(self, keys: set[str]) -> dict[str, Any]: ...


_FILE_KEYS = {"path", "encoding"}


def file_inputs(run_path: Path, preset: Preset, files: Any) -> list[dict[str, Any]]:
    """The run file's inputs for one preset's files (a path or {path, encoding} each)."""
    name = preset.NAME
    if not isinstance(files, dict) or not files:
        raise PresetError(
            f"{run_path}: sources.{name} must be a mapping of its files: "
            + ", ".join(f"{k} ({s.what}{', required' if s.required else ''})" for k, s in preset.FILES.items())
        )
    unknown = sorted(set(files) - set(preset.FILES))
    if unknown:
        raise PresetError(f"{run_path}: sources.{name} has unknown key(s) {unknown}; allowed: {sorted(preset.FILES)}")
    missing = [k for k, s in preset.FILES.items() if s.required and k not in files]
    if missing:
        raise PresetError(f"{run_path}: sources.{name} is missing {missing}")
    inputs = []
    for key, spec in preset.FILES.items():
        if key not in files:
            continue
        given = files[key]
        if isinstance(given, str):
            given = {"path": given}
        if not isinstance(given, dict) or "path" not in given or set(given) - _FILE_KEYS:
            raise PresetError(f"{run_path}: sources.{name}.{key} must be a path or {{path:, encoding:}}")
        item: dict[str, Any] = {
            "path": given["path"],
            "table": spec.table,
            "delimiter": spec.delimiter,
            "quote": spec.quote,
            "encoding": given.get("encoding", spec.encoding),
            **copy.deepcopy(spec.extra),
        }
        inputs.append(item)
    return inputs


def user_parts(
    run_path: Path, data: dict[str, Any], preset_inputs: list[dict[str, Any]], whose: str
) -> tuple[list[Any], dict[str, Any]]:
    """The run file's own inputs and vars, checked to go on top of a preset's: inputs a list whose
    tables are not the preset's (named ``whose`` in the message), vars a mapping."""
    user_inputs = data.get("inputs") or []
    if not isinstance(user_inputs, list):
        raise PresetError(f"{run_path}: 'inputs' must be a list")
    taken = {i["table"] for i in preset_inputs}
    clash = sorted(taken & {i.get("table") for i in user_inputs if isinstance(i, dict)})
    if clash:
        raise PresetError(f"{run_path}: inputs table(s) {clash} are {whose}; name your table differently")
    user_vars = data.get("vars") or {}
    if not isinstance(user_vars, dict):
        raise PresetError(f"{run_path}: 'vars' must be a mapping")
    return user_inputs, user_vars


def merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """Mappings merged key by key, recursively; any other value in override replaces base's."""
    out = copy.deepcopy(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def combine(run_path: Path, parts: list[tuple[str, dict[str, Any]]]) -> dict[str, Any]:
    """The vars of several presets as one mapping; a role or a setting claimed twice is refused."""
    out: dict[str, Any] = {}
    owner: dict[str, str] = {}
    # roles first: a role claimed twice is the clearer message when two sources collide
    ordered = [(n, k, v) for n, pv in parts for k, v in pv.items() if k == "role_map"]
    ordered += [(n, k, v) for n, pv in parts for k, v in pv.items() if k != "role_map"]
    for name, key, value in ordered:
        if key == "role_map":
            roles = out.setdefault("role_map", {})
            for role, spec in value.items():
                if role in roles:
                    raise PresetError(
                        f"{run_path}: role {role} is built by both sources.{owner['role:' + role]} and "
                        f"sources.{name}; give it to one of them"
                    )
                roles[role] = copy.deepcopy(spec)
                owner["role:" + role] = name
        elif key in out and out[key] != value:
            raise PresetError(
                f"{run_path}: sources.{owner[key]} and sources.{name} set vars.{key} differently "
                f"({out[key]!r} and {value!r}); set it in the run file's vars"
            )
        else:
            out[key] = copy.deepcopy(value)
            owner[key] = name
    return out
