"""Unquoted files without a header line (the FEC bulk files) are split chunk by chunk: the same
rows, manifest, line numbers and errors as the row-by-row csv reader, at any chunk size."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

import ingest.tabular as tabular
from ingest.tabular import TabularError, TabularOptions, load_tabular
from ingest.warehouse import connect


@pytest.fixture()
def con():
    c = connect(":memory:")
    yield c
    c.close()


def _options(tmp_path: Path, header: str = "a|b|c") -> TabularOptions:
    hf = tmp_path / "header.csv"
    hf.write_text(header + "\n", encoding="utf-8")
    return TabularOptions(delimiter="|", quote=None, header=False, header_file=hf)


def _row_by_row(monkeypatch) -> None:
    monkeypatch.setattr(tabular, "_stream_unquoted", lambda *args: None)


def _load(con, path: Path, options: TabularOptions):
    entry = load_tabular(con, path, "t", options, progress=None)
    rows = con.execute("select * from raw.t order by row_index").fetchall()
    return entry, rows


BODY = ('C001|N|JOHN "JACK" SMITH|caf\u00e9 \u20ac|\nC002||O\'BRIEN, PAT||100\nC003|A| spaced |x|\n') * 40


@pytest.mark.parametrize("chunk", [1, 7, 64, 8 << 20])
@pytest.mark.parametrize("gz", [False, True])
def test_chunked_rows_and_manifest_equal_the_row_by_row_reader(con, tmp_path, monkeypatch, chunk, gz):
    options = _options(tmp_path, "a|b|c|d|e")
    path = tmp_path / ("f.txt.gz" if gz else "f.txt")
    data = BODY.encode("utf-8") + b"C004|N|no newline at the end|z|1"
    path.write_bytes(gzip.compress(data, mtime=0) if gz else data)
    monkeypatch.setattr(tabular, "CHUNK_BYTES", chunk)
    results = []
    real = tabular._stream_unquoted
    monkeypatch.setattr(tabular, "_stream_unquoted", lambda *args: results.append(real(*args)) or results[-1])
    fast_entry, fast_rows = _load(con, path, options)
    assert results == [121]  # read by the chunked reader, not handed over
    _row_by_row(monkeypatch)
    slow_entry, slow_rows = _load(con, path, options)
    assert fast_rows == slow_rows
    assert len(fast_rows) == 121 and fast_rows[0] == (0, "C001", "N", 'JOHN "JACK" SMITH', "caf\u00e9 \u20ac", "")
    assert fast_rows[-1] == (120, "C004", "N", "no newline at the end", "z", "1")
    assert fast_entry == slow_entry


HINT = (
    "(hint: every row needs as many fields as the header; check the delimiter ('|') and the quoting "
    "(quoting is off): a value holding the delimiter must be quoted)"
)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            b"1|2|3\n4|5\n",
            "f.txt line 2: expected 3 fields, found 2; nothing was loaded " + HINT,
        ),
        (
            b"1|2|3\n1|2|3\n1|2|3|4\n",
            "f.txt line 3: expected 3 fields, found 4; nothing was loaded " + HINT,
        ),
        (b"1|2|3\n\n1|2|3\n", "f.txt line 2: empty line inside the data; nothing was loaded"),
        (b"1|2|3\n1|2|3\n\n", "f.txt line 3: empty line inside the data; nothing was loaded"),
        (
            b"1|2|3\n1|\xff|3\n",
            "f.txt line 2: bytes b'\\xff' at column 3 are not valid utf-8; nothing was loaded",
        ),
    ],
)
@pytest.mark.parametrize("chunk", [3, 8 << 20])
def test_chunked_errors_equal_the_row_by_row_reader(con, tmp_path, monkeypatch, body, message, chunk):
    options = _options(tmp_path)
    path = tmp_path / "f.txt"
    path.write_bytes(body)
    monkeypatch.setattr(tabular, "CHUNK_BYTES", chunk)
    with pytest.raises(TabularError) as fast:
        load_tabular(con, path, "t", options, progress=None)
    _row_by_row(monkeypatch)
    with pytest.raises(TabularError) as slow:
        load_tabular(con, path, "t", options, progress=None)
    assert str(fast.value) == str(slow.value) == message
    assert con.execute("select count(*) from information_schema.tables where table_name = 't'").fetchone() == (0,)


def test_carriage_returns_and_nul_bytes_are_read_row_by_row(con, tmp_path):
    # The csv module's rules decide those files; the chunked reader hands them over whole.
    options = _options(tmp_path)
    path = tmp_path / "f.txt"
    path.write_bytes(b"1|2|3\r\n4|5|6\r\n")
    assert _load(con, path, options)[1] == [(0, "1", "2", "3"), (1, "4", "5", "6")]
    path.write_bytes(b"1|2|3\n4|x\ry|6\n")
    with pytest.raises(TabularError, match=r"^f\.txt line 2: new-line character seen in unquoted field"):
        load_tabular(con, path, "t", options, progress=None)


def test_chunked_progress_and_row_index(con, tmp_path, monkeypatch):
    monkeypatch.setattr(tabular, "CHUNK_BYTES", 12)
    monkeypatch.setattr(tabular, "PROGRESS_EVERY_ROWS", 3)
    options = _options(tmp_path)
    path = tmp_path / "f.txt"
    path.write_bytes(b"".join(b"%d|x|y\n" % i for i in range(10)))
    calls = []
    load_tabular(con, path, "t", options, progress=lambda rows, nbytes, secs: calls.append(rows))
    assert calls and calls == sorted(calls) and calls[-1] <= 10
    got = con.execute("select row_index, a from raw.t order by row_index").fetchall()
    assert got == [(i, str(i)) for i in range(10)]


@pytest.mark.parametrize(
    "bad",
    [b"\xed\xa0\x80", b"\xc0\xaf", b"\xf4\x90\x80\x80", b"\xe2\x82", b"\x80", b"\xf8\x88\x80\x80\x80"],
    ids=["surrogate", "overlong", "above_10ffff", "truncated", "lone_continuation", "five_bytes"],
)
def test_invalid_utf8_is_refused_alike(con, tmp_path, monkeypatch, bad):
    """Arrow checks the chunked reader's UTF-8; Python's decoder the row reader's: both refuse."""
    options = _options(tmp_path)
    path = tmp_path / "f.txt"
    path.write_bytes(b"1|2|3\n1|x" + bad + b"y|3\n")
    with pytest.raises(TabularError) as fast:
        load_tabular(con, path, "t", options, progress=None)
    _row_by_row(monkeypatch)
    with pytest.raises(TabularError) as slow:
        load_tabular(con, path, "t", options, progress=None)
    assert str(fast.value) == str(slow.value)
    assert str(fast.value).startswith("f.txt line 2: bytes b'")
    assert str(fast.value).endswith("at column 4 are not valid utf-8; nothing was loaded")


