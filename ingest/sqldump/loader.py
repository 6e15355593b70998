"""load_dump: a SQL dump file -> raw.<table> for every table of the dump, in one transaction.

The loader drives the scanner, asks the classifier about every statement, applies the
stateful parts of the policy (database prologue, DROP of a table with rows, the sqlite3 header
PRAGMA, triggers skipped before more rows of their table), converts rows batch by batch and
appends them as Arrow tables. Any refusal rolls the transaction back, so a table of the same
name loaded earlier stays as it was and no manifest row is written.
"""

from __future__ import annotations

import re
import sys
import time
import warnings
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
from sqlglot import exp

from ingest import manifest
from ingest.manifest import RAW_SCHEMA, ManifestEntry
from ingest.sqldump import classify as cl
from ingest.sqldump import convert, dialects
from ingest.sqldump.dialects import MYSQL, POSTGRES, TSQL, LexMode
from ingest.sqldump.errors import (
    REASON_OUTSIDE,
    REASON_ROWS,
    REASON_UNKNOWN,
    DumpRejected,
    DumpWarning,
    statement_not_allowed,
)
from ingest.sqldump.load_db import (
    StagedMemory,
    _begin,
    _drop_leftover_staging,
    _drop_staging,
    _object_name,
    _record_manifest,
    _restore,
    _set_for_load,
    _Writer,
    first_refusal,
)
from ingest.sqldump.load_rows import _RowStatements
from ingest.sqldump.load_state import (
    SOURCE_FORMAT,
    SOURCE_OFFSET,
    STAGING_PREFIX,
    _conversion_error,
    _Pending,
    _Statement,
    _Table,
)
from ingest.sqldump.load_tables import _TableStatements
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
from ingest.sqldump.types import ColumnType
from ingest.sqlquote import quote_ident

__all__ = ["SOURCE_FORMAT", "SOURCE_OFFSET", "STAGING_PREFIX", "LoadProgress", "load_dump", "stderr_progress"]

# Rows are loaded into raw.<STAGING_PREFIX>NNNNNNN tables, committed every COMMIT_EVERY_ROWS
# rows (a single transaction grew ~10 bytes per row beyond DuckDB's memory limit), committed
# and checkpointed when the tables touched since the last checkpoint hold too much memory
# (load_db.StagedMemory: each keeps its rows in memory that cannot spill until then; a
# checkpoint costs time in proportion to all tables), and renamed to their raw.<table> names in
# one short final transaction. A failed load drops them; a load left unfinished by a crash has
# its leftovers dropped by the next load. DuckDB writes full row groups to the file as they
# fill; LOAD_MEMORY_LIMIT caps its cache.
COMMIT_EVERY_ROWS = 1_000_000
BATCH_ROWS = 122_880  # one DuckDB row group per insert
MAX_PENDING_ROWS = 4 * BATCH_ROWS
PROGRESS_EVERY_BYTES = 4 << 20  # the callback is cheap; the CLI's bar redraws at most 4 times a second
DETECT_BYTES = 256 << 10


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
# The load


class _Load(_TableStatements, _RowStatements):
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
        self.staged_memory = StagedMemory(con)
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

    # -- batches ---------------------------------------------------------------------------

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
        stage = entry.stage_name
        self.writer.submit_batch(
            lambda: self._typed_batch(entry, pending, first_row, label), lambda batch: self._append(stage, batch)
        )
        self._touched(n)

    def _touched(self, rows: int) -> None:
        """Commit the staged work every COMMIT_EVERY_ROWS rows (checkpoints for memory are the
        writer's, before an append: :meth:`_append`). Staging tables are invisible to the load's result until
        :meth:`swap_in`; a failed load drops them (see load_dump)."""
        self.uncommitted_rows += rows
        if self.uncommitted_rows >= COMMIT_EVERY_ROWS:
            self.uncommitted_rows = 0
            self.writer.submit(lambda: self._commit_staged(checkpoint=False))

    def _commit_staged(self, checkpoint: bool) -> None:
        """(writer thread) COMMIT and CHECKPOINT: committed rows stay in memory until a
        checkpoint writes them to the file, and many small tables never fill DuckDB's WAL
        threshold that would trigger one."""
        self.con.execute("COMMIT")
        if checkpoint:
            try:
                self.con.execute("CHECKPOINT")
                self.staged_memory.checkpointed(self.con)
            except duckdb.TransactionException:
                pass  # another connection is writing: the rows stay in memory until a later one
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
                tokens, quoted = columns[i]
                arrays.append(convert.convert_column(tokens, col.type, pending.syntax, pending.mode, quoted))
            except convert.ConversionError as exc:
                raise _conversion_error(entry, pending, col, exc, first_row, label) from None
        starts = np.asarray([s.start for s in pending.statements] + [n], dtype=np.int64)
        counts = starts[1:] - starts[:-1]
        offsets = np.asarray([s.offset for s in pending.statements], dtype=np.int64)
        arrays.append(pa.array(np.repeat(offsets, counts)))
        return pa.Table.from_arrays(arrays, names=[f"c{k}" for k in range(len(arrays))])

    def _append(self, stage_name: str, batch: pa.Table) -> None:
        """Append one typed batch to a staging table (runs in the writer thread; DuckDB
        releases the GIL). Staging names never need quoting inside, so ``insert_into`` takes
        them (it cannot parse an escaped quote in a name).

        Not through ``con.register``: a registered view keeps every batch alive until the
        transaction ends (memory grew with the dump size that way)."""
        if self.staged_memory.over(self.con, batch.num_columns):
            self._commit_staged(checkpoint=True)
        self.con.from_arrow(batch).insert_into(f"{RAW_SCHEMA}.{quote_ident(stage_name)}")


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
    _check_arguments(path, schema_path, table_prefix, dialect)
    manifest.ensure_raw_schema(con)  # outside the load's transaction: the manifest always exists
    _begin(con)
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
    except BaseException as exc:
        first = first_refusal(exc, load.flush_all, load.writer)
        load.writer.abort()
        manifest.rollback_quietly(con)  # a failed rollback must not hide why the load failed
        _drop_staging(con, load.staged)
        if first is not exc:
            raise first from None
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


def _check_arguments(path: Path, schema_path: Path | str | None, table_prefix: str, dialect: str | None) -> None:
    """Refuse a dialect, table prefix or missing file before anything is touched."""
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
