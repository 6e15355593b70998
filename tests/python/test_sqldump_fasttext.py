"""The array decoder of quoted string columns (``fasttext.quoted_texts``) gives exactly what the
one-literal-at-a-time definition gives (``unescape.unescape_mysql``; with backslash escapes off,
only doubled quotes), and hands back (None) every column it does not cover."""

from __future__ import annotations

import random

import numpy as np
import pyarrow as pa
import pytest

from ingest.sqldump import convert, dialects, load_dump
from ingest.sqldump.fasttext import quoted_texts, unquoted_texts
from ingest.sqldump.unescape import unescape_mysql
from ingest.warehouse import connect

_PLAIN = [b"a", b"Z", b"n", b"0", b"%", b"_", b'"', b" ", b",", b"(", b";", "é".encode(), "€".encode(), b"b", b"t"]
_AFTER_BACKSLASH = [*_PLAIN, b"\\", b"'", b"q", b"r", b"N", "ü".encode()]


def _decoded(arr: pa.Array, backslash_escapes: bool) -> list[bytes | None] | None:
    got = quoted_texts(arr, backslash_escapes)
    if got is None:
        return None
    null, text = got
    return [None if n else t for n, t in zip(null.to_pylist(), text.to_pylist(), strict=True)]


def _literal(rng: random.Random, backslash_escapes: bool) -> bytes:
    """The content of a well-formed string literal: plain bytes, escape pairs, doubled quotes
    (and, with escapes off, lone backslashes, which are then plain)."""
    parts = []
    for _ in range(rng.randint(0, 9)):
        r = rng.random()
        if r < 0.5:
            parts.append(rng.choice(_PLAIN))
        elif r < 0.8:
            parts.append(b"\\" + rng.choice(_AFTER_BACKSLASH) if backslash_escapes else b"\\")
        else:
            parts.append(b"''")
    return b"".join(parts)


@pytest.mark.parametrize("backslash_escapes", [True, False])
def test_generated_columns_decode_as_the_literal_definition_says(backslash_escapes: bool) -> None:
    rng = random.Random(20261205)
    checked = 0
    for _ in range(1500):
        tokens: list[bytes] = []
        expected: list[bytes | None] = []
        for _ in range(rng.randint(1, 12)):
            if rng.random() < 0.15:
                tokens.append(b"NULL")
                expected.append(None)
                continue
            body = _literal(rng, backslash_escapes)
            tokens.append(b"'" + body + b"'")
            expected.append(unescape_mysql(body, b"'") if backslash_escapes else body.replace(b"''", b"'"))
        arr = pa.array(tokens, pa.binary())
        if rng.random() < 0.3:  # a slice, as the VALUES reader hands columns over
            arr = pa.array([b"'before'", *tokens, b"'after'"], pa.binary()).slice(1, len(tokens))
        assert _decoded(arr, backslash_escapes) == expected
        checked += len(tokens)
    assert checked > 5000


def test_each_mysql_escape_decodes_as_mysql_reads_it() -> None:
    cases = {
        rb"'a\%b'": rb"a\%b",  # LIKE escapes keep their backslash
        rb"'a\_b'": rb"a\_b",
        rb"'\q'": b"q",  # undefined escape: the backslash is dropped
        rb"'\\'": b"\\",
        rb"'\\\\n'": b"\\\\n",
        rb"'\\\n'": b"\\\n",
        rb"'\''": b"'",
        b"''''": b"'",
        rb"'\''''": b"''",
        b"'it''s'": b"it's",
        rb"'\0'": b"\x00",
        rb"'\Z\b\t\r\n'": b"\x1a\x08\t\r\n",
        "'\\é'".encode(): "é".encode(),
        b"''": b"",
        b"'NULL'": b"NULL",
    }
    tokens = [*cases, b"NULL"]
    assert _decoded(pa.array(tokens, pa.binary()), True) == [*cases.values(), None]
    assert _decoded(pa.array([rb"'\q'", b"'it''s'"], pa.binary()), False) == [rb"\q", b"it's"]


@pytest.mark.parametrize(
    "token",
    [b"null", b"N'x'", b'"x"', b"", b"12", b"'a'b'", b"'a'''b'", b"'", b"X'41'", b"_utf8mb4'x'"],
)
def test_columns_it_does_not_cover_are_handed_back(token: bytes) -> None:
    assert quoted_texts(pa.array([b"'ok'", token], pa.binary()), True) is None


def test_an_escape_pair_running_into_the_closing_quote_is_handed_back() -> None:
    # Not a well-formed literal (its last quote is escaped); the general path reports it.
    assert quoted_texts(pa.array([b"'ab\\'"], pa.binary()), True) is None
    assert _decoded(pa.array([b"'ab\\'"], pa.binary()), False) == [b"ab\\"]


def test_a_dump_with_every_escape_loads_the_same_values(tmp_path) -> None:
    """End to end: a 2,000-row INSERT (the vectorised reader's path) against the values the
    literal definition gives."""
    rng = random.Random(7)
    bodies = [_literal(rng, True) for _ in range(2000)]
    values = ",".join(f"({i},'".encode().decode() + b.decode() + "')" for i, b in enumerate(bodies))
    dump = tmp_path / "escapes.sql"
    dump.write_text(
        "-- MySQL dump 10.13\n/*!40101 SET NAMES utf8mb4 */;\n"
        "CREATE TABLE `t` (`id` int NOT NULL, `s` text);\n"
        f"INSERT INTO `t` VALUES {values};\n",
        encoding="utf-8",
    )
    rows = _loaded(dump, "SELECT id, s FROM raw.t ORDER BY id")
    assert rows == [(i, unescape_mysql(b, b"'").decode()) for i, b in enumerate(bodies)]


