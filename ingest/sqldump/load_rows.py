"""INSERT and COPY statements of a dump: their target table, column mapping and rows; the manifest rows."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pyarrow as pa
from sqlglot import exp

from ingest import manifest
from ingest.manifest import ManifestEntry
from ingest.sqldump import classify as cl
from ingest.sqldump import convert, literals
from ingest.sqldump.dialects import LexMode
from ingest.sqldump.errors import (
    DumpRejected,
)
from ingest.sqldump.load_state import SOURCE_FORMAT, SOURCE_OFFSET, _LoadAttrs, _Table
from ingest.sqldump.scanner import (
    InsertHead,
    RowChunk,
    Statement,
)
from ingest.sqldump.types import Column


class _RowStatements(_LoadAttrs):
    """The _Load methods that map INSERT and COPY rows to their tables and build the manifest rows."""

    # -- rows ------------------------------------------------------------------------------

    def _target(self, table: str, line: int, what: str) -> _Table:
        entry = self.tables.get(table.lower())
        if entry is None:
            raise self.reject(
                f'{what} into "{table}", a table the dump never created (no '
                "CREATE TABLE before it; for a data-only dump pass schema_path=)",
                "schema",
                line,
            )
        if self.role == "schema":
            raise self.reject(
                f"{what} in the schema file (it must hold table definitions "
                "only; load a file with rows as the dump itself)",
                what,
                line,
            )
        for trig_table, events, trig_line, trig_name in self.file_triggers:
            if trig_table == table.lower() and "INSERT" in events:
                raise self.reject(
                    f'{what} into "{table}" after CREATE TRIGGER {trig_name} (line {trig_line}), '
                    "which skip_programmable_objects skipped: the trigger would have changed "
                    "these rows (only objects defined after their table's data can be skipped)",
                    "CREATE TRIGGER",
                    line,
                )
        self.data_started = True
        return entry

    def _mapping(
        self, entry: _Table, columns: list[str] | None, line: int, what: str
    ) -> tuple[tuple[int | None, ...], int]:
        cols = entry.definition.columns
        if columns is None:
            return tuple(range(len(cols))), len(cols)
        index = entry.definition.column_index()
        mapping: list[int | None] = [None] * len(cols)
        for pos, name in enumerate(columns):
            j = index.get(name.lower())
            if j is None:
                raise self.reject(
                    f'{what} into "{entry.definition.name}" names column {name!r}, which the table does not have',
                    "schema",
                    line,
                )
            if mapping[j] is not None:
                raise self.reject(f'{what} into "{entry.definition.name}" names column {name!r} twice', "schema", line)
            mapping[j] = pos
        for j, col in enumerate(cols):
            if mapping[j] is not None:
                continue
            lead = f'{what} into "{entry.definition.name}" leaves out column {col.name!r}'
            if col.computed_default:
                raise self.reject(f"{lead}, {col.default_what}", "schema", line)
            token = col.default_token
            if token is not None and token != b"NULL":
                if j not in entry.defaults:
                    entry.defaults[j] = self._default_value(entry, col, lead, line)
                continue
            if col.not_null:
                raise self.reject(f"{lead}, which is NOT NULL and has no default", "schema", line)
        return tuple(mapping), len(columns)

    def _default_value(self, entry: _Table, col: Column, lead: str, line: int) -> pa.Array:
        """The column's literal DEFAULT as a one-value typed array (the value a server would
        store for a column an INSERT leaves out)."""
        assert col.default_token is not None
        mode = LexMode(self.mode.dialect, backslash_escapes=False, double_quoted_strings=False)
        try:
            return convert.convert_column([col.default_token], col.type, convert.SQL, mode)
        except convert.ConversionError as exc:
            token = col.default_token.decode("utf-8", "replace")
            raise self.reject(
                f"{lead}, whose DEFAULT {token} does not convert to {col.type.duckdb} ({exc.reason})", "schema", line
            ) from None

    def _insert_head(self, item: InsertHead) -> None:
        head = item.head.decode("utf-8")
        decision, table, columns = cl.insert_head(head, self.mode)
        assert self.scanner is not None
        if decision.cls == cl.REJECT:
            raise self.not_allowed(decision.kind, item.line, decision.reason)
        if decision.cls == cl.SKIP:  # sqlite_sequence: read strictly, keep nothing
            # sqlite_sequence(name, seq): read strictly (literals only), keep nothing.
            for _ in self._rows(self.scanner.read_values(2), "INSERT into sqlite_sequence"):
                pass
            self.count("skipped", decision.kind)
            return
        entry = self._target(table, item.line, "INSERT")
        mapping, ncols = self._mapping(entry, columns, item.line, "INSERT")
        for chunk in self._rows(self.scanner.read_values(ncols), f'INSERT into "{table}"'):
            self._add(entry, mapping, chunk, convert.SQL, item.offset, item.line, False)
        entry.statements += 1
        self.count("loaded", "INSERT")

    def _rows(self, chunks: Any, context: str) -> Any:
        """Row chunks, with reader problems turned into refusals that name the line."""
        assert self.scanner is not None
        try:
            yield from chunks
        except literals.Problem as p:
            raise self._problem(p, self.scanner.line_at(p.offset), context) from None

    def _problem(self, p: literals.Problem, line: int, context: str) -> DumpRejected:
        if p.refused:
            if p.kind.startswith("INSERT"):
                return self.not_allowed(p.kind, line, p.refused)
            return DumpRejected(
                f"{p.message} is not allowed in a dump (class c: {p.refused})",
                kind=p.kind,
                line=line,
                source=self.label,
            )
        return self.reject(f"{context}: {p.message}", p.kind, line)

    def _insert_text(self, decision: cl.Decision, item: Statement) -> None:
        table, columns, values_at = decision.payload
        text = item.text
        start = len(item.text.decode("utf-8")[:values_at].encode("utf-8"))
        entry = None
        mapping: tuple[int | None, ...] = ()
        ncols = 2  # a skipped INSERT can only be sqlite_sequence(name, seq)
        context = "INSERT into sqlite_sequence"
        if decision.cls != cl.SKIP:
            entry = self._target(table, item.line, "INSERT")
            mapping, ncols = self._mapping(entry, columns, item.line, "INSERT")
            context = f'INSERT into "{table}"'
        rows = []
        pos = start
        while True:
            try:
                read = literals.read_row(text, pos, ncols, self.mode, at_eof=True, delimiter=b"")
            except literals.Problem as p:
                at = item.line + text.count(b"\n", 0, p.offset)
                raise self._problem(p, at, context) from None
            rows.append(read.tokens + (read.terminator,))
            pos = read.end
            if read.terminator != b",":
                break
        if entry is not None:
            self._add(entry, mapping, RowChunk(rows, item.line), convert.SQL, item.offset, item.line, False)
            entry.statements += 1

    def _copy(self, e: exp.Copy, item: Statement) -> None:
        target = e.this
        columns = None
        if isinstance(target, exp.Schema):
            columns = [c.name for c in target.expressions]
            target = target.this
        table = target.name
        entry = self._target(table, item.line, "COPY")
        mapping, ncols = self._mapping(entry, columns, item.line, "COPY")
        assert self.scanner is not None
        context = f'COPY into "{table}"'
        for chunk in self.scanner.read_copy(ncols, context, item.line):
            self._add(entry, mapping, chunk, convert.COPY, item.offset, chunk.first_line, True)
        entry.statements += 1

    # -- results ---------------------------------------------------------------------------

    def entries(
        self, path: Path, data_sha: str, data_bytes: int, schema: tuple[Path, str, int] | None
    ) -> list[ManifestEntry]:
        version_input = data_sha
        schema_info = None
        if schema is not None:
            spath, ssha, sbytes = schema
            version_input = hashlib.sha256(f"sql_dump+schema:v1:{data_sha}:{ssha}".encode()).hexdigest()
            schema_info = {"path": manifest.display_path(spath), "sha256": ssha, "bytes": sbytes}
        statements = {cls: dict(sorted(c.items())) for cls, c in self.counts["data"].items()}
        out = []
        for key in self.order:
            entry = self.tables[key]
            d = entry.definition
            details: dict[str, Any] = {
                "dialect": self.dialect_of.get("data"),
                "source_table": d.name,
                "defined_in": "schema file" if entry.source == "schema" else "dump",
                "statements": statements,
                "row_statements": entry.statements,
                "source_offsets": {
                    "create_table": d.offset if entry.source == "data" else None,
                    "first_row_statement": entry.first_offset,
                    "last_row_statement": entry.last_offset,
                    "column": SOURCE_OFFSET,
                    "meaning": "byte offset of the INSERT/COPY statement in the decompressed dump",
                },
                "columns": [_column_details(c) for c in d.columns],
            }
            if schema_info is not None:
                details["schema_file"] = schema_info
                details["schema_statements"] = {
                    cls: dict(sorted(c.items())) for cls, c in self.counts["schema"].items()
                }
            if d.partition_of:
                details["partition_of"] = d.partition_of
            if d.partitions:
                details["partitions"] = sorted(d.partitions)
            if self.warnings:
                details["warnings"] = list(self.warnings)
            out.append(
                ManifestEntry(
                    table_name=entry.raw_name,
                    dataset_version_id=manifest.dataset_version_id(version_input, entry.raw_name),
                    source_path=manifest.display_path(path),
                    source_format=SOURCE_FORMAT,
                    input_sha256=data_sha,
                    input_bytes=data_bytes,
                    row_count=entry.rows,
                    details=details,
                )
            )
        return out


def _column_details(c: Column) -> dict[str, Any]:
    """One column of a manifest row's details: its name, its type in the dump and in DuckDB."""
    return {
        "name": c.name,
        "source_type": c.source_type,
        "duckdb_type": c.type.duckdb,
        **({"note": c.type.note} if c.type.note else {}),
    }
