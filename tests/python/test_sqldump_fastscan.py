"""The compiled VALUES reader (``fastscan`` behind ``fastrows.read``) against the row reader
(``literals.read_row``), which is the definition: on generated VALUES lists full of the bytes
that matter to a lexer (quotes, doubled quotes, backslashes, ``;``, ``--``, parentheses,
commas, newlines, prefixes, comments), in every dialect mode, whatever the compiled reader
returns must be exactly what the row reader reads, and where the row reader refuses the text
the compiled reader must hand it back (None) or ask for more text (MORE)."""

from __future__ import annotations

import random

import numpy as np
import pytest

from ingest.sqldump import fastrows, fastscan, literals
from ingest.sqldump.dialects import MYSQL, POSTGRES, SQLITE, LexMode, initial_mode

SEED = 20261205
CASES = 2000

MODES = {
    "mysql": initial_mode(MYSQL),
    "mysql-no-backslash": LexMode(MYSQL, backslash_escapes=False, double_quoted_strings=True),
    "postgres": initial_mode(POSTGRES),
    "sqlite": initial_mode(SQLITE),
}

# Pieces of a string literal's contents, as written between its quotes.
_PLAIN = ["a", "b", "Z", " ", ",", "(", ")", ";", ");", "--", "/*", "#", '"', "\n", "\t", "é", "€", "''", "0"]
_ESCAPES = ["\\\\", "\\'", "\\n", "\\%", "\\_", "\\0", "\\q"]


def _string(rng: random.Random, escapes: bool) -> str:
    pieces = _PLAIN + (_ESCAPES if escapes else ["\\"])
    return "'" + "".join(rng.choice(pieces) for _ in range(rng.randrange(0, 7))) + "'"


def _token(rng: random.Random, mode: LexMode) -> str:
    escapes = mode.dialect == MYSQL and mode.backslash_escapes
    roll = rng.random()
    if roll < 0.45:
        return _string(rng, escapes)
    if roll < 0.75:
        return rng.choice(["1", "-2", "+3", "4.5", ".5", "1e5", "-1.5E-3", "0x1F", "NULL", "null", "TRUE", "007"])
    if roll < 0.9:
        prefix = rng.choice(["N", "n", "X", "x", "B", "b", "E", "_utf8mb4", "_binary", "_latin1", "U&", "_"])
        return prefix + _string(rng, escapes)
    # rarer forms the row reader takes or refuses, the compiled reader hands back
    return rng.choice(
        [
            "'a' 'b'",
            "'a''b'",
            "`x`",
            '"dq"',
            "1::int",
            "CAST(1 AS INT)",
            "now()",
            "?",
            "$1",
            "- 1",
            "1 /* c */",
            "/* c */ 2",
            "3 -- c\n",
            "4 # c\n",
            "'x'N",
            "--5",
            "1-'a'",
            "$$d$$",
            "X'4G'",
        ]
    )


def _space(rng: random.Random) -> str:
    return rng.choice(["", "", "", " ", "\n", " \t", "\r\n"])


def _values(rng: random.Random, mode: LexMode, nrows: int, ncols: int) -> str:
    rows = []
    for _ in range(nrows):
        tokens = [_space(rng) + _token(rng, mode) + _space(rng) for _ in range(ncols)]
        rows.append("(" + ",".join(tokens) + ")")
    text = (_space(rng) + "," + _space(rng)).join(rows)
    roll = rng.random()
    if roll < 0.08:  # grammar broken on purpose: a value too many or too few, a stray mark
        at = rng.randrange(len(text))
        text = text[:at] + rng.choice([",", ")", "(", ",1", "", " x"]) + text[at + 1 :]
    elif roll < 0.12:
        text = text[: rng.randrange(1, len(text))]  # cut off
    return text + rng.choice([";", ";", " ;", ";\nINSERT INTO t VALUES (1);", ""])


def _reference(buf: bytes, ncols: int, mode: LexMode) -> tuple[list[tuple[bytes, ...]], int] | None:
    """The rows and the end (just after ";") as the row reader reads them; None if it refuses
    the text or it does not end with ";"."""
    rows, pos = [], 0
    while True:
        try:
            got = literals.read_row(buf, pos, ncols, mode, at_eof=True)
        except literals.Problem:
            return None
        rows.append(got.tokens)
        pos = got.end
        if got.terminator == b";":
            return rows, pos
        if got.terminator != b",":
            return None


