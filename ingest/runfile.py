"""Run files: one YAML that says which inputs to ingest and which dbt vars (role map) to use.

name: demo
inputs:
  - path: contracts.csv          # relative to the run file
    table: demo_contracts
  - path: candidates.tsv
    table: demo_candidates
    delimiter: "\\t"
vars: {}                          # merged over dbt_project.yml vars (role_map, ...)

Every key is checked against moneytrail/settings.schema.yaml (docs/SETTINGS.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ingest import presets
from ingest.errors import IngestError
from ingest.tabular import TabularError, TabularOptions


class RunFileError(IngestError):
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


# input keys that apply only to CSV/TSV files
CSV_KEYS = ("delimiter", "quote", "encoding", "header", "header_file", "columns", "skip_lines", "empty_last_column")


def guess_format(path: Path) -> str:
    name = path.name.lower()
    if name.endswith((".sql", ".sql.gz", ".dump", ".dump.gz")):
        return "sql_dump"
    return "csv"


def load_run_file(path: Path | str) -> RunFile:
    """Read and validate a run file (moneytrail/settings.schema.yaml: every key, type and range,
    the vars merged over dbt_project.yml's) before anything is ingested. Raises RunFileError
    (unreadable file) or SettingsError (naming every broken setting)."""
    from moneytrail.settings import SettingsError, validate_run_file

    path = Path(path)
    if not path.is_file():
        raise RunFileError(f"run file not found: {path}")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise RunFileError(f"{path.name}: not a readable YAML file ({exc})") from None
    if not isinstance(data, dict):
        raise SettingsError([f"run_file: {path.name} must hold a mapping with name, inputs, vars"])
    if "source" in data or "sources" in data:  # presets (ingest/presets) expand into inputs and roles first
        try:
            data = presets.apply(path, data)
        except presets.PresetError as exc:
            raise RunFileError(str(exc)) from exc
    validate_run_file(data, where="run_file")
    specs = [_input_spec(path, i, item) for i, item in enumerate(data["inputs"], start=1)]
    return RunFile(path=path, name=data["name"], inputs=specs, vars=dict(data.get("vars") or {}))


def _input_spec(run_path: Path, number: int, item: dict[str, Any]) -> InputSpec:
    where = f"run_file.inputs[{number}]"
    file_path = (run_path.parent / item["path"]).resolve()
    fmt = item.get("format") or guess_format(file_path)
    csv_only = sorted(k for k in CSV_KEYS if k in item)
    dump_only = sorted(
        k
        for k in ("table_prefix", "schema_path", "allow_sqlite_pragma_header", "skip_programmable_objects")
        if k in item
    )
    if fmt == "csv":
        if dump_only:
            raise RunFileError(
                f"{where}: {', '.join(dump_only)} only apply to SQL dumps; {item['path']} is read as csv"
            )
        if not item.get("table"):
            raise RunFileError(f"{where}: a csv input needs table: (the raw table name)")
        header_file = item.get("header_file")
        columns = item.get("columns")
        header = item.get("header", header_file is None and columns is None)
        try:
            options = TabularOptions(
                delimiter=item.get("delimiter", ","),
                quote=item.get("quote", '"'),
                encoding=item.get("encoding", "utf-8"),
                header=header,
                header_file=(run_path.parent / header_file).resolve() if header_file else None,
                columns=tuple(columns) if columns else None,
                skip_lines=item.get("skip_lines", 0),
                empty_last_column=item.get("empty_last_column", "refuse"),
            )
        except TabularError as exc:
            raise RunFileError(f"{where}: {exc}") from None
        return InputSpec(file_path, fmt, item["table"], options)
    if csv_only:
        raise RunFileError(f"{where}: {', '.join(csv_only)} only apply to csv inputs; {item['path']} is a SQL dump")
    dump_options = {
        key: item[key]
        for key in ("table_prefix", "allow_sqlite_pragma_header", "skip_programmable_objects")
        if key in item
    }
    if "schema_path" in item:
        dump_options["schema_path"] = (run_path.parent / item["schema_path"]).resolve()
    if item.get("table"):
        raise RunFileError(
            f"{where}: table: does not apply to SQL dumps (their tables keep their own names; use table_prefix:)"
        )
    return InputSpec(file_path, fmt, None, None, dump_options)
