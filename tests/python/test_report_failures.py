"""Fail closed end to end: a broken role map still gets both reports, with the errors, and exit 1."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from moneytrail import exports
from moneytrail import report as report_mod
from tests.python.conftest import write_demo_run_file

pytestmark = pytest.mark.slow

SCHEMA = report_mod.load_schema()  # the file plus the registered analyses (moneytrail/registry.py)

CONTRIBUTIONS = {
    "table": "demo_contributions",
    "columns": {
        "donor_name": "donor_name",
        "donor_zip": "donor_zip",
        "employer": "employer",
        "recipient_id": "committee_id",
        "amount": "amount",
        "donation_date": {"column": "contribution_date", "format": "%m/%d/%Y"},
    },
    "reject_tolerance": 2,
}
CONTRACTS = {
    "table": "demo_contracts",
    "columns": {
        "award_id": "award_id",
        "vendor_name": "vendor_name",
        "award_date": {"column": "award_date", "format": "%Y-%m-%d"},
    },
}
CANDIDATES = {
    "table": "demo_candidates",
    "columns": {"candidate_id": "candidate_id", "candidate_name": "candidate_name"},
}


def _run_file(tmp_path: Path, contributions: dict, contracts: dict) -> Path:
    return write_demo_run_file(
        tmp_path, {"contributions": contributions, "contracts": contracts, "candidates": CANDIDATES}
    )


def _run(tmp_path: Path, monkeypatch, contributions: dict, contracts: dict) -> tuple[int, dict, str, Path]:
    from moneytrail.cli import main

    # a target folder of its own: this build's run_results.json must not meet another's
    monkeypatch.setenv("DBT_TARGET_PATH", str(tmp_path / "target"))
    out = tmp_path / "out"
    code = main(
        [
            "run",
            str(_run_file(tmp_path, contributions, contracts)),
            "--db",
            str(tmp_path / "w.duckdb"),
            "--out",
            str(out),
        ]
    )
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    return code, report, (out / "report.md").read_text(encoding="utf-8"), out


MISSING_COLUMN = (
    "role map: role 'contributions' maps field 'employer' to column 'EMPLOYER_NAME', which "
    '"w"."raw"."demo_contributions" does not have'
)


def test_missing_column_fails_closed_with_both_reports(tmp_path, monkeypatch, capsys):
    from moneytrail.cli import main

    broken = {**CONTRIBUTIONS, "columns": {**CONTRIBUTIONS["columns"], "employer": "EMPLOYER_NAME"}}
    code, report, md, out = _run(tmp_path, monkeypatch, broken, CONTRACTS)
    assert code == 1
    jsonschema.Draft202012Validator(SCHEMA).validate(report)
    assert report["ok"] is False
    assert report["build"]["status"] == "failed"

    errors = {(e["source"], e["unique_id"]): e for e in report["errors"]}
    failed = errors[("dbt_node", "model.moneytrail.base_contributions")]
    assert failed["status"] == "error"
    assert failed["message"].startswith(
        "Compilation Error in model base_contributions (models/staging/base/base_contributions.sql)\n  "
        + MISSING_COLUMN
    )
    assert MISSING_COLUMN in errors[("validate_role_map", None)]["message"]
    # one entry per failed or skipped node, each naming the failure upstream
    skipped = [e for e in report["errors"] if e["status"] == "skipped"]
    assert {e["unique_id"] for e in skipped} >= {
        "model.moneytrail.stg_contributions",
        "model.moneytrail.cross_links",
        "model.moneytrail.red_flags",
        "model.moneytrail.stg_rejects",
        "model.moneytrail.dq_row_accounting",
    }
    assert {e["message"] for e in skipped} == {"upstream failed: model.moneytrail.base_contributions"}
    assert len(report["errors"]) == 2 + len(skipped)

    # dbt still built everything that does not depend on the broken role
    nodes = {n["unique_id"]: n["status"] for n in report["build"]["nodes"]}
    assert nodes["model.moneytrail.stg_contracts"] == "success"
    assert nodes["model.moneytrail.stg_candidates"] == "success"
    assert nodes["model.moneytrail.base_contributions"] == "error"

    for name, section in report["analyses"].items():
        assert section["status"] == "missing", name
        assert section["reason"] == f"model.moneytrail.{name} did not build in this run (status skipped)"
    assert report["data_quality"]["rejects"]["status"] == "missing"
    assert report["exports"]["files"] == []
    assert report["inputs"][0]["table_name"] == "demo_candidates"

    assert md.startswith("# moneytrail report: broken\n\n**Status: FAILED**")
    assert md.index("## Errors") < md.index("## Run")
    assert (
        "- `model.moneytrail.base_contributions` [error]: Compilation Error in model base_contributions "
        "(models/staging/base/base_contributions.sql)"
    ) in md
    assert MISSING_COLUMN in md
    assert f"- {len(skipped)} node(s) [skipped], upstream failed: model.moneytrail.base_contributions: " in md
    assert "**MISSING**: model.moneytrail.bundles did not build in this run (status skipped)" in md
    assert "| base_contributions | error | Compilation Error in model base_contributions" in md

    index = json.loads((out / "evidence_index.json").read_text(encoding="utf-8"))
    paths = [a["path"] for a in index["artifacts"]]
    assert [p for p in paths if not p.startswith("html/")] == ["ingest_manifest.json", "report.json", "report.md"]
    # the HTML overview says what failed, and nothing else is quoted as a finding
    html = (out / "html" / "index.html").read_text(encoding="utf-8")
    assert "<td>base_contributions</td><td>model</td><td>error</td>" in html
    assert not [p for p in paths if p.startswith("html/findings/")]
    # every registered export is missing (moneytrail/registry.py)
    assert [m["name"] for m in index["missing_exports"]] == [s.name for s in exports.EXPORTS]

    err = capsys.readouterr().err
    assert "error: model.moneytrail.base_contributions [error]: Compilation Error in model base_contributions" in err
    assert f"error: {len(skipped)} node(s) skipped because of the failures above" in err

    # the report step on its own, from the same dbt target folder, says the same
    again = tmp_path / "again"
    assert (
        main(
            [
                "report",
                "--out",
                str(again),
                "--db",
                str(tmp_path / "w.duckdb"),
                "--name",
                "broken",
                "--target-dir",
                str(tmp_path / "target"),
            ]
        )
        == 1
    )
    standalone = json.loads((again / "report.json").read_text(encoding="utf-8"))
    assert standalone["build"] == report["build"]
    assert standalone["analyses"] == report["analyses"]
    # it cannot know about the role-map check `moneytrail run` ran before the build
    assert standalone["errors"] == [e for e in report["errors"] if e["source"] != "validate_role_map"]


def test_build_that_stops_before_any_node_still_reports(tmp_path, monkeypatch):
    """dbt can stop while parsing (e.g. a Jinja error in a project file) and then writes no
    run_results.json; the dbt calls are stubbed so the test does not depend on which role-map
    mistakes happen to fail at parse time."""
    from moneytrail import dbt_runner

    def fake_invoke(args, run_vars=None, warehouse=None, check_run_config=False):
        if args[0] == "build":
            return dbt_runner.DbtResult(False, ["dbt", "build"], "Parsing Error\n  forced for the test")
        return dbt_runner.DbtResult(True, ["dbt", *args], None)

    monkeypatch.setattr(dbt_runner, "invoke", fake_invoke)
    code, report, md, _ = _run(tmp_path, monkeypatch, CONTRIBUTIONS, CONTRACTS)
    assert code == 1
    jsonschema.Draft202012Validator(SCHEMA).validate(report)
    assert report["ok"] is False
    assert report["build"] == {
        "status": "not_run",
        "run_results": "missing",
        "dbt_command": None,
        "dbt_version": None,
        "dbt_adapter": None,
        "counts_by_status": {},
        "nodes": [],
    }
    assert report["errors"] == [
        {
            "source": "dbt",
            "unique_id": None,
            "status": "error",
            "message": "Parsing Error\n  forced for the test\n(dbt wrote no run_results.json for this build)",
        }
    ]
    assert {s["status"] for s in report["analyses"].values()} == {"missing"}
    assert report["analyses"]["cross_links"]["reason"] == (
        "not built by this run: dbt wrote no run_results.json for this build"
    )
    assert "- dbt [error]: Parsing Error\n\n  ```text\n    forced for the test\n" in md
