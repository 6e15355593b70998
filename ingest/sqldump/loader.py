"""load_dump: a SQL dump file -> raw.<table> for every table of the dump, in one transaction.

The loader drives the scanner, asks the classifier about every statement, applies the
stateful parts of the policy (database prologue, DROP of a table with rows, the sqlite3 header
PRAGMA, triggers skipped before more rows of their table), converts rows batch by batch and
appends them as Arrow tables. Any refusal rolls the transaction back, so a table of the same
name loaded earlier stays as it was and no manifest row is written.
"""

from __future__ import annotations

import bisect
import dataclasses
import hashlib
import json
import queue
import re
import sys
import threading
import time
import warnings
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
from sqlglot import exp

from ingest import manifest
from ingest.manifest import MANIFEST_TABLE, RAW_SCHEMA, ROW_INDEX, ManifestEntry
from ingest.sqldump import classify as cl
from ingest.sqldump import convert, dialects, literals
from ingest.sqldump.dialects import MYSQL, POSTGRES, SQLITE, TSQL, LexMode
from ingest.sqldump.errors import (
    REASON_OUTSIDE,
    REASON_ROWS,
    REASON_UNKNOWN,
    DumpRejected,
    DumpWarning,
    statement_not_allowed,
)
from ingest.sqldump.scanner import (
    DelimiterCommand,
    GoLine,
    InsertHead,
    MetaCommand,
    RowChunk,
    Scanner,
    Statement,
)
from ingest.sqldump.source import DumpSource
from ingest.sqldump.types import Column, ColumnType, TableDef, column_from_def, domain_type
from ingest.sqlquote import quote_ident

SOURCE_FORMAT = "sql_dump"
SOURCE_OFFSET = "source_offset"
# Rows are loaded into raw.<STAGING_PREFIX>NNNNNNN tables, committed every COMMIT_EVERY_ROWS
# rows (a single transaction grew ~10 bytes per row beyond DuckDB's memory limit), committed
# and checkpointed every COMMIT_EVERY_TABLES tables (each table keeps ~64 KiB of uncommitted
# or uncheckpointed data in memory that cannot spill; a checkpoint costs time in proportion to
# all tables), and renamed to their raw.<table> names in one short final transaction. A failed
# load drops them; a load left unfinished by a crash has its leftovers dropped by the next load.
# DuckDB writes full row groups to the file as they fill; LOAD_MEMORY_LIMIT caps its cache.
STAGING_PREFIX = "_moneytrail_loading_"
COMMIT_EVERY_TABLES = 1024
COMMIT_EVERY_ROWS = 1_000_000
BATCH_ROWS = 122_880  # one DuckDB row group per insert
MAX_PENDING_ROWS = 4 * BATCH_ROWS
PROGRESS_EVERY_BYTES = 4 << 20  # the callback is cheap; the CLI's bar redraws at most 4 times a second
DETECT_BYTES = 256 << 10
_SERVER_SCOPES = {"GLOBAL", "PERSIST", "PERSIST_ONLY"}
_UTF8_NAMES = {"utf8", "utf8mb4", "utf8mb3", "utf-8", "unicode", "utf_8"}


@dataclass(frozen=True)
class LoadProgress:
    """Where a long load is: decompressed bytes read, the file's stored bytes, rows so far."""

    path: str
    bytes_read: int
    stored_bytes: int
    rows: int
    elapsed: float


ProgressFn = Callable[[LoadProgress], None]


def stderr_progress(p: LoadProgress) -> None:
    """A progress callback printing one line to stderr (pass ``progress=stderr_progress``)."""
    rate = p.rows / p.elapsed if p.elapsed > 0 else 0.0
    print(
        f"  ... {p.path}: {p.bytes_read / 1e6:,.0f} MB read, {p.rows:,} rows ({rate:,.0f} rows/s)",
        file=sys.stderr,
        flush=True,
    )


# ---------------------------------------------------------------------------------------------
# Per-table state


@dataclass
class _Statement:
    start: int  # first row of this statement within the pending batch
    offset: int
    line: int
    per_line: bool  # COPY: one row per line, so the row's own line is known


@dataclass
class _Pending:
    key: tuple[Any, ...]
    mapping: tuple[int | None, ...]  # table column -> token position (None: omitted)
    syntax: str
    mode: LexMode
    parts: list[Any] = field(default_factory=list)  # row lists and Arrow column lists, in order
    count: int = 0
    statements: list[_Statement] = field(default_factory=list)

    def add(self, chunk: RowChunk) -> None:
        if chunk.columns is not None:
            self.parts.append(chunk.columns)
        elif self.parts and isinstance(self.parts[-1], list) and not isinstance(self.parts[-1][0], pa.Array):
            self.parts[-1].extend(chunk.rows)  # type: ignore[arg-type]
        else:
            self.parts.append(list(chunk.rows))  # type: ignore[arg-type]
        self.count += len(chunk)

    def column_tokens(self, width: int) -> list[pa.Array]:
        """The raw tokens of each statement column across all parts, as binary arrays."""
        pieces: list[list[pa.Array]] = [[] for _ in range(width)]
        for part in self.parts:
            if part and isinstance(part[0], pa.Array):
                for i in range(width):
                    pieces[i].append(part[i])
            else:
                columns = list(zip(*part, strict=False))
                for i in range(width):
                    pieces[i].append(pa.array(columns[i], type=pa.binary()))
        return [p[0] if len(p) == 1 else pa.concat_arrays(p) for p in pieces]


