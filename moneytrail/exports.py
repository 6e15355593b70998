"""Deterministic exports of the marts into a run's output folder.

Formatting contract (every export, and the values report.json quotes):

- rows sorted by the relation's id column (then the remaining columns, so ties can never
  depend on scan order);
- UTF-8, "\\n" line endings, a header line in CSV; no timestamps anywhere;
- NULL: an empty CSV cell, ``null`` in JSON (an empty string is also an empty CSV cell: use the
  JSONL file where the difference matters);
- DECIMAL: the exact value as a string with the column's scale, "1100.00" (never a float);
- DOUBLE: rounded to 12 significant digits, then written as Python's shortest round-trip
  repr ("0.05", "99.75", "3.0"); 12 digits absorb the last-bit noise of parallel floating
  point sums, so identical inputs give identical bytes; NaN and infinities become NULL;
- integers as digits (64-bit seeds included: JSON readers that use doubles lose precision);
- booleans: "true"/"false" in CSV, JSON booleans in JSONL;
- DATE/TIMESTAMP: ISO 8601;
- lists and structs: a JSON array/object inside the CSV cell; JSON arrays/objects in JSONL.

cross_links.jsonl holds the same records as cross_links.csv, same columns in the same order.
Rows are streamed from DuckDB in Arrow batches, so memory stays bounded whatever the mart size.
Two writers give these bytes: the row-by-row writer here (the reference: every value through
json_value and the csv module) and, for tables of FAST_EXPORT_MIN_ROWS rows or more, the SQL
writer of moneytrail/export_cells.py, which formats every cell in DuckDB and joins lines in Arrow
(tests/python/test_export_cells.py holds the two to the same bytes).
"""

from __future__ import annotations

import csv
import datetime as _dt
import decimal
import hashlib
import io
import json
import math
import os
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, TextIO

import duckdb

from ingest.sqlquote import quote_ident
from moneytrail import export_cells
from moneytrail.registry import Attach, ModelRef

BATCH_ROWS = 10_000
# The SQL-formatted writer (moneytrail/export_cells.py) for relations of at least this many rows
# whose column types it covers; the row-by-row writer below (the reference it is tested against)
# for the rest. Binding the SQL writer's cell expressions costs 0.05-0.25 s per export, more than
# the row writer spends on a few thousand rows; at a million rows the SQL writer is many times
# faster (tests/benchmarks/bench_exports.py: 3x on 1M rows). 0 sends every export it covers
# through it.
FAST_EXPORT_MIN_ROWS = 5_000
FLOAT_SIGNIFICANT_DIGITS = 12


@dataclass(frozen=True)
class ExportSpec(ModelRef):
    name: str  # export file stem and dbt model name
    schema: str
    order_by: tuple[str, ...]  # leading sort columns; the remaining columns follow
    jsonl: bool = False


def specs(project_dir: Path | None = None) -> tuple[ExportSpec, ...]:
    """The exports, in order: every mart whose YAML registers an export (moneytrail/registry.py)."""
    from moneytrail import registry

    return tuple(
        ExportSpec(m.name, m.schema, m.export.order_by, jsonl=m.export.jsonl)
        for m in registry.load(project_dir).exported()
        if m.export is not None
    )


EXPORTS: tuple[ExportSpec, ...] = specs()
SUMMARY_FILE = "cross_link_summary.json"


@dataclass(frozen=True)
class ExportedFile:
    path: str  # relative to the output folder
    model: str  # producing dbt node
    records: int


@dataclass(frozen=True)
class MissingExport:
    name: str
    model: str
    reason: str


@dataclass(frozen=True)
class ExportResult:
    files: tuple[ExportedFile, ...]
    missing: tuple[MissingExport, ...]


# ----------------------------------------------------------------------------------------------
# Value formatting: one definition for CSV, JSONL and report.json
# ----------------------------------------------------------------------------------------------


