"""Issue 11: the audit's hostile-input families as tests of our own.

- names and settings never run as SQL (quote helpers, a whole run with hostile values in every
  free-text setting and a hostile CSV header the role map maps);
- user errors exit 2 with one message and no traceback (bad names, a .gz that is not gzip, a
  missing header file, a held lock, a full disk);
- table identity is case-insensitive: a collision is refused, the earlier table and its
  manifest row are kept;
- kill -9 during ingest or during the build leaves a warehouse the next run uses;
- provenance does not depend on the working directory; the load options are part of the id.
"""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
import yaml

from ingest import manifest
from ingest.sqlquote import UnsafeName, quote_ident, quote_literal
from moneytrail.cli import main
from tests.python.conftest import DEMO_DIR, REPO

HOSTILE = [
    "plain",
    "it's",
    'say "hi"',
    "'); create table main.pwned(i int); --",
    '"); create table main.pwned(i int); --',
    "x' || (select content from read_text('/etc/passwd')) || '",
    "read_text('/etc/passwd')",
    "a;b",
    "line\nbreak",
    "tab\there",
    "back\\slash",
    "ünïcödé ✓ 名前",
    "$$dollar$$",
    "--comment",
    "/* c */",
    "E'\\x41'",
]


def _tables(db: Path) -> list[tuple[str, str]]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute("select table_schema, table_name from information_schema.tables order by 1, 2").fetchall()
    finally:
        con.close()


