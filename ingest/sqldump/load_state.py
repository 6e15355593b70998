"""The loader's per-table state: pending rows of a table, its statements and their rows' lines."""

from __future__ import annotations

import bisect
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa

from ingest.sqldump import convert
from ingest.sqldump.dialects import LexMode
from ingest.sqldump.errors import (
    REASON_ROWS,
    DumpRejected,
)
from ingest.sqldump.scanner import RowChunk
from ingest.sqldump.types import Column, ColumnType, TableDef

if TYPE_CHECKING:
    import duckdb

    from ingest.sqldump.load_db import _Writer
    from ingest.sqldump.scanner import Scanner

SOURCE_FORMAT = "sql_dump"
SOURCE_OFFSET = "source_offset"
# the loader stages rows in raw.<STAGING_PREFIX>NNNNNNN tables (see loader.py)
STAGING_PREFIX = "_moneytrail_loading_"
_SERVER_SCOPES = {"GLOBAL", "PERSIST", "PERSIST_ONLY"}
_UTF8_NAMES = {"utf8", "utf8mb4", "utf8mb3", "utf-8", "unicode", "utf_8"}

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
    parts: list[Any] = field(default_factory=list)  # row lists and _ByColumn token arrays, in order
    count: int = 0
    statements: list[_Statement] = field(default_factory=list)

    def add(self, chunk: RowChunk) -> None:
        last = self.parts[-1] if self.parts else None
        if chunk.tokens is not None:
            ncols = len(chunk.tokens) // chunk.nrows if chunk.nrows else 0
            assert chunk.quoted is not None  # the compiled reader always flags its strings
            statement = (chunk.tokens, chunk.quoted, chunk.nrows)
            if isinstance(last, _ByColumn) and last.ncols == ncols:
                last.statements.append(statement)
            else:
                self.parts.append(_ByColumn([statement], ncols))
        elif isinstance(last, list):
            last.extend(chunk.rows)  # type: ignore[arg-type]
        else:
            self.parts.append(list(chunk.rows))  # type: ignore[arg-type]
        self.count += len(chunk)

    def column_tokens(self, width: int) -> list[tuple[pa.Array, np.ndarray | None]]:
        """The tokens of each statement column across all parts, as binary arrays, each with
        its flags of string literals given without their quotes (None: every token as
        written; a batch that mixes both forms gets every token as written)."""
        pieces: list[list[pa.Array]] = [[] for _ in range(width)]
        flags: list[list[np.ndarray | None]] = [[] for _ in range(width)]
        for part in self.parts:
            if isinstance(part, _ByColumn):
                for tokens, quoted, nrows in part.statements:
                    for i in range(width):
                        pieces[i].append(tokens.slice(i * nrows, nrows))
                        flags[i].append(quoted[i * nrows : (i + 1) * nrows])
            else:
                columns = list(zip(*part, strict=False))
                for i in range(width):
                    pieces[i].append(pa.array(columns[i], type=pa.binary()))
                    flags[i].append(None)
        return [_joined(p, f) for p, f in zip(pieces, flags, strict=True)]


def _joined(pieces: list[pa.Array], flags: list[np.ndarray | None]) -> tuple[pa.Array, np.ndarray | None]:
    if all(f is None for f in flags):
        return (pieces[0] if len(pieces) == 1 else pa.concat_arrays(pieces)), None
    if any(f is None for f in flags):
        pairs = zip(pieces, flags, strict=True)
        written = [p if f is None or not f.any() else convert.as_written(p, f) for p, f in pairs]
        return pa.concat_arrays(written), None
    quoted = flags[0] if len(flags) == 1 else np.concatenate(flags)  # type: ignore[arg-type]
    return (pieces[0] if len(pieces) == 1 else pa.concat_arrays(pieces)), np.ascontiguousarray(quoted)


@dataclass
class _ByColumn:
    """Rows from the compiled reader: per INSERT, its tokens column by column, their string
    flags and its row count."""

    statements: list[tuple[pa.Array, np.ndarray, int]]
    ncols: int


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


class _LoadAttrs:
    """What the loader's method groups (load_tables, load_rows, loader) share: the attributes
    _Load.__init__ sets and the _Load methods the groups call, declared for the type checker."""

    con: duckdb.DuckDBPyConnection
    prefix: str
    writer: _Writer
    tables: dict[str, _Table]
    raw_names: dict[str, str]
    staged: list[str]
    order: list[str]
    domains: dict[str, ColumnType]
    counts: dict[str, dict[str, Counter[str]]]
    warnings: list[str]
    dialect_of: dict[str, str]
    role: str
    scanner: Scanner | None
    label: str | None
    database: str | None
    data_started: bool
    saved_sql_modes: dict[str, frozenset[str]]
    sql_modes: frozenset[str]
    file_triggers: list[tuple[str, set[str], int, str]]

    @property
    def mode(self) -> LexMode:
        raise NotImplementedError

    def reject(self, message: str, kind: str, line: int | None) -> DumpRejected:
        raise NotImplementedError

    def not_allowed(
        self, kind: str, line: int, reason: str = REASON_ROWS, hint: str = "", what: str | None = None
    ) -> DumpRejected:
        raise NotImplementedError

    def count(self, cls: str, kind: str) -> None:
        raise NotImplementedError

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
        raise NotImplementedError
