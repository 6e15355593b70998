"""Load CSV/TSV (any single-character delimiter) into ``raw.<table>``, streaming and atomically.

Every value lands as VARCHAR exactly as written in the file: typing belongs to the staging
models, where a value that does not parse becomes a counted reject instead of a silent coercion.
An empty field is loaded as the empty string, not NULL, for the same reason.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import hashlib
import re
import sys
import time
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, cast

import duckdb
import pyarrow as pa

from ingest import manifest
from ingest.errors import IngestError
from ingest.manifest import RAW_SCHEMA, ROW_INDEX, ManifestEntry
from ingest.sqlquote import quote_ident
from ingest.tabular_hints import (
    _delimiter_advice,
    _likely_delimiter,
    _ragged_hint,
    _show_delimiter,
    show_name,
)
from ingest.tabular_lines import chunk_lines

if TYPE_CHECKING:
    import _csv

BATCH_ROWS = 100_000
PROGRESS_EVERY_ROWS = 100_000  # the callback is cheap; the CLI's bar redraws at most 4 times a second
EMPTY_LAST_COLUMN = ("refuse", "drop")

csv.field_size_limit(1 << 30)


# the options that name columns when a file has no header line (the CLI shows their flags)
NAME_OPTIONS = ("header_file", "columns")


class TabularError(IngestError):
    """Input that cannot be loaded faithfully. The message names the file and line."""


@dataclass(frozen=True)
class TabularOptions:
    delimiter: str = ","
    quote: str | None = '"'  # None: quoting off (FEC bulk files use bare '"' inside values)
    encoding: str = "utf-8"
    header: bool = True  # first line holds the column names
    header_file: Path | None = None  # column names from another file (first line)
    columns: tuple[str, ...] | None = None  # column names given explicitly
    skip_lines: int = 0  # physical lines before the header (or the first row) that are not data
    empty_last_column: str = "refuse"  # drop: the header ends with the delimiter (MA OCPF)

    def __post_init__(self) -> None:
        if not isinstance(self.header, bool):
            raise TabularError(f"header must be true or false, got {self.header!r}")
        if isinstance(self.skip_lines, bool) or not isinstance(self.skip_lines, int) or self.skip_lines < 0:
            raise TabularError(f"skip_lines must be an integer >= 0, got {self.skip_lines!r}")
        if self.empty_last_column not in EMPTY_LAST_COLUMN:
            raise TabularError(
                f"empty_last_column must be one of {', '.join(EMPTY_LAST_COLUMN)}, got {self.empty_last_column!r}"
            )
        if not isinstance(self.delimiter, str) or len(self.delimiter) != 1:
            raise TabularError(f"delimiter must be one character, got {self.delimiter!r}")
        if self.quote is not None and (not isinstance(self.quote, str) or len(self.quote) != 1):
            raise TabularError(f"quote must be one character or none, got {self.quote!r}")
        sources = [self.header_file is not None, self.columns is not None]
        if sum(sources) > 1:
            raise TabularError("give column names once: header_file or columns, not both", options=NAME_OPTIONS)
        if self.header and any(sources):
            raise TabularError(
                "the file has a header line; header_file and columns need header: false",
                options=("header", *NAME_OPTIONS),
            )
        if not self.header and not any(sources):
            raise TabularError(
                "no column names: the file has no header line, so give header_file or columns", options=NAME_OPTIONS
            )
        if self.columns is not None and (
            isinstance(cast(object, self.columns), str) or not all(isinstance(c, str) for c in self.columns)
        ):
            raise TabularError(f"columns must be a list of names, got {self.columns!r}")
        try:
            info = codecs.lookup(self.encoding)
        except (LookupError, TypeError):
            raise TabularError(f"unknown encoding {self.encoding!r}") from None
        if info.name.startswith(("utf-16", "utf-32")):
            raise TabularError(f"encoding {self.encoding!r} is not line-compatible; re-encode the file as UTF-8")


def _physical_lines(
    path: Path,
    encoding: str,
    hasher: hashlib._Hash,
    counter: list[int],
    skip: int = 0,
    skipped: list[int] | None = None,
) -> Iterator[str]:
    """Decoded lines, each decoded alone so a bad byte is reported with its line number.

    The first `skip` lines are hashed but neither decoded nor yielded (`skipped` counts them).
    The hash and byte count are of the file as stored (for .gz: the compressed bytes), so the
    dataset_version_id matches `sha256sum` of the file the user has."""
    strip_bom = codecs.lookup(encoding).name == "utf-8"
    with open(path, "rb") as stored:
        fh = (
            gzip.GzipFile(fileobj=_HashingReader(stored, hasher, counter))  # type: ignore[call-overload]
            if path.name.endswith(".gz")
            else None
        )
        lines = _gzip_checked(fh, path) if fh is not None else _hashed_lines(stored, hasher, counter)
        for number, raw in enumerate(lines, start=1):
            if number <= skip:
                if skipped is not None:
                    skipped[0] = number
                continue
            try:
                text = raw.decode(encoding)
            except UnicodeDecodeError as exc:
                raise TabularError(
                    f"{path.name} line {number}: bytes {raw[exc.start : exc.end]!r} at column "
                    f"{exc.start + 1} are not valid {encoding}; nothing was loaded"
                ) from None
            if number == 1 and strip_bom and text.startswith("\ufeff"):
                text = text[1:]
            yield text


def _gzip_checked(fh: gzip.GzipFile, path: Path) -> Iterator[bytes]:
    """The lines of a gzip stream; a file that is not gzip or is cut short is a TabularError."""
    number = 0
    try:
        for number, raw in enumerate(fh, start=1):  # noqa: B007 - number is read after the loop
            yield raw
    except (gzip.BadGzipFile, EOFError, zlib.error) as exc:
        raise TabularError(f"{path.name} line {number + 1}: broken gzip stream ({exc}); nothing was loaded") from None


class _HashingReader:
    """File wrapper that hashes and counts the compressed bytes as gzip reads them."""

    def __init__(self, raw: BinaryIO, hasher: hashlib._Hash, counter: list[int]) -> None:
        self._raw, self._hasher, self._counter = raw, hasher, counter

    def read(self, size: int = -1) -> bytes:
        data = self._raw.read(size)
        self._hasher.update(data)
        self._counter[0] += len(data)
        return data


def _hashed_lines(fh: BinaryIO, hasher: hashlib._Hash, counter: list[int]) -> Iterator[bytes]:
    for raw in fh:
        hasher.update(raw)
        counter[0] += len(raw)
        yield raw


def _reader(lines: Iterator[str], options: TabularOptions) -> _csv.Reader:
    if options.quote is None:
        return csv.reader(lines, delimiter=options.delimiter, quoting=csv.QUOTE_NONE, strict=True)
    return csv.reader(lines, delimiter=options.delimiter, quotechar=options.quote, doublequote=True, strict=True)


def _check_columns(columns: Sequence[str], where: str, options: tuple[str, ...] = ()) -> list[str]:
    names = list(columns)
    if not names:
        raise TabularError(f"{where}: no column names", options=options)
    seen: dict[str, int] = {}
    for position, name in enumerate(names, start=1):
        if name.strip() == "":
            raise TabularError(f"{where}: column {position} has an empty name", options=options)
        if "\x00" in name:
            raise TabularError(f"{where}: column {position} name {name!r} holds a NUL character", options=options)
        if name.lower() == ROW_INDEX:
            raise TabularError(
                f"{where}: column {position} is named {name!r}, which the loader reserves for "
                "the input row position; rename it in the header",
                options=options,
            )
        key = name.lower()
        if key in seen:
            raise TabularError(
                f"{where}: column name {name!r} appears twice (columns {seen[key]} and {position})", options=options
            )
        seen[key] = position
    return names


def _header_from_file(header_file: Path, options: TabularOptions) -> list[str]:
    if not header_file.is_file():
        raise TabularError(f"header file not found: {header_file.name}")
    try:
        with open(header_file, encoding=options.encoding, newline="") as fh:
            first = fh.readline()
    except UnicodeDecodeError as exc:
        raise TabularError(f"header file {header_file.name}: not valid {options.encoding} ({exc.reason})") from None
    fields: list[str] = next(_reader(iter([first]), options), [])
    # Header files are sometimes written comma-separated for a pipe-delimited body.
    if len(fields) == 1 and options.delimiter not in first and "," in first:
        fields = next(csv.reader([first]))
    where = f"header file {header_file.name}"
    return _check_columns(_drop_empty_last_name([f.strip() for f in fields], options, where), where)


TABLE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,62}")


def validate_table_name(table: object) -> str:
    """A raw table name: ASCII letters, digits, underscores, not starting with a digit, at most 63
    characters, not the manifest's name in any case. Returns it; raises TabularError."""
    if not isinstance(table, str):
        raise TabularError(f"table name {table!r} must be text")
    if not TABLE_NAME.fullmatch(table):
        raise TabularError(
            f"table name {table!r} must be 1 to 63 ASCII letters, digits and underscores, not starting with a digit"
        )
    if table.lower() == manifest.MANIFEST_TABLE:
        raise TabularError(f"table name {table!r} is reserved for the ingest manifest")
    return table


