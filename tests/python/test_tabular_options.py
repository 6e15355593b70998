"""Tabular options for real files (issue 14 item 3): skip_lines, empty_last_column, and the
delimiter hints; checked on the real Massachusetts OCPF filer list with DuckDB's own reader."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest import manifest
from ingest.runfile import load_run_file
from ingest.tabular import TabularError, TabularOptions, load_tabular
from ingest.warehouse import connect
from tests.python.conftest import REPO

OCPF = REPO / "tests" / "fixtures" / "ocpf" / "all_filers.txt.gz"


@pytest.fixture()
def con():
    c = connect(":memory:")
    yield c
    c.close()


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    return path


def load_error(con, path: Path, **options) -> str:
    with pytest.raises(TabularError) as err:
        load_tabular(con, path, "t", TabularOptions(**options), progress=None)
    assert con.execute("select count(*) from information_schema.tables where table_name = 't'").fetchone() == (0,)
    return str(err.value)


# ---- skip_lines ----------------------------------------------------------------------------


def test_skip_lines_skips_before_the_header_and_keeps_physical_line_numbers(con, tmp_path):
    path = write(tmp_path, "s.csv", "Report of 2021\nnot, a, header\na,b\n1,2\n3\n")
    assert load_error(con, path, skip_lines=2) == (
        "s.csv line 5: expected 2 fields, found 1; nothing was loaded (hint: every row needs as many "
        "fields as the header; check the delimiter (',') and the quoting (quote character '\"'): a value "
        "holding the delimiter must be quoted)"
    )
    path = write(tmp_path, "s.csv", "Report of 2021\nnot, a, header\na,b\n1,2\n3,4\n")
    entry = load_tabular(con, path, "t", TabularOptions(skip_lines=2), progress=None)
    assert con.execute("select * from raw.t order by row_index").fetchall() == [(0, "1", "2"), (1, "3", "4")]
    assert entry.details["skip_lines"] == 2
    # the skipped lines are part of the file: the hash is of every byte
    assert entry.input_sha256 == manifest.sha256_of_file(path)[0]


def test_skip_lines_without_header_and_bad_bytes_in_skipped_lines(con, tmp_path):
    path = tmp_path / "n.csv"
    path.write_bytes(b"\xff\xfe title in another encoding\n1,2\n")
    load_tabular(con, path, "t", TabularOptions(skip_lines=1, header=False, columns=("x", "y")), progress=None)
    assert con.execute("select x, y from raw.t").fetchall() == [("1", "2")]


def test_skip_lines_past_the_end_is_refused(con, tmp_path):
    path = write(tmp_path, "short.csv", "one\ntwo\n")
    assert load_error(con, path, skip_lines=3) == (
        "short.csv: no header line after the 3 skipped line(s) (skip_lines: 3; the file has 2 line(s))"
    )


def test_options_change_the_dataset_version_id_only_when_set(con, tmp_path):
    path = write(tmp_path, "v.csv", "a,b\n1,2\n")
    plain = load_tabular(con, path, "t", progress=None)
    assert "skip_lines" not in plain.details and "empty_last_column" not in plain.details
    assert plain.dataset_version_id == manifest.dataset_version_id(
        plain.input_sha256,
        "t",
        {"delimiter": ",", "quote": '"', "encoding": "utf-8", "header": "file", "columns": ["a", "b"]},
    )
    skipped = load_tabular(con, write(tmp_path, "w.csv", "x\na,b\n1,2\n"), "t", TabularOptions(skip_lines=1))
    assert skipped.dataset_version_id != plain.dataset_version_id


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"skip_lines": -1}, "skip_lines must be an integer >= 0, got -1"),
        ({"skip_lines": True}, "skip_lines must be an integer >= 0, got True"),
        ({"empty_last_column": "keep"}, "empty_last_column must be one of refuse, drop, got 'keep'"),
    ],
)
def test_bad_option_values(kwargs, message):
    with pytest.raises(TabularError) as err:
        TabularOptions(**kwargs)
    assert str(err.value) == message


# ---- empty_last_column ---------------------------------------------------------------------


def test_header_ending_with_the_delimiter_is_refused_with_the_option_named(con, tmp_path):
    path = write(tmp_path, "f.txt", "id\tname\t\n1\tA\t\n")
    assert load_error(con, path, delimiter="\t") == (
        "f.txt line 1 (header): column 3 has an empty name (the line ends with the delimiter tab); if every "
        "row ends with it too and that last field is always empty, drop it with empty_last_column: drop"
    )


def test_empty_last_column_drop_drops_an_always_empty_field(con, tmp_path):
    path = write(tmp_path, "f.txt", 'id\tname\t\r\n1\t"A"\t\r\n2\t""\t\r\n')
    entry = load_tabular(con, path, "t", TabularOptions(delimiter="\t", empty_last_column="drop"), progress=None)
    assert entry.details["columns"] == ["id", "name"]
    assert entry.details["empty_last_column"] == "drop"
    assert con.execute("select * from raw.t order by row_index").fetchall() == [(0, "1", "A"), (1, "2", "")]


def test_empty_last_column_drop_refuses_values_naming_the_count(con, tmp_path):
    path = write(tmp_path, "f.txt", "id\tname\t\n1\tA\t\n2\tB\tx\n3\tC\t \n4\tD\t\n")
    assert load_error(con, path, delimiter="\t", empty_last_column="drop") == (
        "f.txt: empty_last_column: drop, but the last column (empty name in the header) holds a value in 2 "
        "of 4 rows (first at line 3); nothing was loaded (its values need a column name: name it in the "
        "header, or give the names with columns:)"
    )


def test_empty_last_column_drop_needs_the_trailing_field_in_every_row(con, tmp_path):
    path = write(tmp_path, "f.txt", "id\tname\t\n1\tA\t\n2\tB\n")
    assert load_error(con, path, delimiter="\t", empty_last_column="drop") == (
        "f.txt line 3: expected 3 fields, found 2; nothing was loaded (hint: with empty_last_column: drop "
        "every row must end with an empty field after a last tab)"
    )


def test_empty_last_column_drop_with_a_header_without_it_and_with_columns(con, tmp_path):
    path = write(tmp_path, "f.csv", "id,name\n1,A,\n")
    load_tabular(con, path, "t", TabularOptions(empty_last_column="drop"), progress=None)
    assert con.execute("select id, name from raw.t").fetchall() == [("1", "A")]
    path = write(tmp_path, "g.csv", "1,A,\n")
    options = TabularOptions(header=False, columns=("id", "name"), empty_last_column="drop")
    load_tabular(con, path, "t", options, progress=None)
    assert con.execute("select id, name from raw.t").fetchall() == [("1", "A")]


def test_rows_with_a_trailing_delimiter_get_a_hint(con, tmp_path):
    path = write(tmp_path, "f.csv", "id,name\n1,A,\n")
    assert load_error(con, path) == (
        "f.csv line 2: expected 2 fields, found 3; nothing was loaded (hint: the line ends with a ',' the "
        "column names do not account for; if every row ends with it and that last field is always empty, "
        "drop it with empty_last_column: drop)"
    )


# ---- wrong delimiter -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "delimiter, text, message",
    [
        (
            ",",
            "A|B|C\n1|2|3\n",
            "p.txt line 1 (header): one column named 'A|B|C' with delimiter ',', but the name holds '|' 2 "
            "time(s): is the file '|'-delimited? (delimiter: \"|\""
            "); nothing was loaded",
        ),
        (
            "|",
            "A\tB\n1\t2\n",
            "p.txt line 1 (header): one column named 'A\\tB' with delimiter '|', but the name holds tab 1 "
            'time(s): is the file tab-delimited? (delimiter: "\\t"'
            "); nothing was loaded",
        ),
        (
            ",",
            "A;B;C\n",
            "p.txt line 1 (header): one column named 'A;B;C' with delimiter ',', but the name holds ';' 2 "
            "time(s): is the file ';'-delimited? (delimiter: \";\""
            "); nothing was loaded",
        ),
    ],
)
def test_one_column_header_holding_another_delimiter_is_refused(con, tmp_path, delimiter, text, message):
    path = write(tmp_path, "p.txt", text)
    assert load_error(con, path, delimiter=delimiter) == message


def test_a_genuine_one_column_file_still_loads(con, tmp_path):
    path = write(tmp_path, "one.csv", "name\nSmith|Jones\n")
    load_tabular(con, path, "t", progress=None)
    assert con.execute("select name from raw.t").fetchall() == [("Smith|Jones",)]


def test_ragged_one_field_row_names_the_likely_delimiter(con, tmp_path):
    path = tmp_path / "body.txt"
    path.write_text("1|2|3\n", encoding="utf-8")
    assert load_error(con, path, header=False, columns=("a", "b", "c")) == (
        "body.txt line 1: expected 3 fields, found 1; nothing was loaded (hint: the line holds no ',' but "
        "'|' 2 time(s): is the file '|'-delimited? (delimiter: \"|\""
        "))"
    )


# ---- the real MA OCPF filer list -----------------------------------------------------------


def test_real_ocpf_filers_refused_without_the_option(con):
    assert load_error(con, OCPF, delimiter="\t") == (
        "all_filers.txt.gz line 1 (header): column 29 has an empty name (the line ends with the delimiter "
        "tab); if every row ends with it too and that last field is always empty, drop it with "
        "empty_last_column: drop"
    )
    assert load_error(con, OCPF).startswith(
        "all_filers.txt.gz line 1 (header): one column named 'CPF ID\\tAccount Type Code\\tComm_Name"
    )


def test_real_ocpf_filers_load_with_empty_last_column_drop(con):
    entry = load_tabular(con, OCPF, "ocpf", TabularOptions(delimiter="\t", empty_last_column="drop"), progress=None)
    assert entry.row_count == 9577  # MANIFEST: 9577 data rows
    assert len(entry.details["columns"]) == 28
    assert entry.details["columns"][-1] == "Party Affiliation"
    # independent reading: DuckDB's own CSV reader, 29 positional columns, the 29th always empty
    path = str(OCPF).replace("'", "''")
    independent = f"""
        select row_number() over () - 1 as i, *
        from read_csv('{path}', delim = '\t', quote = '"', header = false, skip = 1, all_varchar = true)"""
    assert con.execute(f"select count(*), count(column28) from ({independent})").fetchone() == (9577, 0)
    differing = con.execute(f"""
        select count(*) from ({independent}) d
        join raw.ocpf r on r.row_index = d.i
        where coalesce(d.column00, '') <> r."CPF ID"
           or coalesce(d.column04, '') <> r."Candidate First Name"
           or coalesce(d.column05, '') <> r."Candidate Last Name"
           or coalesce(d.column27, '') <> r."Party Affiliation" """).fetchone()
    assert differing == (0,)
    assert con.execute('select count(distinct "CPF ID") from raw.ocpf').fetchone() == (9577,)


def test_real_ocpf_filers_from_a_run_file(tmp_path):
    run = tmp_path / "run.yml"
    run.write_text(
        "name: ocpf\n"
        "inputs:\n"
        f"  - path: {OCPF}\n"
        "    table: ocpf_filers\n"
        '    delimiter: "\\t"\n'
        "    empty_last_column: drop\n"
        "    skip_lines: 0\n",
        encoding="utf-8",
    )
    spec = load_run_file(run).inputs[0]
    assert spec.tabular == TabularOptions(delimiter="\t", empty_last_column="drop", skip_lines=0)


def test_cli_flags(tmp_path, capsys):
    from moneytrail.cli import main

    path = write(tmp_path, "f.txt", "title\nid\tname\t\n1\tA\t\n")
    db = tmp_path / "w.duckdb"
    argv = ["ingest", str(path), "--table", "f", "--db", str(db), "--delimiter", "\\t"]
    assert main(argv + ["--skip-lines", "1", "--empty-last-column", "drop"]) == 0
    assert "loaded raw.f: 1 rows" in capsys.readouterr().out
    assert main(argv + ["--skip-lines", "1"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: f.txt line 2 (header): column 3 has an empty name")
    # the library names the option in run-file terms; the CLI adds the flag that sets it
    assert err.endswith("drop it with empty_last_column: drop (command line: --empty-last-column)\n")