def _rows(db: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


# ----------------------------------------------------------------------------------------------
# The one Python helper
# ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", HOSTILE)
def test_quote_helpers_round_trip_hostile_strings(value):
    con = duckdb.connect(":memory:")
    assert con.execute(f"select {quote_literal(value)}").fetchone()[0] == value
    con.execute(f"create table {quote_ident(value)} ({quote_ident(value + 'c')} varchar)")
    assert con.execute("select table_name from information_schema.tables").fetchall() == [(value,)]
    assert con.execute("select column_name from information_schema.columns").fetchall() == [(value + "c",)]


def test_quote_helpers_refuse_what_cannot_be_written():
    with pytest.raises(UnsafeName, match=r"^the name 'a\\x00b' holds a NUL character$"):
        quote_ident("a\x00b")
    with pytest.raises(UnsafeName, match="^an identifier cannot be empty$"):
        quote_ident("")
    with pytest.raises(UnsafeName, match=r"^the number nan has no SQL literal$"):
        quote_literal(float("nan"))
    with pytest.raises(UnsafeName, match=r"^no SQL literal for list \[1\]$"):
        quote_literal([1])
    assert [quote_literal(v) for v in (None, True, 7, 0.05)] == ["null", "true", "7", "0.05"]


def test_there_is_one_quote_ident_in_python():
    defs = []
    for path in list((REPO / "ingest").rglob("*.py")) + list((REPO / "moneytrail").rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        if "def quote_ident(" in text:
            defs.append(path.relative_to(REPO).as_posix())
    assert defs == ["ingest/sqlquote.py"]


def test_no_unescaped_identifier_quoting_in_sql_models_or_macros():
    offenders = []
    for path in list((REPO / "macros").glob("*.sql")) + list((REPO / "models").rglob("*.sql")):
        text = path.read_text(encoding="utf-8")
        if "adapter.quote(" in text:
            offenders.append(path.name)
    assert offenders == []


# ----------------------------------------------------------------------------------------------
# A whole run with hostile values in every free-text setting and a hostile mapped header
# ----------------------------------------------------------------------------------------------

HOSTILE_HEADER = 'donor "name"); create table main.pwned_header(i int); --'


def test_hostile_settings_and_header_are_data_not_sql(tmp_path, demo_run):
    contributions = tmp_path / "contributions.csv"
    with open(DEMO_DIR / "contributions.csv", newline="", encoding="utf-8") as src:
        rows = list(csv.reader(src))
    rows[0] = [HOSTILE_HEADER if c == "donor_name" else c for c in rows[0]]
    with open(contributions, "w", newline="", encoding="utf-8") as dst:
        csv.writer(dst).writerows(rows)
    project = yaml.safe_load((REPO / "dbt_project.yml").read_text(encoding="utf-8"))["vars"]
    role_map = project["role_map"]
    role_map["contributions"]["columns"]["donor_name"] = HOSTILE_HEADER
    role_map["contributions"]["organisation_types"] += ["x') or true or ('"]
    role_map["contributions"]["when"] = [
        {"column": "contributor_type", "not_in": ["'); create table main.pwned_when(i int); --", "é\n\t✓"]}
    ]
    red_flags = dict(project["red_flags"])
    red_flags["procurement_methods"] = red_flags["procurement_methods"] + [
        "'); create table main.pwned_rf(i int); --",
        "x' || (select content from read_text('/etc/passwd')) || '",
    ]
    # contribution_limits' defaults live in the limit_settings macro (issue 10), not the project
    limits = {"exclude_transaction_types": ["'); create table main.pwned_limits(i int); --"]}
    bundles = dict(project["bundles"])
    bundles["payroll_memo_patterns"] = bundles["payroll_memo_patterns"] + [
        "'); create table main.pwned_payroll(i int); --",
        "x' || (select content from read_text('/etc/passwd')) || '",
    ]
    run = {
        "name": "hostile",
        "inputs": [
            {"path": str(DEMO_DIR / "contracts.csv"), "table": "demo_contracts"},
            {"path": str(contributions), "table": "demo_contributions"},
            {"path": str(DEMO_DIR / "candidates.tsv"), "table": "demo_candidates", "delimiter": "\t"},
        ],
        "vars": {
            "role_map": role_map,
            "red_flags": red_flags,
            "contribution_limits": limits,
            "bundles": bundles,
            "employer_non_answers_extra": ["'); create table main.pwned_na(i int); --"],
        },
    }
    run_file = tmp_path / "run.yml"
    run_file.write_text(yaml.safe_dump(run, allow_unicode=True), encoding="utf-8")
    db, out = tmp_path / "w.duckdb", tmp_path / "out"
    assert main(["run", str(run_file), "--db", str(db), "--out", str(out)]) == 0
    assert [t for t in _tables(db) if "pwned" in t[1]] == []
    # the values were compared as data: the analyses are the demo's
    for sql in (
        "select count(*), count(*) filter (where is_organisation) from staging.stg_contributions",
        "select count(*) from marts.red_flags",
        "select count(*) from marts.limit_flags",
        "select count(*), sum(n_memo_payroll) from marts.payroll_giving",
        "select list(donor_name order by row_ref) from staging.stg_contributions",
    ):
        assert _rows(db, sql) == demo_run.query(sql)
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert report["run"]["vars"]["role_map"]["contributions"]["columns"]["donor_name"] == HOSTILE_HEADER


# ----------------------------------------------------------------------------------------------
# Names: exit 2 and one message
# ----------------------------------------------------------------------------------------------


@pytest.fixture()
def small_csv(tmp_path) -> Path:
    path = tmp_path / "keep.csv"
    path.write_text("a\n1\n2\n", encoding="utf-8")
    return path


NAME_CASES = [
    (
        "nul",
        "t\x00x",
        "error: table name 't\\x00x' must be 1 to 63 ASCII letters, digits and underscores, "
        "not starting with a digit\n",
    ),
    (
        "quote",
        'a"b',
        "error: table name 'a\"b' must be 1 to 63 ASCII letters, digits and underscores, not starting with a digit\n",
    ),
    (
        "sql",
        "x; drop table y",
        "error: table name 'x; drop table y' must be 1 to 63 ASCII letters, digits and underscores, "
        "not starting with a digit\n",
    ),
    ("empty", "", "error: --table is required for CSV/TSV input\n"),
    ("manifest", "INGEST_MANIFEST", "error: table name 'INGEST_MANIFEST' is reserved for the ingest manifest\n"),
    ("manifest_lower", "ingest_manifest", "error: table name 'ingest_manifest' is reserved for the ingest manifest\n"),
]


@pytest.mark.parametrize(("case", "table", "message"), NAME_CASES, ids=[c[0] for c in NAME_CASES])
def test_bad_table_names_exit_2(tmp_path, small_csv, capsys, case, table, message):
    db = tmp_path / "w.duckdb"
    assert main(["ingest", str(small_csv), "--table", "keep", "--db", str(db)]) == 0
    capsys.readouterr()
    assert main(["ingest", str(small_csv), "--table", table, "--db", str(db)]) == 2
    assert capsys.readouterr().err == message
    assert _rows(db, "select table_name, row_count from raw.ingest_manifest") == [("keep", 2)]


def test_bad_column_names_exit_2(tmp_path, small_csv, capsys):
    db = tmp_path / "w.duckdb"
    nul = tmp_path / "nul.csv"
    nul.write_text("a,b\x00c\n1,2\n", encoding="utf-8")
    assert main(["ingest", str(nul), "--table", "t", "--db", str(db)]) == 2
    assert capsys.readouterr().err == "error: nul.csv line 1 (header): column 2 name 'b\\x00c' holds a NUL character\n"
    assert main(["ingest", str(small_csv), "--table", "t", "--no-header", "--columns", "a,,b", "--db", str(db)]) == 2
    assert capsys.readouterr().err == "error: columns: column 2 has an empty name (command line: --columns)\n"


def test_a_header_with_quotes_loads_as_that_name(tmp_path, capsys):
    db = tmp_path / "w.duckdb"
    path = tmp_path / "q.csv"
    path.write_text('"candidate ""name""",x\nA,1\n', encoding="utf-8")
    assert main(["ingest", str(path), "--table", "q", "--db", str(db)]) == 0
    assert _rows(db, "select column_name from information_schema.columns where table_name = 'q' order by 1") == [
        ('candidate "name"',),
        ("row_index",),
        ("x",),
    ]


# ----------------------------------------------------------------------------------------------
# Table identity is case-insensitive
# ----------------------------------------------------------------------------------------------


def test_table_differing_only_in_case_is_refused_and_the_first_kept(tmp_path, small_csv, capsys):
    db = tmp_path / "w.duckdb"
    assert main(["ingest", str(small_csv), "--table", "keep", "--db", str(db)]) == 0
    before = _rows(db, "select * from raw.ingest_manifest")
    capsys.readouterr()
    assert main(["ingest", str(small_csv), "--table", "KEEP", "--db", str(db)]) == 2
    assert capsys.readouterr().err == (
        "error: table name 'KEEP' differs only in case from the loaded table 'keep' (table names are "
        "case-insensitive); load it under that exact name to replace it, or choose another name\n"
    )
    dump = tmp_path / "keep.sql"
    dump.write_text("CREATE TABLE `Keep` (`a` int);\nINSERT INTO `Keep` VALUES (9);\n", encoding="utf-8")
    assert main(["ingest", str(dump), "--db", str(db)]) == 2
    assert capsys.readouterr().err == (
        "error: table name 'Keep' differs only in case from the loaded table 'keep' (table names are "
        "case-insensitive); load it under that exact name to replace it, or choose another name\n"
    )
    assert _rows(db, "select * from raw.ingest_manifest") == before
    assert _rows(db, "select * from raw.keep order by row_index") == [(0, "1"), (1, "2")]
    # the exact same name still replaces the table
    assert main(["ingest", str(small_csv), "--table", "keep", "--db", str(db)]) == 0


# ----------------------------------------------------------------------------------------------
# Files and faults: exit 2 and the real cause
# ----------------------------------------------------------------------------------------------


def test_gz_that_is_not_gzip_exits_2(tmp_path, capsys):
    path = tmp_path / "plain.csv.gz"
    path.write_text("a\n1\n", encoding="utf-8")
    assert main(["ingest", str(path), "--table", "t", "--db", str(tmp_path / "w.duckdb")]) == 2
    assert capsys.readouterr().err == (
        "error: plain.csv.gz line 1: broken gzip stream (Not a gzipped file (b'a\\n')); nothing was loaded\n"
    )


def test_missing_header_file_exits_2(tmp_path, small_csv, capsys):
    args = ["ingest", str(small_csv), "--table", "t", "--no-header", "--header-file", str(tmp_path / "h.csv")]
    assert main([*args, "--db", str(tmp_path / "w.duckdb")]) == 2
    assert capsys.readouterr().err == "error: header file not found: h.csv\n"


def test_missing_header_file_in_a_run_file_exits_2_with_a_report(tmp_path, capsys):
    run = {
        "name": "nohdr",
        "inputs": [{"path": str(DEMO_DIR / "contracts.csv"), "table": "t", "header_file": "missing.csv"}],
    }
    run_file = tmp_path / "run.yml"
    run_file.write_text(yaml.safe_dump(run), encoding="utf-8")
    out = tmp_path / "out"
    assert main(["run", str(run_file), "--db", str(tmp_path / "w.duckdb"), "--out", str(out)]) == 2
    assert capsys.readouterr().err == "error: header file not found: missing.csv\n"
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert report["errors"][0] == {
        "source": "ingest",
        "unique_id": None,
        "status": "error",
        "message": "header file not found: missing.csv",
    }


def test_table_on_a_dump_is_refused(tmp_path, capsys):
    args = ["ingest", str(DEMO_DIR / "contributions.sql"), "--table", "x", "--db", str(tmp_path / "w.duckdb")]
    assert main(args) == 2
    assert capsys.readouterr().err == (
        "error: --table does not apply to SQL dumps (their tables keep their own names; use --table-prefix)\n"
    )


def test_held_lock_exits_2(tmp_path, small_csv, capsys):
    db = tmp_path / "w.duckdb"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('ready', flush=True); time.sleep(60)",
            str(db),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "ready"
        assert main(["ingest", str(small_csv), "--table", "t", "--db", str(db)]) == 2
        assert capsys.readouterr().err == (
            "error: the warehouse w.duckdb is in use by another process (DuckDB allows one writer); "
            "wait for it to finish or use another warehouse file (command line: --db)\n"
        )
    finally:
        holder.kill()
        holder.wait()


def _big_csv(path: Path, rows: int) -> Path:
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("a,b,c\n")
        for i in range(rows):
            fh.write(f"{i},name number {i} with some padding text,{i * 7}\n")
    return path


def test_full_disk_reports_the_real_cause(tmp_path, small_csv, capsys, monkeypatch):
    """A 2 MB tmpfs (needs root to mount); without root the write failure is simulated."""
    mount = tmp_path / "full"
    mount.mkdir()
    mounted = (
        hasattr(os, "geteuid")
        and os.geteuid() == 0
        and subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount)], capture_output=True
        ).returncode
        == 0
    )
    try:
        db = mount / "w.duckdb"
        assert main(["ingest", str(small_csv), "--table", "keep", "--db", str(db)]) == 0
        capsys.readouterr()
        big = _big_csv(tmp_path / "big.csv", 200_000)
        if not mounted:
            from ingest import tabular

            def full(*args, **kwargs):
                raise duckdb.IOException(f'IO Error: Could not write file "{db}": No space left on device')

            monkeypatch.setattr(tabular, "_flush", full)
        assert main(["ingest", str(big), "--table", "big", "--db", str(db)]) == 2
        assert capsys.readouterr().err == (
            f'error: loading big.csv failed while writing the warehouse: IO Error: Could not write file "{db}": '
            "No space left on device; nothing of this input was loaded\n"
        )
        assert _rows(db, "select table_name, row_count from raw.ingest_manifest") == [("keep", 2)]
        assert _rows(db, "select count(*) from raw.keep") == [(2,)]
    finally:
        if mounted:
            subprocess.run(["umount", str(mount)], check=True)