@dataclass
class _Table:
    definition: TableDef
    raw_name: str
    stage_name: str  # where its rows go until the load succeeds (see _Load.swap_in)
    source: str  # "data" or "schema"
    rows: int = 0
    statements: int = 0
    first_offset: int | None = None
    last_offset: int | None = None
    pending: _Pending | None = None
    defaults: dict[int, pa.Array] = field(default_factory=dict)  # column -> its literal DEFAULT


# ---------------------------------------------------------------------------------------------
# The load


class _Load:
    """The state of one load: tables so far, per-file policy state, counts and warnings."""

    def __init__(
        self,
        con: duckdb.DuckDBPyConnection,
        *,
        table_prefix: str,
        allow_sqlite_pragma_header: bool,
        skip_programmable_objects: bool,
        progress: ProgressFn | None,
        dialect: str | None,
    ) -> None:
        self.con = con
        self.prefix = table_prefix
        self.allow_pragma = allow_sqlite_pragma_header
        self.skip_programmable = skip_programmable_objects
        self.progress = progress
        self.forced_dialect = dialect
        self.writer = _Writer()
        self.tables: dict[str, _Table] = {}
        self.raw_names: dict[str, str] = {}  # lower-cased raw name -> raw name, of self.tables
        self.staged: list[str] = []  # every staging table this load created
        self.uncommitted_tables: set[str] = set()
        self.uncommitted_rows = 0
        self.order: list[str] = []
        self.domains: dict[str, ColumnType] = {}
        self.counts: dict[str, dict[str, Counter[str]]] = {}
        self.warnings: list[str] = []
        self.skipped_objects: list[str] = []
        self.pending_rows = 0
        self.pending_tables: dict[int, _Table] = {}  # tables with rows not yet handed to the writer
        self.total_rows = 0
        self.started = time.monotonic()
        self.dialect_of: dict[str, str] = {}
        # per-file state
        self.role = "data"
        self.scanner: Scanner | None = None
        self.label: str | None = None
        self.statement_no = 0
        self.database: str | None = None
        self.data_started = False
        self.saved_sql_modes: dict[str, frozenset[str]] = {}
        self.sql_modes: frozenset[str] = frozenset()
        self.file_triggers: list[tuple[str, set[str], int, str]] = []
        self.next_progress = PROGRESS_EVERY_BYTES
        self.path_label = ""

    # -- errors ----------------------------------------------------------------------------

    def reject(self, message: str, kind: str, line: int | None) -> DumpRejected:
        return DumpRejected(message, kind=kind, line=line, source=self.label)

    def not_allowed(
        self, kind: str, line: int, reason: str = REASON_ROWS, hint: str = "", what: str | None = None
    ) -> DumpRejected:
        return statement_not_allowed(kind, line, reason + hint, what=what, source=self.label)

    # -- files -----------------------------------------------------------------------------

    def run(self, path: Path, schema_path: Path | None) -> list[ManifestEntry]:
        """Read the schema file (if any) and the dump; record and return the manifest rows."""
        schema = None
        if schema_path is not None:
            ssha, sbytes = self.run_file(schema_path, "schema")
            schema = (schema_path, ssha, sbytes)
        data_sha, data_bytes = self.run_file(path, "data")
        self.writer.finish()
        if self.skipped_objects:
            self.warnings.append(
                "skipped programmable objects (skip_programmable_objects=True): " + "; ".join(self.skipped_objects)
            )
        entries = self.entries(path, data_sha, data_bytes, schema)
        if not entries:
            raise DumpRejected(
                f"{path.name} defines no tables (a dump with no CREATE TABLE "
                "loads nothing; for a data-only dump pass schema_path=)",
                kind="schema",
                line=None,
            )
        self.swap_in()
        _record_manifest(self.con, entries)
        return entries

    def swap_in(self) -> None:
        """Commit the staged rows, then, in one short transaction (committed by load_dump with
        the manifest rows), replace each ``raw.<table>`` by its staging table: a DROP of the
        table loaded earlier, if any, and a rename."""
        self.con.execute("COMMIT")
        self.con.execute("BEGIN TRANSACTION")
        existing = {
            r[0].lower()
            for r in self.con.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = ?", [RAW_SCHEMA]
            ).fetchall()
        }
        for key in self.order:
            entry = self.tables[key]
            if entry.raw_name.lower() in existing:
                self.con.execute(f"DROP TABLE {RAW_SCHEMA}.{quote_ident(entry.raw_name)}")
            self.con.execute(
                f"ALTER TABLE {RAW_SCHEMA}.{quote_ident(entry.stage_name)} RENAME TO {quote_ident(entry.raw_name)}"
            )

    @property
    def bytes_read(self) -> int:
        return self.scanner.source.offset if self.scanner is not None else 0

    def run_file(self, path: Path, role: str) -> tuple[str, int]:
        self.role = role
        self.label = f"schema file {path.name}" if role == "schema" else None
        self.statement_no = 0
        self.database = None
        self.data_started = False
        self.saved_sql_modes = {}
        self.sql_modes = frozenset()
        self.file_triggers = []
        self.path_label = path.name
        self.counts[role] = {"loaded": Counter(), "skipped": Counter()}
        source = DumpSource(path, self.label)
        try:
            scanner = Scanner(source, dialects.initial_mode(dialects.ANSI))
            head = scanner.peek_head(DETECT_BYTES)
            detected, _ = dialects.detect(head)
            if detected == TSQL:
                raise self.not_allowed(
                    "GO", dialects.go_line(head) or 1, REASON_UNKNOWN, hint="; T-SQL scripts are not read"
                )
            dialect = self.forced_dialect or detected
            self.dialect_of[role] = dialect
            scanner.mode = dialects.initial_mode(dialect)
            self.scanner = scanner
            self._statements(scanner)
            self.flush_all()
            return source.finish()
        finally:
            source.close()

    def _statements(self, scanner: Scanner) -> None:
        for item in scanner:
            self.statement_no += 1
            if isinstance(item, InsertHead):
                self._insert_head(item)
            elif isinstance(item, Statement):
                self._statement(item)
            elif isinstance(item, MetaCommand):
                self._meta(item)
            elif isinstance(item, DelimiterCommand):
                self.count("skipped", "DELIMITER (mysql client command)")
            elif isinstance(item, GoLine):
                raise self.not_allowed("GO", item.line, REASON_UNKNOWN, hint="; T-SQL scripts are not read")
            self._maybe_progress()

    def count(self, cls: str, kind: str) -> None:
        self.counts[self.role][cls][kind] += 1

    def _maybe_progress(self) -> None:
        if self.progress is None or self.scanner is None:
            return
        read = self.scanner.source.offset
        if read >= self.next_progress:
            self.next_progress = read + PROGRESS_EVERY_BYTES
            self.progress(
                LoadProgress(
                    self.path_label,
                    read,
                    self.scanner.source.stored_bytes_read,
                    self.total_rows + self.pending_rows,
                    time.monotonic() - self.started,
                )
            )

    # -- statements ------------------------------------------------------------------------

    @property
    def mode(self) -> LexMode:
        assert self.scanner is not None
        return self.scanner.mode

    def _statement(self, item: Statement) -> None:
        text = item.text.decode("utf-8")
        decision = cl.classify(text, self.mode)
        if decision.cls == cl.PROGRAMMABLE:
            self._programmable(decision, text, item)
            return
        if decision.action == "pragma":
            self._pragma(decision, item)
            return
        if decision.action == "unparseable":
            raise self.reject(
                f"a CREATE TABLE that sqlglot cannot parse ({decision.reason})", "CREATE TABLE", item.line
            )
        if decision.cls == cl.REJECT:
            raise self.not_allowed(decision.kind, item.line, decision.reason)
        action = decision.action
        kind = decision.kind
        if action == "create_table":
            kind = self._create_table(decision.payload, item)
            if kind != decision.kind:
                self.count("skipped", kind)
                return
        elif action == "type_def":
            self._type_def(decision.payload, text, item)
        elif action == "copy":
            self._copy(decision.payload, item)
        elif action == "insert_text":
            self._insert_text(decision, item)
        elif action == "set":
            kind = self._set(decision.payload, item) or kind
        elif action == "database":
            self._database(decision.kind, decision.payload, item.line)
        elif action == "drop_table":
            self._drop_table(decision.payload, item.line)
        elif action == "alter_table":
            self._alter_table(decision.payload)
        self.count("loaded" if decision.cls == cl.LOAD else "skipped", kind)

    def _meta(self, item: MetaCommand) -> None:
        text = item.text.decode("utf-8")
        parts = text.split()
        command = parts[0] if parts else "\\"
        if command in ("\\c", "\\connect"):
            args = [a for a in parts[1:] if not a.startswith("-")]
            name = args[0].rstrip(";").strip("\"'") if args else ""
            self._database(f"psql {command}", name, item.line)
            self.count("skipped", f"psql {command}")
            return
        if command in ("\\restrict", "\\unrestrict"):
            self.count("skipped", f"psql {command}")
            return
        raise self.not_allowed(f"psql meta-command {command}", item.line, REASON_OUTSIDE)

    def _pragma(self, decision: cl.Decision, item: Statement) -> None:
        e = decision.payload
        target = e.this
        name = value = ""
        if isinstance(target, exp.EQ):
            name = target.this.name.lower()
            value = target.expression.name.lower()
        header = name == "foreign_keys" and value in ("off", "0", "false", "no")
        if header and self.statement_no == 1:
            if self.allow_pragma:
                self.count("skipped", "PRAGMA foreign_keys=OFF (sqlite3 .dump header)")
                return
            raise self.not_allowed(
                "PRAGMA",
                item.line,
                hint="; allow_sqlite_pragma_header=True accepts the sqlite3 .dump header PRAGMA foreign_keys=OFF",
            )
        raise self.not_allowed("PRAGMA", item.line)

    def _programmable(self, decision: cl.Decision, text: str, item: Statement) -> None:
        if not self.skip_programmable:
            raise self.not_allowed(decision.kind, item.line, hint="; skip_programmable_objects=True skips it")
        name = _object_name(text, decision.kind)
        where = f"{self.path_label} line {item.line}"
        self.skipped_objects.append(f"{decision.kind} {name} ({where})".replace("  ", " "))
        self.count("skipped", decision.kind)
        if decision.kind == "CREATE TRIGGER":
            info = decision.payload
            if info is not None and self.role == "data":
                table, events = info
                self.file_triggers.append((table.lower(), events, item.line, name))
            if (
                self.mode.dialect not in (MYSQL, POSTGRES)
                and re.search(r"\bBEGIN\b", text, re.I)
                and not re.search(r"\bEND\s*$", text, re.I)
            ):
                self._skip_trigger_body(item.line)

    def _skip_trigger_body(self, line: int) -> None:
        """SQLite trigger bodies hold ';'-terminated statements up to END; they belong to the
        skipped trigger, not to the dump."""
        assert self.scanner is not None
        for item in self.scanner:
            if isinstance(item, InsertHead):
                self.scanner.skip_statement_rest()
                continue
            if isinstance(item, Statement) and re.fullmatch(rb"\s*END\s*", item.text, re.I):
                return
        raise self.reject("CREATE TRIGGER body has no END", "syntax", line)

    # -- tables ----------------------------------------------------------------------------

    def _create_table(self, e: exp.Create, item: Statement) -> str:
        """Create raw.<table>; returns the kind to count (another kind when skipped)."""
        schema = e.this
        table = schema.this
        name = table.name
        key = name.lower()
        dialect = self.mode.dialect
        if key == "sqlite_sequence" and dialect == SQLITE:
            return "sqlite_sequence bookkeeping"
        if key in self.tables:
            if e.args.get("exists"):
                return "CREATE TABLE IF NOT EXISTS of a table already created"
            raise self.reject(
                f'CREATE TABLE "{name}" again: the dump already created that table', "CREATE TABLE", item.line
            )
        columns: list[Column] = []
        seen: set[str] = set()
        for cd in schema.expressions:
            if isinstance(cd, exp.Identifier):
                cd = exp.ColumnDef(this=cd.copy())  # a typeless column (SQLite: "CREATE TABLE t(a, b)")
            if not isinstance(cd, exp.ColumnDef):
                continue
            col = column_from_def(cd, dialect, self.domains)
            low = col.name.lower()
            if low in (ROW_INDEX, SOURCE_OFFSET):
                raise self.reject(
                    f'table "{name}" has a column named {col.name!r}, which the loader reserves for the row position',
                    "schema",
                    item.line,
                )
            if low in seen:
                raise self.reject(
                    f'table "{name}" declares column {col.name!r} twice (column '
                    "names are case-insensitive in the warehouse)",
                    "schema",
                    item.line,
                )
            seen.add(low)
            columns.append(col)
        if not columns:
            raise self.reject(f'table "{name}" has no columns', "schema", item.line)
        raw_name = self.prefix + name
        if raw_name.lower() == MANIFEST_TABLE:
            raise self.reject(f"table name {raw_name!r} is reserved for the ingest manifest", "schema", item.line)
        if raw_name.lower().startswith(STAGING_PREFIX):
            raise self.reject(
                f"table name {raw_name!r} starts with {STAGING_PREFIX!r}, which the loader reserves for "
                "its staging tables",
                "schema",
                item.line,
            )
        clash = self.raw_names.get(raw_name.lower())
        if clash is not None:
            raise self.reject(
                f'table "{name}" and "{clash}" would both be raw.{raw_name} (names are case-insensitive)',
                "schema",
                item.line,
            )
        definition = TableDef(name, columns, item.line, item.offset)
        stage_name = f"{STAGING_PREFIX}{len(self.staged):07d}"
        self.staged.append(stage_name)
        self.tables[key] = _Table(definition, raw_name, stage_name, self.role)
        self.raw_names[raw_name.lower()] = raw_name
        self.order.append(key)
        target = f"{RAW_SCHEMA}.{quote_ident(stage_name)}"
        ddl = ", ".join(
            [f"{quote_ident(ROW_INDEX)} BIGINT NOT NULL"]
            + [f"{quote_ident(c.name)} {c.type.duckdb}" for c in columns]
            + [f"{quote_ident(SOURCE_OFFSET)} BIGINT NOT NULL"]
        )
        create = f"CREATE TABLE {target} ({ddl})"
        self.writer.submit(lambda: self.con.execute(create))
        self._touched(stage_name, 0)
        self.data_started = True
        return "CREATE TABLE"

    def _type_def(self, payload: Any, text: str, item: Statement) -> None:
        found = domain_type(payload, text, self.mode.dialect, self.domains)
        if found is None:
            raise self.reject("a CREATE TYPE/DOMAIN the loader cannot read", "schema", item.line)
        name, ctype = found
        self.domains[name.lower()] = ctype

    def _drop_table(self, payload: tuple[list[str], bool], line: int) -> None:
        names, if_exists = payload
        for name in names:
            entry = self.tables.get(name.lower())
            if entry is None:
                if if_exists:
                    continue  # the usual "drop before create"; tables outside the dump are never touched
                raise self.not_allowed(
                    "DROP TABLE", line, what=f'DROP TABLE "{name}" (a table this dump has not created)'
                )
            if entry.rows or (entry.pending and entry.pending.count):
                raise self.not_allowed("DROP TABLE", line, what=f'DROP TABLE "{name}" (the table already holds rows)')
            del self.tables[name.lower()]
            del self.raw_names[entry.raw_name.lower()]
            self.order.remove(name.lower())
            target = f"{RAW_SCHEMA}.{quote_ident(entry.stage_name)}"
            self.writer.submit(lambda t=target: self.con.execute(f"DROP TABLE {t}"))

    def _alter_table(self, payload: tuple[str, list[list[str]], list[str], str]) -> None:
        table, partitions, defaults, text = payload
        entry = self.tables.get(table.lower())
        if entry is None:
            return
        child = _partition_child(text) if partitions else ""
        if child and child.lower() in self.tables:
            self.tables[child.lower()].definition.partition_of = entry.definition.name
            entry.definition.partitions.append(child)
        for col in defaults:
            cols = entry.definition.columns
            for i, c in enumerate(cols):
                if c.name.lower() == col.strip('"`').lower():
                    cols[i] = dataclasses.replace(
                        c,
                        computed_default=True,
                        default_what="whose default (set by ALTER TABLE) the loader does not compute",
                        default_token=None,
                    )

    def _database(self, kind: str, name: str, line: int) -> None:
        if self.data_started:
            raise self.not_allowed(
                kind,
                line,
                hint="; only a leading CREATE/DROP DATABASE, USE or \\connect is skipped (one database per dump)",
            )
        name = (name or "").strip('`"').lower()
        if self.database is not None and name and name != self.database:
            raise self.not_allowed(
                kind, line, what=f"{kind} of a second database ({name})", hint="; one database per dump"
            )
        if name:
            self.database = name

    # -- settings --------------------------------------------------------------------------

    def _set(self, e: exp.Set, item: Statement) -> str | None:
        """Apply the session settings that decide how the dump text is read; returns the kind
        to count when it is not a plain SET."""
        counted = None
        for set_item in e.expressions:
            kind = str(set_item.args.get("kind") or "").upper()
            target = set_item.this
            if kind in ("NAMES", "CHARACTER SET", "CHARSET"):
                self._charset(target.name if target is not None else "", "SET NAMES", item.line)
                continue
            if not isinstance(target, exp.EQ):
                continue
            left, right = target.this, target.expression
            if isinstance(left, exp.SessionParameter) and left.args.get("kind"):
                kind = str(left.args["kind"]).upper()
            if kind in _SERVER_SCOPES:
                # SET GLOBAL / PERSIST changes the server's setting for sessions started later;
                # the session reading this dump keeps its own (MySQL's documented behaviour).
                counted = "SET GLOBAL / SET PERSIST (server-wide; not this session's setting)"
                continue
            if isinstance(left, exp.Parameter):
                var = left.name.lower()
                if isinstance(right, exp.SessionParameter) and right.name.lower() == "sql_mode":
                    self.saved_sql_modes[var] = self.sql_modes
                continue
            name = left.name.lower()
            if name == "sql_mode" and self.mode.dialect == MYSQL:
                self._sql_mode(right, item.line)
            elif name == "standard_conforming_strings" and self.mode.dialect == POSTGRES:
                value = right.sql().strip("'").lower()
                if value not in ("on", "off", "true", "false"):
                    raise self.reject(
                        f"standard_conforming_strings = {right.sql()} is not a value the loader can honour",
                        "SET",
                        item.line,
                    )
                assert self.scanner is not None
                self.scanner.mode = LexMode(
                    self.mode.dialect,
                    self.mode.backslash_escapes,
                    self.mode.double_quoted_strings,
                    value in ("on", "true"),
                )
            elif name in ("client_encoding", "character_set_client", "names"):
                if isinstance(right, (exp.Parameter, exp.SessionParameter)):
                    continue  # restoring a saved value: the one saved was UTF-8 or refused
                self._charset(right.name, f"SET {name}", item.line)
        return counted

    def _charset(self, value: str, kind: str, line: int) -> None:
        if value.strip("'\"").lower() not in _UTF8_NAMES and value.lower() != "default":
            raise self.reject(
                f"{kind} {value}: this loader reads dumps as UTF-8 only (re-export the dump as UTF-8)", kind, line
            )

    def _sql_mode(self, right: exp.Expression, line: int) -> None:
        if isinstance(right, exp.Literal) and right.is_string:
            modes = frozenset(m.strip().upper() for m in right.name.split(",") if m.strip())
        elif isinstance(right, exp.Parameter):
            modes = self.saved_sql_modes.get(right.name.lower(), frozenset())
        elif isinstance(right, exp.SessionParameter):
            return
        else:
            raise self.reject(
                f"sql_mode = {right.sql(dialect='mysql')}: an expression the "
                "loader cannot evaluate, and sql_mode decides how string "
                "literals are read",
                "SET sql_mode",
                line,
            )
        self.sql_modes = modes
        assert self.scanner is not None
        self.scanner.mode = self.mode.with_sql_mode(set(modes))

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

    def _add(
        self,
        entry: _Table,
        mapping: tuple[int | None, ...],
        chunk: RowChunk,
        syntax: str,
        offset: int,
        line: int,
        per_line: bool,
    ) -> None:
        n = len(chunk)
        if not n:
            return
        key = (mapping, syntax, self.mode)
        pending = entry.pending
        if pending is not None and pending.key != key:
            self.flush(entry)
            pending = None
        if pending is None:
            pending = entry.pending = _Pending(key, mapping, syntax, self.mode)
            self.pending_tables[id(entry)] = entry
        pending.statements.append(_Statement(pending.count, offset, chunk.first_line if per_line else line, per_line))
        pending.add(chunk)
        self.pending_rows += n
        if entry.first_offset is None:
            entry.first_offset = offset
        entry.last_offset = offset
        if pending.count >= BATCH_ROWS:
            self.flush(entry)
        elif self.pending_rows >= MAX_PENDING_ROWS:
            # Rows of many tables, none with a full batch: flush them all (a scan for the
            # largest on every INSERT cost time in proportion to the table count).
            self.flush_all()

    def flush_all(self) -> None:
        for entry in list(self.pending_tables.values()):
            self.flush(entry)

    def flush(self, entry: _Table) -> None:
        """Convert the table's pending rows and hand them to the writer thread as one batch."""
        pending = entry.pending
        entry.pending = None
        self.pending_tables.pop(id(entry), None)
        if pending is None or not pending.count:
            return
        n = pending.count
        first_row = entry.rows
        entry.rows += n
        self.total_rows += n
        self.pending_rows -= n
        label = self.label
        self.writer.submit(lambda: self._append(entry.stage_name, self._typed_batch(entry, pending, first_row, label)))
        self._touched(entry.stage_name, n)

    def _touched(self, stage_name: str, rows: int) -> None:
        """Commit and checkpoint the staged work once it spans many tables: DuckDB keeps
        each table's uncommitted (and committed but not checkpointed) rows in memory that
        cannot spill, so one transaction over a dump of thousands of tables ran out. Staging
        tables are invisible to the load's result until :meth:`swap_in`; a failed load drops
        them (see load_dump)."""
        self.uncommitted_tables.add(stage_name)
        self.uncommitted_rows += rows
        if len(self.uncommitted_tables) >= COMMIT_EVERY_TABLES:
            self.uncommitted_tables = set()
            self.uncommitted_rows = 0
            self.writer.submit(lambda: self._commit_staged(checkpoint=True))
        elif self.uncommitted_rows >= COMMIT_EVERY_ROWS:
            self.uncommitted_tables = set()
            self.uncommitted_rows = 0
            self.writer.submit(lambda: self._commit_staged(checkpoint=False))

    def _commit_staged(self, checkpoint: bool) -> None:
        """(writer thread) COMMIT and CHECKPOINT: committed rows stay in memory until a
        checkpoint writes them to the file, and many small tables never fill DuckDB's WAL
        threshold that would trigger one."""
        self.con.execute("COMMIT")
        if checkpoint:
            self.con.execute("CHECKPOINT")
        self.con.execute("BEGIN TRANSACTION")

    def _typed_batch(self, entry: _Table, pending: _Pending, first_row: int, label: str | None) -> pa.Table:
        """One batch as typed Arrow columns: row_index, the table's columns, source_offset."""
        n = pending.count
        width = max((i for i in pending.mapping if i is not None), default=-1) + 1
        columns = pending.column_tokens(width)
        arrays: list[pa.Array] = [pa.array(np.arange(first_row, first_row + n, dtype=np.int64))]
        for j, col in enumerate(entry.definition.columns):
            i = pending.mapping[j]
            if i is None:
                default = entry.defaults.get(j)
                if default is None:
                    arrays.append(pa.nulls(n, type=col.type.arrow))
                else:
                    arrays.append(default.take(pa.array(np.zeros(n, dtype=np.int32))))
                continue
            try:
                arrays.append(convert.convert_column(columns[i], col.type, pending.syntax, pending.mode))
            except convert.ConversionError as exc:
                raise _conversion_error(entry, pending, col, exc, first_row, label) from None
        starts = [s.start for s in pending.statements] + [n]
        counts = np.diff(np.asarray(starts, dtype=np.int64))
        offsets = np.asarray([s.offset for s in pending.statements], dtype=np.int64)
        arrays.append(pa.array(np.repeat(offsets, counts)))
        return pa.Table.from_arrays(arrays, names=[f"c{k}" for k in range(len(arrays))])

    def _append(self, stage_name: str, batch: pa.Table) -> None:
        """Append one typed batch to a staging table (runs in the writer thread; DuckDB
        releases the GIL). Staging names never need quoting inside, so ``insert_into`` takes
        them (it cannot parse an escaped quote in a name).

        Not through ``con.register``: a registered view keeps every batch alive until the
        transaction ends (memory grew with the dump size that way)."""
        self.con.from_arrow(batch).insert_into(f"{RAW_SCHEMA}.{quote_ident(stage_name)}")

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
                "columns": [
                    {
                        "name": c.name,
                        "source_type": c.source_type,
                        "duckdb_type": c.type.duckdb,
                        **({"note": c.type.note} if c.type.note else {}),
                    }
                    for c in d.columns
                ],
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