def _as_row_reader_reads(token: bytes, quoted: bool, reference: bytes) -> bytes:
    """The compiled reader's token as the row reader writes the same literal (the converter
    reads both forms the same way)."""
    if quoted:
        return b"'" + token + b"'"
    if token.startswith(b"_") and not reference.startswith(b"_"):
        return token[token.index(b"'") :]  # the row reader drops a UTF-8 introducer
    if token.upper() in (b"NULL", b"TRUE", b"FALSE"):
        return token.upper()  # and upper-cases these words
    return token


def _check(buf: bytes, ncols: int, mode: LexMode) -> str:
    got = fastrows.read(buf, 0, ncols, mode, len(buf))
    reference = _reference(buf, ncols, mode)
    if got is None:
        return "handed back"
    if got is fastrows.MORE:
        assert reference is None, buf
        return "more"
    assert isinstance(got, fastrows.ArrowRows)
    assert reference is not None, buf
    rows, end = reference
    assert got.end == end, buf
    assert got.nrows == len(rows), buf
    for j, (column, flags) in enumerate(zip(got.columns, got.quoted_columns, strict=True)):
        for r, (token, quoted) in enumerate(zip(column.to_pylist(), flags.tolist(), strict=True)):
            assert _as_row_reader_reads(token, quoted, rows[r][j]) == rows[r][j], (buf, r, j)
    return "read"


@pytest.mark.parametrize("mode_name", sorted(MODES))
def test_compiled_reader_reads_exactly_what_the_row_reader_reads(mode_name):
    mode = MODES[mode_name]
    rng = random.Random(f"{SEED}-{mode_name}")
    outcomes = {"read": 0, "handed back": 0, "more": 0}
    for _ in range(CASES):
        ncols = rng.randrange(1, 5)
        buf = _values(rng, mode, rng.randrange(1, 6), ncols).encode("utf-8")
        outcomes[_check(buf, ncols, mode)] += 1
    # The check only means something if both kinds of outcome occur often.
    assert outcomes["read"] >= CASES // 20, outcomes
    assert outcomes["handed back"] >= CASES // 5, outcomes
    assert outcomes["more"] >= CASES // 50, outcomes


def test_clean_lists_are_read_not_handed_back():
    # Numbers, NULL and plain strings (no rare form) in every dialect: always the compiled path.
    for mode_name, mode in sorted(MODES.items()):
        rng = random.Random(f"{SEED}-clean-{mode_name}")
        escapes = mode.dialect == MYSQL and mode.backslash_escapes
        for _ in range(50):
            rows = []
            for _ in range(rng.randrange(1, 8)):
                tokens = [rng.choice(["1", "-2.5", "NULL", _string(rng, escapes)]) for _ in range(3)]
                rows.append("(" + ",".join(tokens) + ")")
            buf = (",".join(rows) + ";").encode("utf-8")
            assert _check(buf, 3, mode) == "read", (mode_name, buf)


@pytest.mark.parametrize(
    ("text", "mode_name", "outcome"),
    [
        # the statement's end is the first ";" outside strings; one inside a string is data
        (b"(1,'a;b'),(2,';');", "mysql", "read"),
        # MySQL: \' does not close the string, \\' does
        (b"(1,'a\\'b'),(2,'c\\\\');", "mysql", "read"),
        # without backslash escapes \' closes it, and the rest is not a row
        (b"(1,'a\\'b'),(2,'c\\\\');", "mysql-no-backslash", "handed back"),
        (b"(1,'it''s');", "sqlite", "read"),
        (b"(1,'a'),(2,'b')", "mysql", "more"),  # no ";" yet
        (b"(1,'a),(2,b);", "mysql", "more"),  # the string never closes
        (b"(1,'a')--c\n;", "mysql", "handed back"),  # a comment outside strings
        (b"(1,'a' 'b');", "mysql", "handed back"),  # two literals in one value
        (b"(1,_utf8mb4'a');", "mysql", "read"),
        (b"(1,_utf8mb4'a');", "postgres", "handed back"),  # introducers are MySQL's
        (b"(1,B'01');", "sqlite", "handed back"),
        (b"(1,2,3);", "mysql", "handed back"),  # three values in a 2-column row
        (b"(1);", "mysql", "handed back"),
        (b"(1,2) (3,4);", "mysql", "handed back"),  # rows without a comma between them
        (b"(1,2),;", "mysql", "handed back"),
        (b"(1,2);", "mysql", "read"),
        (b" ( 1 ,\n2 )\t,\r\n( 3 , 4 ) ;", "postgres", "read"),
    ],
)
def test_lexer_cases(text, mode_name, outcome):
    assert _check(text, 2, MODES[mode_name]) == outcome


