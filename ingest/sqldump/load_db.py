"""The loader's use of DuckDB: the writer thread, load settings, staging tables, manifest rows."""

from __future__ import annotations

import json
import queue
import re
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import duckdb
import pyarrow as pa

from ingest import manifest
from ingest.manifest import MANIFEST_TABLE, RAW_SCHEMA, ManifestEntry
from ingest.sqldump import classify as cl
from ingest.sqldump.errors import DumpRejected
from ingest.sqldump.load_state import STAGING_PREFIX
from ingest.sqlquote import quote_ident


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


class _Writer:
    """One background thread that owns the connection during the load.

    Converting a batch and appending it to DuckDB (which releases the GIL) overlaps with
    reading the next statements; the bounded queue keeps at most a few batches in memory.
    Every use of the connection goes through here, so statements still reach DuckDB in dump
    order. The first error stops the thread and is re-raised in the loading thread."""

    def __init__(self, depth: int = 2) -> None:
        self._queue: queue.Queue[Callable[[], object] | None] = queue.Queue(maxsize=depth)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="dump-writer", daemon=True)
        self._thread.start()
        # Batches are typed on a thread of their own, in order, while the writer appends the
        # previous one: with the reader that keeps both cores busy (typing is numpy and
        # Arrow work that mostly releases the GIL). The writer's bounded queue bounds it too:
        # each queued append holds the one batch it waits for.
        self._typer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="dump-typer")

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

    def submit(self, task: Callable[[], object]) -> None:
        self.check()
        self._queue.put(task)

    def submit_batch(self, make: Callable[[], pa.Table], append: Callable[[pa.Table], object]) -> None:
        """Type a batch on the typing thread, then append it on the writer thread, in order."""
        self.check()
        typed = self._typer.submit(make)
        self._queue.put(lambda: append(typed.result()))

    def finish(self) -> None:
        """Wait for every task; raise the first error."""
        self.drain()
        self.check()

    def drain(self) -> BaseException | None:
        """Run every queued task (the thread stops at its first error); that error, if any."""
        self._queue.put(None)
        self._thread.join()
        self._typer.shutdown(wait=True)
        return self._error

    def abort(self) -> None:
        self._error = self._error or RuntimeError("load aborted")
        while True:
            try:
                self._queue.get_nowait()
            except queue.Empty:
                break
        self._queue.put(None)
        self._thread.join()
        self._typer.shutdown(wait=True, cancel_futures=True)


def _begin(con: duckdb.DuckDBPyConnection) -> None:
    try:
        con.execute("BEGIN TRANSACTION")
    except duckdb.TransactionException:
        raise DumpRejected(
            "the connection is already in a transaction; load_dump runs its own (commit or roll back first)",
            kind="option",
            line=None,
        ) from None


def first_refusal(exc: BaseException, flush_all: Callable[[], None], writer: _Writer) -> BaseException:
    """What to report when a load failed with ``exc``. A refusal by the reading thread comes
    later in the dump than any bad value in the rows it had already read, so those rows are
    typed first (``flush_all`` hands the pending ones over, the writer finishes the queued
    ones) and the typing thread's refusal, if any, is reported instead."""
    if not isinstance(exc, DumpRejected):
        return exc
    try:
        flush_all()
    except DumpRejected as refused:
        return refused
    except Exception:  # noqa: BLE001 - state after a failed read; report the read's error
        return exc
    typing_error = writer.drain()
    return typing_error if isinstance(typing_error, DumpRejected) else exc


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


# DuckDB keeps the rows of every table touched since the last checkpoint in memory that cannot
# spill, and a tiny table costs as much as a row group's worth: about 10 KiB per INTEGER and
# 34 KiB per VARCHAR column (DuckDB 1.4, measured), whatever its row count. A fixed number of
# tables per checkpoint ran a dump of wide tables out of the load's memory (900 tables of 60
# columns failed at 256 MiB), so the writer asks DuckDB what it holds, as often as the columns
# appended since it last asked could fill an eighth of the memory limit, and checkpoints when
# that passes three eighths of it.
_COLUMN_BYTES = 40 << 10  # a column's worst case, for how often to ask
_IN_MEMORY_TABLES = "SELECT coalesce(sum(memory_usage_bytes), 0) FROM duckdb_memory() WHERE tag = 'IN_MEMORY_TABLE'"


