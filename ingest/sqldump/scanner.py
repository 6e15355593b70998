"""Split the dump stream into statements without ever holding the whole file.

The scanner walks a byte buffer that is refilled chunk by chunk. Between statements it skips
whitespace and comments; then it yields one item per statement:

- :class:`InsertHead` for ``INSERT INTO name [(columns)] VALUES`` -- the rows are then pulled
  with :meth:`Scanner.read_values`, which streams them in chunks, so one INSERT of any size
  (a giant single line included) needs memory for one chunk only;
- :class:`Statement` for any other statement, its text complete (at most 64 MiB);
- :class:`MetaCommand` for a psql backslash line, :class:`DelimiterCommand` for the MySQL
  client's ``DELIMITER``, :class:`GoLine` for a T-SQL ``GO``.

After a ``COPY ... FROM stdin`` statement the caller pulls the data block with
:meth:`Scanner.read_copy`. Statement boundaries are found by a quote-, escape- and
comment-aware regex per lexical mode, so a ``;`` inside a string or comment never ends one.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pyarrow as pa

from ingest.sqldump import fastrows, literals
from ingest.sqldump.dialects import MYSQL, POSTGRES, LexMode
from ingest.sqldump.errors import DumpRejected
from ingest.sqldump.source import DumpSource

MAX_STATEMENT_BYTES = 64 << 20
ROWS_PER_YIELD = 20_000
FAST_MIN_BYTES = 16 << 10  # VALUES lists at least this long go to the compiled reader (fastrows)
_MARGIN = 8  # bytes of lookahead a token decision may need (e.g. "--" + space)


@dataclass(frozen=True)
class Statement:
    text: bytes
    offset: int  # byte offset of the statement's first byte in the decompressed stream
    line: int


@dataclass(frozen=True)
class InsertHead:
    head: bytes  # "INSERT INTO ... VALUES"
    offset: int
    line: int


@dataclass(frozen=True)
class MetaCommand:
    text: bytes  # the backslash line, without the newline
    offset: int
    line: int


@dataclass(frozen=True)
class DelimiterCommand:
    delimiter: bytes
    offset: int
    line: int


@dataclass(frozen=True)
class GoLine:
    offset: int
    line: int


Item = Statement | InsertHead | MetaCommand | DelimiterCommand | GoLine


@dataclass
class RowChunk:
    """Rows read from one INSERT or COPY, in order; ``first_line`` is the line of the first.

    Either ``rows`` (one sequence of raw tokens per row) or ``tokens`` (one Arrow binary array
    of the tokens column by column, ``nrows`` rows, from the compiled reader; string literals
    without their quotes, flagged in ``quoted``) is set."""

    rows: list[tuple[bytes, ...]] | list[list[bytes]] | None
    first_line: int
    tokens: pa.Array | None = None
    nrows: int = 0
    quoted: np.ndarray | None = None

    def __len__(self) -> int:
        if self.tokens is not None:
            return self.nrows
        return len(self.rows or ())


_IDENT_ALTS = {
    "backtick": rb"`(?:[^`]|``)++`",
    "double": rb'"(?:[^"]|"")++"',
    "bracket": rb"\[[^\]]++\]",
    "bare": rb"[A-Za-z_\x80-\xff][A-Za-z0-9_$\x80-\xff]*+",
}


@lru_cache(maxsize=32)
def _insert_head_re(mode: LexMode) -> re.Pattern[bytes]:
    kinds = ["backtick", "bare"]
    if not (mode.dialect == MYSQL and mode.double_quoted_strings):
        kinds.insert(0, "double")
    if mode.dialect not in (MYSQL, POSTGRES):
        kinds.insert(0, "bracket")
    ident = rb"(?:" + rb"|".join(_IDENT_ALTS[k] for k in kinds) + rb")"
    name = ident + rb"(?:\s*+\.\s*+" + ident + rb"){0,2}"
    cols = rb"\(\s*+" + ident + rb"(?:\s*+,\s*+" + ident + rb")*+\s*+\)\s*+"
    return re.compile(rb"(?i:INSERT)\s++(?i:INTO)\s++" + name + rb"\s*+(?:" + cols + rb")?(?i:VALUES)\s*+(?=\()")


@lru_cache(maxsize=64)
def _body_re(mode: LexMode, delimiter: bytes) -> re.Pattern[bytes]:
    """Everything up to (not including) the delimiter, strings and comments as opaque units.

    It stops early at an unclosed opener (quote, comment, dollar quote) so the caller can
    read more or report the unterminated construct; that needs every opener excluded from
    the single-character fallbacks."""
    first = re.escape(delimiter[:1])
    not_delim = rb"(?!" + re.escape(delimiter) + rb")" + first
    if mode.dialect == MYSQL:
        esc = mode.backslash_escapes
        sq = rb"'(?:[^'\\]++|\\[\s\S])*+'" if esc else rb"'[^']*+'"
        dq = rb'"(?:[^"\\]++|\\[\s\S])*+"' if esc and mode.double_quoted_strings else rb'"[^"]*+"'
        run = rb"[^'\"`/#\-" + first + rb"]++"
        alts = [
            run,
            sq,
            dq,
            rb"`[^`]*+`",
            rb"/\*(?:[^*]++|\*(?!/))*+\*/",
            rb"--(?=[ \t\r\n])[^\n]*+",
            rb"\#[^\n]*+",
            rb"-(?!-[ \t\r\n])",
            rb"/(?!\*)",
            not_delim,
        ]
    elif mode.dialect == POSTGRES:
        esc_sq = rb"'(?:[^'\\]++|\\[\s\S])*+'"
        sq = rb"'[^']*+'" if mode.standard_strings else esc_sq
        tag = rb"(?:[A-Za-z_\x80-\xff][A-Za-z0-9_\x80-\xff]*+)?"
        run = rb"[^'\"$/\-\\Ee" + first + rb"]++"
        alts = [
            run,
            sq,
            rb"(?<![A-Za-z0-9_$\x80-\xff])[Ee]" + esc_sq,
            rb"[Ee]",
            rb'"[^"]*+"',
            rb"\$(" + tag + rb")\$[\s\S]*?\$\1\$",
            rb"\$(?!" + tag + rb"\$)",
            rb"/\*(?:[^*/]++|\*(?!/)|/(?!\*))*+\*/",
            rb"--[^\n]*+",
            rb"-(?!-)",
            rb"/(?!\*)",
            not_delim,
        ]
    else:
        run = rb"[^'\"`\[/\-" + first + rb"]++"
        alts = [
            run,
            rb"'[^']*+'",
            rb'"[^"]*+"',
            rb"`[^`]*+`",
            rb"\[[^\]]*+\]",
            rb"/\*(?:[^*]++|\*(?!/))*+\*/",
            rb"--[^\n]*+",
            rb"-(?!-)",
            rb"/(?!\*)",
            not_delim,
        ]
    guard = b"" if delimiter == b";" else rb"(?!" + re.escape(delimiter) + rb")"
    return re.compile(rb"(?:" + guard + rb"(?:" + rb"|".join(alts) + rb"))*+")


_DELIMITER_RE = re.compile(rb"(?i:DELIMITER)[ \t]++(\S++)[ \t]*+\r?(?:\n|$)")
_LINE_END = re.compile(rb"[ \t]*+\r?\n")
_GO_RE = re.compile(rb"(?i:GO)[ \t]*+\r?(?:\n|$)")
_OPENER_NAMES = {
    ord("'"): "string literal",
    ord('"'): "quoted identifier or string",
    ord("`"): "quoted identifier",
    ord("["): "bracketed identifier",
    ord("$"): "dollar-quoted string",
    ord("/"): "/* comment",
}


class Scanner:
    """Statement iterator over a :class:`DumpSource` (see the module docstring)."""

    def __init__(self, source: DumpSource, mode: LexMode) -> None:
        self.source = source
        self.mode = mode
        self.delimiter = b";"
        self.buf = b""
        self.pos = 0
        self.base = 0  # stream offset of buf[0]
        self.eof = False
        self._line_pos = 0  # buffer index at which self._line is the current line number
        self._line = 1
        self._dropped_last = b"\n"  # the byte before buf[0]; the file start counts as a newline
        self._window = 1 << 16  # bytes the compiled reader looks at for one INSERT
        self._fast_misses = 0  # INSERTs in a row the compiled reader handed back

    # -- buffer ----------------------------------------------------------------------------

    def _fill(self) -> bool:
        """Append one chunk, dropping what was consumed; False at the end of the stream."""
        if self.eof:
            return False
        self._sync_line(self.pos)
        keep = self.pos
        data = self.source.read_chunk()
        if keep:
            self._dropped_last = self.buf[keep - 1 : keep]
            self.buf = self.buf[keep:]
            self.base += keep
            self.pos -= keep
            self._line_pos -= keep
        if not data:
            self.eof = True
            return False
        self.buf = self.buf + data if self.buf else data
        return True

    def _ensure(self, n: int) -> None:
        """Make ``n`` bytes after pos available if the stream has them."""
        while len(self.buf) - self.pos < n and self._fill():
            pass

    def _sync_line(self, index: int) -> None:
        if index > self._line_pos:
            self._line += self.buf.count(b"\n", self._line_pos, index)
            self._line_pos = index
        elif index < self._line_pos:
            self._line -= self.buf.count(b"\n", index, self._line_pos)
            self._line_pos = index

    def line_at(self, index: int) -> int:
        """1-based line of buffer index ``index`` (not before the last synced point)."""
        self._sync_line(index)
        return self._line

    def offset_at(self, index: int) -> int:
        return self.base + index

    def peek_head(self, nbytes: int) -> bytes:
        """The first ``nbytes`` of the stream, for dialect detection (call before scanning)."""
        self._ensure(nbytes)
        return self.buf[:nbytes]

    def error(self, index: int, message: str, kind: str = "syntax") -> DumpRejected:
        return DumpRejected(message, kind=kind, line=self.line_at(index), source=self.source.label)

    # -- between statements ----------------------------------------------------------------

    def _skip_blanks(self) -> None:
        mysql = self.mode.dialect == MYSQL
        while True:
            self._ensure(_MARGIN)
            buf = self.buf
            self.pos = literals._WS.match(buf, self.pos).end()  # type: ignore[union-attr]  # matches anywhere
            if self.pos >= len(buf):
                if self._fill():
                    continue
                return
            self._ensure(_MARGIN)
            buf = self.buf
            head = buf[self.pos : self.pos + 3]
            if head.startswith(b"--") and (not mysql or len(head) < 3 or head[2:3] in b" \t\r\n"):
                self._skip_to_newline()
            elif mysql and head.startswith(b"#"):
                self._skip_to_newline()
            elif (
                head.startswith(b"/*")
                and not (mysql and head[2:3] == b"!")
                and not (mysql and buf.startswith(b"/*M!", self.pos))
            ):
                self._skip_comment()
            else:
                return

    def _skip_to_newline(self) -> None:
        while True:
            nl = self.buf.find(b"\n", self.pos)
            if nl >= 0:
                self.pos = nl + 1
                return
            self.pos = len(self.buf)
            if not self._fill():
                return

    def _skip_comment(self) -> None:
        start_line = self.line_at(self.pos)
        while True:
            try:
                self.pos = literals.skip_block_comment(self.buf, self.pos, len(self.buf), self.mode, self.eof)
                return
            except literals.NeedMore:
                # Comments can be long: keep the read window bounded by refilling in place.
                if not self._fill():
                    raise DumpRejected(
                        "unterminated /* comment (the file ends inside it)",
                        kind="syntax",
                        line=start_line,
                        source=self.source.label,
                    ) from None
            except literals.Problem:
                raise DumpRejected(
                    "unterminated /* comment (the file ends inside it)",
                    kind="syntax",
                    line=start_line,
                    source=self.source.label,
                ) from None

    # -- statements ------------------------------------------------------------------------

    def __iter__(self) -> Iterator[Item]:
        return self

    def __next__(self) -> Item:
        item = self.next_item()
        if item is None:
            raise StopIteration
        return item

    def next_item(self) -> Item | None:
        self._skip_blanks()
        if self.pos >= len(self.buf) and self.eof:
            return None
        self._ensure(1 << 16)
        buf, pos = self.buf, self.pos
        offset, line = self.offset_at(pos), self.line_at(pos)
        first = buf[pos : pos + 1]
        at_line_start = self._at_line_start(pos)
        if self.mode.dialect == MYSQL and buf.startswith(b"/*M!", pos):
            # MariaDB's sandbox marker is a client command closed by "*/" alone, no ";".
            end = buf.find(b"*/", pos)
            if end < 0:
                raise self.error(pos, "unterminated /*M! comment")
            self.pos = end + 2
            return Statement(buf[pos : end + 2], offset, line)
        if first == b"\\":
            end = buf.find(b"\n", pos)
            end = len(buf) if end < 0 else end
            self.pos = min(end + 1, len(buf))
            return MetaCommand(buf[pos:end].rstrip(b"\r"), offset, line)
        if at_line_start and self.mode.dialect == MYSQL:
            m = _DELIMITER_RE.match(buf, pos)
            if m is not None:
                self.pos = m.end()
                self.delimiter = m.group(1)
                return DelimiterCommand(m.group(1), offset, line)
        if at_line_start and _GO_RE.match(buf, pos):
            return GoLine(offset, line)
        if self.delimiter == b";":
            m = _insert_head_re(self.mode).match(buf, pos)
            if m is not None:
                self.pos = m.end()
                return InsertHead(buf[pos : m.end()], offset, line)
        text = self._statement_text()
        return Statement(text, offset, line)

    def _at_line_start(self, pos: int) -> bool:
        """Only spaces or tabs between the previous newline and ``pos``."""
        i = pos
        while i > 0 and self.buf[i - 1] in (32, 9):
            i -= 1
        if i > 0:
            return self.buf[i - 1] == 10
        return self._dropped_last == b"\n"

    def _statement_text(self) -> bytes:
        """Text of the statement at pos, without its delimiter; pos moves past the delimiter."""
        start = self.pos
        resume = start
        delim = self.delimiter
        while True:
            body = _body_re(self.mode, delim)
            end = body.match(self.buf, resume).end()  # type: ignore[union-attr]  # the body pattern matches anywhere
            buf = self.buf
            near_end = end > len(buf) - _MARGIN and not self.eof
            if not near_end and buf.startswith(delim, end):
                self.pos = end + len(delim)
                return buf[start:end]
            if not near_end and end < len(buf) and self.mode.dialect == POSTGRES and buf.startswith(b"/*", end):
                try:
                    resume = literals.skip_block_comment(buf, end, len(buf), self.mode, self.eof)
                    continue
                except (literals.NeedMore, literals.Problem):
                    pass
            if not near_end and end < len(buf) and buf[end : end + 1] == b"\\":
                raise self.error(end, "a psql meta-command inside a statement", "syntax")
            if end - start > MAX_STATEMENT_BYTES:
                raise self.error(
                    start,
                    f"a statement longer than {MAX_STATEMENT_BYTES >> 20} MiB "
                    "(only INSERT ... VALUES and COPY data may be that long)",
                )
            if self.eof:
                raise self._unterminated(start, end)
            # Restart from the statement start: statements here are small, and a restart
            # never misreads a construct that a chunk boundary had cut in two.
            rel = self.pos - start
            self._fill()
            start = self.pos - rel
            resume = start

    def _unterminated(self, start: int, end: int) -> DumpRejected:
        buf = self.buf
        if end >= len(buf) or not buf[end:].strip():
            return self.error(
                start, f"statement cut off by the end of the file (no terminating {self.delimiter.decode()!r})"
            )
        what = _OPENER_NAMES.get(buf[end], "construct")
        return self.error(end, f"unterminated {what} (the file ends inside it)")

    def skip_statement_rest(self) -> None:
        """Move past the rest of the current statement (its rows are not wanted)."""
        self._statement_text()

    # -- INSERT rows -----------------------------------------------------------------------

    # long: the dump reader's per-INSERT loop (fast path, row-by-row fallback, refill) kept whole for speed
    def read_values(self, ncols: int) -> Iterator[RowChunk]:
        """Rows of the INSERT whose head was just returned, in chunks; pos ends after ``;``.

        Errors raise :class:`literals.Problem` with the buffer index, via :meth:`problem`."""
        # Vectorising pays off for extended INSERTs; short ones (no ");" in sight) are cheaper
        # row by row, and the row-by-row reader names the exact line of a bad row.
        self._ensure(FAST_MIN_BYTES)
        long_insert = self.buf.find(b");", self.pos, self.pos + FAST_MIN_BYTES) < 0
        if self.delimiter == b";" and ncols > 0 and long_insert and self._fast_misses < 8:
            fast = self._fast_values(ncols)
            if fast is not None:
                self._fast_misses = 0
                yield fast
                return
            self._fast_misses += 1
        rows: list[tuple[bytes, ...]] = []
        spaced_first = False
        chunk_line = first_line = self.line_at(self.pos)
        chunk_start = self.pos
        while True:
            pats = literals.row_patterns(ncols, self.mode)
            first, second = pats.canonical.match, pats.spaced.match
            if spaced_first:
                first, second = second, first
            buf = self.buf
            pos = self.pos
            append = rows.append
            done = False
            while True:
                m = first(buf, pos)
                if m is None:
                    m = second(buf, pos)
                    if m is None:
                        break
                    # Dumps keep one layout; try the one that matched first next time.
                    first, second = second, first
                    spaced_first = not spaced_first
                append(m.groups())
                pos = m.end()
                if buf[pos - 1] == 59:  # b";"
                    done = True
                    break
            self.pos = pos
            if done:
                yield RowChunk(rows, chunk_line)
                return
            try:
                read = literals.read_row(buf, pos, ncols, self.mode, at_eof=self.eof)
            except literals.NeedMore:
                if len(rows) >= ROWS_PER_YIELD or (self.pos - chunk_start) > (8 << 20):
                    yield RowChunk(rows, chunk_line)
                    rows = []
                    chunk_line = self.line_at(self.pos)
                self._fill()
                chunk_start = self.pos
                continue
            append(read.tokens + (read.terminator,))
            self.pos = read.end
            if read.terminator != b",":
                if read.terminator == b"":
                    raise DumpRejected(
                        "INSERT statement cut off by the end of the file (no terminating ';')",
                        kind="syntax",
                        line=first_line,
                        source=self.source.label,
                    )
                yield RowChunk(rows, chunk_line)
                return
            if len(rows) >= ROWS_PER_YIELD:
                yield RowChunk(rows, chunk_line)
                rows = []
                chunk_line = self.line_at(self.pos)

    def _fast_values(self, ncols: int) -> RowChunk | None:
        """The whole VALUES list read by :mod:`fastrows`, or None to read it row by row."""
        window = self._window
        while True:
            self._ensure(window)
            got = fastrows.read(self.buf, self.pos, ncols, self.mode, window)
            if got is fastrows.MORE:
                if len(self.buf) - self.pos < window or window >= fastrows.MAX_WINDOW:
                    return None  # the end of the file, or a giant statement: stream it
                window *= 4
                continue
            if got is None:
                return None
            assert isinstance(got, fastrows.ArrowRows)
            line = self.line_at(self.pos)
            self._window = max(1 << 16, 2 * (got.end - self.pos))
            self.pos = got.end
            return RowChunk(None, line, got.tokens, got.nrows, got.quoted)

    # -- COPY data -------------------------------------------------------------------------

    def read_copy(self, ncols: int, context: str, statement_line: int) -> Iterator[RowChunk]:
        """Data lines after ``COPY ... FROM stdin;`` up to the ``\\.`` line, split on tabs."""
        # The data starts on the line after the statement.
        self._ensure(_MARGIN)
        rest = _LINE_END.match(self.buf, self.pos)
        if rest is None:
            raise self.error(self.pos, "COPY ... FROM stdin must end its line (data follows on the next line)")
        self.pos = rest.end()
        start_line = statement_line
        while True:
            buf = self.buf
            last_nl = buf.rfind(b"\n", self.pos)
            if last_nl < 0:
                if self.eof and buf[self.pos :] == b"\\.":
                    self.pos = len(buf)
                    return
                if not self._fill():
                    raise DumpRejected(
                        f"{context}: the COPY data block is not terminated by a \\. line",
                        kind="syntax",
                        line=start_line,
                        source=self.source.label,
                    )
                continue
            lines = buf[self.pos : last_nl].split(b"\n")
            first_line = self.line_at(self.pos)
            try:
                k = lines.index(b"\\.")
            except ValueError:
                k = -1
            rows_lines = lines if k < 0 else lines[:k]
            if rows_lines:
                has_cr = buf.find(b"\r", self.pos, last_nl) >= 0
                yield RowChunk(self._split_copy(rows_lines, ncols, first_line, context, has_cr), first_line)
            if k >= 0:
                consumed = sum(len(x) + 1 for x in lines[: k + 1])
                self.pos += consumed
                return
            self.pos = last_nl + 1
            if not self._fill() and self.pos >= len(self.buf):
                raise DumpRejected(
                    f"{context}: the COPY data block is not terminated by a \\. line",
                    kind="syntax",
                    line=start_line,
                    source=self.source.label,
                )

    def _split_copy(
        self, lines: list[bytes], ncols: int, first_line: int, context: str, has_cr: bool
    ) -> list[list[bytes]]:
        fields = [ln.split(b"\t") for ln in lines]
        widths = set(map(len, fields))
        if widths != {ncols}:
            for i, f in enumerate(fields):
                if len(f) != ncols:
                    raise DumpRejected(
                        f"{context}: a COPY data line with {len(f)} field"
                        f"{'' if len(f) == 1 else 's'}, expected {ncols}",
                        kind="value count",
                        line=first_line + i,
                        source=self.source.label,
                    )
        for i, ln in enumerate(lines if has_cr else ()):
            if ln.endswith(b"\r"):
                raise DumpRejected(
                    f"{context}: a carriage return ends a COPY data line (CRLF line endings "
                    "are not part of pg_dump's text format)",
                    kind="syntax",
                    line=first_line + i,
                    source=self.source.label,
                )
        return fields