def _record_manifest(con: duckdb.DuckDBPyConnection, entries: list[ManifestEntry]) -> None:
    """Insert or replace the manifest rows of all tables at once (what ``manifest.record``
    does per row: two statements per table made dumps of thousands of tables slow)."""
    if len(entries) < 4:
        for entry in entries:
            manifest.record(con, entry)
        return
    target = f"{RAW_SCHEMA}.{MANIFEST_TABLE}"
    names = pa.array([e.table_name for e in entries], pa.string())
    moneytrail_manifest_names = pa.table({"table_name": names})  # noqa: F841 - replacement scan
    con.execute(f"DELETE FROM {target} WHERE table_name IN (SELECT table_name FROM moneytrail_manifest_names)")
    rows = pa.table(
        [
            names,
            pa.array([e.dataset_version_id for e in entries], pa.string()),
            pa.array([e.source_path for e in entries], pa.string()),
            pa.array([e.source_format for e in entries], pa.string()),
            pa.array([e.input_sha256 for e in entries], pa.string()),
            pa.array([e.input_bytes for e in entries], pa.int64()),
            pa.array([e.row_count for e in entries], pa.int64()),
            pa.array([json.dumps(e.details, sort_keys=True, separators=(",", ":")) for e in entries], pa.string()),
        ],
        names=[f"c{i}" for i in range(8)],
    )
    con.from_arrow(rows).insert_into(target)


