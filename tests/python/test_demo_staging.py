"""The demo build end to end: staging against the golden ground truth, and role-map failures."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from tests.python.conftest import DEMO_DIR, REPO, write_demo_run_file

pytestmark = pytest.mark.slow


def test_demo_run_succeeds(demo_run):
    assert demo_run.exit_code == 0


def test_staging_row_counts_match_ground_truth(demo_run):
    rows = demo_run.query(
        "select role, input_rows, filtered_out, rejected, staged from staging.dq_row_accounting order by role"
    )
    expected = demo_run.truth["staging"]
    assert rows == [
        (role, expected[role]["raw_rows"], 0, expected[role]["rejected"], expected[role]["staged"])
        for role in sorted(expected)
    ]
    for role in expected:
        (count,) = demo_run.query(f"select count(*) from staging.stg_{role}")[0]
        assert count == expected[role]["staged"]


def test_rejects_carry_reason_and_row_ref(demo_run):
    rows = demo_run.query("select role, row_index, reject_reason, row_ref from staging.stg_rejects order by row_index")
    expected = sorted(demo_run.truth["rejects"], key=lambda r: r["row_index"])
    assert [(r[0], r[1], r[2]) for r in rows] == [(e["role"], e["row_index"], e["reason"]) for e in expected]
    (version_id,) = demo_run.query(
        "select dataset_version_id from raw.ingest_manifest where table_name = 'demo_contributions'"
    )[0]
    assert [r[3] for r in rows] == [f"db://{version_id}#row_index={e['row_index']}" for e in expected]


def test_staged_values_are_typed_exactly(demo_run):
    import datetime
    from decimal import Decimal

    index = demo_run.truth["limit_flags"]["positive"][0]["rows"][0]
    row = demo_run.query(
        "select donor_name, donor_key, donation_date, amount, employer_norm, employer_is_non_answer "
        "from intermediate.int_contributions where row_index = ?",
        [index],
    )[0]
    assert row == (
        "MORGAN, PAT",
        "MORGAN PAT|02110",
        datetime.date(2022, 4, 2),
        Decimal("600.00"),
        "ACME ROAD BUILDERS",
        False,
    )


def test_non_answer_employers_flagged(demo_run):
    rows = dict(
        demo_run.query(
            "select employer, bool_and(employer_is_non_answer) from intermediate.int_contributions "
            "where employer in ('RETIRED', 'SELF-EMPLOYED', 'ACME ROAD BUILDERS') group by employer"
        )
    )
    assert rows == {"RETIRED": True, "SELF-EMPLOYED": True, "ACME ROAD BUILDERS": False}


def test_org_donor_recognised(demo_run):
    rows = demo_run.query("select donor_name, donor_org_norm from intermediate.int_contributions where is_organisation")
    assert rows == [("BLUEWATER MARINE SYSTEMS, LLC", "BLUEWATER MARINE SYSTEMS")]


def test_row_refs_resolve_to_raw_rows(demo_run):
    mismatches = demo_run.query("""
        select s.row_ref from staging.stg_contributions s
        join raw.ingest_manifest m on m.table_name = 'demo_contributions'
        join raw.demo_contributions r on r.row_index = s.row_index
        where s.row_ref <> 'db://' || m.dataset_version_id || '#row_index=' || r.row_index
           or s.contribution_id <> r.contribution_id
    """)
    assert mismatches == []


def test_demo_files_are_reproducible(tmp_path):
    import importlib.util

    spec = importlib.util.spec_from_file_location("demo_generate", DEMO_DIR / "generate.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[spec.name]
    module.build(tmp_path)
    for name in ["contracts.csv", "contributions.csv", "contributions.sql", "candidates.tsv", "ground_truth.json"]:
        assert (tmp_path / name).read_bytes() == (DEMO_DIR / name).read_bytes(), name


def _run_file(tmp_path: Path, role_map_contributions: dict, contributions_csv: Path | None = None) -> Path:
    return write_demo_run_file(
        tmp_path,
        {
            "contributions": role_map_contributions,
            "contracts": {
                "table": "demo_contracts",
                "columns": {"award_id": "award_id", "vendor_name": "vendor_name"},
                "timing": {"enabled": False},
            },
            "candidates": {
                "table": "demo_candidates",
                "columns": {"candidate_id": "candidate_id", "candidate_name": "candidate_name"},
            },
        },
        contributions_csv,
    )


CONTRIB_OK = {
    "table": "demo_contributions",
    "columns": {
        "donor_name": "donor_name",
        "employer": "employer",
        "recipient_id": "committee_id",
        "donation_date": {"column": "contribution_date", "format": "%m/%d/%Y"},
        "amount": "amount",
    },
    "reject_tolerance": 2,
}


def test_role_map_missing_column_fails_naming_it(tmp_path, capsys):
    from moneytrail.cli import main

    broken = {**CONTRIB_OK, "columns": {**CONTRIB_OK["columns"], "employer": "EMPLOYER_NAME"}}
    code = main(
        ["run", str(_run_file(tmp_path, broken)), "--db", str(tmp_path / "w.duckdb"), "--out", str(tmp_path / "out")]
    )
    assert code == 1
    err = capsys.readouterr().err
    assert (
        "role map: role 'contributions' maps field 'employer' to column 'EMPLOYER_NAME', which "
        '"w"."raw"."demo_contributions" does not have (its columns: row_index, contribution_id, '
        "contributor_type, donor_name, donor_zip, employer, occupation, committee_id, "
        "contribution_date, amount, memo_code, transaction_type). Set it under vars.role_map in "
        "dbt_project.yml, or in the vars of your run file (moneytrail run FILE), or with dbt --vars."
    ) in err


def test_role_map_missing_required_field_fails_naming_it(tmp_path, capsys):
    from moneytrail.cli import main

    columns = dict(CONTRIB_OK["columns"])
    del columns["amount"]
    code = main(
        [
            "run",
            str(_run_file(tmp_path, {**CONTRIB_OK, "columns": columns})),
            "--db",
            str(tmp_path / "w.duckdb"),
            "--out",
            str(tmp_path / "out"),
        ]
    )
    assert code == 1
    err = capsys.readouterr().err
    assert (
        "role map: role 'contributions' is missing required field 'amount' "
        "(add role_map.contributions.columns.amount: <column name>)"
    ) in err


def test_run_file_errors_are_clear(tmp_path, capsys):
    from moneytrail.cli import main

    path = tmp_path / "bad.yml"
    path.write_text("name: x\ninputs:\n  - path: a.csv\n    tabel: t\n")
    assert main(["run", str(path), "--db", str(tmp_path / "w.duckdb"), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    # issue 11: one schema, one message shape, the nearest valid key
    assert err == (
        "error: run_file.inputs[1].tabel: unknown key (did you mean table?); allowed: path, table, format, "
        "delimiter, quote, encoding, header, header_file, columns, skip_lines, empty_last_column, table_prefix, "
        "schema_path, allow_sqlite_pragma_header, skip_programmable_objects\n"
    )
    assert json.loads((tmp_path / "out" / "report.json").read_text())["errors"][0]["source"] == "settings"


def test_readme_has_exactly_two_setup_commands():
    text = (REPO / "README.md").read_text()
    block = text.split("## Set up", 1)[1].split("\n## ", 1)[0]
    commands = [line for line in block.splitlines() if line.startswith("python3.11 ")]
    assert len(commands) == 2
    ci = (REPO / ".ci" / "run").read_text()
    assert commands[1] in ci


def test_amounts_and_dates_are_never_coerced(tmp_path):
    """Values that would be rounded, truncated or guessed are rejects with a reason."""
    import duckdb

    from moneytrail.cli import main

    rows = [
        ("a", "01/02/2022", "1.005"),
        ("b", "01/02/2022", "1.000"),
        ("c", "01/02/2022", "1e-3"),
        ("d", "01/02/2022", "12O"),
        ("e", "01/02/2022", "99999999999999999"),
        ("f", "01/02/2022", " 5 "),
        ("g", "02/30/2022", "5"),
        ("h", "2022-01-02", "5"),
        ("i", "", "5"),
        ("j", "01/02/2022", "-7.5"),
    ]
    data = tmp_path / "c.csv"
    data.write_text("donor,date,amt\n" + "".join(f"{d},{t},{a}\n" for d, t, a in rows))
    contributions = {
        "table": "demo_contributions",
        "columns": {
            "donor_name": "donor",
            "employer": "donor",
            "recipient_id": "donor",
            "donation_date": {"column": "date", "format": "%m/%d/%Y"},
            "amount": "amt",
        },
        "reject_tolerance": 100,
    }
    run = _run_file(tmp_path, contributions, data)
    db = tmp_path / "w.duckdb"
    main(["run", str(run), "--db", str(db), "--out", str(tmp_path / "out")])
    con = duckdb.connect(str(db), read_only=True)
    got = dict(
        con.execute(
            "select donor_name, coalesce(reject_reason, cast(amount as varchar) || ' ' || "
            "cast(donation_date as varchar)) from staging.base_contributions"
        ).fetchall()
    )
    con.close()
    assert got == {
        "a": "amount has more than 2 decimal places",
        "b": "1.00 2022-01-02",
        "c": "amount has more than 2 decimal places",
        "d": "unparseable amount",
        "e": "unparseable amount",
        "f": "5.00 2022-01-02",
        "g": "unparseable donation_date",
        "h": "unparseable donation_date",
        "i": "missing donation_date",
        "j": "-7.50 2022-01-02",
    }