def json_value(value: Any) -> Any:
    """A value as it appears in JSON exports and in report.json (see the module docstring)."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return format_float(value)
    if isinstance(value, decimal.Decimal):
        return format_decimal(value)
    if isinstance(value, (_dt.datetime, _dt.date, _dt.time)):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [json_value(v) for v in value]
    if isinstance(value, dict):
        return {str(k): json_value(v) for k, v in value.items()}
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).hex()
    return str(value)


def format_float(value: float) -> float | None:
    if not math.isfinite(value):
        return None
    rounded = float(format(value, f".{FLOAT_SIGNIFICANT_DIGITS}g"))
    return 0.0 if rounded == 0 else rounded  # -0.0 and 0.0 must print alike


def format_decimal(value: decimal.Decimal) -> str | None:
    if not value.is_finite():
        return None
    return format(value, "f")


def csv_cell(value: Any) -> str:
    """The CSV cell of a value: json_value() rendered as text."""
    return _cell(json_value(value))


def _cell(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return repr(v)
    if isinstance(v, (int, str)):
        return str(v)
    return dumps_compact(v)


def dumps_compact(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


def dumps_document(obj: Any) -> str:
    """A whole JSON file: sorted keys, two-space indent, trailing newline."""
    return json.dumps(obj, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


# ----------------------------------------------------------------------------------------------
# Reading relations
# ----------------------------------------------------------------------------------------------


def relation_columns(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> list[str]:
    """Column names in table order; empty when the relation does not exist."""
    return _column_field(con, schema, table, "column_name")


def relation_types(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> list[str]:
    """DuckDB's type names of the columns, in table order ("VARCHAR", "DECIMAL(38,2)", "VARCHAR[]")."""
    return _column_field(con, schema, table, "data_type")


def _column_field(con: duckdb.DuckDBPyConnection, schema: str, table: str, field: str) -> list[str]:
    assert field in ("column_name", "data_type")
    rows = con.execute(
        f"select {field} from information_schema.columns "
        "where table_schema = ? and table_name = ? order by ordinal_position",
        [schema, table],
    ).fetchall()
    return [r[0] for r in rows]


def order_keys(columns: Sequence[str], order_by: Sequence[str]) -> list[str]:
    """order_by's columns, then every other column: a total order of the rows."""
    return [c for c in order_by if c in columns] + [c for c in columns if c not in order_by]


def ordered_select(schema: str, table: str, columns: Sequence[str], order_by: Sequence[str]) -> str:
    """SELECT every column, ordered by order_by then every other column (a total order)."""
    keys = order_keys(columns, order_by)
    cols = ", ".join(quote_ident(c) for c in columns)
    order = ", ".join(f"{quote_ident(c)} asc nulls first" for c in keys)
    return f"select {cols} from {quote_ident(schema)}.{quote_ident(table)} order by {order}"


def attach_columns(con: duckdb.DuckDBPyConnection, schema: str, rows: Sequence[dict[str, Any]], attach: Attach) -> None:
    """Put attach.columns of attach.mart beside each row, matched on attach.key (None where the
    mart has no row for the key). For the few rows a report or page shows. Keys are compared as
    their JSON text (the rows hold json_value's), so a DATE or DECIMAL key matches too. Two rows
    of the mart for one key fail (duckdb.ConstraintException), never pick one silently."""
    keys = sorted({str(r[attach.key]) for r in rows if r.get(attach.key) is not None})
    found: dict[str, dict[str, Any]] = {}
    if keys:
        key = quote_ident(attach.key)
        cols = ", ".join(quote_ident(c) for c in attach.columns)
        cur = con.execute(
            f"select {key}, {cols} from {quote_ident(schema)}.{quote_ident(attach.mart)} "
            f"where list_contains(?, cast({key} as varchar)) order by {key}",
            [keys],
        )
        for value, *values in cur.fetchall():
            text = str(json_value(value))
            if text in found:
                raise duckdb.ConstraintException(
                    f"{schema}.{attach.mart}: two rows for {attach.key} {text!r}; the report quotes one row per key"
                )
            found[text] = {c: json_value(v) for c, v in zip(attach.columns, values, strict=True)}
    none = dict.fromkeys(attach.columns)
    for r in rows:
        value = r.get(attach.key)
        r.update(none if value is None else found.get(str(value), none))