ProgressFn = Callable[[int, int, float], None]


def stderr_progress(rows: int, nbytes: int, elapsed: float) -> None:
    rate = rows / elapsed if elapsed > 0 else 0.0
    print(
        f"  ... {rows:,} rows, {nbytes / 1e6:,.1f} MB read, {rate:,.0f} rows/s",
        file=sys.stderr,
        flush=True,
    )


def load_tabular(
    con: duckdb.DuckDBPyConnection,
    path: Path | str,
    table: str,
    options: TabularOptions | None = None,
    progress: ProgressFn | None = stderr_progress,
) -> ManifestEntry:
    """Load one delimited file into ``raw.<table>`` in one transaction; replace any earlier load.

    Fails closed: a ragged row, broken quoting or undecodable bytes raise TabularError naming
    the line, and the warehouse keeps exactly what it held before.
    """
    options = options if options is not None else TabularOptions()
    path = Path(path)
    _check_inputs(path, table, options)
    manifest.ensure_raw_schema(con)
    manifest.check_table_name_free(con, table)

    hasher = hashlib.sha256()
    byte_counter = [0]
    skip = options.skip_lines
    skipped = [0]
    lines = _physical_lines(path, options.encoding, hasher, byte_counter, skip, skipped)
    reader = _reader(lines, options)
    columns = _columns(reader, path, options, skipped)

    schema = pa.schema([pa.field(ROW_INDEX, pa.int64())] + [pa.field(c, pa.string()) for c in columns])
    target = f"{RAW_SCHEMA}.{quote_ident(table)}"
    column_ddl = ", ".join(f"{quote_ident(c)} varchar" for c in columns)

    con.execute("begin transaction")
    try:
        con.execute(f"drop table if exists {target}")
        con.execute(f"create table {target} ({quote_ident(ROW_INDEX)} bigint not null, {column_ddl})")
        rows = None
        if _chunked(options):
            counted: list[int] = [0]
            chunk_hasher = hashlib.sha256()
            rows = _stream_unquoted(con, path, options, len(columns), schema, target, chunk_hasher, counted, progress)
            if rows is None:
                # a line the chunked reader leaves to the csv module (a carriage return or NUL
                # byte inside it, or a line that does not fit, whose error and hint the line
                # reader gives): start again row by row
                con.execute(f"delete from {target}")
            else:
                hasher, byte_counter = chunk_hasher, counted
        if rows is None:
            rows = _stream_rows(con, path, reader, columns, options, schema, target, byte_counter, progress)
        entry = _manifest_entry(table, path, hasher.hexdigest(), byte_counter[0], rows, _load_details(options, columns))
        manifest.record(con, entry)
        con.execute("commit")
    except BaseException:
        manifest.rollback_quietly(con)  # a failed rollback must not hide why the load failed
        raise
    return entry