class StagedMemory:
    """When a load into a warehouse file must checkpoint to free the memory of the tables it
    touched (an in-memory database keeps them anyway). Built on the loading thread before any
    writer task runs; :meth:`over` and :meth:`checkpointed` run on the writer thread. Memory held
    apart from the load (temporary tables, another attached database) is measured at the start
    and after each checkpoint, and not counted."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        limit = None
        if _file_backed(con):  # a limit DuckDB shows in a form not read here counts as the load's cap
            limit = _bytes_of(str(_one(con, "SELECT current_setting('memory_limit')"))) or LOAD_MEMORY_LIMIT
        self.budget = 3 * limit / 8 if limit else None
        self.ask_every = max(1, int(limit / 8 / _COLUMN_BYTES)) if limit else 0
        self.columns = 0
        self.baseline = _one(con, _IN_MEMORY_TABLES) if limit else 0

    def over(self, con: duckdb.DuckDBPyConnection, columns: int) -> bool:
        """Before appending a batch of ``columns`` columns: whether to checkpoint first. While
        it is appended the batch needs about twice what its table then keeps."""
        if self.budget is None:
            return False
        self.columns += columns
        if self.columns < self.ask_every:
            return False
        self.columns = 0
        held = _one(con, _IN_MEMORY_TABLES) - self.baseline
        return bool(held + 2 * columns * _COLUMN_BYTES >= self.budget)

    def checkpointed(self, con: duckdb.DuckDBPyConnection) -> None:
        if self.budget is not None:
            self.baseline = _one(con, _IN_MEMORY_TABLES)


def _one(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None) -> Any:
    """The single value a one-row query returns."""
    row = con.execute(sql, params).fetchone()
    assert row is not None, sql
    return row[0]


def _set_for_load(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Apply _LOAD_SETTINGS (and, for a warehouse file, LOAD_MEMORY_LIMIT when the current
    limit is higher); returns the previous values (restored when the load ends)."""
    saved = {}
    for name, value in _LOAD_SETTINGS.items():
        old = _one(con, "SELECT current_setting(?)", [name])
        saved[name] = str(int(old)) if name == "threads" else str(old).lower()
        con.execute(f"SET {name} = {value}")
    if _file_backed(con):
        old = str(_one(con, "SELECT current_setting('memory_limit')"))
        current = _bytes_of(old)
        if current is not None and current > LOAD_MEMORY_LIMIT:
            saved["memory_limit"] = old
            con.execute(f"SET memory_limit = '{LOAD_MEMORY_LIMIT}B'")
    return saved


def _restore(con: duckdb.DuckDBPyConnection, saved: dict[str, str]) -> None:
    for name, value in saved.items():
        if name == "memory_limit":
            _restore_memory_limit(con, value)
            continue
        con.execute(f"SET {name} = {value}")


def _restore_memory_limit(con: duckdb.DuckDBPyConnection, shown: str) -> None:
    """Give back the limit DuckDB showed as `shown` before the load. The text is rounded ("3.7
    GiB"), so it is set again only when neither the limit the warehouse connection was opened
    with ($MONEYTRAIL_MEMORY_LIMIT, exact) nor DuckDB's default (RESET) shows the same."""
    from ingest.warehouse import memory_limit

    for statement in (f"SET memory_limit = '{_quote_setting(memory_limit())}'", "RESET memory_limit"):
        try:
            con.execute(statement)
        except (duckdb.ParserException, duckdb.InvalidInputException):
            continue  # not a size DuckDB reads: connect() names it; try the next
        if str(_one(con, "SELECT current_setting('memory_limit')")) == shown:
            return
    con.execute(f"SET memory_limit = '{_quote_setting(shown)}'")


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
