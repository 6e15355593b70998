"""Reading literal values: INSERT ... VALUES rows and COPY text-format fields.

Three readers produce the same *raw tokens* (the bytes of one literal as written, quotes and
escapes intact, e.g. ``'O\\'Brien'``, ``N'Rock'``, ``-12.50``, ``NULL``, ``0x1F``):

- long INSERTs go to :mod:`ingest.sqldump.fastrows`, which splits a whole VALUES list with
  array operations;
- the row reader here is one compiled regex per (column count, lexical mode) matching a whole
  row at a time, anchored where the previous row ended, so the per-value work happens inside
  the regex engine and Python touches each row once;
- the precise reader walks one row byte by byte. It runs only where the others stop
  (comments or MySQL conditional comments inside VALUES, an introducer like ``_binary``,
  sqlite3's ``replace('a\\nb','\\n',char(10))`` newline form, a row cut by the end of the read
  buffer, or an error), and it is the one that explains errors.

Neither decides what a token means: :mod:`ingest.sqldump.convert` turns tokens into typed
values, strictly. Both refuse anything that is not a literal (function calls, casts,
subqueries, identifiers, placeholders, expressions), so nothing from the file is evaluated;
the precise reader turns sqlite3's newline form (exact shapes only) into the plain literal
whose value it computes itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from ingest.sqldump.dialects import MYSQL, POSTGRES, SQLITE, LexMode
from ingest.sqldump.errors import REASON_OUTSIDE, REASON_ROWS
from ingest.sqldump.unescape import (  # re-exported: the unescaping lived here
    unescape_copy,
    unescape_mysql,
    unescape_mysql_many,
    unescape_pg_escape_string,
)

__all__ = [
    "NeedMore",
    "Problem",
    "RowPatterns",
    "RowRead",
    "dollar_tag",
    "read_row",
    "row_patterns",
    "skip_block_comment",
    "string_end",
    "unescape_copy",
    "unescape_mysql",
    "unescape_mysql_many",
    "unescape_pg_escape_string",
]

# ---------------------------------------------------------------------------------------------
# Fast reader


def _value_alternatives(mode: LexMode) -> list[bytes]:
    esc = rb"'[^'\\]*+(?:(?:\\[\s\S]|'')[^'\\]*+)*+'"
    std = rb"'[^']*+(?:''[^']*+)*+'"
    alts: list[bytes] = []
    if mode.dialect == MYSQL:
        body = esc if mode.backslash_escapes else std
        alts.append(rb"(?:[Nn]|_[A-Za-z0-9]++)?" + body)
        if mode.double_quoted_strings:
            dq = rb'"[^"\\]*+(?:(?:\\[\s\S]|"")[^"\\]*+)*+"' if mode.backslash_escapes else rb'"[^"]*+(?:""[^"]*+)*+"'
            alts.append(dq)
    elif mode.dialect == POSTGRES:
        alts.append(rb"[Nn]?" + (std if mode.standard_strings else esc))
        alts.append(rb"[Ee]" + esc)
    else:
        alts.append(rb"[Nn]?" + std)
    alts.append(rb"[XxBb]'[^']*+'")
    alts.append(rb"0[xX][0-9A-Fa-f]++|0[bB][01]++")
    # Anything else (a function name, an expression, a column name) fails here and goes to the
    # precise reader, which names it; convert.py still checks each number strictly.
    alts.append(rb"[-+]?+(?:[0-9]++(?:\.[0-9]*+)?+|\.[0-9]++)(?:[eE][-+]?+[0-9]++)?+")
    alts.append(rb"(?i:NULL|TRUE|FALSE)")
    return alts


@dataclass(frozen=True)
class RowPatterns:
    canonical: re.Pattern[bytes]  # mysqldump style: (v,v,v),(v,v,v);
    spaced: re.Pattern[bytes]  # whitespace (not comments) allowed between tokens
    ncols: int


@lru_cache(maxsize=256)
def row_patterns(ncols: int, mode: LexMode) -> RowPatterns:
    """Patterns matching one complete row and the ``,`` or ``;`` after it (last group)."""
    value = rb"(" + rb"|".join(_value_alternatives(mode)) + rb")"
    canonical = rb"\(" + rb",".join([value] * ncols) + rb"\)([,;])"
    spaced = rb"\s*+\(\s*+" + rb"\s*+,\s*+".join([value] * ncols) + rb"\s*+\)\s*+([,;])"
    return RowPatterns(re.compile(canonical), re.compile(spaced), ncols)


# ---------------------------------------------------------------------------------------------
# Precise reader


class NeedMore(Exception):
    """The row continues past the end of the bytes read so far."""


@dataclass
class Problem(Exception):
    """A row that cannot be read; ``offset`` indexes the buffer that was being read.

    ``refused`` is set for class (c) constructs (a function call, a cast...), with the reason
    of the refusal; otherwise the problem is malformed SQL."""

    offset: int
    message: str
    kind: str = "syntax"
    refused: str | None = None

    def __str__(self) -> str:
        return self.message


@dataclass
class RowRead:
    tokens: tuple[bytes, ...]
    terminator: bytes  # b"," another row follows, b";" statement ends, b"" end of text
    end: int  # buffer index just after the terminator


_WS = re.compile(rb"[ \t\r\n\f\v]*+")
_WORD = re.compile(rb"[A-Za-z_\x80-\xff][A-Za-z0-9_$\x80-\xff]*+")
_NUMBER = re.compile(rb"(?:\d++(?:\.\d*+)?|\.\d++)(?:[eE][-+]?\d++)?")
_HEXNUM = re.compile(rb"0[xX][0-9A-Fa-f]++|0[bB][01]++")
_HEXSTR = re.compile(rb"[XxBb]'[^']*+'")
_COND_OPEN = re.compile(rb"/\*!\d{0,6}")
_DOLLAR_TAG = re.compile(rb"\$(?:[A-Za-z_\x80-\xff][A-Za-z0-9_\x80-\xff]*+)?\$")
_SUBQUERY_WORDS = {b"SELECT", b"WITH", b"VALUES", b"TABLE"}
_FILE_FUNCTIONS = {
    b"LOAD_FILE",
    b"PG_READ_FILE",
    b"PG_READ_BINARY_FILE",
    b"LO_IMPORT",
    b"READFILE",
    b"LOAD_EXTENSION",
    b"SYS_EXEC",
    b"READ_CSV",
    b"READ_TEXT",
    b"READ_BLOB",
}


class _Cursor:
    """Position in a buffer plus the open MySQL conditional comments around it."""

    __slots__ = ("buf", "pos", "limit", "at_eof", "mode", "cond_depth")

    def __init__(self, buf: bytes, pos: int, limit: int, at_eof: bool, mode: LexMode) -> None:
        self.buf, self.pos, self.limit, self.at_eof, self.mode = buf, pos, limit, at_eof, mode
        self.cond_depth = 0

    def more(self, at: int) -> None:
        """The text ends at ``at``: ask for more bytes, or fail when there are none."""
        if not self.at_eof:
            raise NeedMore()
        raise Problem(at, "statement cut off by the end of the file (unterminated statement)")

    def peek(self, n: int = 1) -> bytes:
        end = self.pos + n
        if end > self.limit and not self.at_eof:
            raise NeedMore()
        return self.buf[self.pos : min(end, self.limit)]

    def skip_space(self) -> None:
        """Skip whitespace and comments; MySQL conditional comments are code, so only their
        markers are skipped."""
        buf, mysql = self.buf, self.mode.dialect == MYSQL
        while True:
            self.pos = _WS.match(buf, self.pos, self.limit).end()  # type: ignore[union-attr]  # _WS matches anywhere
            if self.pos >= self.limit:
                if not self.at_eof:
                    raise NeedMore()
                return
            two = self.peek(3)
            dash_comment = two.startswith(b"--") and (not mysql or len(two) < 3 or two[2:3] in b" \t\r\n")
            if dash_comment or (mysql and two.startswith(b"#")):
                nl = buf.find(b"\n", self.pos, self.limit)
                if nl < 0:
                    self.more(self.limit)
                    self.pos = self.limit
                    return
                self.pos = nl + 1
            elif mysql and two.startswith(b"/*!"):
                m = _COND_OPEN.match(buf, self.pos, self.limit)
                assert m is not None
                self.pos = m.end()
                self.cond_depth += 1
            elif two.startswith(b"*/") and self.cond_depth:
                self.pos += 2
                self.cond_depth -= 1
            elif two.startswith(b"/*"):
                self.pos = skip_block_comment(buf, self.pos, self.limit, self.mode, self.at_eof)
            else:
                return


def skip_block_comment(buf: bytes, pos: int, limit: int, mode: LexMode, at_eof: bool) -> int:
    """Index after the block comment starting at ``pos``; Postgres comments nest."""
    if mode.dialect != POSTGRES:
        end = buf.find(b"*/", pos + 2, limit)
        if end < 0:
            if not at_eof:
                raise NeedMore()
            raise Problem(pos, "unterminated /* comment")
        return end + 2
    depth, i = 0, pos
    while True:
        opener = buf.find(b"/*", i, limit)
        closer = buf.find(b"*/", i, limit)
        if closer < 0:
            if not at_eof:
                raise NeedMore()
            raise Problem(pos, "unterminated /* comment")
        if 0 <= opener < closer:
            depth += 1
            i = opener + 2
        else:
            depth -= 1
            i = closer + 2
            if depth == 0:
                return i


def string_end(buf: bytes, pos: int, limit: int, quote: int, escapes: bool, at_eof: bool = True) -> int:
    """Index after the quoted literal whose opening quote is at ``pos``, or -1 when it is not
    closed before ``limit`` (or, short of the end of file, cannot yet be told closed). A doubled
    quote stands for one quote in every dialect."""
    q = bytes([quote])
    i = pos + 1
    j = -2
    while True:
        if j < i:
            j = buf.find(q, i, limit)
        if escapes:
            k = buf.find(b"\\", i, j if j >= 0 else limit)
            if k >= 0:
                i = k + 2
                if i > limit:
                    return -1
                continue
        if j < 0:
            return -1
        if j + 1 < limit:
            if buf[j + 1] == quote:
                i = j + 2
                continue
            return j + 1
        # The quote is the last byte read: it may be the first half of a doubled quote.
        return j + 1 if at_eof else -1


def _uses_escapes(mode: LexMode, prefix: bytes) -> bool:
    if mode.dialect == MYSQL:
        return mode.backslash_escapes
    if mode.dialect == POSTGRES:
        return prefix in (b"E", b"e") or not mode.standard_strings
    return False


# long: the per-value hot loop of the dump reader; a call per branch costs time on every value of a dump
def _read_value(cur: _Cursor) -> bytes:
    """One literal at the cursor, as a raw token; refuses anything that is not a literal."""
    buf, mode = cur.buf, cur.mode
    start = cur.pos
    c = cur.peek(1)
    if not c:
        cur.more(cur.pos)
    word = _WORD.match(buf, cur.pos, cur.limit)
    prefix = b""
    if word is not None:
        text = word.group()
        after = word.end()
        if after >= cur.limit and not cur.at_eof:
            raise NeedMore()
        nxt = buf[after : after + 1]
        if nxt == b"'" and (
            text in (b"N", b"n", b"X", b"x", b"B", b"b") or (text in (b"E", b"e") and mode.dialect == POSTGRES)
        ):
            prefix = text
            cur.pos = after
        elif text.startswith(b"_") and mode.dialect == MYSQL:
            # A charset introducer (_utf8mb4'...', _binary '...'): the bytes are the value.
            cur.pos = after
            cur.skip_space()
            if cur.peek(1) != b"'":
                raise Problem(start, f"expected a string after the introducer {text.decode()}")
            prefix = b"_"
        else:
            return _word_value(cur, word)
        c = b"'"
    if c == b"'" or (c == b'"' and mode.dialect == MYSQL and mode.double_quoted_strings):
        quote = c[0]
        if prefix in (b"X", b"x", b"B", b"b"):
            m = _HEXSTR.match(buf, start, cur.limit)
            if m is None:
                if not cur.at_eof and buf.find(b"'", cur.pos + 1, cur.limit) < 0:
                    raise NeedMore()
                raise Problem(start, "malformed hex or bit string literal")
            cur.pos = m.end()
            return m.group()
        end = string_end(buf, cur.pos, cur.limit, quote, _uses_escapes(mode, prefix), cur.at_eof)
        if end < 0:
            if not cur.at_eof:
                raise NeedMore()
            raise Problem(cur.pos, "unterminated string literal (the file ends inside it)")
        body = buf[cur.pos : end]
        cur.pos = end
        if prefix == b"_":
            return body
        return prefix + body
    if c == b"$" and mode.dialect == POSTGRES:
        tag = _DOLLAR_TAG.match(buf, cur.pos, cur.limit)
        if tag is not None:
            close = buf.find(tag.group(), tag.end(), cur.limit)
            if close < 0:
                if not cur.at_eof:
                    raise NeedMore()
                raise Problem(start, "unterminated dollar-quoted string (the file ends inside it)")
            cur.pos = close + len(tag.group())
            return buf[start : cur.pos]
    if c == b'"':
        raise Problem(
            start,
            "a double-quoted identifier in VALUES",
            kind="identifier in VALUES",
            refused=REASON_ROWS,
        )
    if c in b"-+":
        sign = c
        cur.pos += 1
        cur.skip_space()
        inner = cur.peek(1)
        if inner and (inner.isdigit() or inner == b"."):
            m = _NUMBER.match(buf, cur.pos, cur.limit)
            if m is not None:
                if m.end() >= cur.limit and not cur.at_eof:
                    raise NeedMore()
                cur.pos = m.end()
                return sign + m.group()  # as written (a text column keeps "+1.5"), space dropped
        raise Problem(
            start,
            "an expression in VALUES",
            kind="expression in VALUES",
            refused=REASON_ROWS,
        )
    if c.isdigit() or c == b".":
        m = _HEXNUM.match(buf, cur.pos, cur.limit) or _NUMBER.match(buf, cur.pos, cur.limit)
        if m is None:
            raise Problem(start, "malformed number")
        if m.end() >= cur.limit and not cur.at_eof:
            raise NeedMore()
        cur.pos = m.end()
        return m.group()
    if c == b"(":
        cur.pos += 1
        cur.skip_space()
        sub = _WORD.match(buf, cur.pos, cur.limit)
        if sub is not None and sub.group().upper() in _SUBQUERY_WORDS:
            raise Problem(
                start, "a parenthesised SELECT (subquery) in VALUES", kind="subquery in VALUES", refused=REASON_ROWS
            )
        raise Problem(start, "a parenthesised expression in VALUES", kind="expression in VALUES", refused=REASON_ROWS)
    if c in b"@":
        raise Problem(start, "a variable in VALUES", kind="variable in VALUES", refused=REASON_ROWS)
    if c in b"?$:":
        raise Problem(start, "a parameter placeholder in VALUES", kind="placeholder in VALUES", refused=REASON_ROWS)
    raise Problem(start, f"unexpected {_show(c)} where a value was expected")


def _word_value(cur: _Cursor, word: re.Match[bytes]) -> bytes:
    text = word.group()
    upper = text.upper()
    cur.pos = word.end()
    if upper in (b"NULL", b"TRUE", b"FALSE"):
        return upper
    cur.skip_space()
    if cur.peek(1) == b"(":
        if upper == b"REPLACE" and cur.mode.dialect == SQLITE:
            got = _sqlite_newlines(cur)
            if got is not None:
                # Handed on as the plain SQLite literal of the computed text.
                return b"'" + got[0].replace(b"'", b"''") + b"'"
        name = text.decode("utf-8")
        if upper in (b"CAST", b"CONVERT"):
            raise Problem(word.start(), f"{name}() in VALUES", kind="cast in VALUES", refused=REASON_ROWS)
        reason = REASON_OUTSIDE if upper in _FILE_FUNCTIONS else REASON_ROWS
        raise Problem(
            word.start(), f"function call {name}() in VALUES", kind=f"function call {name}() in VALUES", refused=reason
        )
    if upper == b"DEFAULT":
        raise Problem(word.start(), "DEFAULT in VALUES", kind="DEFAULT in VALUES", refused=REASON_ROWS)
    name = text.decode("utf-8")
    raise Problem(word.start(), f"{name} in VALUES", kind="expression in VALUES", refused=REASON_ROWS)


# sqlite3 3.34+ .dump writes text holding newlines as replace('a\nb','\n',char(10)): in an
# SQLite string the two characters backslash+n stand for themselves, and the call turns them
# into a newline; carriage returns likewise with '\r' and char(13), the two calls nested when
# both occur. When the text itself holds a backslash+n (or +r), sqlite3 picks the marker
# \012 (or \015) instead. Exactly those shapes are literals in disguise: the reader computes
# the value itself (bytes.replace, which is what SQLite's replace() does) and evaluates nothing.
_SQLITE_MARKERS = {
    b"'\\n'": (b"10", b"\n"),
    b"'\\012'": (b"10", b"\n"),
    b"'\\r'": (b"13", b"\r"),
    b"'\\015'": (b"13", b"\r"),
}


def _sqlite_newlines(cur: _Cursor, nested: bool = False) -> tuple[bytes, bytes] | None:
    r"""(content, replaced character) of ``replace('...', '\n', char(10))`` or ``replace('...', '\r',
    char(13))``, the cursor on its ``(``; the first argument may itself be the call with the
    other marker. None for any other shape: the caller refuses it as the function call it is."""
    if not _sqlite_punct(cur, b"("):
        return None
    cur.skip_space()
    inner: bytes | None = None
    if cur.peek(1) == b"'":
        end = string_end(cur.buf, cur.pos, cur.limit, 39, False, cur.at_eof)
        if end < 0:
            if not cur.at_eof:
                raise NeedMore()
            return None
        value = cur.buf[cur.pos + 1 : end - 1].replace(b"''", b"'")
        cur.pos = end
    elif nested or not _sqlite_word(cur, b"REPLACE"):
        return None  # a column, another function, a prefixed string or a third nesting level
    else:
        got = _sqlite_newlines(cur, nested=True)
        if got is None:
            return None
        value, inner = got
    if not _sqlite_punct(cur, b","):
        return None
    cur.skip_space()
    marker = next((m for m in _SQLITE_MARKERS if cur.peek(len(m)) == m), None)
    if marker is None:
        return None
    code, char = _SQLITE_MARKERS[marker]
    if char == inner:  # sqlite3 never replaces one character twice
        return None
    cur.pos += len(marker)
    if not (
        _sqlite_punct(cur, b",")
        and _sqlite_word(cur, b"CHAR")
        and _sqlite_punct(cur, b"(")
        and _sqlite_punct(cur, code)
        and _sqlite_punct(cur, b")")
        and _sqlite_punct(cur, b")")
    ):
        return None
    return value.replace(marker[1:-1], char), char  # marker[1:-1]: the marker without quotes


def _sqlite_punct(cur: _Cursor, text: bytes) -> bool:
    """Step over ``text`` (after optional whitespace) if it is next."""
    cur.skip_space()
    if cur.peek(len(text)) != text:
        return False
    cur.pos += len(text)
    return True


def _sqlite_word(cur: _Cursor, upper: bytes) -> bool:
    """Step over the keyword ``upper`` (any case, after optional whitespace) if it is next."""
    cur.skip_space()
    word = _WORD.match(cur.buf, cur.pos, cur.limit)
    if word is None:
        return False
    if word.end() >= cur.limit and not cur.at_eof:
        raise NeedMore()
    if word.group().upper() != upper:
        return False
    cur.pos = word.end()
    return True


def dollar_tag(tok: bytes) -> bytes | None:
    """The opening ``$tag$`` of a dollar-quoted token, or None."""
    m = _DOLLAR_TAG.match(tok)
    return m.group() if m else None


def _show(c: bytes) -> str:
    return repr(c.decode("utf-8", "replace")) if c else "end of text"


# long: the per-row hot loop of the dump reader (error paths are in _after_value_problem)
def read_row(
    buf: bytes,
    pos: int,
    ncols: int,
    mode: LexMode,
    *,
    limit: int | None = None,
    at_eof: bool,
    delimiter: bytes = b";",
) -> RowRead:
    """Read the row starting at ``pos`` (whitespace/comments first) precisely.

    ``limit`` bounds the text (default: the whole buffer); when ``at_eof`` is false, running
    into the limit raises :class:`NeedMore` instead of an error."""
    cur = _Cursor(buf, pos, len(buf) if limit is None else limit, at_eof, mode)
    cur.skip_space()
    if cur.pos >= cur.limit and at_eof:
        comma = pos - 1 if pos > 0 and buf[pos - 1] == 44 else cur.pos  # b","
        raise Problem(
            comma,
            "unexpected end of file after ',' (the statement is cut off where another row of VALUES was expected)",
        )
    if cur.peek(1) != b"(":
        c = cur.peek(1)
        raise Problem(cur.pos, f"expected '(' to start a row of VALUES, found {_show(c)}")
    cur.pos += 1
    tokens: list[bytes] = []
    while True:
        cur.skip_space()
        if not tokens and cur.peek(1) == b")":
            raise Problem(cur.pos, f"a row with 0 values, expected {ncols}", kind="value count")
        tokens.append(_read_value(cur))
        cur.skip_space()
        c = cur.peek(2)
        if c.startswith(b"::"):
            raise Problem(cur.pos, "a cast (::) in VALUES", kind="cast in VALUES", refused=REASON_ROWS)
        c = c[:1]
        if c == b",":
            cur.pos += 1
            continue
        if c == b")":
            cur.pos += 1
            break
        raise _after_value_problem(cur, c, tokens[-1])
    if len(tokens) != ncols:
        plural = "" if len(tokens) == 1 else "s"
        raise Problem(pos, f"a row with {len(tokens)} value{plural}, expected {ncols}", kind="value count")
    cur.skip_space()
    if cur.cond_depth:
        raise Problem(cur.pos, "a MySQL conditional comment is left open after a row")
    if cur.pos >= cur.limit:
        if cur.at_eof:
            return RowRead(tuple(tokens), b"", cur.pos)
        raise NeedMore()
    c = buf[cur.pos : cur.pos + 1]
    if c == b",":
        return RowRead(tuple(tokens), b",", cur.pos + 1)
    if delimiter and buf.startswith(delimiter, cur.pos):
        return RowRead(tuple(tokens), b";", cur.pos + len(delimiter))
    if delimiter and len(buf) - cur.pos < len(delimiter) and not cur.at_eof:
        raise NeedMore()
    word = _WORD.match(buf, cur.pos, cur.limit)
    if word is not None:
        clause = _trailing_clause(buf, word.end(), cur.limit, word.group().upper())
        if clause is not None:
            raise Problem(cur.pos, f"{clause} statement", kind=clause, refused=REASON_ROWS)
    raise Problem(cur.pos, f"expected ',' or ';' after a row, found {_show(c)}")


def _after_value_problem(cur: _Cursor, c: bytes, last: bytes) -> Problem:
    """What is wrong after a value that is followed by neither ',' nor ')' (``c``: the next byte)."""
    if c == b"'" and last[-1:] in (b"'", b'"'):
        return Problem(cur.pos, "adjacent string literals in VALUES", kind="expression in VALUES", refused=REASON_ROWS)
    if c and c in b"+-*/%|&^<>=!~":
        return Problem(cur.pos, "an expression in VALUES", kind="expression in VALUES", refused=REASON_ROWS)
    if not c:
        cur.more(cur.pos)
    word = _WORD.match(cur.buf, cur.pos, cur.limit)
    if word is not None and word.group().upper() in (b"COLLATE", b"IS", b"AND", b"OR", b"DIV", b"MOD", b"LIKE"):
        return Problem(cur.pos, "an expression in VALUES", kind="expression in VALUES", refused=REASON_ROWS)
    return Problem(cur.pos, f"expected ',' or ')' after a value, found {_show(c)}")


def _trailing_clause(buf: bytes, pos: int, limit: int, first: bytes) -> str | None:
    """Name the INSERT variants that change rows already loaded when keys collide."""
    if first == b"RETURNING":
        return "INSERT ... RETURNING"
    if first != b"ON":
        return None
    rest = re.match(rb"\s+([A-Za-z]+)(?:\s+([A-Za-z]+))?", buf[pos : min(limit, pos + 200)])
    words = [w.upper() for w in rest.groups() if w] if rest else []
    if words[:1] == [b"DUPLICATE"]:
        return "INSERT ... ON DUPLICATE KEY UPDATE"
    if words[:1] == [b"CONFLICT"]:
        return "INSERT ... ON CONFLICT"
    return None