def stream_rows(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any] = ()) -> Iterator[dict[str, Any]]:
    """Rows of a query as dicts, fetched in Arrow batches of BATCH_ROWS."""
    reader = con.execute(sql, list(params)).fetch_record_batch(BATCH_ROWS)
    for batch in reader:
        yield from batch.to_pylist()


# ----------------------------------------------------------------------------------------------
# Writing
# ----------------------------------------------------------------------------------------------


def export_marts(
    con: duckdb.DuckDBPyConnection | None,
    out_dir: Path,
    unavailable: Mapping[str, str] | None = None,
    export_specs: Sequence[ExportSpec] | None = None,
) -> ExportResult:
    """Write every export whose relation exists and was built by this run.

    ``unavailable`` maps export names to the reason they must not be exported (their model
    failed, was skipped, or the run has no dbt results): a table left over from an earlier run
    would otherwise be passed off as this run's output. Files of missing exports are deleted
    for the same reason. ``export_specs`` defaults to EXPORTS (the registry's)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    unavailable = dict(unavailable or {})
    files: list[ExportedFile] = []
    missing: list[MissingExport] = []
    for spec in EXPORTS if export_specs is None else export_specs:
        reason = unavailable.get(spec.name)
        columns: list[str] = []
        if reason is None:
            if con is None:
                reason = "the warehouse could not be opened"
            else:
                columns = relation_columns(con, spec.schema, spec.name)
                if not columns:
                    reason = f"{spec.relation} does not exist in the warehouse"
        if reason is not None:
            _remove_stale(out_dir, spec)
            missing.append(MissingExport(spec.name, spec.model_id, reason))
            continue
        assert con is not None
        written = _export_one(con, out_dir, spec, columns)
        files += written
        if spec.name == "cross_links" and SUMMARY_FILE not in {f.path for f in written}:
            reason = "report.rpt_cross_links or report.rpt_cross_links_groups (models/report/) is not in the warehouse"
            missing.append(MissingExport(SUMMARY_FILE, spec.model_id, reason))
    return ExportResult(tuple(files), tuple(missing))


def _stale_names(spec: ExportSpec) -> list[str]:
    names = [f"{spec.name}.csv"]
    if spec.jsonl:
        names.append(f"{spec.name}.jsonl")
    if spec.name == "cross_links":
        names.append(SUMMARY_FILE)
    return names


def _remove_stale(out_dir: Path, spec: ExportSpec) -> None:
    for name in _stale_names(spec):
        (out_dir / name).unlink(missing_ok=True)


def _export_one(
    con: duckdb.DuckDBPyConnection, out_dir: Path, spec: ExportSpec, columns: list[str]
) -> list[ExportedFile]:
    csv_path = out_dir / f"{spec.name}.csv"
    jsonl_path = out_dir / f"{spec.name}.jsonl"
    fast = None
    if _row_count(con, spec) >= FAST_EXPORT_MIN_ROWS:
        types = relation_types(con, spec.schema, spec.name)
        floats = export_cells.float_columns(columns, types)
        in_sql = not export_cells.has_subnormal(con, spec.schema, spec.name, floats)
        keys = export_cells.sort_keys(con, spec.schema, spec.name, columns, spec.order_by)
        fast = export_cells.plan(spec.schema, spec.name, columns, types, keys, spec.jsonl, floats_in_sql=in_sql)
    if fast is not None:
        with (
            _Atomic(csv_path, binary=True) as csv_fh,
            _Atomic(jsonl_path, binary=True) if spec.jsonl else _Null() as jsonl_fh,
        ):
            csv_fh.write(csv_line(columns).encode("utf-8"))
            count = export_cells.write(con, fast, csv_fh, jsonl_fh)
    else:
        count = _export_rows(con, spec, columns, csv_path, jsonl_path)
    files = [ExportedFile(csv_path.name, spec.model_id, count)]
    if spec.jsonl:
        files.append(ExportedFile(jsonl_path.name, spec.model_id, count))
    if spec.name == "cross_links":
        summary = cross_link_summary(con)
        if summary is None:
            (out_dir / SUMMARY_FILE).unlink(missing_ok=True)
        else:
            _write_atomic(out_dir / SUMMARY_FILE, dumps_document(summary))
            files.append(ExportedFile(SUMMARY_FILE, spec.model_id, 1))
    return files


def _row_count(con: duckdb.DuckDBPyConnection, spec: ExportSpec) -> int:
    """The table's row count from DuckDB's catalogue (0 for a view: it goes to the row writer)."""
    row = con.execute(
        "select estimated_size from duckdb_tables() where schema_name = ? and table_name = ?", [spec.schema, spec.name]
    ).fetchone()
    return int(row[0]) if row and row[0] is not None else 0


def csv_line(cells: Sequence[str]) -> str:
    """One CSV line as the csv module writes it (QUOTE_MINIMAL, "\n")."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n", quoting=csv.QUOTE_MINIMAL).writerow(cells)
    return buffer.getvalue()


