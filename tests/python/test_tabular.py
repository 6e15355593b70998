"""Tabular ingest: exact values, row order, manifest, and fail-closed errors with line numbers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ingest import manifest
from ingest.tabular import TabularError, TabularOptions, load_tabular
from ingest.warehouse import connect

RAGGED_HINT = (
    "(hint: every row needs as many fields as the header; check the delimiter (',') and the quoting "
    "(quote character '\"'): a value holding the delimiter must be quoted)"
)


@pytest.fixture()
def con():
    c = connect(":memory:")
    yield c
    c.close()


def write(tmp_path: Path, name: str, data: bytes | str) -> Path:
    path = tmp_path / name
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def tables(con) -> list[str]:
    return [
        r[0]
        for r in con.execute(
            "select table_name from information_schema.tables where table_schema = 'raw' order by 1"
        ).fetchall()
    ]


def test_loads_values_exactly_in_file_order(con, tmp_path):
    path = write(tmp_path, "c.csv", 'id,name,amount\n1,"Smith, Jo",0100.50\n2,,\n3,"say ""hi""\nthere",-7\n')
    entry = load_tabular(con, path, "contribs")
    rows = con.execute("select * from raw.contribs order by row_index").fetchall()
    assert rows == [
        (0, "1", "Smith, Jo", "0100.50"),
        (1, "2", "", ""),
        (2, "3", 'say "hi"\nthere', "-7"),
    ]
    assert entry.row_count == 3
    assert entry.source_format == "csv"
    assert entry.details["columns"] == ["id", "name", "amount"]
    # the id covers the load options (issue 11): the same bytes read another way are other rows
    assert entry.dataset_version_id == manifest.dataset_version_id(entry.input_sha256, "contribs", entry.details)
    assert entry.input_sha256 == manifest.sha256_of_file(path)[0]


def test_manifest_row_written_and_id_stable(con, tmp_path):
    path = write(tmp_path, "c.csv", "a\nx\n")
    first = load_tabular(con, path, "t")
    second = load_tabular(con, path, "t")
    assert first == second
    stored = manifest.read_all(con)
    assert [e.table_name for e in stored] == ["t"]
    assert stored[0].dataset_version_id == first.dataset_version_id
    assert stored[0].row_count == 1
    other_name = load_tabular(con, path, "t2")
    assert other_name.dataset_version_id != first.dataset_version_id


def test_dataset_version_id_is_content_hash_based():
    assert manifest.dataset_version_id("ab" * 32, "t") == manifest.dataset_version_id("ab" * 32, "t")
    assert manifest.dataset_version_id("ab" * 32, "t").startswith("dsv_")
    assert len(manifest.dataset_version_id("ab" * 32, "t")) == 20
    assert manifest.row_ref("dsv_0123456789abcdef", 7) == "db://dsv_0123456789abcdef#row_index=7"


def test_ragged_row_fails_with_line_number_and_leaves_no_table(con, tmp_path):
    path = write(tmp_path, "rag.csv", "a,b,c\n1,2,3\n4,5,6\n7,8\n9,10,11\n")
    with pytest.raises(TabularError) as err:
        load_tabular(con, path, "rag")
    assert str(err.value) == ("rag.csv line 4: expected 3 fields, found 2; nothing was loaded " + RAGGED_HINT)
    assert "rag" not in tables(con)
    assert con.execute("select count(*) from raw.ingest_manifest").fetchone() == (0,)


def test_too_many_fields_counts_lines_of_multiline_records(con, tmp_path):
    path = write(tmp_path, "m.csv", 'a,b\n1,"two\nlines"\n3,4,5\n')
    with pytest.raises(TabularError) as err:
        load_tabular(con, path, "m")
    assert str(err.value) == "m.csv line 4: expected 2 fields, found 3; nothing was loaded " + RAGGED_HINT


def test_failed_reload_keeps_the_previous_table(con, tmp_path):
    good = write(tmp_path, "good.csv", "a,b\n1,2\n")
    load_tabular(con, good, "t")
    bad = write(tmp_path, "bad.csv", "a,b\n1,2\n3\n")
    with pytest.raises(TabularError):
        load_tabular(con, bad, "t")
    assert con.execute("select a, b from raw.t").fetchall() == [("1", "2")]
    assert manifest.read_all(con)[0].source_path.endswith("good.csv")


def test_bad_encoding_fails_with_line_and_bytes(con, tmp_path):
    path = write(tmp_path, "enc.csv", b"name\nJos\xc3\xa9\nBad\xff\n")
    with pytest.raises(TabularError) as err:
        load_tabular(con, path, "enc")
    assert str(err.value) == ("enc.csv line 3: bytes b'\\xff' at column 4 are not valid utf-8; nothing was loaded")
    assert "enc" not in tables(con)


def test_latin1_encoding_option(con, tmp_path):
    path = write(tmp_path, "l1.csv", b"name\nJos\xe9\n")
    load_tabular(con, path, "l1", TabularOptions(encoding="latin-1"))
    assert con.execute("select name from raw.l1").fetchall() == [("José",)]


def test_utf8_bom_is_not_part_of_the_first_column_name(con, tmp_path):
    path = write(tmp_path, "bom.csv", "\ufeffid,x\n1,2\n")
    entry = load_tabular(con, path, "bom")
    assert entry.details["columns"] == ["id", "x"]


def test_unterminated_quote_fails(con, tmp_path):
    path = write(tmp_path, "q.csv", 'a,b\n1,"open\n')
    with pytest.raises(TabularError, match=r"^q\.csv line 2: unexpected end of data; nothing was loaded$"):
        load_tabular(con, path, "q")


def test_tsv_and_pipe_without_quoting_and_header_file(con, tmp_path):
    header = write(tmp_path, "hdr.csv", "CMTE_ID|NAME|AMT\n")
    body = write(tmp_path, "itcont.txt", 'C001|O"BRIEN, PAT|250\nC002|SMITH|-5\n')
    options = TabularOptions(delimiter="|", quote=None, header=False, header_file=header)
    load_tabular(con, body, "itcont", options)
    assert con.execute("select * from raw.itcont order by row_index").fetchall() == [
        (0, "C001", 'O"BRIEN, PAT', "250"),
        (1, "C002", "SMITH", "-5"),
    ]


def test_comma_separated_header_file_for_pipe_body(con, tmp_path):
    header = write(tmp_path, "hdr.csv", "A,B\n")
    body = write(tmp_path, "b.txt", "1|2\n")
    load_tabular(con, body, "b", TabularOptions(delimiter="|", header=False, header_file=header))
    assert con.execute("select a, b from raw.b").fetchall() == [("1", "2")]


def test_explicit_columns(con, tmp_path):
    body = write(tmp_path, "b.tsv", "1\t2\n")
    load_tabular(con, body, "b", TabularOptions(delimiter="\t", header=False, columns=("x", "y")))
    assert con.execute("select x, y from raw.b").fetchall() == [("1", "2")]


@pytest.mark.parametrize(
    "header, message",
    [
        ("a,,c", "h.csv line 1 (header): column 2 has an empty name"),
        ("a,b,A", "h.csv line 1 (header): column name 'A' appears twice (columns 1 and 3)"),
        (
            "a,row_index",
            "h.csv line 1 (header): column 2 is named 'row_index', which the loader "
            "reserves for the input row position; rename it in the header",
        ),
    ],
)
def test_bad_headers(con, tmp_path, header, message):
    path = write(tmp_path, "h.csv", header + "\n")
    with pytest.raises(TabularError) as err:
        load_tabular(con, path, "h")
    assert str(err.value) == message


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"delimiter": "||"}, "delimiter must be one character, got '||'"),
        ({"header": False}, "no column names: the file has no header line, so give header_file or columns"),
        ({"columns": ("a",)}, "the file has a header line; header_file and columns need header: false"),
        ({"encoding": "utf-16"}, "encoding 'utf-16' is not line-compatible; re-encode the file as UTF-8"),
        ({"encoding": "nope"}, "unknown encoding 'nope'"),
    ],
)
def test_bad_options(kwargs, message):
    with pytest.raises(TabularError) as err:
        TabularOptions(**kwargs)
    assert str(err.value) == message


def test_missing_file_and_bad_table_name(con, tmp_path):
    with pytest.raises(TabularError, match="^input file not found: "):
        load_tabular(con, tmp_path / "nope.csv", "t")
    path = write(tmp_path, "ok.csv", "a\n1\n")
    with pytest.raises(TabularError, match="must be 1 to 63 ASCII letters, digits and underscores"):
        load_tabular(con, path, "x; drop table y")


def test_empty_file(con, tmp_path):
    path = write(tmp_path, "empty.csv", "")
    with pytest.raises(TabularError, match=r"^empty\.csv: the file is empty \(no header line\)$"):
        load_tabular(con, path, "e")


def test_progress_reported_on_long_loads(con, tmp_path, monkeypatch):
    import ingest.tabular as tabular

    monkeypatch.setattr(tabular, "PROGRESS_EVERY_ROWS", 2)
    monkeypatch.setattr(tabular, "BATCH_ROWS", 2)
    path = write(tmp_path, "p.csv", "a\n" + "".join(f"{i}\n" for i in range(5)))
    calls = []
    load_tabular(con, path, "p", progress=lambda rows, nbytes, secs: calls.append(rows))
    assert calls == [2, 4]
    assert [r[0] for r in con.execute("select row_index from raw.p order by 1").fetchall()] == [0, 1, 2, 3, 4]


def test_cli_ingest_csv_and_manifest_json(tmp_path, capsys):
    from moneytrail.cli import main

    path = write(tmp_path, "c.tsv", "a\tb\n1\t2\n")
    db = tmp_path / "w.duckdb"
    out = tmp_path / "m.json"
    assert main(["ingest", str(path), "--table", "ct", "--db", str(db), "--manifest-json", str(out)]) == 0
    assert "loaded raw.ct: 1 rows" in capsys.readouterr().out
    body = json.loads(out.read_text())
    assert [m["table_name"] for m in body] == ["ct"]
    assert body[0]["details"]["delimiter"] == "\t"


def test_cli_ingest_ragged_exits_non_zero(tmp_path, capsys):
    from moneytrail.cli import main

    path = write(tmp_path, "r.csv", "a,b\n1\n")
    assert main(["ingest", str(path), "--table", "r", "--db", str(tmp_path / "w.duckdb")]) == 2
    assert capsys.readouterr().err == (
        "error: r.csv line 2: expected 2 fields, found 1; nothing was loaded " + RAGGED_HINT + "\n"
    )


def test_gzip_input_hashes_the_stored_bytes(con, tmp_path):
    import gzip

    path = tmp_path / "c.csv.gz"
    path.write_bytes(gzip.compress(b"a,b\n1,2\n", mtime=0))
    entry = load_tabular(con, path, "gz")
    assert con.execute("select a, b from raw.gz").fetchall() == [("1", "2")]
    assert entry.input_sha256 == manifest.sha256_of_file(path)[0]
    assert entry.input_bytes == path.stat().st_size


def test_truncated_gzip_fails(con, tmp_path):
    import gzip

    path = tmp_path / "t.csv.gz"
    path.write_bytes(gzip.compress(b"a,b\n" + b"1,2\n" * 1000, mtime=0)[:-12])
    with pytest.raises(TabularError, match=r"^t\.csv\.gz line \d+: broken gzip stream"):
        load_tabular(con, path, "t")
    assert "t" not in tables(con)
