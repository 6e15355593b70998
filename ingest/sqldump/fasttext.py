"""A column of quoted string tokens (or NULL) decoded with array operations on its bytes.

The Arrow kernel path this replaces scanned each column several times (for NULL, the opening
quote, backslashes, doubled quotes), copied every string to cut its quotes off and sent the
strings with escapes through Python. Here one pass of numpy steps over the column's data
buffer finds what to drop and what to replace, and one compress writes the result:

- the outer quotes of every token are dropped (the compiled VALUES reader already leaves
  them out, see :func:`unquoted_texts`; :func:`quoted_texts` drops them first for tokens as
  written); a ``NULL`` token is flagged in the validity bitmap;
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


def _numpy_view(arr: pa.Array) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(the array's int32 offsets as stored, the same rebased to its first byte as int64, its
    data bytes from there)."""
    n = len(arr)
    _, off_buf, data_buf = arr.buffers()
    raw_offsets = np.frombuffer(off_buf, np.int32, n + 1, arr.offset * 4)
    offsets = raw_offsets.astype(np.int64)
    base = int(offsets[0])
    d = np.frombuffer(data_buf, np.uint8, int(offsets[-1]) - base, base)
    return raw_offsets, offsets - base, d


def value_bytes(arr: pa.Array) -> np.ndarray:
    """The bytes of a binary or string array's values, back to back (null slots included)."""
    if arr.buffers()[2] is None:
        return np.zeros(0, dtype=np.uint8)
    return _numpy_view(arr)[2]


def _is_null(d: np.ndarray, o: np.ndarray, candidates: np.ndarray) -> np.ndarray:
    """Flags, per token, of the candidates that are exactly the word ``NULL``."""
    null = np.zeros(o.size - 1, dtype=bool)
    candidates = candidates[o[candidates + 1] - o[candidates] == 4]
    at = o[candidates]
    same = (d[at] == _NULL[0]) & (d[at + 1] == _NULL[1]) & (d[at + 2] == _NULL[2]) & (d[at + 3] == _NULL[3])
    null[candidates[same]] = True
    return null


def quoted_texts(arr: pa.Array, backslash_escapes: bool) -> tuple[pa.Array, pa.Array] | None:
    """(is_null, the strings' contents) for a binary array of tokens as written, whose every
    token is a quoted string or ``NULL``; None otherwise. The outer quotes are dropped, then
    the column is read as :func:`unquoted_texts` reads the reader's form."""
    n = len(arr)
    if not n or arr.null_count or not pa.types.is_binary(arr.type):
        return None
    _, o, d = _numpy_view(arr)
    starts, ends = o[:-1], o[1:]
    lengths = ends - starts
    if not lengths.all():
        return None
    quoted = (d[starts] == _QUOTE) & (lengths >= 2) & (d[ends - 1] == _QUOTE)
    null = _is_null(d, o, np.flatnonzero(~quoted))
    if not (quoted | null).all():
        return None
    keep = np.ones(d.size, dtype=bool)
    keep[starts[quoted]] = False
    keep[ends[quoted] - 1] = False
    bare = _rebuilt(d, keep, lengths - 2 * quoted, np.empty(0, dtype=np.int64))
    return _decoded(bare, _numpy_view(bare), null, backslash_escapes)


def unquoted_texts(arr: pa.Array, quoted: np.ndarray, backslash_escapes: bool) -> tuple[pa.Array, pa.Array] | None:
    """(is_null, the strings' contents) for tokens handed over without their outer quotes
    (``quoted`` flags them), when every token is such a string or ``NULL``; None otherwise.
    A column with no escape and no doubled quote is returned without copying its bytes."""
    n = len(arr)
    if not n or arr.null_count or not pa.types.is_binary(arr.type) or len(quoted) != n:
        return None
    view = _numpy_view(arr)
    _, o, d = view
    null = _is_null(d, o, np.flatnonzero(~quoted))
    if not (quoted | null).all():
        return None
    return _decoded(arr, view, null, backslash_escapes)


def _runs_from(positions: np.ndarray, token: np.ndarray) -> np.ndarray:
    """For each sorted position, the first position of the run of consecutive ones it is in;
    a run also starts at each new token."""
    starts = np.ones(positions.size, dtype=bool)
    starts[1:] = (positions[1:] != positions[:-1] + 1) | (token[1:] != token[:-1])
    first: np.ndarray = positions[starts][np.cumsum(starts) - 1]
    return first


def _decoded(
    arr: pa.Array,
    view: tuple[np.ndarray, np.ndarray, np.ndarray],
    null: np.ndarray,
    backslash_escapes: bool,
) -> tuple[pa.Array, pa.Array] | None:
    """Escape pairs and doubled quotes of strings without their outer quotes applied; the four
    bytes of a NULL token stay in the data, hidden by the validity bitmap."""
    n = len(arr)
    raw_offsets, o, d = view  # (from _numpy_view(arr))
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
        text = pa.Array.from_buffers(pa.binary(), n, [None, pa.py_buffer(raw_offsets), arr.buffers()[2]])
        return pa.array(null), text
    keep = np.ones(d.size, dtype=bool)
    dropped = np.concatenate(gone) if gone else np.empty(0, dtype=np.int64)
    keep[dropped] = False
    per_token = np.bincount(np.searchsorted(o, dropped, side="right") - 1, minlength=n)
    return pa.array(null), _rebuilt(d, keep, np.diff(o) - per_token, escaped_at)


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
