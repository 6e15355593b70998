"""Vectorised reading of a whole ``VALUES (...),(...);`` list with numpy and Arrow.

Python's ``re`` engine costs a few microseconds per row and one Python object per value. Here
one INSERT at a time is split with array operations instead:

1. the real quotes are found (for MySQL, a quote after an odd run of backslashes is escaped),
   so every byte is known to be inside or outside a string literal;
2. the first ``;`` outside strings ends the statement;
3. outside strings, ``( , )`` and whitespace separate tokens; the punctuation must follow the
   row grammar exactly (``(`` then ncols-1 commas, ``)``, a comma between rows) and every row
   must carry exactly one token between consecutive punctuation marks;
4. removing the separators leaves the tokens back to back: with their lengths as offsets that
   is already an Arrow binary array, and one ``take`` turns it column-major;
5. each string literal must fill its token exactly (separator or doubled quote around it, or
   a literal prefix such as N'...'), and no byte that starts a comment, identifier, cast,
   operator or placeholder may stand outside strings.

Any check that fails returns None and the caller reads the statement with the regex readers,
which accept the rarer forms (comments, conditional comments, introducers, sqlite3's
``replace(...,char(10))`` newline form: its parentheses break the row grammar) and explain
errors.
Tokens outside strings can then only be runs of letters, digits and ``+-.`` (numbers, NULL,
TRUE/FALSE, hex), which the converter checks strictly, so the left-to-right SQL lexer could not
have split the text differently.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ingest.sqldump.dialects import MYSQL, POSTGRES, LexMode

_QUOTE, _BACKSLASH, _SEMI = 39, 92, 59
_COMMA, _OPEN, _CLOSE = 44, 40, 41
_WS = (32, 9, 10, 13)
MAX_WINDOW = 32 << 20


MORE = object()  # sentinel: no ";" outside strings within the window
SUSPECT_WINDOW = 4 << 20  # beyond this, ";" seen only inside strings means quotes miscounted


@dataclass
class ArrowRows:
    """The tokens of a VALUES list, row by row (nrows * ncols). A token that is a string
    literal (it starts with its quote) comes without its outer quotes, flagged in ``quoted``;
    every other token (numbers, NULL, prefixed strings such as N'x') comes as written."""

    tokens: pa.Array
    quoted: np.ndarray
    nrows: int
    end: int  # buffer index just after the terminating ";"

    @property
    def columns(self) -> list[pa.Array]:
        """One binary array of tokens per column."""
        return by_column(self.tokens, self.nrows)

    @property
    def quoted_columns(self) -> list[np.ndarray]:
        return [self.quoted.reshape(self.nrows, -1)[:, j] for j in range(len(self.quoted) // self.nrows)]


def by_column(tokens: pa.Array, nrows: int) -> list[pa.Array]:
    """Row-major tokens of ``nrows`` rows as one array per column (the loader does this on
    its typing thread, once per INSERT: within one statement's tokens a take stays in the
    CPU's cache, across a whole batch it took five times as long)."""
    ncols = len(tokens) // nrows if nrows else 0
    order = _column_major(nrows, ncols) if nrows * ncols <= 1 << 16 else _column_order(nrows, ncols)
    columns = pc.take(tokens, order)
    return [columns.slice(j * nrows, nrows) for j in range(ncols)]


def _column_order(nrows: int, ncols: int) -> pa.Array:
    dtype = np.int32 if nrows * ncols < (1 << 31) else np.int64
    return pa.array(np.arange(nrows * ncols, dtype=dtype).reshape(nrows, ncols).T.ravel())


# Dumps repeat the same INSERT size; a small cache of small orders (at most 64 x 256 KiB).
_column_major = functools.lru_cache(maxsize=64)(_column_order)


def _unescaped(quotes: np.ndarray, region: np.ndarray) -> np.ndarray:
    """Drop quotes preceded by an odd run of backslashes (MySQL escapes). Only the few quotes
    right after a backslash are looked at again (a pass over all quotes per run length made
    this the reader's most expensive step)."""
    preceded = region[quotes - 1] == _BACKSLASH
    if quotes[0] == 0:
        preceded[0] = False  # (index -1 read the region's last byte)
    after_bs = np.flatnonzero(preceded)
    if not after_bs.size:
        return quotes
    at = quotes[after_bs]
    run = np.ones(at.size, dtype=np.int64)
    active = np.flatnonzero(at >= 2)
    k = 2
    while active.size:
        active = active[region[at[active] - k] == _BACKSLASH]
        run[active] += 1
        k += 1
        active = active[at[active] >= k]
    escaped = after_bs[(run & 1) == 1]
    if not escaped.size:
        return quotes
    return np.delete(quotes, escaped)


# Outside string literals only numbers, NULL/TRUE/FALSE, hex and string prefixes may stand
# between the separators; any other byte (comments, identifiers' quotes, casts, operators,
# placeholders, non-ASCII) sends the statement to the precise reader.
_ALLOWED = np.zeros(256, dtype=bool)
for _c in b"0123456789.+-_ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz":
    _ALLOWED[_c] = True


@dataclass(frozen=True)
class _Shape:
    """What a VALUES list of nrows rows of ncols values must look like (cached: dumps repeat
    the same INSERT size)."""

    punctuation: np.ndarray  # "(" ","*(ncols-1) ")" between rows ","
    owners: np.ndarray  # the punctuation mark each token follows


@functools.lru_cache(maxsize=64)
def _shape(nrows: int, ncols: int) -> _Shape:
    per_row = ncols + 2
    expected = np.frombuffer(b"(" + b"," * (ncols - 1) + b")" + b",", np.uint8)
    owners = (np.arange(nrows)[:, None] * per_row + np.arange(ncols)[None, :]).ravel()
    return _Shape(np.tile(expected, nrows)[:-1], owners)


def _inside_mask(quotes: np.ndarray, n: int) -> np.ndarray:
    """True for bytes inside a string literal (its quotes included); an unclosed string runs
    to the end. Built from the alternating outside/inside run lengths in one pass."""
    bounds = np.empty(quotes.size + 2, dtype=np.int64)
    bounds[0] = 0
    bounds[1:-1] = quotes
    bounds[2:-1:2] += 1  # a closing quote belongs to its string
    bounds[-1] = n
    lengths = np.diff(bounds)
    flags = np.zeros(lengths.size, dtype=bool)
    flags[1::2] = True
    return np.repeat(flags, lengths)


def _first_end(region: np.ndarray, mode: LexMode) -> tuple[np.ndarray, np.ndarray, np.ndarray, int] | None:
    """(region, its real quotes, the inside-string mask, index of the first ";" outside
    strings), or None when every ";" of the region is inside a string."""
    quotes = np.flatnonzero(region == _QUOTE)
    if mode.dialect == MYSQL and mode.backslash_escapes and quotes.size and (region == _BACKSLASH).any():
        quotes = _unescaped(quotes, region)
    inside = _inside_mask(quotes, region.size)
    semis = np.flatnonzero((region == _SEMI) & ~inside)
    if not semis.size:
        return None
    return region, quotes, inside, int(semis[0])


def _likely_end(buf: bytes, start: int, limit: int) -> int:
    """Index of a ";" that probably ends the statement starting at ``start`` (any ";" will do:
    :func:`read` checks). Dump writers put an INSERT on one line, so the first line end is
    looked for first: a one-byte search, where searching for ");" is several times slower."""
    nl = buf.find(b"\n", start, limit)
    if nl > start:
        end = nl - 1 if buf[nl - 1] != 13 else nl - 2  # (CRLF)
        if buf[end] == _SEMI and buf[end - 1] == _CLOSE:
            return end
    return buf.find(b");", start, limit) + 1


# long: the vectorised VALUES reader, one pass of numpy steps sharing their arrays; whole for speed
def read(buf: bytes, start: int, ncols: int, mode: LexMode, window: int) -> ArrowRows | object | None:
    """Rows of the VALUES list starting at ``buf[start]`` (a "("); None to fall back, or
    :data:`MORE` when the statement does not end within ``window`` bytes."""
    if mode.dialect == POSTGRES and not mode.standard_strings:
        return None  # a backslash escapes a quote there: the row reader reads such strings
    limit = min(len(buf), start + window)
    whole = np.frombuffer(buf, np.uint8)
    # Look at the text up to a likely end first (the window is about twice the statement).
    # Reading a prefix that ends at a ";" finds the same quotes, strings and first ";" outside
    # them as reading the whole window; when that ";" is inside a string, the whole window is
    # read.
    guess = _likely_end(buf, start, limit)
    found = _first_end(whole[start : guess + 1], mode) if guess > start else None
    if found is None:
        region = whole[start:limit]
        found = _first_end(region, mode)
        if found is None:
            # The statement goes on past the window -- unless a long window saw ";" only inside
            # strings, which suggests miscounted quotes (e.g. MySQL "it's"): read row by row.
            return None if window >= SUSPECT_WINDOW and (region == _SEMI).any() else MORE
    region, quotes, inside, end = found
    quotes = quotes[: np.searchsorted(quotes, end)]
    region = region[:end]
    outside = ~inside[:end]
    # Byte comparisons are the cheapest numpy pass there is (a table lookup costs 30 times one).
    is_punct = region == _COMMA
    is_punct |= region == _OPEN
    is_punct |= region == _CLOSE
    is_sep = region == _WS[0]
    for byte in _WS[1:]:
        is_sep |= region == byte
    is_sep |= is_punct
    is_sep &= outside
    is_punct &= outside
    loose = outside & ~is_sep
    loose_bytes = region[loose]
    if loose_bytes.size and not _ALLOWED[loose_bytes].all():
        return None
    # "--" outside strings is two adjacent loose bytes, so it shows in the loose bytes.
    if loose_bytes.size > 1 and b"--" in loose_bytes.tobytes():
        pairs = np.flatnonzero((region[:-1] == 45) & (region[1:] == 45))
        if outside[pairs].any():
            return None  # "--" starts a comment in most dialects
    cand = np.flatnonzero(is_sep)
    if not cand.size or cand[0] != 0:
        return None
    punct_flags = is_punct[cand]
    punct = cand[punct_flags]
    per_row = ncols + 2
    nrows = (punct.size + 1) // per_row
    if nrows == 0 or punct.size != nrows * per_row - 1:
        return None
    shape = _shape(nrows, ncols)
    if not np.array_equal(region[punct], shape.punctuation):
        return None
    # Tokens: maximal runs of non-separator bytes; exactly one right after each "(" or ","
    # of a row (row r, column j follows punctuation mark r*(ncols+2)+j).
    gaps_start = cand + 1
    gaps_end = np.append(cand[1:], end)
    nonempty = gaps_end > gaps_start
    tok_start = gaps_start[nonempty]
    tok_end = gaps_end[nonempty]
    ntok = nrows * ncols
    if tok_start.size != ntok:
        return None
    owner = (np.cumsum(punct_flags) - 1)[nonempty]
    if not np.array_equal(owner, shape.owners):
        return None
    if quotes.size and not _strings_are_whole_tokens(quotes, is_sep, tok_start, region, end, mode):
        return None
    # A string token starts with its opening quote and ends with its closing one (checked
    # above): both are left out here, which spares the typing thread a copy of every string.
    quoted = region[tok_start] == _QUOTE
    keep = ~is_sep
    keep[tok_start[quoted]] = False
    keep[tok_end[quoted] - 1] = False
    data = region[keep]
    offsets = np.zeros(ntok + 1, dtype=np.int32)
    np.cumsum(tok_end - tok_start - 2 * quoted, out=offsets[1:])
    tokens = pa.Array.from_buffers(pa.binary(), ntok, [None, pa.py_buffer(offsets), pa.py_buffer(data)])
    return ArrowRows(tokens, quoted, nrows, start + end + 1)


def _strings_are_whole_tokens(
    quotes: np.ndarray, is_sep: np.ndarray, tok_start: np.ndarray, region: np.ndarray, end: int, mode: LexMode
) -> bool:
    """Each string literal fills its token: after its closing quote comes a separator (or a
    doubled quote continuing it), before its opening quote a separator (or the doubled quote,
    or a one-letter prefix N/X/B, or a MySQL charset introducer)."""
    opens, closes = quotes[0::2], quotes[1::2]
    sep = np.append(is_sep, True)
    after = closes + 1
    ok_after = sep[after]
    if not ok_after.all():
        # a doubled quote ('') continues the string: the next opening quote right after
        doubled = np.zeros(after.size, dtype=bool)
        doubled[: opens.size - 1] = after[: opens.size - 1] == opens[1:]
        if not (ok_after | doubled).all():
            return False
    before = opens - 1
    ok = sep[before]
    if not ok.all():
        ok[1:] |= before[1:] == closes[: opens.size - 1]
    if ok.all():
        return True
    odd = opens[~ok]
    owner = tok_start[np.searchsorted(tok_start, odd, side="right") - 1]
    lengths = odd - owner
    letters = b"NnXxBb" if mode.dialect == MYSQL else b"NnXx"
    one = lengths == 1
    if not np.isin(region[odd[one] - 1], np.frombuffer(letters, np.uint8)).all():
        return False
    if mode.dialect != MYSQL and not one.all():
        return False
    for a, b in zip(owner[~one].tolist(), odd[~one].tolist(), strict=False):
        prefix = region[a:b].tobytes()
        if not (prefix.startswith(b"_") and prefix[1:].isalnum() and prefix.isascii()):
            return False
    return True