def _check_inputs(path: Path, table: str, options: TabularOptions) -> None:
    validate_table_name(table)
    if not path.is_file():
        raise TabularError(f"input file not found: {path.name}")
    if options.header_file is not None and not options.header_file.is_file():
        raise TabularError(f"header file not found: {options.header_file.name}")


def _chunked(options: TabularOptions) -> bool:
    """Unquoted files without a header line (the FEC bulk files) are split in whole chunks
    instead of line by line through the csv module (about 10x less CPU per row). Options that
    reshape lines (skip_lines, empty_last_column: drop) keep the line reader."""
    return (
        options.quote is None
        and not options.header
        and options.skip_lines == 0
        and options.empty_last_column == "refuse"
        and codecs.lookup(options.encoding).name != "utf-8-sig"
    )


def _columns(reader: Iterator[list[str]], path: Path, options: TabularOptions, skipped: list[int]) -> list[str]:
    """The column names: the file's header line, the header file's, or the columns option."""
    skip = options.skip_lines
    where = f"{path.name} line {skip + 1} (header)"
    if options.header:
        try:
            header = next(reader)
        except StopIteration:
            if skip:
                raise TabularError(
                    f"{path.name}: no header line after the {skip} skipped line(s) (skip_lines: {skip}; "
                    f"the file has {skipped[0]} line(s))"
                ) from None
            raise TabularError(f"{path.name}: the file is empty (no header line)") from None
        except csv.Error as exc:
            raise TabularError(f"{path.name} line {skip + 1}: {exc}; nothing was loaded") from None
        except OSError as exc:
            raise TabularError(f"{path.name}: cannot be read ({exc}); nothing was loaded") from None
        names = _drop_empty_last_name(header, options, where)
        columns = _check_columns(names, where)
        _refuse_one_column_of_many(columns, options, where)
    elif options.header_file is not None:
        columns = _header_from_file(options.header_file, options)
    else:
        columns = _check_columns(options.columns or (), "columns", ("columns",))
    return columns


