"""Unescaping string literals of a dump, per dialect (used on the few values that contain an escape)."""

from __future__ import annotations

import re

_MYSQL_ESC = {
    b"0": b"\x00",
    b"'": b"'",
    b'"': b'"',
    b"b": b"\x08",
    b"n": b"\n",
    b"r": b"\r",
    b"t": b"\t",
    b"Z": b"\x1a",
    b"\\": b"\\",
}
_MYSQL_ESC_RE = re.compile(rb"\\([\s\S])")
# Bytes 0xFD-0xFF never occur in UTF-8, and the whole dump is checked to be UTF-8, so they can
# mark boundaries and placeholders while the escapes of many values are replaced in one go.
_SEP, _BACKSLASH, _QUOTE = b"\xff", b"\xfe", b"\xfd"


_MYSQL_UNDEFINED_RE = re.compile(rb"\\([^%_])")


def _mysql_escape(m: re.Match[bytes]) -> bytes:
    ch = m.group(1)
    # MySQL keeps the backslash of \% and \_ (they are LIKE escapes); in any other undefined
    # sequence the backslash is dropped ("\q" is "q", "\ " is " "), as the MySQL manual's
    # string-literal section says and a MySQL server loading the dump does.
    if ch in (b"%", b"_"):
        return b"\\" + ch
    return _MYSQL_ESC.get(ch, ch)


def _unescape_mysql_slow(body: bytes, quote: bytes) -> bytes:
    parts = []
    for piece in re.split(rb"(\\[\s\S])", body):
        if len(piece) == 2 and piece.startswith(b"\\"):
            parts.append(_mysql_escape(_MYSQL_ESC_RE.match(piece)))  # type: ignore[arg-type]
        else:
            parts.append(piece.replace(quote + quote, quote))
    return b"".join(parts)


def unescape_mysql_many(bodies: list[bytes], quote: bytes = b"'") -> list[bytes]:
    """Contents of MySQL string literals (quotes removed) with escapes applied, many at once."""
    joined = _SEP.join(bodies)
    if _BACKSLASH in joined or _QUOTE in joined or (len(bodies) > 1 and joined.count(_SEP) != len(bodies) - 1):
        return [_unescape_mysql_slow(b, quote) for b in bodies]
    # Escaped backslashes first: every backslash left after that starts an escape pair, and
    # str.replace pairs backslashes from the left exactly as the lexer does.
    j = joined.replace(b"\\\\", _BACKSLASH)
    j = j.replace(b"\\" + quote, _QUOTE).replace(quote + quote, quote).replace(_QUOTE, quote)
    for esc, out in _MYSQL_ESC.items():
        if esc not in (quote, b"\\") and b"\\" + esc in j:
            j = j.replace(b"\\" + esc, out)
    if b"\\" in j:
        # Every backslash left starts an undefined escape: MySQL drops it, except in \% and \_.
        j = _MYSQL_UNDEFINED_RE.sub(rb"\1", j)
    j = j.replace(_BACKSLASH, b"\\")
    return j.split(_SEP) if len(bodies) > 1 else [j]


def unescape_mysql(body: bytes, quote: bytes) -> bytes:
    """Content of one MySQL string literal (quotes already removed) with escapes applied."""
    if b"\\" not in body:
        return body.replace(quote + quote, quote)
    return unescape_mysql_many([body], quote)[0]


_PG_SIMPLE = {b"b": b"\x08", b"f": b"\x0c", b"n": b"\n", b"r": b"\r", b"t": b"\t"}
_PG_ESC_RE = re.compile(rb"\\(?:([0-7]{1,3})|x([0-9A-Fa-f]{1,2})|u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|([\s\S]))")


def _pg_escape(m: re.Match[bytes]) -> bytes:
    octal, hexa, u4, u8, other = m.groups()
    if octal is not None:
        return bytes([int(octal, 8) & 0xFF])
    if hexa is not None:
        return bytes([int(hexa, 16)])
    if u4 is not None or u8 is not None:
        return chr(int(u4 or u8, 16)).encode("utf-8")
    return _PG_SIMPLE.get(other, other)


def unescape_pg_escape_string(body: bytes) -> bytes:
    """Content of a Postgres E'...' string (or any string with standard_conforming_strings off).

    Escapes may produce arbitrary bytes; the caller checks the result is valid UTF-8."""
    out = []
    for piece in re.split(rb"(\\(?:[0-7]{1,3}|x[0-9A-Fa-f]{1,2}|u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|[\s\S]))", body):
        if piece.startswith(b"\\") and len(piece) >= 2:
            out.append(_pg_escape(_PG_ESC_RE.match(piece)))  # type: ignore[arg-type]
        else:
            out.append(piece.replace(b"''", b"'"))
    return b"".join(out)


_COPY_ESC_RE = re.compile(rb"\\(?:([0-7]{1,3})|x([0-9A-Fa-f]{1,2})|([\s\S]))")
_COPY_SIMPLE = {b"b": b"\x08", b"f": b"\x0c", b"n": b"\n", b"r": b"\r", b"t": b"\t", b"v": b"\x0b"}


def _copy_escape(m: re.Match[bytes]) -> bytes:
    octal, hexa, other = m.groups()
    if octal is not None:
        return bytes([int(octal, 8) & 0xFF])
    if hexa is not None:
        return bytes([int(hexa, 16)])
    return _COPY_SIMPLE.get(other, other)


def unescape_copy(field: bytes) -> bytes:
    """A COPY text-format field with its backslash escapes applied (``\\N`` handled by caller)."""
    return _COPY_ESC_RE.sub(_copy_escape, field)
