"""Reading a whole ``VALUES (...),(...);`` list in one compiled pass.

Python's ``re`` engine costs a few microseconds per row and one Python object per value. Here
one INSERT at a time is read by :func:`ingest.sqldump.fastscan.scan`, a single left-to-right
pass that finds the string literals (with the dialect's escapes), the first ``;`` outside
them, and checks the row grammar (``(`` then ncols-1 commas, ``)``, a comma between rows;
exactly one token per value). It lays the tokens out column by column, back to back with
their lengths as offsets: that is already an Arrow binary array, sliced into one per column.

Any check that fails returns None and the caller reads the statement with the regex readers,
which accept the rarer forms (comments, conditional comments, sqlite3's
``replace(...,char(10))`` newline form: its parentheses break the row grammar) and explain
errors. Outside strings the pass takes only the literals the row reader reads whole (numbers,
NULL, TRUE/FALSE) and string literals, perhaps prefixed (N'x', X'41', _utf8mb4'x'); the
converter then checks each value strictly, so the left-to-right SQL lexer could not have split
the text differently.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from ingest.sqldump import fastscan
from ingest.sqldump.dialects import MYSQL, POSTGRES, LexMode

MAX_WINDOW = 32 << 20
_SEMI = 59


MORE = object()  # sentinel: no ";" outside strings within the window
SUSPECT_WINDOW = 4 << 20  # beyond this, ";" seen only inside strings means quotes miscounted


@dataclass
class ArrowRows:
    """The tokens of a VALUES list, column by column (all nrows tokens of the first column,
    then the second's...). A token that is a string literal (it starts with its quote) comes
    without its outer quotes, flagged in ``quoted``; every other token (numbers, NULL, prefixed
    strings such as N'x') comes as written."""

    tokens: pa.Array
    quoted: np.ndarray
    nrows: int
    end: int  # buffer index just after the terminating ";"

    @property
    def columns(self) -> list[pa.Array]:
        """One binary array of tokens per column."""
        return [self.tokens.slice(j, self.nrows) for j in range(0, len(self.tokens), self.nrows)]

    @property
    def quoted_columns(self) -> list[np.ndarray]:
        return list(self.quoted.reshape(-1, self.nrows))


def read(buf: bytes, start: int, ncols: int, mode: LexMode, window: int) -> ArrowRows | object | None:
    """Rows of the VALUES list starting at ``buf[start]`` (a "("); None to fall back, or
    :data:`MORE` when the statement does not end within ``window`` bytes."""
    if mode.dialect == POSTGRES and not mode.standard_strings:
        return None  # a backslash escapes a quote there: the row reader reads such strings
    if ncols < 1:
        return None
    if not 0 <= start < len(buf) or window < 1:
        raise ValueError(f"no VALUES list at {start} of {len(buf)} bytes with a window of {window}")
    limit = min(len(buf), start + window)
    region = np.frombuffer(buf, np.uint8, count=limit - start, offset=start)
    backslash = mode.dialect == MYSQL and mode.backslash_escapes
    status, end, nrows, tokens, quoted = fastscan.scan(region, ncols, backslash=backslash, mysql=mode.dialect == MYSQL)
    if status == fastscan.NO_END:
        # The statement goes on past the window -- unless a long window saw ";" only inside
        # strings, which suggests miscounted quotes (e.g. MySQL "it's"): read row by row.
        return None if window >= SUSPECT_WINDOW and bool((region == _SEMI).any()) else MORE
    if status != fastscan.OK:
        return None
    return ArrowRows(tokens, quoted, nrows, start + end + 1)
