"""A column of quoted string tokens (or NULL) decoded with array operations on its bytes.

The Arrow kernel path this replaces scanned each column several times (for NULL, the opening
quote, backslashes, doubled quotes), copied every string to cut its quotes off and sent the
strings with escapes through Python. Here one pass of numpy steps over the column's data
buffer finds what to drop and what to replace, and one compress writes the result:

- the outer quotes of every token, and the four bytes of every ``NULL`` token, are dropped;
- a doubled quote inside a string (``''``) keeps one quote;
- with MySQL's backslash escapes on, an escape pair is read from the left as MySQL's lexer
  reads it: within a run of backslashes, the 1st, 3rd, ... start a pair with the byte after
  them. ``\\0 \\b \\n \\r \\t \\Z`` become their control bytes. ``\\%`` and ``\\_`` keep
  their backslash. In any other pair, the backslash is dropped (``\\q`` is ``q``, ``\\\\`` is a
  backslash, ``\\'`` a quote).

Returns None for any token it does not cover: an unquoted word other than NULL, a prefix
(``N'...'``), double quotes, an empty token, a lone quote inside a string. The caller then
uses the general path, which :func:`ingest.sqldump.unescape.unescape_mysql` defines. Tests
compare the two on generated and hostile strings.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

_QUOTE, _BACKSLASH = 39, 92
_NULL = np.frombuffer(b"NULL", np.uint8)

# The byte an escape pair stands for (MySQL): identity except for the named control bytes.
_ESCAPED = np.arange(256, dtype=np.uint8)
for _c, _v in ((b"0", 0), (b"b", 8), (b"n", 10), (b"r", 13), (b"t", 9), (b"Z", 26)):
    _ESCAPED[_c[0]] = _v
# Pairs whose backslash stays (LIKE escapes).
_KEEPS_BACKSLASH = np.zeros(256, dtype=bool)
_KEEPS_BACKSLASH[[ord("%"), ord("_")]] = True


def _run_starts(positions: np.ndarray) -> np.ndarray:
    """For each sorted position, the first position of the run of consecutive ones it is in."""
    starts = np.ones(positions.size, dtype=bool)
    starts[1:] = positions[1:] != positions[:-1] + 1
    first: np.ndarray = positions[starts][np.cumsum(starts) - 1]
    return first


# long: one pass of numpy steps sharing their masks; splitting it would pass a dozen arrays around
def quoted_texts(arr: pa.Array, backslash_escapes: bool) -> tuple[pa.Array, pa.Array] | None:
    """(is_null, the strings' contents) for a binary array whose every token is a quoted
    string or ``NULL``; None otherwise."""
    n = len(arr)
    if not n or arr.null_count or not pa.types.is_binary(arr.type):
        return None
    _, off_buf, data_buf = arr.buffers()
    offsets = np.frombuffer(off_buf, np.int32, n + 1, arr.offset * 4).astype(np.int64)
    base = int(offsets[0])
    d = np.frombuffer(data_buf, np.uint8, int(offsets[-1]) - base, base)
    o = offsets - base
    starts, ends = o[:-1], o[1:]
    lengths = ends - starts
    if not lengths.all():
        return None
    first_byte = d[starts]
    quoted = (first_byte == _QUOTE) & (lengths >= 2) & (d[ends - 1] == _QUOTE)
    null = np.zeros(n, dtype=bool)
    maybe_null = np.flatnonzero(first_byte == _NULL[0])
    if maybe_null.size:
        maybe_null = maybe_null[lengths[maybe_null] == 4]
        at = starts[maybe_null]
        same = (d[at + 1] == _NULL[1]) & (d[at + 2] == _NULL[2]) & (d[at + 3] == _NULL[3])
        null[maybe_null[same]] = True
    if not (quoted | null).all():
        return None
    opens, closes = starts[quoted], ends[quoted] - 1
    is_quote = d == _QUOTE
    inner_quotes = int(np.count_nonzero(is_quote)) - 2 * opens.size
    inner: list[np.ndarray] = []  # dropped bytes inside strings
    escaped_at = np.empty(0, dtype=np.int64)
    if backslash_escapes:
        slashes = np.flatnonzero(d == _BACKSLASH)
        if slashes.size:
            # The opening quote before each string breaks runs, so a run never spans tokens.
            pairs = slashes[(slashes - _run_starts(slashes)) % 2 == 0]
            escaped_at = pairs + 1
            # A pair must end before its string's closing quote (else the quotes were misread).
            closing = ends[np.searchsorted(o, pairs, side="right") - 1] - 1
            if (escaped_at >= closing).any():
                return None
            inner.append(pairs[~_KEEPS_BACKSLASH[d[escaped_at]]])
            inner_quotes -= int(np.count_nonzero(d[escaped_at] == _QUOTE))
    if inner_quotes:
        # Inside a string only doubled quotes remain (an escaped quote is a character): runs
        # of even length, read in pairs.
        is_quote[opens] = False
        is_quote[closes] = False
        is_quote[escaped_at] = False
        quotes = np.flatnonzero(is_quote)
        first = _run_starts(quotes)
        run_len = np.bincount(np.cumsum(quotes == first))
        if (run_len[1:] % 2).any():
            return None
        inner.append(quotes[(quotes - first) % 2 == 1])
    keep = np.ones(d.size, dtype=bool)
    keep[opens] = False
    keep[closes] = False
    null_at = starts[null]
    for k in range(4):
        keep[null_at + k] = False
    per_token = 2 * quoted.astype(np.int64) + 4 * null
    if inner:
        gone = np.concatenate(inner)
        keep[gone] = False
        per_token += np.bincount(np.searchsorted(o, gone, side="right") - 1, minlength=n)
    return pa.array(null), _rebuilt(d, keep, lengths - per_token, escaped_at)


def _rebuilt(d: np.ndarray, keep: np.ndarray, new_lengths: np.ndarray, escaped_at: np.ndarray) -> pa.Array:
    """The kept bytes of ``d`` (escaped bytes replaced) as a binary array of ``new_lengths``."""
    new_offsets = np.empty(new_lengths.size + 1, dtype=np.int64)
    new_offsets[0] = 0
    np.cumsum(new_lengths, out=new_offsets[1:])
    if escaped_at.size:
        d = d.copy()
        d[escaped_at] = _ESCAPED[d[escaped_at]]
    data = d[keep]
    buffers = [None, pa.py_buffer(new_offsets.astype(np.int32)), pa.py_buffer(data)]
    return pa.Array.from_buffers(pa.binary(), new_lengths.size, buffers)


def _runs_from(positions: np.ndarray, token: np.ndarray) -> np.ndarray:
    """Like :func:`_run_starts`, a run also starting at each new token."""
    starts = np.ones(positions.size, dtype=bool)
    starts[1:] = (positions[1:] != positions[:-1] + 1) | (token[1:] != token[:-1])
    first: np.ndarray = positions[starts][np.cumsum(starts) - 1]
    return first


# long: the same steps as quoted_texts, on strings the reader already took out of their quotes
def unquoted_texts(arr: pa.Array, quoted: np.ndarray, backslash_escapes: bool) -> tuple[pa.Array, pa.Array] | None:
    """(is_null, the strings' contents) for tokens handed over without their outer quotes
    (``quoted`` flags them), when every token is such a string or ``NULL``; None otherwise.
    A column with no escape and no doubled quote is returned without copying its bytes."""
    n = len(arr)
    if not n or arr.null_count or not pa.types.is_binary(arr.type) or len(quoted) != n:
        return None
    _, off_buf, data_buf = arr.buffers()
    raw_offsets = np.frombuffer(off_buf, np.int32, n + 1, arr.offset * 4)
    offsets = raw_offsets.astype(np.int64)
    base = int(offsets[0])
    d = np.frombuffer(data_buf, np.uint8, int(offsets[-1]) - base, base)
    o = offsets - base
    null = np.zeros(n, dtype=bool)
    maybe_null = np.flatnonzero(~quoted)
    if maybe_null.size:
        maybe_null = maybe_null[o[maybe_null + 1] - o[maybe_null] == 4]
        at = o[maybe_null]
        same = (d[at] == _NULL[0]) & (d[at + 1] == _NULL[1]) & (d[at + 2] == _NULL[2]) & (d[at + 3] == _NULL[3])
        null[maybe_null[same]] = True
        if not (quoted | null).all():
            return None
    # The four bytes of a NULL token stay in the data; the validity bitmap hides them.
    gone: list[np.ndarray] = []  # dropped bytes inside strings
    escaped_at = np.empty(0, dtype=np.int64)
    if backslash_escapes:
        slashes = np.flatnonzero(d == _BACKSLASH)
        if slashes.size:
            token = np.searchsorted(o, slashes, side="right") - 1
            starts_pair = (slashes - _runs_from(slashes, token)) % 2 == 0
            pairs = slashes[starts_pair]
            escaped_at = pairs + 1
            # A pair must end inside its string (else the quotes were misread).
            if (escaped_at >= o[token[starts_pair] + 1]).any():
                return None
            gone.append(pairs[~_KEEPS_BACKSLASH[d[escaped_at]]])
    is_quote = d == _QUOTE
    if int(np.count_nonzero(is_quote)) > int(np.count_nonzero(d[escaped_at] == _QUOTE)):
        # Inside a string only doubled quotes remain (an escaped quote is a character): runs
        # of even length within one string, read in pairs.
        is_quote[escaped_at] = False
        quotes = np.flatnonzero(is_quote)
        first = _runs_from(quotes, np.searchsorted(o, quotes, side="right") - 1)
        run_len = np.bincount(np.cumsum(quotes == first))
        if (run_len[1:] % 2).any():
            return None
        gone.append(quotes[(quotes - first) % 2 == 1])
    if not gone and not escaped_at.size:
        text = pa.Array.from_buffers(pa.binary(), n, [None, pa.py_buffer(raw_offsets), data_buf])
        return pa.array(null), text
    keep = np.ones(d.size, dtype=bool)
    dropped = np.concatenate(gone) if gone else np.empty(0, dtype=np.int64)
    keep[dropped] = False
    per_token = np.bincount(np.searchsorted(o, dropped, side="right") - 1, minlength=n)
    return pa.array(null), _rebuilt(d, keep, np.diff(o) - per_token, escaped_at)