@pytest.mark.parametrize("chunk", [2, 8 << 20])
def test_a_leading_byte_order_mark_is_dropped_alike(con, tmp_path, monkeypatch, chunk):
    options = _options(tmp_path)
    path = tmp_path / "f.txt"
    path.write_bytes(b"\xef\xbb\xbf1|2|3\n4|5|6\n")
    monkeypatch.setattr(tabular, "CHUNK_BYTES", chunk)
    fast = _load(con, path, options)
    _row_by_row(monkeypatch)
    assert _load(con, path, options) == fast
    assert fast[1] == [(0, "1", "2", "3"), (1, "4", "5", "6")]


def test_other_encodings_are_decoded_by_python_then_split_alike(con, tmp_path, monkeypatch):
    hf = tmp_path / "header.csv"
    hf.write_text("a|b|c\n", encoding="utf-8")
    options = TabularOptions(delimiter="|", quote=None, header=False, header_file=hf, encoding="latin-1")
    path = tmp_path / "f.txt"
    path.write_bytes("caf\u00e9|\u00fc|\u00ff\n1|2|3\n".encode("latin-1"))
    fast = _load(con, path, options)
    _row_by_row(monkeypatch)
    assert _load(con, path, options) == fast
    assert fast[1] == [(0, "caf\u00e9", "\u00fc", "\u00ff"), (1, "1", "2", "3")]
