"""The dump loader's fast paths give exactly what the plain ways give: the UTF-8 check that
decodes only the non-ASCII runs, and the vectorised VALUES reader that first reads up to the
statement's first ");" (escapes and strings at that boundary included)."""

from __future__ import annotations

import codecs
import random
from pathlib import Path

import pytest

from ingest.sqldump import DumpRejected, dialects, fastrows, load_dump
from ingest.sqldump import source as dump_source
from ingest.warehouse import connect

MYSQL_HEAD = "-- MySQL dump 10.13\n/*!40101 SET NAMES utf8mb4 */;\nCREATE TABLE `t` (`a` int, `b` varchar(50));\n"


@pytest.fixture()
def con():
    c = connect(":memory:")
    yield c
    c.close()


def _full_decode_error(data: bytes) -> int | None:
    """Byte offset of the first invalid UTF-8 byte by a plain decode of the whole text."""
    try:
        codecs.getincrementaldecoder("utf-8")("strict").decode(data, True)
    except UnicodeDecodeError as exc:
        return exc.start
    return None


def _source_error(path: Path) -> str | None:
    source = dump_source.DumpSource(path)
    try:
        while source.read_chunk():
            pass
    except DumpRejected as exc:
        return str(exc)
    finally:
        source.close()
    return None


@pytest.mark.parametrize("chunk", [1, 2, 3, 5, 64])
def test_utf8_check_matches_a_full_decode(tmp_path, monkeypatch, chunk):
    monkeypatch.setattr(dump_source, "CHUNK_BYTES", chunk)
    pieces = [b"a", b"\n", b"\xc3\xa9", b"\xe2\x82\xac", b"\xf0\x9f\x98\x80", b"\x80", b"\xc3", b"\xed\xa0\x80", b"z"]
    rnd = random.Random(7)
    checked = 0
    for _ in range(150):
        data = b"".join(rnd.choice(pieces) for _ in range(rnd.randrange(1, 14)))
        path = tmp_path / "d.sql"
        path.write_bytes(data)
        at = _full_decode_error(data)
        got = _source_error(path)
        if at is None:
            assert got is None, data
            continue
        checked += 1
        line = data.count(b"\n", 0, at) + 1
        assert got == (
            f"line {line}: invalid UTF-8 (byte 0x{data[at]:02x}) at byte offset {at}; dumps are read as "
            "UTF-8 (mysqldump: use --hex-blob for binary columns); nothing was loaded"
        ), data
    assert checked > 50  # the random texts did include invalid ones


@pytest.mark.parametrize("compressed", [False, True])
def test_a_nul_byte_in_a_later_chunk_names_its_line(tmp_path, monkeypatch, compressed):
    # The line is counted only when the error is raised, by reading the file again up to it.
    import gzip

    monkeypatch.setattr(dump_source, "CHUNK_BYTES", 16)
    data = b"SELECT 1;\n" * 7 + b"SELECT '\x00';\n"
    path = tmp_path / ("d.sql.gz" if compressed else "d.sql")
    path.write_bytes(gzip.compress(data, mtime=0) if compressed else data)
    message = _source_error(path)
    assert message is not None and message.startswith("line 8: a raw NUL byte (0x00) at byte offset 78: ")


def test_utf8_sequence_cut_by_the_end_of_the_file(tmp_path):
    path = tmp_path / "d.sql"
    path.write_bytes(b"SELECT 1;\n'\xe2\x82")
    assert _source_error(path) == (
        "line 2: invalid UTF-8 (byte 0xe2) at byte offset 11; dumps are read as UTF-8 "
        "(mysqldump: use --hex-blob for binary columns); nothing was loaded"
    )


def _read(text: bytes, ncols: int = 2, window: int = 1 << 16) -> fastrows.ArrowRows | object | None:
    return fastrows.read(text, 0, ncols, dialects.initial_mode(dialects.MYSQL), window)


def test_close_paren_semicolon_inside_a_string_reads_the_whole_window():
    # The first ");" is inside the string: the prefix has no ";" outside strings, so the whole
    # window decides, and the statement ends at the real one.
    got = _read(b"(1,'a);b'),(2,'c');\nINSERT")
    assert isinstance(got, fastrows.ArrowRows)
    assert got.nrows == 2 and got.end == 19
    assert [c.to_pylist() for c in got.columns] == [[b"1", b"2"], [b"a);b", b"c"]]
    assert [q.tolist() for q in got.quoted_columns] == [[False, False], [True, True]]


def test_escaped_quote_right_before_the_first_close_paren_semicolon():
    # \' keeps the string open across ");", an escaped backslash before the quote does not.
    got = _read(b"(1,'x\\');'),(2,'y\\\\');\n")
    assert isinstance(got, fastrows.ArrowRows)
    assert [c.to_pylist() for c in got.columns] == [[b"1", b"2"], [b"x\\');", b"y\\\\"]]
    assert [q.tolist() for q in got.quoted_columns] == [[False, False], [True, True]]


def test_statement_past_the_window_is_more():
    assert _read(b"(1,'a'),(2,'b'),(3,'c')", window=12) is fastrows.MORE


def test_double_dash_outside_strings_falls_back_inside_strings_does_not():
    assert _read(b"(1,--2),(2,'b');\n") is None
    got = _read(b"(1,'--'),(-2,'b');\n")
    assert isinstance(got, fastrows.ArrowRows) and got.columns[0].to_pylist() == [b"1", b"-2"]


def test_multi_line_strings_and_escapes_at_chunk_boundaries(con, tmp_path, monkeypatch):
    # Long INSERTs (vectorised reader) whose strings hold newlines, ");", escaped quotes and
    # backslashes, non-ASCII text, read through small chunks so every boundary falls somewhere.
    values = ["line1\nline2", "it's", "semi);colon", "back\\slash", "caf\u00e9 \u20ac", "x\\", "'", "NULL"]
    rows = [(i, values[i % len(values)]) for i in range(3000)]

    def lit(v: str) -> str:
        return "'" + v.replace("\\", "\\\\").replace("'", "\\'").replace("\n", "\\n") + "'"

    body = ",".join(f"({i},{lit(v)})" for i, v in rows)
    text = MYSQL_HEAD + f"INSERT INTO `t` VALUES {body};\nINSERT INTO `t` VALUES (3000,NULL);\n"
    path = tmp_path / "d.sql"
    path.write_text(text, encoding="utf-8")
    expected = [*rows, (3000, None)]
    for chunk in (7, 1 << 12, 1 << 20):
        monkeypatch.setattr(dump_source, "CHUNK_BYTES", chunk)
        load_dump(con, path)
        got = con.execute("select a, b from raw.t order by row_index").fetchall()
        assert got == expected, chunk