def _loaded(dump, query: str) -> list[tuple]:
    """The rows ``query`` finds after loading ``dump`` (MySQL) into a fresh warehouse."""
    con = connect(":memory:")
    try:
        load_dump(con, dump, dialect=dialects.MYSQL)
        return con.execute(query).fetchall()
    finally:
        con.close()


def _unquoted(tokens: list[bytes | None], backslash_escapes: bool) -> list[bytes | None] | None:
    """``unquoted_texts`` on tokens given as the vectorised reader hands them over: string
    literals without their quotes (flagged), NULL as the word."""
    flags = np.array([t is not None and t.startswith(b"'") for t in tokens])
    bare = [t[1:-1] if q else t for t, q in zip(tokens, flags, strict=True)]
    got = unquoted_texts(pa.array(bare, pa.binary()), flags, backslash_escapes)
    if got is None:
        return None
    null, text = got
    return [None if n else t for n, t in zip(null.to_pylist(), text.to_pylist(), strict=True)]


@pytest.mark.parametrize("backslash_escapes", [True, False])
def test_unquoted_columns_decode_as_the_quoted_ones(backslash_escapes: bool) -> None:
    """The reader's form (quotes already off) decodes to what the written form decodes to,
    including escapes and doubled quotes at the edges of neighbouring strings."""
    rng = random.Random(5)
    for _ in range(1500):
        tokens = [
            b"NULL" if rng.random() < 0.15 else b"'" + _literal(rng, backslash_escapes) + b"'"
            for _ in range(rng.randint(1, 12))
        ]
        assert _unquoted(tokens, backslash_escapes) == _decoded(pa.array(tokens, pa.binary()), backslash_escapes)
    edges = [b"'a'''", b"'''b'", rb"'\\'", rb"'\\n'", b"''", b"''''"]
    assert _unquoted(edges, True) == [b"a'", b"'b", b"\\", b"\\n", b"", b"'"]


def test_unquoted_columns_it_does_not_cover_are_handed_back() -> None:
    flags = np.array([True, False])
    for token in [b"null", b"N'x'", b"12", b"NUL"]:
        assert unquoted_texts(pa.array([b"ok", token], pa.binary()), flags, True) is None
    # a lone quote inside a string, an escape pair running out of its string
    assert unquoted_texts(pa.array([b"a'b"], pa.binary()), np.array([True]), True) is None
    assert unquoted_texts(pa.array([b"ab\\"], pa.binary()), np.array([True]), True) is None


def test_a_clean_column_comes_back_without_copying_its_bytes() -> None:
    arr = pa.array([b"abc", b"NULL", b"de"], pa.binary())
    null, text = unquoted_texts(arr, np.array([True, False, True]), True)  # type: ignore[misc]
    assert null.to_pylist() == [False, True, False]
    assert text.buffers()[2].address == arr.buffers()[2].address


def test_a_batch_mixing_the_readers_forms_loads_every_value(tmp_path, monkeypatch) -> None:
    """INSERTs the vectorised reader takes (strings without quotes) and one it hands back to
    the row reader (a comment between rows: tokens as written) fill one batch; the strings
    get their quotes back before the batch is typed, so every value is read as written."""
    strings = ["it''s", "a\\\\b", "x\\ny", "", "NULL"]
    want = ["it's", "a\\b", "x\ny", "", "NULL"]

    per_insert = 1500  # long enough for the vectorised reader (short INSERTs go row by row)

    def value(i: int) -> str:
        return "NULL,NULL" if i % 6 == 5 else f"'{strings[i % 6]}',{i}.5"

    def insert(first: int, comment: bool) -> str:
        rows = [f"({i},{value(i)})" for i in range(first, first + per_insert)]
        return "INSERT INTO `t` VALUES " + (",/* c */" if comment else ",").join(rows) + ";\n"

    dump = tmp_path / "mixed.sql"
    dump.write_text(
        "-- MySQL dump 10.13\n/*!40101 SET NAMES utf8mb4 */;\n"
        "CREATE TABLE `t` (`id` int NOT NULL, `s` varchar(20), `d` decimal(6,1));\n"
        + insert(0, False)
        + insert(per_insert, True)
        + insert(2 * per_insert, False),
        encoding="utf-8",
    )
    requoted = []
    real = convert.as_written
    monkeypatch.setattr(convert, "as_written", lambda arr, q: requoted.append(len(arr)) or real(arr, q))
    got = _loaded(dump, "SELECT id, s, d::VARCHAR FROM raw.t ORDER BY row_index")
    expected = [(i, None, None) if i % 6 == 5 else (i, want[i % 6], f"{i}.5") for i in range(3 * per_insert)]
    assert got == expected
    # the two vectorised INSERTs' string columns got their quotes back (the decimals had none)
    assert requoted == [per_insert, per_insert]