_SLOW_INGEST = """
import sys, time
from pathlib import Path
from ingest import tabular
from moneytrail.cli import main

flush, marker = tabular._flush, Path(sys.argv[1])
def slow(*args, **kwargs):
    flush(*args, **kwargs)
    marker.touch()  # one batch is in the warehouse, uncommitted
    time.sleep(60)
tabular._flush = slow
main(["ingest", sys.argv[2], "--table", "keep", "--db", sys.argv[3]])
"""


def test_kill_9_during_ingest_keeps_the_earlier_load(tmp_path, small_csv):
    db = tmp_path / "w.duckdb"
    assert main(["ingest", str(small_csv), "--table", "keep", "--db", str(db)]) == 0
    big = _big_csv(tmp_path / "big.csv", 250_000)
    marker = tmp_path / "flushed"
    proc = subprocess.Popen([sys.executable, "-c", _SLOW_INGEST, str(marker), str(big), str(db)], cwd=REPO)
    try:
        deadline = time.monotonic() + 120
        while not marker.exists():
            assert proc.poll() is None, "the ingest ended before it was killed"
            assert time.monotonic() < deadline
            time.sleep(0.05)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait()
    assert proc.returncode == -signal.SIGKILL
    assert _rows(db, "select table_name, row_count from raw.ingest_manifest") == [("keep", 2)]
    assert _rows(db, "select * from raw.keep order by row_index") == [(0, "1"), (1, "2")]
    assert main(["ingest", str(big), "--table", "keep", "--db", str(db)]) == 0
    assert _rows(db, "select count(*) from raw.keep") == [(250_000,)]