def _conversion_error(
    entry: _Table, pending: _Pending, col: Column, exc: convert.ConversionError, first_row: int, label: str | None
) -> DumpRejected:
    k = exc.index
    starts = [s.start for s in pending.statements]
    st = pending.statements[bisect.bisect_right(starts, k) - 1]
    within = k - st.start
    line = st.line + within if st.per_line else st.line
    where = "" if st.per_line else f", row {within + 1} of the INSERT starting on that line"
    if exc.refused:
        return DumpRejected(
            f"{exc.token.decode('utf-8', 'replace')} in VALUES is not allowed "
            f"in a dump (class c: {REASON_ROWS}{where})",
            kind="expression in VALUES",
            line=line,
            source=label,
        )
    token = exc.token.decode("utf-8", "replace")
    token = token if len(token) <= 80 else token[:77] + "..."
    return DumpRejected(
        f'table "{entry.definition.name}" column "{col.name}" row_index {first_row + k}: '
        f"{exc.reason} (value {token}{where})",
        kind="value",
        line=line,
        source=label,
    )


class _Writer:
    """One background thread that owns the connection during the load.

    Converting a batch and appending it to DuckDB (which releases the GIL) overlaps with
    reading the next statements; the bounded queue keeps at most a few batches in memory.
    Every use of the connection goes through here, so statements still reach DuckDB in dump
    order. The first error stops the thread and is re-raised in the loading thread."""

    def __init__(self, depth: int = 2) -> None:
        self._queue: queue.Queue[Callable[[], None] | None] = queue.Queue(maxsize=depth)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="dump-writer", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while True:
            task = self._queue.get()
            if task is None:
                return
            if self._error is not None:
                continue
            try:
                task()
            except BaseException as exc:  # noqa: BLE001 - handed to the loading thread
                self._error = exc

    def check(self) -> None:
        if self._error is not None:
            raise self._error

    def submit(self, task: Callable[[], None]) -> None:
        self.check()
        self._queue.put(task)

    def finish(self) -> None:
        """Wait for every task; raise the first error."""
        self._queue.put(None)
        self._thread.join()
        self.check()

    def abort(self) -> None:
        self._error = self._error or RuntimeError("load aborted")
        while True:
            try:
                self._queue.get_nowait()
            except queue.Empty:
                break
        self._queue.put(None)
        self._thread.join()