def _manifest_entry(
    table: str, path: Path, sha256: str, nbytes: int, rows: int, details: dict[str, Any]
) -> ManifestEntry:
    # the same bytes read with other options are other rows: the id covers the options
    return ManifestEntry(
        table_name=table,
        dataset_version_id=manifest.dataset_version_id(sha256, table, load_options=details),
        source_path=manifest.display_path(path),
        source_format="csv",
        input_sha256=sha256,
        input_bytes=nbytes,
        row_count=rows,
        details=details,
    )


def _load_details(options: TabularOptions, columns: list[str]) -> dict[str, Any]:
    """The load options recorded in the manifest (and covered by the dataset version id)."""
    skip = options.skip_lines
    details: dict[str, Any] = {
        "delimiter": options.delimiter,
        "quote": options.quote,
        "encoding": options.encoding,
        "header": "file" if options.header else ("header_file" if options.header_file else "columns"),
        "columns": columns,
    }
    # only when set: the ids of loads without these options stay as they were
    if skip:
        details["skip_lines"] = skip
    if options.empty_last_column != "refuse":
        details["empty_last_column"] = options.empty_last_column
    return details


# long: the per-row loop of the CSV line reader; a call per row costs time on every row
def _stream_rows(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    reader: _csv.Reader,
    columns: Sequence[str],
    options: TabularOptions,
    schema: pa.Schema,
    target: str,
    byte_counter: list[int],
    progress: ProgressFn | None,
) -> int:
    width = len(columns)
    drop_last = options.empty_last_column == "drop"
    file_width = width + 1 if drop_last else width  # the dropped column is still in every row
    offset = options.skip_lines  # reader.line_num counts the lines after the skipped ones
    filled_last = 0  # rows whose dropped last field holds a value
    first_filled = 0
    buffers: list[list[str]] = [[] for _ in range(width)]
    start_index = 0
    row_index = 0
    started = time.monotonic()
    next_progress = PROGRESS_EVERY_ROWS
    first_line = reader.line_num + 1 + offset
    while True:
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise TabularError(f"{path.name} line {first_line}: {exc}; nothing was loaded") from None
        except (gzip.BadGzipFile, EOFError, zlib.error) as exc:
            raise TabularError(
                f"{path.name} line {first_line}: broken gzip stream ({exc}); nothing was loaded"
            ) from None
        if len(record) != file_width:
            if not record and reader.line_num + offset == first_line:
                raise TabularError(f"{path.name} line {first_line}: empty line inside the data; nothing was loaded")
            hint = _ragged_hint(record, file_width, options)
            raise TabularError(
                f"{path.name} line {first_line}: expected {file_width} fields, found {len(record)}; "
                f"nothing was loaded ({hint})",
                options=tuple(o for o in ("delimiter", "empty_last_column") if f"{o}:" in hint),
            )
        if drop_last:
            if record.pop() != "":
                filled_last += 1
                first_filled = first_filled or first_line
        for buffer, value in zip(buffers, record, strict=False):
            buffer.append(value)
        row_index += 1
        first_line = reader.line_num + 1 + offset
        if row_index - start_index >= BATCH_ROWS:
            _flush(con, buffers, start_index, row_index, schema, target)
            start_index = row_index
        if progress is not None and row_index >= next_progress:
            progress(row_index, byte_counter[0], time.monotonic() - started)
            next_progress += PROGRESS_EVERY_ROWS
    if filled_last:
        raise TabularError(
            f"{path.name}: empty_last_column: drop, but the last column (empty name in the header) holds a "
            f"value in {filled_last:,} of {row_index:,} rows (first at line {first_filled}); nothing was loaded "
            "(its values need a column name: name it in the header, or give the names with columns:)"
        )
    if row_index > start_index:
        _flush(con, buffers, start_index, row_index, schema, target)
    return row_index


def _drop_empty_last_name(header: Sequence[str], options: TabularOptions, where: str) -> list[str]:
    """The column names without a trailing empty name. With empty_last_column: drop the rows
    carry one extra, always empty last field (a trailing delimiter); a header that ends with the
    delimiter too loses its empty last name. With refuse an empty last name is explained."""
    names = list(header)
    last_empty = len(names) > 1 and names[-1].strip() == ""
    if options.empty_last_column == "drop":
        return names[:-1] if last_empty else names
    if last_empty:
        raise TabularError(
            f"{where}: column {len(names)} has an empty name (the line ends with the delimiter "
            f"{_show_delimiter(options.delimiter)}); if every row ends with it too and that last field is "
            "always empty, drop it with empty_last_column: drop",
            options=("empty_last_column",),
        )
    return names