def test_kill_9_during_the_build_then_a_clean_rerun(tmp_path):
    db, out = tmp_path / "w.duckdb", tmp_path / "out"
    env = dict(os.environ, PYTHONUNBUFFERED="1")  # dbt's lines arrive as they are written
    proc = subprocess.Popen(
        [sys.executable, "-m", "moneytrail.cli", "demo", "--db", str(db), "--out", str(out)],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        for line in proc.stdout:
            if "[3/4] dbt build" in line:
                break
        for line in proc.stdout:
            if " OK created sql " in line:  # some models are in, the build is under way
                break
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait()
    assert proc.returncode == -signal.SIGKILL
    assert main(["demo", "--db", str(db), "--out", str(out)]) == 0
    assert json.loads((out / "report.json").read_text(encoding="utf-8"))["ok"] is True


# ----------------------------------------------------------------------------------------------
# Provenance
# ----------------------------------------------------------------------------------------------


def test_manifest_does_not_depend_on_the_working_directory(tmp_path, small_csv, monkeypatch):
    entries = []
    for cwd in (tmp_path, REPO):
        monkeypatch.chdir(cwd)
        db = tmp_path / f"w{len(entries)}.duckdb"
        assert main(["ingest", str(small_csv), "--table", "keep", "--db", str(db)]) == 0
        con = duckdb.connect(str(db), read_only=True)
        entries.append(manifest.read_all(con))
        con.close()
    assert entries[0] == entries[1]
    assert entries[0][0].source_path == "keep.csv"


def test_load_options_are_part_of_the_dataset_version_id(tmp_path, small_csv):
    db = tmp_path / "w.duckdb"
    assert main(["ingest", str(small_csv), "--table", "t", "--db", str(db)]) == 0
    with_header = _rows(db, "select dataset_version_id, row_count from raw.ingest_manifest")
    assert main(["ingest", str(small_csv), "--table", "t", "--no-header", "--columns", "x", "--db", str(db)]) == 0
    without = _rows(db, "select dataset_version_id, row_count from raw.ingest_manifest")
    assert with_header[0][1] == 2 and without[0][1] == 3
    assert with_header[0][0] != without[0][0]
    # and the same load twice is the same id
    assert main(["ingest", str(small_csv), "--table", "t", "--db", str(db)]) == 0
    assert _rows(db, "select dataset_version_id, row_count from raw.ingest_manifest") == with_header


def test_gate_with_unsplittable_pytest_args_exits_2(capsys):
    assert main(["gate", "--pytest-args", "'unbalanced", "--skip-dbt-build"]) == 2
    assert capsys.readouterr().err == 'error: --pytest-args "\'unbalanced" cannot be split: No closing quotation\n'


# ----------------------------------------------------------------------------------------------
# The one Jinja helper pair, and every setting of the schema
# ----------------------------------------------------------------------------------------------


def _dbt_show(sql: str, values: list, db: Path, errors: list | None = None):
    from moneytrail import dbt_runner

    os.environ["MONEYTRAIL_DB"] = str(db)
    from dbt.cli.main import dbtRunner

    args = ["show", "--inline", sql, "--vars", json.dumps({"mt_hostile": values}), "--limit", "-1"]
    args += ["--project-dir", str(REPO), "--profiles-dir", str(REPO)]

    def collect(event):
        if errors is not None and event.info.level == "error":
            errors.append(event.info.msg)

    try:
        return dbtRunner(callbacks=[collect]).invoke(args)
    finally:
        dbt_runner._release_warehouse()


def test_mt_literal_and_mt_ident_round_trip_hostile_strings(tmp_path):
    db = tmp_path / "w.duckdb"
    literals = (
        "select * from (values {% for v in var('mt_hostile') %}({{ mt_literal(v) }}, {{ loop.index }})"
        "{{ ',' if not loop.last }}{% endfor %}) t(v, i) order by i"
    )
    result = _dbt_show(literals, HOSTILE, db)
    assert result.success, result.exception
    assert [row[0] for row in result.result.results[0].agate_table.rows] == HOSTILE
    idents = (
        "select {% for v in var('mt_hostile') %}{{ loop.index }} as {{ mt_ident(v) }}"
        "{{ ',' if not loop.last }}{% endfor %}"
    )
    result = _dbt_show(idents, HOSTILE, db)
    assert result.success, result.exception
    assert list(result.result.results[0].agate_table.column_names) == HOSTILE
    errors: list[str] = []
    refused = _dbt_show("select {{ mt_literal(var('mt_hostile')[0]) }}", ["a\x00b"], db, errors)
    assert not refused.success
    assert 'a value holds a NUL character: "a\\u0000b"' in "\n".join(errors)
    assert [t for t in _tables(db) if "pwned" in t[1]] == []


def _schema_leaves():
    from moneytrail import settings

    out = []

    def walk(node, path):
        node = settings.resolve(node)
        for key, child in (node.get("keys") or {}).items():
            if key not in node.get("not_keys", ()):
                walk(child, f"{path}.{key}")
        if not node.get("keys"):
            out.append((path, node))

    schema = settings.load_schema()
    walk(schema["vars"], "vars")
    return out


def _set(tree: dict, path: str, value) -> None:
    keys = path.split(".")[1:]
    for key in keys[:-1]:
        tree = tree.setdefault(key, {})
    tree[keys[-1]] = value


@pytest.mark.parametrize("hostile", [HOSTILE[3], HOSTILE[5], "0.05 or 1=1", "1); select 1; --"])
def test_every_setting_refuses_or_quotes_hostile_text(hostile):
    """Each setting given a hostile string: refused by the schema with a message naming it, or a
    free-text setting (only ever written into SQL by mt_literal/mt_ident)."""
    from moneytrail import settings

    project = yaml.safe_load((REPO / "dbt_project.yml").read_text(encoding="utf-8"))["vars"]
    free_text = {"text": [], "list": []}
    for path, _node in _schema_leaves():
        if path.startswith(("vars.role_map.committees.", "vars.role_map.candidate_links.")):
            continue  # roles the demo does not map; they share the role node checked through the others
        for shape, value in (("text", hostile), ("list", [hostile])):
            given = json.loads(json.dumps(project))
            _set(given, path, value)
            try:
                settings.validate_vars(given)
            except settings.SettingsError as exc:
                assert any(p.startswith(path) for p in exc.problems), (path, exc.problems)
                continue
            free_text[shape].append(path)
    # Free text: descriptions (never written into SQL) and lists of text. Each list that reaches
    # SQL goes through mt_literal and is run with hostile items by
    # test_hostile_settings_and_header_are_data_not_sql; the matcher's word lists stay in Python.
    roles = ("contributions", "contracts", "candidates")
    # the two er_*_file settings are file paths read by the Python models, never SQL
    assert free_text["text"] == [f"vars.role_map.{r}.description" for r in roles] + [
        "vars.er_link_decisions_file",
        "vars.er_aliases_file",
    ]
    assert free_text["list"] == [
        "vars.role_map.contributions.organisation_types",
        "vars.bundles.payroll_memo_patterns",
        "vars.contribution_limits.exclude_transaction_types",
        "vars.red_flags.procurement_methods",
        "vars.entity_resolution.generic_words",
        "vars.entity_resolution.generic_words_extra",
        "vars.entity_resolution.stop_words",
        "vars.entity_resolution.government_type_words",
        "vars.entity_resolution.organisation_type_words",
        "vars.entity_resolution.non_answers_extra",
        "vars.entity_resolution.non_answers",
        "vars.employer_non_answers",
        "vars.employer_non_answers_extra",
        "vars.employer_non_answer_prefixes",
    ]
