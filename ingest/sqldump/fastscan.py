"""One compiled pass over an extended INSERT's ``VALUES (...),(...);`` list (numba).

:func:`scan` reads the bytes left to right once, as a SQL lexer does, and checks on the way
everything :mod:`ingest.sqldump.fastrows` needs before it may hand the tokens over without the
regex readers:

- string literals: a quote opens one; inside, a doubled quote continues it and (MySQL with
  backslash escapes) a backslash takes the next byte with it; the next quote closes it;
- the first ``;`` outside strings ends the statement;
- outside strings, ``( , )`` and whitespace separate tokens; the punctuation must follow the
  row grammar exactly (``(`` then ncols-1 commas, ``)``, a comma between rows) with exactly
  one token in every value slot and none elsewhere;
- a token is a run of bytes from ``0-9 A-Z a-z . + - _`` with no ``--`` (a comment in most
  dialects): either a literal the row reader reads whole (NULL, TRUE, FALSE, a number) or a
  string literal that runs to the token's end, perhaps after a one-letter prefix (N, X, and
  for MySQL B) or a MySQL charset introducer (``_utf8mb4``). A hex or bit string (X'..',
  B'..') ends at its next quote, with no escapes, as the row reader reads it.

Anything else gives :data:`FALLBACK` at once (the caller then reads the statement with the
regex readers, which accept the rarer forms and explain errors). No ``;`` outside strings in
the window gives :data:`NO_END`.

On success the tokens come back column by column as the parts of an Arrow binary array: int32
offsets and the bytes, with a string literal that fills its token given without its outer
quotes (flagged) and every other token as written.

The function is compiled on first use and cached next to this file (``__pycache__``); it
releases the GIL, so the reader runs beside the typing thread.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

import numpy as np
import pyarrow as pa
from numba import njit

OK, FALLBACK, NO_END = 0, 1, 2


_F = TypeVar("_F", bound=Callable[..., Any])


def _compiled(fn: _F) -> _F:
    """``fn`` compiled by numba, releasing the GIL, with the machine code cached on disk where
    numba finds a writable place (``__pycache__`` next to this file, else the user's cache
    directory). With neither (a read-only install and home) it is compiled once per process
    instead of failing the import."""
    try:
        compiled = njit(cache=True, nogil=True)(fn)
    except RuntimeError as exc:
        if "no locator available" not in str(exc):
            raise
        compiled = njit(cache=False, nogil=True)(fn)
    return cast(_F, compiled)  # a numba Dispatcher, called as the function it compiles


_QUOTE, _BACKSLASH, _SEMI, _DASH, _UNDERSCORE = 39, 92, 59, 45, 95
_COMMA, _OPEN, _CLOSE = 44, 40, 41

# 1: whitespace, 2: punctuation, 3: a byte a token outside strings may hold, 4: ";", 5: quote.
_CLASS = np.zeros(256, dtype=np.uint8)
for _c in b" \t\n\r":
    _CLASS[_c] = 1
for _c in b"(),":
    _CLASS[_c] = 2
for _c in b"0123456789.+-_ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz":
    _CLASS[_c] = 3
_CLASS[_SEMI] = 4
_CLASS[_QUOTE] = 5

_NO_TOKENS = pa.array([], pa.binary())
_EMPTY_B = np.zeros(0, dtype=np.bool_)


@_compiled
def _is_alnum(c: int) -> bool:
    return (48 <= c <= 57) or (65 <= c <= 90) or (97 <= c <= 122)


@_compiled
def _prefix_ok(region: np.ndarray, start: int, stop: int, mysql: bool) -> bool:
    """The bytes before a token's string literal: one letter N/X (MySQL also B), or for MySQL
    ``_`` and at least one ASCII letter or digit (a charset introducer)."""
    if stop - start == 1:
        c = region[start] | 32  # lower case
        return c == 110 or c == 120 or (mysql and c == 98)  # n, x, b
    if not mysql or region[start] != _UNDERSCORE or stop - start < 2:
        return False
    for k in range(start + 1, stop):
        if not _is_alnum(region[k]):
            return False
    return True


@_compiled
def _digits(region: np.ndarray, i: int, stop: int) -> int:
    while i < stop and 48 <= region[i] <= 57:
        i += 1
    return i


@_compiled
def _is_word(region: np.ndarray, start: int, stop: int) -> bool:
    """NULL, TRUE or FALSE in any case."""
    size = stop - start
    if size != 4 and size != 5:
        return False
    a, b, c, d = region[start] | 32, region[start + 1] | 32, region[start + 2] | 32, region[start + 3] | 32
    if size == 4:
        null = a == 110 and b == 117 and c == 108 and d == 108
        return bool(null or (a == 116 and b == 114 and c == 117 and d == 101))
    return bool(a == 102 and b == 97 and c == 108 and d == 115 and region[start + 4] | 32 == 101)


@_compiled
def _plain_ok(region: np.ndarray, start: int, stop: int) -> bool:
    """A token outside strings is one the row reader reads whole: NULL, TRUE or FALSE in any
    case, a hex or binary number (0x1F, 0b01), or a decimal number (``1``, ``-2.5``, ``.5``,
    ``1e-3``) with perhaps a sign. Anything else (words, ``1-2``, a lone sign) is left to it."""
    c = region[start]
    if c == _UNDERSCORE or (c | 32) >= 97:
        return _is_word(region, start, stop)
    signed = c == 43 or c == _DASH
    i = start + 1 if signed else start
    if not signed and stop - i > 2 and region[i] == 48 and (region[i + 1] | 32) in (98, 120):
        binary = (region[i + 1] | 32) == 98
        for k in range(i + 2, stop):
            d = region[k]
            if binary and d != 48 and d != 49:
                return False
            if not binary and not (48 <= d <= 57 or 97 <= (d | 32) <= 102):
                return False
        return True
    j = _digits(region, i, stop)
    if j > i:
        if j < stop and region[j] == 46:  # "."
            j = _digits(region, j + 1, stop)
    elif j < stop and region[j] == 46:
        j = _digits(region, j + 1, stop)
        if j == i + 1:
            return False  # "." without digits
    else:
        return False
    if j < stop and (region[j] | 32) == 101:  # an exponent needs digits
        k = j + 1
        if k < stop and (region[k] == 43 or region[k] == _DASH):
            k += 1
        e = _digits(region, k, stop)
        if e == k:
            return False
        j = e
    return j == stop


@_compiled
def _string_end(region: np.ndarray, i: int, backslash: bool, doubled: bool) -> int:
    """Index after the closing quote of the literal whose opening quote is at ``i``, or -1 if
    it does not close in the region; ``doubled``: two quotes stand for one (not in hex and
    bit strings, which end at their next quote)."""
    n = region.size
    i += 1
    while i < n:
        c = region[i]
        if c == _QUOTE:
            if doubled and i + 1 < n and region[i + 1] == _QUOTE:
                i += 2
                continue
            return i + 1
        if backslash and c == _BACKSLASH:
            i += 2
            continue
        i += 1
    return -1


@_compiled
# long: the lexer's single pass; its state (position, mark, slot, token) is shared by every branch
def _scan(
    region: np.ndarray, ncols: int, backslash: bool, mysql: bool
) -> tuple[int, int, int, np.ndarray, np.ndarray, np.ndarray]:
    """(status, index of the ending ";", token count, where each
    token's bytes start and end, string flags); on OK the tokens are row-major and a string
    literal that fills its token is given by its contents."""
    n = region.size
    # Every token takes at least one byte and a separator after it: n // 2 + 1 of them at most.
    starts = np.empty(n // 2 + 1, dtype=np.int32)
    ends = np.empty(n // 2 + 1, dtype=np.int32)
    quoted = np.empty(n // 2 + 1, dtype=np.bool_)
    ntok = 0
    q = -1  # place in its row of the last punctuation mark (-1: none yet; ncols + 2 per row)
    slot = 0  # tokens since that mark
    last = ncols + 1
    i = 0
    while i < n:
        kind = _CLASS[region[i]]
        if kind == 1:
            i += 1
            continue
        if kind == 2:
            if slot != (1 if 0 <= q < ncols else 0):
                return FALLBACK, -1, 0, starts, ends, quoted
            q = 0 if q == last else q + 1
            # the mark must be "(" opening a row, "," between values or rows, ")" closing it
            wanted = _OPEN if q == 0 else (_CLOSE if q == ncols else _COMMA)
            if region[i] != wanted:
                return FALLBACK, -1, 0, starts, ends, quoted
            slot = 0
            i += 1
            continue
        if kind == 4:
            # the end: the last mark must close a row, with nothing after it
            if q != ncols or slot != 0:
                return FALLBACK, i, 0, starts, ends, quoted
            return OK, i, ntok, starts, ends, quoted
        # a token: allowed bytes, then perhaps one string literal that ends it
        slot += 1
        if slot > 1:
            return FALLBACK, -1, 0, starts, ends, quoted
        start = i
        while i < n and _CLASS[region[i]] == 3:
            if region[i] == _DASH and i + 1 < n and region[i + 1] == _DASH:
                return FALLBACK, -1, 0, starts, ends, quoted
            i += 1
        cut = 0
        if i < n:
            kind = _CLASS[region[i]]
            if kind == 0:
                return FALLBACK, -1, 0, starts, ends, quoted
            if kind != 5 and not _plain_ok(region, start, i):
                return FALLBACK, -1, 0, starts, ends, quoted
            if kind == 5:
                if i > start and not _prefix_ok(region, start, i, mysql):
                    return FALLBACK, -1, 0, starts, ends, quoted
                cut = 1 if i == start else 0
                # X'4142' and B'01': no escapes, no doubled quotes (the converter checks digits)
                hexbits = i == start + 1 and (region[start] | 32) in (120, 98)
                after = _string_end(region, i, backslash and not hexbits, not hexbits)
                if after < 0:
                    return NO_END, -1, 0, starts, ends, quoted
                i = after
                if i < n and (_CLASS[region[i]] == 0 or _CLASS[region[i]] >= 3):
                    return FALLBACK, -1, 0, starts, ends, quoted
        starts[ntok] = start + cut
        ends[ntok] = i - cut
        quoted[ntok] = cut == 1
        ntok += 1
    return NO_END, -1, 0, starts, ends, quoted


@_compiled
def _by_column(
    region: np.ndarray, ncols: int, ntok: int, starts: np.ndarray, ends: np.ndarray, quoted: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The row-major tokens laid out column by column: offsets, bytes, string flags."""
    nrows = ntok // ncols
    total = 0
    for t in range(ntok):
        total += ends[t] - starts[t]
    offsets = np.empty(ntok + 1, dtype=np.int32)
    data = np.empty(total, dtype=np.uint8)
    flags = np.empty(ntok, dtype=np.bool_)
    offsets[0] = 0
    o = 0
    out = 0
    for j in range(ncols):
        for r in range(nrows):
            t = r * ncols + j
            for k in range(starts[t], ends[t]):
                data[o] = region[k]
                o += 1
            flags[out] = quoted[t]
            out += 1
            offsets[out] = o
    return offsets, data, flags


def scan(region: np.ndarray, ncols: int, *, backslash: bool, mysql: bool) -> tuple[int, int, int, pa.Array, np.ndarray]:
    """(status, index of the ending ";" in ``region``, row count, tokens, string flags) for the
    VALUES list at ``region[0]``; on OK the tokens come column by column (all of the first
    column's rows, then the second's) as one binary array."""
    status, end, ntok, starts, ends, quoted = _scan(region, ncols, backslash, mysql)
    if status != OK:
        return status, end, 0, _NO_TOKENS, _EMPTY_B
    offsets, data, flags = _by_column(region, ncols, ntok, starts, ends, quoted)
    tokens = pa.Array.from_buffers(pa.binary(), ntok, [None, pa.py_buffer(offsets), pa.py_buffer(data)])
    return OK, end, ntok // ncols, tokens, flags