def _export_rows(
    con: duckdb.DuckDBPyConnection, spec: ExportSpec, columns: list[str], csv_path: Path, jsonl_path: Path
) -> int:
    """The reference writer: every row through Python's csv and json (any column type)."""
    sql = ordered_select(spec.schema, spec.name, columns, spec.order_by)
    count = 0
    with _Atomic(csv_path) as csv_fh, _Atomic(jsonl_path) if spec.jsonl else _Null() as jsonl_fh:
        writer = csv.writer(csv_fh, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
        writer.writerow(columns)
        for row in stream_rows(con, sql):
            record = {c: json_value(row[c]) for c in columns}
            writer.writerow([_cell(record[c]) for c in columns])
            if jsonl_fh is not None:
                jsonl_fh.write(dumps_compact(record) + "\n")
            count += 1
    return count


def cross_link_summary(con: duckdb.DuckDBPyConnection) -> dict[str, Any] | None:
    """Counts of the link graph (edges by relation, match type and tier; distinct parties), as the
    report models rpt_cross_links and rpt_cross_links_groups count them; None when they are not
    in the warehouse (the summary is then missing, never counted here)."""
    if not relation_columns(con, "report", "rpt_cross_links") or not relation_columns(
        con, "report", "rpt_cross_links_groups"
    ):
        return None
    cur = con.execute(
        "select edges, distinct_vendors, distinct_donors, distinct_recipients, distinct_contributions, total_amount "
        "from report.rpt_cross_links"
    )
    rows = cur.fetchall()
    if len(rows) != 1:
        return None
    edges, vendors, donors, recipients, contributions, total = rows[0]
    groups: dict[str, dict[str, int]] = {"by_relation": {}, "by_match_type": {}, "by_confidence_tier": {}}
    for dimension, key, n in con.execute(
        "select dimension, group_key, n from report.rpt_cross_links_groups order by dimension, group_key"
    ).fetchall():
        if dimension in groups:
            groups[dimension][key] = n
    return {
        "edges": edges,
        **groups,
        "distinct_vendors": vendors,
        "distinct_donors": donors,
        "distinct_recipients": recipients,
        "distinct_contributions": contributions,
        "total_amount": json_value(total) if total is not None else "0.00",
    }


class _Null:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: Any) -> None:
        return None


class _Atomic:
    """A file written to a temporary name and moved into place only when complete, so a crash
    mid-export never leaves a truncated file that looks like a finished one. Text is UTF-8 with
    newlines as given; binary=True hands out the raw byte stream."""

    def __init__(self, path: Path, binary: bool = False) -> None:
        self.path = path
        self.binary = binary
        self.tmp = path.with_name(f".{path.name}.tmp")

    def __enter__(self) -> Any:
        if self.binary:
            self.fh: TextIO | BinaryIO = open(self.tmp, "wb")
        else:
            self.fh = open(self.tmp, "w", encoding="utf-8", newline="")
        return self.fh

    def __exit__(self, exc_type: Any, *rest: Any) -> None:
        self.fh.close()
        if exc_type is None:
            os.replace(self.tmp, self.path)
        else:
            self.tmp.unlink(missing_ok=True)


def _write_atomic(path: Path, text: str) -> None:
    with _Atomic(path) as fh:
        fh.write(text)


def write_text(path: Path, text: str) -> None:
    """Write a whole artifact atomically (UTF-8, newlines as given)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    _write_atomic(path, text)


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()