def test_postgres_without_standard_strings_is_always_handed_back():
    mode = LexMode(POSTGRES, backslash_escapes=False, double_quoted_strings=False, standard_strings=False)
    assert fastrows.read(b"(1,'a');", 0, 2, mode, 100) is None


def test_a_long_window_with_semicolons_only_in_strings_is_handed_back():
    # Text whose every ";" is inside a string that never closes (quotes miscounted, e.g. a
    # MySQL "it's" written without escaping far back): past SUSPECT_WINDOW the reader stops
    # asking for more text and hands the statement to the row reader.
    buf = b"(1,'it is here; and more" + b" " * fastrows.SUSPECT_WINDOW
    mode = MODES["mysql"]
    assert fastrows.read(buf, 0, 2, mode, 1 << 16) is fastrows.MORE
    assert fastrows.read(buf, 0, 2, mode, fastrows.SUSPECT_WINDOW) is None
    # a quote miscounted early shows at once: the text after it breaks the row grammar
    assert fastrows.read(b"(1,'it's here; and more');", 0, 2, mode, 1 << 16) is None


def test_scan_reports_the_end_and_lays_tokens_out_by_column():
    region = np.frombuffer(b"(1,'a'),(2,N'b'),(3,NULL); tail", np.uint8)
    status, end, nrows, tokens, quoted = fastscan.scan(region, 2, backslash=True, mysql=True)
    assert (status, end, nrows) == (fastscan.OK, 25, 3)
    assert tokens.to_pylist() == [b"1", b"2", b"3", b"a", b"N'b'", b"NULL"]
    assert quoted.tolist() == [False, False, False, True, False, False]
    status, end, nrows, tokens, quoted = fastscan.scan(region[:20], 2, backslash=True, mysql=True)
    assert (status, end, nrows, len(tokens), len(quoted)) == (fastscan.NO_END, -1, 0, 0, 0)


def test_a_read_outside_the_buffer_is_an_error():
    with pytest.raises(ValueError, match=r"^no VALUES list at 9 of 8 bytes with a window of 100$"):
        fastrows.read(b"(1),(2);", 9, 1, MODES["mysql"], 100)
    with pytest.raises(ValueError, match=r"^no VALUES list at 0 of 8 bytes with a window of 0$"):
        fastrows.read(b"(1),(2);", 0, 1, MODES["mysql"], 0)


@pytest.mark.parametrize("dialect", ["mysql", "postgres"])
def test_a_plus_sign_is_kept_as_written_by_every_reader(tmp_path, dialect):
    # A number written for a text column keeps its text as written (POLICY.md): the same
    # whether the row goes through the compiled reader (a long INSERT), the regex row reader
    # (a short one) or the precise one (a comment before the row sends it there).
    from ingest.sqldump import load_dump
    from ingest.warehouse import connect

    long_rows = ",".join(["(+.5,+1.5)"] * 1500)
    text = (
        "CREATE TABLE t (a VARCHAR(10), b DECIMAL(10,2));\n"
        f"INSERT INTO t VALUES {long_rows};\n"
        "INSERT INTO t VALUES (+.5,+1.5);\n"
        "INSERT INTO t VALUES /* c */ (+.5,+1.5);\n"
        "INSERT INTO t VALUES (+ .5,+ 1.5);\n"
    )
    path = tmp_path / "dump.sql"
    path.write_text(text, encoding="utf-8")
    con = connect(":memory:")
    load_dump(con, path, dialect=dialect)
    got = con.execute("SELECT a, b::VARCHAR, count(*) FROM raw.t GROUP BY ALL").fetchall()
    assert got == [("+.5", "1.50", 1503)]


def _twice(x: int) -> int:
    return 2 * x


def test_without_a_writable_cache_the_reader_compiles_per_process(monkeypatch):
    # A read-only install and home leave numba no place for its cache: the kernel is then
    # compiled in memory instead of failing the import.
    from numba.core import caching

    assert not isinstance(fastscan._compiled(_twice)._cache, caching.NullCache)
    from numba import njit

    monkeypatch.setattr(caching.CacheImpl, "_locator_classes", [])  # no writable place anywhere
    with pytest.raises(RuntimeError, match="no locator available"):
        njit(cache=True)(_twice)
    compiled = fastscan._compiled(_twice)
    assert isinstance(compiled._cache, caching.NullCache)
    assert compiled(21) == 42