def _refuse_one_column_of_many(columns: Sequence[str], options: TabularOptions, where: str) -> None:
    """A header read as one column that holds another common delimiter: the delimiter is wrong."""
    if len(columns) != 1:
        return
    likely = _likely_delimiter(columns[0], options)
    if likely is None:
        return
    char, count = likely
    raise TabularError(
        f"{where}: one column named {show_name(columns[0])} with delimiter {_show_delimiter(options.delimiter)}, "
        f"but the name holds {_show_delimiter(char)} {count} time(s): is the file {_show_delimiter(char)}-delimited? "
        f"({_delimiter_advice(char)}); nothing was loaded",
        options=("delimiter",),
    )


CHUNK_BYTES = 8 << 20


def _stored_chunks(path: Path, hasher: hashlib._Hash, counter: list[int]) -> Iterator[bytes]:
    """Decompressed chunks of whole lines (the last may lack its newline); the hash and byte
    count are of the stored bytes, as for the line reader."""
    with open(path, "rb") as stored:
        raw = _HashingReader(stored, hasher, counter)
        fh: BinaryIO = gzip.GzipFile(fileobj=raw) if path.name.endswith(".gz") else raw  # type: ignore[call-overload, assignment]
        carry = b""
        lines_before = 0
        while True:
            try:
                data = fh.read(CHUNK_BYTES)
            except (gzip.BadGzipFile, EOFError, zlib.error) as exc:
                line = lines_before + carry.count(b"\n") + 1
                raise TabularError(f"{path.name} line {line}: broken gzip stream ({exc}); nothing was loaded") from None
            if not data:
                if carry:
                    yield carry
                return
            data = carry + data
            cut = data.rfind(b"\n") + 1
            carry = data[cut:]
            if cut:
                lines_before += data.count(b"\n", 0, cut)
                yield data[:cut]


def _stream_unquoted(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    options: TabularOptions,
    width: int,
    schema: pa.Schema,
    target: str,
    hasher: hashlib._Hash,
    counter: list[int],
    progress: ProgressFn | None,
) -> int | None:
    """Rows of an unquoted file split chunk by chunk with Arrow; the same rows, line numbers
    and errors as the csv reader gives. None when a chunk holds a carriage return or a NUL
    byte (the csv module's own rules for those apply: the caller reads the file row by row)."""
    import numpy as np
    import pyarrow.compute as pc

    row_index = 0
    started = time.monotonic()
    next_progress = PROGRESS_EVERY_ROWS
    utf8 = codecs.lookup(options.encoding).name == "utf-8"
    for chunk in _stored_chunks(path, hasher, counter):
        arr = chunk_lines(chunk, utf8, row_index == 0, path, row_index, options.encoding)
        if arr is None:
            return None
        parts = pc.split_pattern(arr, options.delimiter)
        lengths = pc.list_value_length(parts).to_numpy()
        bad = np.flatnonzero((lengths != width) | (pc.equal(arr, "").to_numpy(zero_copy_only=False)))
        if bad.size:
            return None  # the line reader names the line and why it does not fit
        n = len(arr)
        flat = pc.list_flatten(parts)
        arrays = [pa.array(np.arange(row_index, row_index + n, dtype=np.int64))]
        arrays += [flat.take(pa.array(np.arange(j, n * width, width))) for j in range(width)]
        batch = pa.Table.from_arrays(arrays, schema=schema)  # noqa: F841 - read by DuckDB below
        con.execute(f"insert into {target} select * from batch")
        row_index += n
        if progress is not None and row_index >= next_progress:
            progress(row_index, counter[0], time.monotonic() - started)
            next_progress = row_index + PROGRESS_EVERY_ROWS
    return row_index


def _flush(
    con: duckdb.DuckDBPyConnection,
    buffers: list[list[str]],
    start_index: int,
    end_index: int,
    schema: pa.Schema,
    target: str,
) -> None:
    arrays = [pa.array(range(start_index, end_index), type=pa.int64())]
    arrays += [pa.array(buffer, type=pa.string()) for buffer in buffers]
    batch = pa.Table.from_arrays(arrays, schema=schema)  # noqa: F841 - read by DuckDB below
    con.execute(f"insert into {target} select * from batch")
    for buffer in buffers:
        buffer.clear()
