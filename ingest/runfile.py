"""Run files: one YAML that says which inputs to ingest and which dbt vars (role map) to use.

name: demo
inputs:
  - path: contracts.csv          # relative to the run file
    table: demo_contracts
  - path: candidates.tsv
    table: demo_candidates
    delimiter: "\\t"
vars: {}                          # merged over dbt_project.yml vars (role_map, ...)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ingest import presets
from ingest.tabular import TabularOptions

_INPUT_KEYS = {
    "path",
    "table",
    "format",
    "delimiter",
    "quote",
    "encoding",
    "header",
    "header_file",
    "columns",
    "table_prefix",
    "schema_path",
    "allow_sqlite_pragma_header",
    "skip_programmable_objects",
}
_TOP_KEYS = {"name", "description", "inputs", "vars"} | presets.PRESET_KEYS


class RunFileError(ValueError):
    pass


@dataclass(frozen=True)
class InputSpec:
    path: Path
    format: str  # csv | sql_dump
    table: str | None
    tabular: TabularOptions | None
    dump_options: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class RunFile:
    path: Path
    name: str
    inputs: list[InputSpec]
    vars: dict[str, Any]


def guess_format(path: Path) -> str:
    name = path.name.lower()
    if name.endswith((".sql", ".sql.gz", ".dump", ".dump.gz")):
        return "sql_dump"
    return "csv"


def load_run_file(path: Path | str) -> RunFile:
    path = Path(path)
    if not path.is_file():
        raise RunFileError(f"run file not found: {path}")
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(data, dict):
        raise RunFileError(f"{path}: top level must be a mapping")
    unknown = sorted(set(data) - _TOP_KEYS)
    if unknown:
        raise RunFileError(f"{path}: unknown key(s) {unknown}; allowed: {sorted(_TOP_KEYS)}")
    if "source" in data:  # a preset (ingest/presets) adds its inputs and role map
        try:
            data = presets.apply(path, data)
        except presets.fec.PresetError as exc:
            raise RunFileError(str(exc)) from exc
    if "name" not in data:
        raise RunFileError(f"{path}: missing 'name' (used for the output folder)")
    inputs = data.get("inputs") or []
    if not inputs:
        raise RunFileError(f"{path}: 'inputs' lists no files to ingest")
    specs = [_input_spec(path, i, item) for i, item in enumerate(inputs, start=1)]
    run_vars = data.get("vars") or {}
    if not isinstance(run_vars, dict):
        raise RunFileError(f"{path}: 'vars' must be a mapping")
    return RunFile(path=path, name=str(data["name"]), inputs=specs, vars=run_vars)


def _input_spec(run_path: Path, number: int, item: Any) -> InputSpec:
    where = f"{run_path} inputs[{number}]"
    if not isinstance(item, dict) or "path" not in item:
        raise RunFileError(f"{where}: each input needs a path")
    unknown = sorted(set(item) - _INPUT_KEYS)
    if unknown:
        raise RunFileError(f"{where}: unknown key(s) {unknown}; allowed: {sorted(_INPUT_KEYS)}")
    file_path = (run_path.parent / item["path"]).resolve()
    fmt = item.get("format") or guess_format(file_path)
    if fmt not in {"csv", "sql_dump"}:
        raise RunFileError(f"{where}: format must be csv or sql_dump, got {fmt!r}")
    if fmt == "csv":
        if not item.get("table"):
            raise RunFileError(f"{where}: a csv input needs table: (the raw table name)")
        header_file = item.get("header_file")
        columns = item.get("columns")
        options = TabularOptions(
            delimiter=item.get("delimiter", ","),
            quote=item.get("quote", '"'),
            encoding=item.get("encoding", "utf-8"),
            header=bool(item.get("header", header_file is None and columns is None)),
            header_file=(run_path.parent / header_file).resolve() if header_file else None,
            columns=tuple(columns) if columns else None,
        )
        return InputSpec(file_path, fmt, item["table"], options)
    dump_options = {
        key: item[key]
        for key in ("table_prefix", "allow_sqlite_pragma_header", "skip_programmable_objects")
        if key in item
    }
    if "schema_path" in item:
        dump_options["schema_path"] = (run_path.parent / item["schema_path"]).resolve()
    return InputSpec(file_path, fmt, item.get("table"), None, dump_options)