def _object_name(text: str, kind: str) -> str:
    obj = kind.split()[-1]
    m = re.search(
        rf"\b{obj}\s+(?:IF\s+(?:NOT\s+)?EXISTS\s+)?((?:`[^`]+`|\"[^\"]+\"|\[[^\]]+\]|[\w$.]+)+)",
        cl.unwrap_conditional(text),
        re.I,
    )
    return m.group(1) if m else ""


def _partition_child(text: str) -> str:
    m = re.search(r"\bATTACH\s+PARTITION\s+((?:\"[^\"]+\"|[\w$]+)(?:\s*\.\s*(?:\"[^\"]+\"|[\w$]+))?)", text, re.I)
    return re.split(r"\s*\.\s*", m.group(1))[-1].strip('"') if m else ""


# Appending Arrow batches in order is several times faster on one DuckDB thread than on several
# (measured: 1M rows 3.1 s vs 8.4 s on 2 cores), and the writer thread already runs beside the
# reader; batches reach DuckDB through its replacement scan, which must be on.
_LOAD_SETTINGS = {"threads": "1", "python_enable_replacements": "true"}


# DuckDB's buffer pool keeps the blocks a load writes cached up to memory_limit (by default
# 80% of the machine's RAM), which made the process grow ~12-15 bytes per loaded row. Those
# blocks are already in the database file (or, for transaction-local data, can spill to its
# temp directory), so a lower limit during the load bounds memory by the batch, not the dump.
LOAD_MEMORY_LIMIT = 256 << 20
_UNITS = {"": 1, "B": 1, "BYTES": 1, "KB": 10**3, "MB": 10**6, "GB": 10**9, "TB": 10**12}
_UNITS.update({"KIB": 1 << 10, "MIB": 1 << 20, "GIB": 1 << 30, "TIB": 1 << 40})


