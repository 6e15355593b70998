"""Raw literal tokens -> typed Arrow arrays, exactly or not at all.

:func:`convert_column` turns one column of one batch. Common shapes (every token quoted or
NULL for text and dates, every token a plain number or NULL for numbers) go through
vectorised Arrow kernels whose parsers are strict (an integer column refuses ``1.5``, a
DECIMAL(4,2) column refuses ``0.999`` instead of rounding). Everything else, and every batch
a fast kernel refuses, goes through :func:`reference_value` one token at a time: that function
is the definition of what each token means, and the fast paths may only ever agree with it.
A token that does not convert exactly raises :class:`ConversionError` naming its position.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation, localcontext
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ingest.sqldump import fasttext, literals, unescape
from ingest.sqldump.dialects import ANSI, MYSQL, POSTGRES, LexMode
from ingest.sqldump.types import ColumnType

SQL = "sql"
COPY = "copy"

_NUM = re.compile(rb"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?\Z")
_NUM_RE2 = r"^[-+]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$"
_DATE = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
_TIME = r"[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]{1,6})?"
_OFFSET = r"(?:Z|[+-][0-9]{2}(?::?[0-9]{2})?)"
_PATTERNS = {
    "date": "^" + _DATE + "$",
    "timestamp": "^" + _DATE + "(?:[ T]" + _TIME + ")?$",
    "timestamptz": "^" + _DATE + "[ T]" + _TIME + _OFFSET + "$",
    "time": "^" + _TIME + "$",
}
_PY_PATTERNS = {k: re.compile(v.encode()) for k, v in _PATTERNS.items()}
_TRUE = {b"t", b"true", b"y", b"yes", b"on", b"1"}
_FALSE = {b"f", b"false", b"n", b"no", b"off", b"0"}
_FLOAT_WORDS = {
    b"nan": math.nan,
    b"infinity": math.inf,
    b"+infinity": math.inf,
    b"-infinity": -math.inf,
    b"inf": math.inf,
    b"+inf": math.inf,
    b"-inf": -math.inf,
}
_INT_BOUNDS = {
    pa.int8(): (-(1 << 7), (1 << 7) - 1),
    pa.int16(): (-(1 << 15), (1 << 15) - 1),
    pa.int32(): (-(1 << 31), (1 << 31) - 1),
    pa.int64(): (-(1 << 63), (1 << 63) - 1),
    pa.uint8(): (0, (1 << 8) - 1),
    pa.uint16(): (0, (1 << 16) - 1),
    pa.uint32(): (0, (1 << 32) - 1),
    pa.uint64(): (0, (1 << 64) - 1),
}


class ConversionError(ValueError):
    """Token ``index`` of the column does not convert exactly; ``reason`` says why.
    ``refused`` marks a token that is not a literal at all (a bare word such as
    CURRENT_TIMESTAMP): class (c), not a bad value."""

    def __init__(self, index: int, token: bytes, reason: str, refused: bool = False) -> None:
        super().__init__(reason)
        self.index = index
        self.token = token
        self.reason = reason
        self.refused = refused


class NotALiteral(ValueError):
    """The token is not a literal value (an identifier, keyword or expression)."""


# ---------------------------------------------------------------------------------------------
# Reference semantics, one token at a time


def _sql_token(tok: bytes, mode: LexMode) -> tuple[str, object]:
    """What an SQL literal token is: (kind, payload) with kind one of null/str/num/hex/bits/bool."""
    if not tok:
        raise ValueError("an empty token")
    first = tok[:1]
    if first == b"_" and mode.dialect == MYSQL and b"'" in tok:
        # A charset introducer (_utf8mb4'...', _binary'...'): the string is the value.
        intro = tok[: tok.index(b"'")]
        if not re.fullmatch(rb"_[A-Za-z0-9]+", intro):
            raise NotALiteral(f"{_show(tok)} is not a literal value")
        return _sql_token(tok[len(intro) :], mode)
    if first == b"$" and mode.dialect == POSTGRES:
        tag = literals.dollar_tag(tok)
        if tag is None or len(tok) < 2 * len(tag) or not tok.endswith(tag):
            raise ValueError("a malformed dollar-quoted string")
        return "str", tok[len(tag) : len(tok) - len(tag)]  # no escapes inside dollar quotes
    if first in (b"'", b'"') or (len(tok) > 1 and tok[1:2] == b"'" and first in b"NnEe"):
        prefix = b"" if first in (b"'", b'"') else first.upper()
        body = tok[len(prefix) :]
        quote = body[:1]
        if len(body) < 2 or body[-1:] != quote:
            raise ValueError("a malformed string literal")
        content = body[1:-1]
        if prefix == b"E" or (mode.dialect == POSTGRES and not mode.standard_strings):
            return "str", unescape.unescape_pg_escape_string(content)
        if mode.dialect == MYSQL and mode.backslash_escapes:
            return "str", unescape.unescape_mysql(content, quote)
        if mode.dialect == ANSI and b"\\" in content:
            raise ValueError(
                "a backslash in a string, whose meaning depends on the SQL dialect (MySQL "
                "escapes it, standard SQL keeps it) and the dialect could not be detected; "
                "pass dialect='mysql' or dialect='postgres'"
            )
        return "str", content.replace(quote + quote, quote)
    if first in b"Xx" and tok[1:2] == b"'":
        digits = tok[2:-1]
        if len(digits) % 2 or not re.fullmatch(rb"[0-9A-Fa-f]*", digits):
            raise ValueError("a malformed hex string literal")
        return "hex", bytes.fromhex(digits.decode())
    if first in b"Bb" and tok[1:2] == b"'":
        digits = tok[2:-1]
        if not re.fullmatch(rb"[01]*", digits):
            raise ValueError("a malformed bit string literal")
        return "bits", int(digits or b"0", 2)
    if tok[:2] in (b"0x", b"0X") and re.fullmatch(rb"0[xX][0-9A-Fa-f]+", tok):
        digits = tok[2:]
        return "hex", bytes.fromhex((b"0" * (len(digits) % 2) + digits).decode())
    if tok[:2] in (b"0b", b"0B") and re.fullmatch(rb"0[bB][01]+", tok):
        return "bits", int(tok[2:], 2)
    if _NUM.match(tok):
        return "num", tok
    upper = tok.upper()
    if upper == b"NULL":
        return "null", None
    if upper in (b"TRUE", b"FALSE"):
        return "bool", upper == b"TRUE"
    raise NotALiteral(f"{_show(tok)} is not a literal value")


def _show(tok: bytes, limit: int = 60) -> str:
    text = tok.decode("utf-8", "replace")
    return repr(text if len(text) <= limit else text[:limit] + "...")


def _text(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ValueError("escapes that produce invalid UTF-8") from None


def _number(text: bytes, what: str) -> Decimal:
    if not _NUM.match(text):
        raise ValueError(f"{_show(text)} is not a number")
    try:
        return Decimal(text.decode())
    except InvalidOperation:
        raise ValueError(f"{_show(text)} is not a number") from None


def _integer(value: Decimal, ctype: ColumnType) -> int:
    if value != value.to_integral_value():
        raise ValueError(f"{value} is not an integer")
    lo, hi = _INT_BOUNDS[ctype.arrow]
    result = int(value)
    if not lo <= result <= hi:
        raise ValueError(f"{result} is out of range for {ctype.duckdb}")
    return result


def _decimal(value: Decimal, ctype: ColumnType) -> Decimal:
    arrow = ctype.arrow
    assert isinstance(arrow, pa.Decimal128Type)
    if value != 0 and value.adjusted() >= arrow.precision - arrow.scale:
        raise ValueError(f"{value} does not fit in {ctype.duckdb}")
    with localcontext() as ctx:
        ctx.prec = 2 * arrow.precision + 10
        exact = value.quantize(Decimal(1).scaleb(-arrow.scale))
    if exact != value:
        raise ValueError(f"{value} has more decimal places than {ctype.duckdb} keeps")
    return exact


def _float(text: bytes, ctype: ColumnType) -> float:
    word = _FLOAT_WORDS.get(text.lower())
    if word is not None:
        return word
    number = _number(text, "number")
    value = float(text)
    if ctype.arrow == pa.float32():
        if math.isfinite(value) and abs(value) > 3.4028234663852886e38:
            raise ValueError(f"{number} overflows {ctype.duckdb}")
    if math.isinf(value):
        raise ValueError(f"{number} overflows {ctype.duckdb}")
    if value == 0 and number != 0:
        raise ValueError(f"{number} underflows {ctype.duckdb} to zero")
    return value


# MySQL and Postgres also read year-first dates with other separators and unpadded fields
# ("1962/2/18", "2009.1.1 0:00:00"); with a four-digit year first they are unambiguous.
_RELAXED = re.compile(rb"(\d{4})([-/.])(\d{1,2})\2(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(\.\d{1,6})?)?)?\Z")


def _relaxed(text: bytes, kind: str) -> object | None:
    m = _RELAXED.match(text)
    if m is None or kind not in ("date", "timestamp"):
        return None
    year, _, month, day, hour, minute, second, frac = m.groups()
    if kind == "date" and hour is not None:
        return None
    try:
        if kind == "date":
            return dt.date(int(year), int(month), int(day))
        micro = int((frac or b".")[1:].ljust(6, b"0") or 0)
        return dt.datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0), micro)
    except ValueError:
        return None


def _temporal(text: bytes, kind: str) -> object:
    if not _PY_PATTERNS[kind].match(text):
        relaxed = _relaxed(text, kind)
        if relaxed is not None:
            return relaxed
        expected = {
            "date": "YYYY-MM-DD",
            "timestamp": "YYYY-MM-DD[ HH:MM:SS[.ffffff]]",
            "timestamptz": "YYYY-MM-DD HH:MM:SS[.ffffff]+HH[:MM]",
            "time": "HH:MM:SS[.ffffff]",
        }[kind]
        raise ValueError(f"{_show(text)} is not a {kind} in the form {expected}")
    s = text.decode()
    try:
        if kind == "date":
            return dt.date.fromisoformat(s)
        if kind == "time":
            return dt.time.fromisoformat(s)
        if kind == "timestamptz" and re.search(r"[+-]\d{2}$", s):
            s += ":00"
        value = dt.datetime.fromisoformat(s.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"{_show(text)} is not a valid {kind}") from None
    if kind == "timestamptz":
        return value.astimezone(dt.UTC)
    return value


def _bool(text: bytes) -> bool:
    low = text.lower()
    if low in _TRUE:
        return True
    if low in _FALSE:
        return False
    raise ValueError(f"{_show(text)} is not a boolean")


def _blob_from_text(raw: bytes, mode: LexMode, syntax: str) -> bytes:
    if mode.dialect == POSTGRES or syntax == COPY:
        if raw[:2] != b"\\x" or not re.fullmatch(rb"\\x(?:[0-9A-Fa-f]{2})*", raw):
            raise ValueError("a bytea value not in hex format (\\x...)")
        return bytes.fromhex(raw[2:].decode())
    return raw


def reference_value(tok: bytes, ctype: ColumnType, syntax: str, mode: LexMode) -> object:
    """The value of one token in a column of ``ctype`` (None for NULL); ValueError if inexact."""
    kind = ctype.kind
    payload: Any
    if syntax == COPY:
        if tok == b"\\N":
            return None
        what, payload = "str", unescape.unescape_copy(tok) if b"\\" in tok else tok
    else:
        what, payload = _sql_token(tok, mode)
        if what == "null":
            return None
    if kind == "varchar":
        if what == "str":
            return _text(payload)
        if what == "num":
            return payload.decode()
        raise ValueError(f"{_show(tok)} is not text")
    if kind == "blob":
        if what == "hex":
            return payload
        if what == "str":
            return _blob_from_text(payload, mode, syntax)
        raise ValueError(f"{_show(tok)} is not binary data")
    if kind in ("int", "decimal", "numeric_text", "bit"):
        if what == "bool" and mode.dialect != POSTGRES and kind == "int":
            return _integer(Decimal(int(payload)), ctype)
        if what in ("hex", "bits") and mode.dialect == MYSQL and kind in ("int", "bit"):
            value = payload if what == "bits" else int.from_bytes(payload, "big")
            return _integer(Decimal(value), ctype)
        if what not in ("num", "str"):
            raise ValueError(f"{_show(tok)} is not a number")
        number = _number(payload, "number")
        if kind == "numeric_text":
            return payload.decode()
        if kind == "decimal":
            return _decimal(number, ctype)
        return _integer(number, ctype)
    if kind == "float":
        if what not in ("num", "str"):
            raise ValueError(f"{_show(tok)} is not a number")
        if what == "str" and syntax == SQL and mode.dialect != POSTGRES:
            _number(payload, "number")
        return _float(payload, ctype)
    if kind == "bool":
        if what == "bool":
            return payload
        if what == "num" and payload in (b"0", b"1") and mode.dialect != POSTGRES:
            return payload == b"1"
        if what == "str":
            return _bool(payload)
        raise ValueError(f"{_show(tok)} is not a boolean")
    if kind in _PY_PATTERNS:
        if what != "str":
            raise ValueError(f"{_show(tok)} is not a quoted {kind}")
        return _temporal(payload, kind)
    raise ValueError(f"no conversion for column kind {kind}")


def _reference_column(tokens: Sequence[bytes], ctype: ColumnType, syntax: str, mode: LexMode) -> pa.Array:
    values = []
    for i, tok in enumerate(tokens):
        try:
            values.append(reference_value(tok, ctype, syntax, mode))
        except NotALiteral as exc:
            raise ConversionError(i, tok, str(exc), refused=True) from None
        except ValueError as exc:
            raise ConversionError(i, tok, str(exc)) from None
    return pa.array(values, type=ctype.arrow)


# ---------------------------------------------------------------------------------------------
# Vectorised fast paths


def convert_column(
    tokens: pa.Array | Sequence[bytes], ctype: ColumnType, syntax: str, mode: LexMode, quoted: np.ndarray | None = None
) -> pa.Array:
    """Typed array for one column of tokens; raises ConversionError on the first inexact one.

    ``quoted`` flags the tokens that are string literals given without their outer quotes (as
    the compiled VALUES reader hands them over); None means every token is as written."""
    arr = tokens if isinstance(tokens, pa.Array) else pa.array(tokens, type=pa.binary())
    if quoted is not None and not quoted.any():
        quoted = None  # nothing was unquoted: the tokens are as written
    fast = _fast_or_none(arr, ctype, syntax, mode, quoted)
    if fast is None and quoted is not None:
        # The tokens as written, through the Arrow kernels (an ANSI dump's strings, a mix of
        # quoted and unquoted numbers), and only then one at a time.
        arr = as_written(arr, quoted)
        fast = _fast_or_none(arr, ctype, syntax, mode, None)
    return fast if fast is not None else _reference_column(arr.to_pylist(), ctype, syntax, mode)


def _fast_or_none(
    arr: pa.Array, ctype: ColumnType, syntax: str, mode: LexMode, quoted: np.ndarray | None
) -> pa.Array | None:
    try:
        return _fast(arr, ctype, syntax, mode, quoted)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None


def as_written(arr: pa.Array, quoted: np.ndarray) -> pa.Array:
    """Tokens as the dump wrote them: the flagged string literals get their quotes back."""
    requoted = pc.binary_join_element_wise(b"'", arr, b"'", b"")
    return pc.if_else(pa.array(quoted), requoted, arr)


def _unquoted_texts(arr: pa.Array, mode: LexMode, quoted: np.ndarray) -> tuple[pa.Array, pa.Array] | None:
    """(is_null, text) from tokens whose string literals came without their quotes, where
    every token is such a literal or NULL and the dialect's strings are read by
    :mod:`fasttext`; None otherwise."""
    if not _fasttext_reads(mode):
        return None
    return fasttext.unquoted_texts(arr, quoted, backslash_escapes=mode.dialect == MYSQL and mode.backslash_escapes)


def _fasttext_reads(mode: LexMode) -> bool:
    """Whether :mod:`fasttext` reads this dialect's strings: quotes doubled, and backslashes
    either MySQL escapes or plain bytes (not ANSI, where a backslash sends the column to the
    reference, nor Postgres with standard_conforming_strings off)."""
    if mode.dialect == POSTGRES:
        return mode.standard_strings
    return mode.dialect != ANSI


def _nulls_and_text(arr: pa.Array, syntax: str, mode: LexMode) -> tuple[pa.Array, pa.Array] | None:
    """(is_null, text bytes with quotes and escapes removed) when every token is a plain
    quoted string or NULL; None for any other shape."""
    if syntax == COPY:
        null = pc.equal(arr, b"\\N")
        has_bs = pc.and_not(pc.match_substring(arr, "\\"), null)
        if pc.any(has_bs).as_py():
            return None
        return null, arr
    if _fasttext_reads(mode):
        decoded = fasttext.quoted_texts(arr, backslash_escapes=mode.dialect == MYSQL and mode.backslash_escapes)
        if decoded is not None:
            return decoded
    null = pc.equal(arr, b"NULL")
    quoted = pc.starts_with(arr, "'")
    if not pc.all(pc.or_(null, quoted)).as_py():
        national = pc.starts_with(arr, "N'")
        if not pc.all(pc.or_(pc.or_(null, quoted), national)).as_py():
            return None
        # N'...' (national character set) is the same string in every dialect we read.
        text = pc.if_else(national, pc.binary_slice(arr, 2, -1), pc.binary_slice(arr, 1, -1))
    else:
        text = pc.binary_slice(arr, 1, -1)
    if mode.dialect == MYSQL and mode.backslash_escapes:
        special = pc.or_(pc.match_substring(text, "\\"), pc.match_substring(text, "''"))
        if pc.any(special).as_py():
            subset = pc.filter(text, special).to_pylist()
            fixed = unescape.unescape_mysql_many(subset, b"'")
            text = pc.replace_with_mask(text, special, pa.array(fixed, pa.binary()))
        return null, text
    if mode.dialect == POSTGRES and not mode.standard_strings:
        return None
    if pc.any(pc.match_substring(text, "''")).as_py():
        text = pc.replace_substring(text, "''", "'")
    if mode.dialect == ANSI and pc.any(pc.match_substring(text, "\\")).as_py():
        return None
    return null, text


def _unquoted_numbers(arr: pa.Array, syntax: str, mode: LexMode) -> tuple[pa.Array, pa.Array] | None:
    """(is_null, number text) when every token is an unquoted number or NULL -- or, for MySQL
    and COPY, a number in quotes; None otherwise."""
    if syntax == COPY:
        return pc.equal(arr, b"\\N"), arr
    null = pc.equal(arr, b"NULL")
    if mode.dialect == MYSQL and pc.any(pc.starts_with(arr, "'")).as_py():
        shaped = _nulls_and_text(arr, syntax, mode)
        if shaped is None:
            return None
        return shaped
    if pc.any(pc.starts_with(arr, "'")).as_py() or pc.any(pc.starts_with(arr, "0x")).as_py():
        return None
    return null, arr


def _with_nulls(values: pa.Array, null: pa.Array) -> pa.Array:
    """``values`` with the positions flagged in ``null`` set to null."""
    if not pc.any(null).as_py():
        return values
    valid = pc.invert(null)
    if values.offset == 0 and values.null_count == 0 and valid.offset == 0 and pa.types.is_binary(values.type):
        # Only the validity bitmap changes; copying every string (as if_else does) is waste.
        return pa.Array.from_buffers(values.type, len(values), [valid.buffers()[1], *values.buffers()[1:]])
    return pc.if_else(null, pa.scalar(None, values.type), values)


def _as_text(values: pa.Array) -> pa.Array:
    """Binary tokens as strings. On the fast paths every byte comes from the dump, which was
    checked to be UTF-8 as it was read, and unescaping only produced ASCII: no re-check."""
    return values.view(pa.string())


def _fast(arr: pa.Array, ctype: ColumnType, syntax: str, mode: LexMode, quoted: np.ndarray | None) -> pa.Array | None:
    kind = ctype.kind
    if quoted is not None:
        # Some tokens are unquoted string literals: only text, dates and (MySQL) quoted
        # numbers can be read that way; anything else takes the tokens as written.
        if kind not in ("varchar", *_PATTERNS) and not (kind in _NUMERIC_KINDS and mode.dialect == MYSQL):
            return None
        shaped = _unquoted_texts(arr, mode, quoted)
        if shaped is None:
            return None
        return _typed(*shaped, kind, ctype)
    if kind == "varchar" or kind in _PATTERNS:
        shaped = _nulls_and_text(arr, syntax, mode)
    elif kind in _NUMERIC_KINDS:
        shaped = _unquoted_numbers(arr, syntax, mode)
    else:
        shaped = None
    if shaped is not None:
        return _typed(*shaped, kind, ctype)
    if kind == "bool" and syntax == COPY:
        null = pc.equal(arr, b"\\N")
        true = pc.equal(arr, b"t")
        false = pc.equal(arr, b"f")
        if not pc.all(pc.or_(null, pc.or_(true, false))).as_py():
            return None
        return _with_nulls(true, null)
    return None


_NUMERIC_KINDS = ("int", "decimal", "float", "numeric_text")


def _holds_x(text: pa.Array) -> bool:
    """Whether any value's bytes hold an x or X (null slots' bytes too, which only sends the
    column to the reference path). One byte comparison over the data: matching the substring
    case-insensitively goes through a regex and cost 80 times as much."""
    data = fasttext.value_bytes(text)
    return bool(((data | 32) == 120).any())


def _typed(null: pa.Array, text: pa.Array, kind: str, ctype: ColumnType) -> pa.Array | None:
    """The column typed from (is_null, text), or None where the fast kernels cannot say."""
    text = _as_text(_with_nulls(text, null))
    if kind == "varchar":
        return text
    if kind in _NUMERIC_KINDS:
        if kind == "float" and ctype.arrow == pa.float32():
            return None  # Arrow parses text straight to float32; the reference rounds via float64
        if kind in ("int", "decimal") and _holds_x(text):
            return None  # Arrow's cast reads 0x1F as hexadecimal; the reference refuses it
        if kind in ("float", "numeric_text"):
            valid = pc.match_substring_regex(text, _NUM_RE2)
            if not pc.all(pc.or_(valid, null)).as_py():
                return None
            if kind == "numeric_text":
                return text
        values = pc.cast(text, ctype.arrow)
        if kind == "float":
            if pc.any(pc.is_inf(values)).as_py():
                return None  # overflow: the reference path says which value
            zero = pc.equal(values, 0.0)
            if pc.any(zero).as_py() and pc.any(pc.and_(zero, pc.match_substring_regex(text, "[1-9]"))).as_py():
                return None  # underflow to zero
        return values
    if kind in _PATTERNS:
        valid = pc.match_substring_regex(text, _PATTERNS[kind])
        if not pc.all(pc.or_(valid, null)).as_py():
            return None
        if pc.any(pc.starts_with(text, "0000")).as_py():
            return None  # Arrow's cast takes year 0 (1 BC); the reference refuses it
        if kind == "time":
            return None  # Arrow has no string -> time cast: the reference path reads them
        return pc.cast(text, ctype.arrow)
    return None
