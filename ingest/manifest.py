"""The ingest manifest: one row per loaded raw table, shared by every loader.

Contract (docs/ARCHITECTURE.md, "Contracts"):
- every raw table lives in the ``raw`` schema and has a ``row_index`` BIGINT column holding the
  0-based position of the row in input order;
- ``dataset_version_id`` is derived from the sha256 of the input bytes, the table name and (CSV/TSV)
  the load options that decide what a row is (header, column names, delimiter, quote, encoding),
  so the same input loaded the same way under the same name always gets the same id, and the
  same bytes read another way (row 0 a header or a data row) get another id;
- table names are case-insensitive (DuckDB identifiers are): a load whose table differs only in
  case from a loaded table is refused, never allowed to replace it;
- ``source_path`` is the input's file name only (with its sha256 it identifies the input): it
  does not depend on the working directory or the machine;
- a row is referenced as ``db://{dataset_version_id}#row_index={row_index}``.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

import duckdb

from ingest.errors import IngestError

RAW_SCHEMA = "raw"
MANIFEST_TABLE = "ingest_manifest"
ROW_INDEX = "row_index"

_MANIFEST_DDL = f"""
create table if not exists {RAW_SCHEMA}.{MANIFEST_TABLE} (
    table_name          varchar not null primary key,
    dataset_version_id  varchar not null,
    source_path         varchar not null,
    source_format       varchar not null,
    input_sha256        varchar not null,
    input_bytes         bigint  not null,
    row_count           bigint  not null,
    details_json        varchar not null
)
"""


class TableNameError(IngestError):
    """A table name that would replace or shadow another table (names are case-insensitive)."""


def dataset_version_id(input_sha256: str, table_name: str, load_options: dict[str, Any] | None = None) -> str:
    """Stable id of one table loaded from one input: same bytes, name and options, same id."""
    key = f"dataset:v1:{input_sha256}:{table_name}"
    if load_options is not None:
        key = f"dataset:v2:{input_sha256}:{table_name}:" + json.dumps(
            load_options, sort_keys=True, separators=(",", ":"), ensure_ascii=True
        )
    digest = hashlib.sha256(key.encode()).hexdigest()
    return f"dsv_{digest[:16]}"


def row_ref(version_id: str, row_index: int) -> str:
    return f"db://{version_id}#row_index={row_index}"


def sha256_of_file(path: Path, chunk_size: int = 1 << 20) -> tuple[str, int]:
    """sha256 hex digest and size in bytes of the file as stored (compressed files: their bytes)."""
    h = hashlib.sha256()
    size = 0
    with open(path, "rb") as fh:
        size = _feed(h, fh, chunk_size)
    return h.hexdigest(), size


def _feed(h: Any, fh: BinaryIO, chunk_size: int) -> int:
    size = 0
    while chunk := fh.read(chunk_size):
        h.update(chunk)
        size += len(chunk)
    return size


@dataclass(frozen=True)
class ManifestEntry:
    table_name: str
    dataset_version_id: str
    source_path: str
    source_format: str
    input_sha256: str
    input_bytes: int
    row_count: int
    details: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "table_name": self.table_name,
            "dataset_version_id": self.dataset_version_id,
            "source_path": self.source_path,
            "source_format": self.source_format,
            "input_sha256": self.input_sha256,
            "input_bytes": self.input_bytes,
            "row_count": self.row_count,
            "details": self.details,
        }


def ensure_raw_schema(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(f"create schema if not exists {RAW_SCHEMA}")
    con.execute(_MANIFEST_DDL)


def check_table_name_free(con: duckdb.DuckDBPyConnection, table_name: str) -> None:
    """Refuse a name that differs only in case from a raw table or manifest row already there.

    DuckDB identifiers are case-insensitive: loading KEEP after keep would silently replace
    keep's rows and leave keep's manifest row describing data that is gone."""
    others = con.execute(
        f"""
        select table_name from information_schema.tables
        where table_schema = '{RAW_SCHEMA}' and lower(table_name) = lower(?) and table_name <> ?
        union
        select table_name from {RAW_SCHEMA}.{MANIFEST_TABLE}
        where lower(table_name) = lower(?) and table_name <> ?
        order by 1""",
        [table_name, table_name, table_name, table_name],
    ).fetchall()
    if others:
        raise TableNameError(
            f"table name {table_name!r} differs only in case from the loaded table {others[0][0]!r} "
            "(table names are case-insensitive); load it under that exact name to replace it, or "
            "choose another name"
        )


def rollback_quietly(con: duckdb.DuckDBPyConnection) -> None:
    """Roll back after a failed load; when DuckDB has already aborted the transaction (a full
    disk, ...), the rollback's own error is dropped so the original error is the one reported."""
    try:
        con.execute("rollback")
    except duckdb.Error:
        pass


def record(con: duckdb.DuckDBPyConnection, entry: ManifestEntry) -> None:
    """Insert or replace the manifest row of one table. Call inside the load's transaction.

    Refuses (TableNameError) a name that differs only in case from another manifest row, so a
    dump creating `Keep` over `keep` is rolled back instead of orphaning keep's row."""
    check_table_name_free(con, entry.table_name)
    con.execute(f"delete from {RAW_SCHEMA}.{MANIFEST_TABLE} where table_name = ?", [entry.table_name])
    con.execute(
        f"insert into {RAW_SCHEMA}.{MANIFEST_TABLE} values (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            entry.table_name,
            entry.dataset_version_id,
            entry.source_path,
            entry.source_format,
            entry.input_sha256,
            entry.input_bytes,
            entry.row_count,
            json.dumps(entry.details, sort_keys=True, separators=(",", ":")),
        ],
    )


def read_all(con: duckdb.DuckDBPyConnection) -> list[ManifestEntry]:
    rows = con.execute(f"select * from {RAW_SCHEMA}.{MANIFEST_TABLE} order by table_name").fetchall()
    return [ManifestEntry(r[0], r[1], r[2], r[3], r[4], r[5], r[6], json.loads(r[7])) for r in rows]


def display_path(path: Path) -> str:
    """Path as recorded in the manifest: the file name only. With the input's sha256 it names the
    input, and the manifest (and report.json) is the same whatever the working directory."""
    return Path(path).name