def _bytes_of(setting: str) -> float | None:
    m = re.fullmatch(r"\s*([0-9.]+)\s*([A-Za-z]*)\s*", setting)
    if m is None or m.group(2).upper() not in _UNITS:
        return None
    return float(m.group(1)) * _UNITS[m.group(2).upper()]


def _file_backed(con: duckdb.DuckDBPyConnection) -> bool:
    row = con.execute("SELECT path FROM duckdb_databases() WHERE database_name = current_database()").fetchone()
    return row is not None and row[0] is not None


def _set_for_load(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Apply _LOAD_SETTINGS (and, for a warehouse file, LOAD_MEMORY_LIMIT when the current
    limit is higher); returns the previous values (restored when the load ends)."""
    saved = {}
    for name, value in _LOAD_SETTINGS.items():
        old = con.execute("SELECT current_setting(?)", [name]).fetchone()[0]
        saved[name] = str(int(old)) if name == "threads" else str(old).lower()
        con.execute(f"SET {name} = {value}")
    if _file_backed(con):
        old = str(con.execute("SELECT current_setting('memory_limit')").fetchone()[0])
        current = _bytes_of(old)
        if current is not None and current > LOAD_MEMORY_LIMIT:
            saved["memory_limit"] = old
            con.execute(f"SET memory_limit = '{LOAD_MEMORY_LIMIT}B'")
    return saved


def _restore(con: duckdb.DuckDBPyConnection, saved: dict[str, str]) -> None:
    for name, value in saved.items():
        if name == "memory_limit":
            # RESET gives back the default exactly; "18.8 GiB" read back would round.
            con.execute("RESET memory_limit")
            if str(con.execute("SELECT current_setting('memory_limit')").fetchone()[0]) != value:
                con.execute(f"SET memory_limit = '{_quote_setting(value)}'")
            continue
        con.execute(f"SET {name} = {value}")


def _quote_setting(value: str) -> str:
    return value.replace("'", "''")


def _rollback(con: duckdb.DuckDBPyConnection) -> None:
    try:
        con.execute("ROLLBACK")
    except duckdb.TransactionException:
        pass  # the failure came between a COMMIT and the next BEGIN: nothing is open


def _drop_staging(con: duckdb.DuckDBPyConnection, names: list[str]) -> None:
    """Drop the staging tables of a failed load (those already committed), in one transaction."""
    if not names:
        return
    existing = _staging_tables(con)
    doomed = [n for n in names if n.lower() in existing]
    if not doomed:
        return
    con.execute("BEGIN TRANSACTION")
    try:
        for name in doomed:
            con.execute(f"DROP TABLE {RAW_SCHEMA}.{quote_ident(name)}")
        con.execute("COMMIT")
    except BaseException:
        _rollback(con)
        raise


def _staging_tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    rows = con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = ? AND starts_with(lower(table_name), ?)",
        [RAW_SCHEMA, STAGING_PREFIX],
    ).fetchall()
    return {r[0].lower() for r in rows}


def _drop_leftover_staging(con: duckdb.DuckDBPyConnection) -> None:
    """Staging tables of a load that a crash left unfinished (inside the new load's transaction)."""
    for name in sorted(_staging_tables(con)):
        con.execute(f"DROP TABLE {RAW_SCHEMA}.{quote_ident(name)}")


def load_dump(
    con: duckdb.DuckDBPyConnection,
    path: Path | str,
    *,
    table_prefix: str = "",
    allow_sqlite_pragma_header: bool = False,
    skip_programmable_objects: bool = False,
    progress: ProgressFn | None = None,
    schema_path: Path | str | None = None,
    dialect: str | None = None,
) -> list[ManifestEntry]:
    """Load every table of a SQL dump (plain or .gz) into ``raw.<table_prefix><table>``.

    All or nothing: one transaction; on any refusal a :class:`DumpRejected` naming the line is
    raised, the transaction is rolled back, and tables of the same names loaded earlier are
    left as they were. ``schema_path`` names a schema-only dump read first (for data-only
    dumps such as Sakila's and Pagila's data files); ``dialect`` ("mysql", "postgres",
    "sqlite", "ansi") overrides detection. Returns one manifest entry per table, in dump order.
    """
    path = Path(path)
    if dialect is not None and dialect not in dialects.DIALECTS:
        raise DumpRejected(
            f"dialect must be one of {', '.join(dialects.DIALECTS)}, not {dialect!r}", kind="option", line=None
        )
    if table_prefix and not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", table_prefix):
        raise DumpRejected(
            f"table_prefix {table_prefix!r} must be letters, digits and underscores", kind="option", line=None
        )
    for p in (path, Path(schema_path) if schema_path is not None else None):
        if p is not None and not p.is_file():
            raise DumpRejected(f"dump file not found: {p}", kind="file", line=None)
    manifest.ensure_raw_schema(con)  # outside the load's transaction: the manifest always exists
    try:
        con.execute("BEGIN TRANSACTION")
    except duckdb.TransactionException:
        raise DumpRejected(
            "the connection is already in a transaction; load_dump runs its own (commit or roll back first)",
            kind="option",
            line=None,
        ) from None
    saved = _set_for_load(con)
    _drop_leftover_staging(con)
    load = _Load(
        con,
        table_prefix=table_prefix,
        allow_sqlite_pragma_header=allow_sqlite_pragma_header,
        skip_programmable_objects=skip_programmable_objects,
        progress=progress,
        dialect=dialect,
    )
    try:
        entries = load.run(path, Path(schema_path) if schema_path is not None else None)
        con.execute("COMMIT")
    except BaseException:
        load.writer.abort()
        manifest.rollback_quietly(con)  # a failed rollback must not hide why the load failed
        _drop_staging(con, load.staged)
        raise
    finally:
        _restore(con, saved)
    for message in load.warnings:
        warnings.warn(message, DumpWarning, stacklevel=2)
    if progress is not None:
        progress(
            LoadProgress(
                path.name, load.bytes_read, entries[0].input_bytes, load.total_rows, time.monotonic() - load.started
            )
        )
    return entries
