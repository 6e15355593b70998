"""report.json / report.md / evidence index of the demo run, and the report step on its own."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import socket
from pathlib import Path

import duckdb
import jsonschema
import pytest
import yaml

from moneytrail import exports, settings
from moneytrail import report as report_mod
from tests.python.conftest import DEMO_DIR, REPO, NetworkBlocked

pytestmark = pytest.mark.slow

SCHEMA = report_mod.load_schema()  # the file plus the registered analyses (moneytrail/registry.py)
TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")


def _report(demo_run) -> dict:
    return json.loads((demo_run.out / "report.json").read_text(encoding="utf-8"))


def _dsv(demo_run, table: str) -> str:
    return demo_run.query("select dataset_version_id from raw.ingest_manifest where table_name = ?", [table])[0][0]


def test_schema_is_a_valid_draft_2020_12_schema():
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


def test_demo_build_and_report_ran_with_the_network_blocked(demo_run):
    # the session fixture ran ingest, dbt build (in-process) and the report under this block
    with pytest.raises(NetworkBlocked):
        socket.getaddrinfo("hub.getdbt.com", 443)
    assert demo_run.exit_code == 0
    assert _report(demo_run)["ok"] is True


def test_demo_report_is_valid_and_ok(demo_run):
    report = _report(demo_run)
    jsonschema.Draft202012Validator(SCHEMA).validate(report)
    assert report["ok"] is True
    assert report["errors"] == []
    assert report["build"]["status"] == "success"
    assert report["build"]["run_results"] == "current"
    assert report["build"]["dbt_command"] == "build"
    statuses = {n["status"] for n in report["build"]["nodes"]}
    assert statuses <= {"success", "pass", "no-op"}
    assert {n["unique_id"] for n in report["build"]["nodes"]} >= {
        "model.moneytrail.cross_links",
        "model.moneytrail.red_flags",
        "model.moneytrail.stg_contributions",
    }
    assert all(report["analyses"][a]["status"] == "ok" for a in report["analyses"])
    assert report["exports"]["missing"] == []


def test_run_identity(demo_run):
    run = _report(demo_run)["run"]
    project_vars = yaml.safe_load((REPO / "dbt_project.yml").read_text(encoding="utf-8"))["vars"]
    # issue 11: the report records the settings as validated and applied, schema defaults filled
    # in (e.g. bundles.min_donors), and the digest is of those
    used = settings.applied(project_vars)
    assert used["timing"] == {"n_permutations": 2000, "min_donations": 3, "min_awards": 4, "calendar": "all_awards"}
    assert run["vars"] == used
    canonical = json.dumps(used, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert run["name"] == "demo"
    assert run["role_map_digest"] == hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    assert run["run_seed"] == project_vars["run_seed"]
    inputs = _report(demo_run)["inputs"]
    staging = demo_run.truth["staging"]
    files = {
        "demo_candidates": "candidates.tsv",
        "demo_contracts": "contracts.csv",
        "demo_contributions": "contributions.sql",
    }
    assert [(i["table_name"], i["rows"], i["sha256"]) for i in inputs] == [
        (
            table,
            staging[table.removeprefix("demo_")]["raw_rows"],
            hashlib.sha256((DEMO_DIR / name).read_bytes()).hexdigest(),
        )
        for table, name in sorted(files.items())
    ]
    assert all(i["dataset_version_id"] == _dsv(demo_run, i["table_name"]) for i in inputs)


def test_data_quality_section(demo_run):
    dq = _report(demo_run)["data_quality"]
    truth = demo_run.truth
    assert [(r["role"], r["input_rows"], r["rejected"], r["staged"]) for r in dq["row_accounting"]["rows"]] == [
        (role, t["raw_rows"], t["rejected"], t["staged"]) for role, t in sorted(truth["staging"].items())
    ]
    assert dq["rejects"]["total"] == len(truth["rejects"])
    assert dq["rejects"]["by_role_reason"] == sorted(
        ({"role": r["role"], "reason": r["reason"], "rows": 1} for r in truth["rejects"]),
        key=lambda r: (r["role"], r["reason"]),
    )
    dsv = _dsv(demo_run, "demo_contributions")
    assert [s["row_ref"] for s in dq["rejects"]["sample"]] == [
        f"db://{dsv}#row_index={r['row_index']}" for r in sorted(truth["rejects"], key=lambda r: r["row_index"])
    ]


def test_top_findings_match_the_ground_truth(demo_run):
    analyses = _report(demo_run)["analyses"]
    dsv = _dsv(demo_run, "demo_contributions")

    def refs(rows):
        return [f"db://{dsv}#row_index={i}" for i in rows]

    limits = analyses["limit_flags"]
    assert limits["count"] == 2 and limits["evidence_kind"] == "measured"
    expected = sorted(demo_run.truth["limit_flags"]["positive"], key=lambda p: p["excess"], reverse=True)
    assert [
        (f["donor_name"], f["recipient_id"], f["period"], f["total_amount"], f["excess_amount"], f["row_refs"])
        for f in limits["top"]
    ] == [(p["donor_name"], p["recipient"], p["period"], p["total"], p["excess"], refs(p["rows"])) for p in expected]

    bundles = {f["employer_norm"]: f for f in analyses["bundles"]["top"]}
    for p in demo_run.truth["bundles"]["positive"]:
        f = bundles[p["employer_norm"]]
        assert (f["recipient_id"], f["donation_date"], f["n_donors"], f["total_amount"]) == (
            p["recipient"],
            p["date"],
            p["donors"],
            p["total"],
        )
        assert f["row_refs"] == refs(p["rows"])

    timing = analyses["timing_signals"]
    assert timing["evidence_kind"] == "modelled"
    first = timing["top"][0]
    assert (first["vendor_name_norm"], first["recipient_id"], first["is_signal"]) == (
        "ACME ROAD BUILDERS",
        "C001",
        True,
    )
    assert first["p_value"] <= demo_run.truth["timing"]["positive"][0]["max_p"]

    red = analyses["red_flags"]["top"][0]
    # pair evidence only (issue 10): three rules on overlapping rows are one independent piece
    assert (red["vendor_name_norm"], red["recipient_id"], red["recipient_name"], red["severity"]) == (
        "ACME ROAD BUILDERS",
        "C001",
        "Rivera, Alex",
        "low",
    )
    assert (red["n_rules"], red["n_independent_rules"]) == (3, 1)
    assert red["timing_finding_id"] == first["finding_id"]
    assert analyses["red_flags"]["count_by_evidence_kind"] == {"modelled": 1}

    breadth = analyses["vendor_breadth"]["top"][0]
    assert (breadth["vendor_name"], breadth["n_recipients"]) == ("Acme Road Builders, Inc.", 4)
    assert analyses["payroll_giving"]["count"] == 0
    assert analyses["payroll_giving"]["notes"] == [
        "Own-employer-PAC signal not evaluated: no recipient is known to be a PAC "
        "(no committee-kind data, e.g. no committees role).",
        "Memo signal not evaluated: no contribution carries memo text "
        "(map role_map.contributions.columns.memo_text to use it).",
    ]
    links = analyses["cross_links"]
    summary = json.loads((demo_run.out / "cross_link_summary.json").read_text(encoding="utf-8"))
    # the section counts and quotes links at the analysis tier only; lower tiers are a count
    assert links["counts"] == {
        **summary,
        "analysis_tier": "probable",
        "edges_at_analysis_tier": 27,
        "edges_below_analysis_tier": 1,
    }
    assert links["count"] == 27
    assert links["notes"] == [
        "This section counts and quotes only links at the analysis tier (probable or better, "
        "vars.min_link_tier); 1 edge(s) at lower tiers (low) are left out of every analysis and are "
        "in cross_links.csv only."
    ]
    assert {f["confidence_tier"] for f in links["top"]} <= {"high", "medium", "probable"}


def test_report_json_has_no_paths_or_timestamps(demo_run):
    for name in ["report.json", "report.md", "evidence_index.json", "evidence_index.md"]:
        text = (demo_run.out / name).read_text(encoding="utf-8")
        for fragment in [str(REPO), str(demo_run.out), str(demo_run.db), str(Path.home()), "/tmp/"]:
            assert fragment not in text, (name, fragment)
        assert not TIMESTAMP.search(text), name
    metadata = json.loads((demo_run.out / "run_metadata.json").read_text(encoding="utf-8"))
    assert TIMESTAMP.search(metadata["report_written_at"])
    assert metadata["dbt_run_results"] == "current"
    assert metadata["node_execution_seconds"]["model.moneytrail.cross_links"] >= 0


def test_report_md_for_people(demo_run):
    md = (demo_run.out / "report.md").read_text(encoding="utf-8")
    dsv = _dsv(demo_run, "demo_contributions")
    assert md.startswith("# moneytrail report: demo\n\n**Status: OK.** Every model and test passed")
    assert "## Errors" not in md
    assert (
        "1. QUINN, LOU gave $1,200.00 to C008 (Walsh, Casey) in calendar_year 2023 (3 contributions, 2023-01-10 to "
        "2023-09-10), $200.00 over the $1,000.00 limit."
    ) in md
    assert f"`db://{dsv}#row_index=389`, `db://{dsv}#row_index=442`, `db://{dsv}#row_index=513`" in md
    assert "| contributions | unparseable amount | 1 |" in md
    assert "| contributions | 558 | 0 | 2 | 556 | 2 |" in md
    assert (
        "4 donors employed by ACME ROAD BUILDERS gave $1,000.00 in 4 contributions to C001 (Rivera, Alex) "
        "[candidate] on 2022-03-14."
    ) in md
    assert "ACME ROAD BUILDERS -> C001 (Rivera, Alex) (signal)" in md
    assert "| cross_links | success |  |" in md
    sections = [line for line in md.splitlines() if line.startswith("## ")]
    assert sections == [
        "## Run",
        "## Data quality",
        "## Entity resolution",
        "## Findings",
        "## Build status",
        "## Exports",
    ]


def test_evidence_index(demo_run):
    index = json.loads((demo_run.out / "evidence_index.json").read_text(encoding="utf-8"))
    artifacts = index["artifacts"]
    paths = [a["path"] for a in artifacts]
    assert paths == sorted(paths)
    # html/ pages are checked in test_html_report.py
    assert [p for p in paths if not p.startswith("html/")] == sorted(
        [
            "bundle_groups.csv",
            "bundles.csv",
            "cross_link_summary.json",
            "cross_links.csv",
            "cross_links.jsonl",
            "dq_row_accounting.csv",
            "ingest_manifest.json",
            "limit_flags.csv",
            "non_competitive_awards.csv",
            "payroll_giving.csv",
            "prohibited_contributions.csv",
            "red_flag_pairs.csv",
            "red_flags.csv",
            "report.json",
            "report.md",
            "stg_rejects.csv",
            "timing_awards.csv",
            "timing_signals.csv",
            "vendor_breadth.csv",
        ]
    )
    for a in artifacts:
        data = (demo_run.out / a["path"]).read_bytes()
        assert a["sha256"] == hashlib.sha256(data).hexdigest(), a["path"]
        assert a["bytes"] == len(data)
        # records counted here from the file, not taken from the writer
        if a["path"].endswith(".csv"):
            text = data.decode("utf-8")
            assert a["records"] == len(list(csv.reader(io.StringIO(text, newline="")))) - 1, a["path"]
        elif a["path"].endswith(".jsonl"):
            assert a["records"] == len([line for line in data.split(b"\n") if line.strip()]), a["path"]
    by_path = {a["path"]: a for a in artifacts}
    (edges,) = demo_run.query("select count(*) from marts.cross_links")[0]
    assert by_path["cross_links.csv"]["records"] == by_path["cross_links.jsonl"]["records"] == edges
    assert (by_path["cross_links.csv"]["step"], by_path["cross_links.csv"]["model"]) == (
        "export",
        "model.moneytrail.cross_links",
    )
    assert (by_path["report.json"]["step"], by_path["report.json"]["model"], by_path["report.json"]["records"]) == (
        "report",
        "exposure.moneytrail.report",
        1,
    )
    assert by_path["report.md"]["records"] is None
    assert (by_path["ingest_manifest.json"]["step"], by_path["ingest_manifest.json"]["records"]) == ("ingest", 3)
    assert [n["path"] for n in index["not_hashed"]] == ["run_metadata.json"]
    assert index["missing_exports"] == []
    exported = {f["path"]: f["records"] for f in _report(demo_run)["exports"]["files"]}
    assert exported == {p: a["records"] for p, a in by_path.items() if a["step"] == "export"}
    md = (demo_run.out / "evidence_index.md").read_text(encoding="utf-8")
    assert (
        f"| cross_links.csv | {edges} | export | model.moneytrail.cross_links | `{by_path['cross_links.csv']['sha256']}` |"  # noqa: E501
        in md
    )


def test_standalone_report_reuses_the_demo_warehouse(demo_run, tmp_path):
    """`moneytrail report` on dbt results it did not produce: a hand-made run_results.json."""
    from moneytrail.cli import main

    target = tmp_path / "target"
    target.mkdir()
    nodes = [n["unique_id"] for n in _report(demo_run)["build"]["nodes"]]
    (target / "run_results.json").write_text(
        json.dumps(
            {
                "metadata": {"invocation_id": "x", "dbt_version": "1.11.16"},
                "args": {"which": "build", "vars": {}},
                "results": [
                    {
                        "unique_id": u,
                        "status": "pass" if u.startswith(("test.", "unit_test.")) else "success",
                        "message": None,
                        "failures": 0,
                    }
                    for u in nodes
                ],
                "elapsed_time": 1.0,
            }
        )
    )
    out = tmp_path / "demo"
    assert main(["report", "--out", str(out), "--db", str(demo_run.db), "--target-dir", str(target)]) == 0
    mine = json.loads((out / "report.json").read_text(encoding="utf-8"))
    theirs = _report(demo_run)
    assert mine["analyses"] == theirs["analyses"]
    assert mine["run"] == theirs["run"]
    assert mine["data_quality"] == theirs["data_quality"]
    # the standalone step does not know which tables the run loaded: it lists the manifest
    assert mine["inputs"] == theirs["inputs"]
    for name in ["cross_links.csv", "cross_links.jsonl", "red_flags.csv"]:
        assert (out / name).read_bytes() == (demo_run.out / name).read_bytes()


def _valid_report(out: Path) -> dict:
    """report.json of out, checked against report.schema.json."""
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(SCHEMA).validate(report)
    return report


def test_a_section_whose_attached_mart_did_not_build_is_missing(demo_run, tmp_path):
    """timing_signals quotes timing_awards beside each finding: when timing_awards did not build in
    this run, the table in the warehouse (an earlier run's, here the demo's) is not quoted."""
    from moneytrail.cli import main

    target = tmp_path / "target"
    statuses = {n["unique_id"]: n["status"] for n in _report(demo_run)["build"]["nodes"]}
    statuses["model.moneytrail.timing_awards"] = "error"
    _write_run_results(target, statuses)
    out = tmp_path / "demo"
    assert main(["report", "--out", str(out), "--db", str(demo_run.db), "--target-dir", str(target)]) == 1
    report = _valid_report(out)
    assert report["analyses"]["timing_signals"] == {
        "status": "missing",
        "title": "Timing of donations around awards (permutation test)",
        "model": "model.moneytrail.timing_signals",
        "evidence_kind": "modelled",
        "reason": "model.moneytrail.timing_awards did not build in this run (status error) "
        "(each finding quotes its award_dates, award_row_refs)",
    }
    assert not (out / "timing_awards.csv").exists()
    assert (out / "timing_signals.csv").exists()  # the export of the pair rows themselves stands
    assert report["analyses"]["red_flags"]["status"] == "ok"
    assert report["analyses"]["red_flags"]["exports"] == ["non_competitive_awards.csv", "red_flags.csv"]


def test_attached_columns_match_on_the_keys_text_and_refuse_two_rows_for_a_key():
    import datetime

    from moneytrail.registry import Attach

    con = duckdb.connect()
    con.execute("create schema marts")
    con.execute(
        "create table marts.days as select * from (values (date '2024-01-02', ['r1', 'r2']), "
        "(date '2024-01-03', []::varchar[])) t(day, refs)"
    )
    rows = [{"id": "a", "day": "2024-01-02"}, {"id": "b", "day": "2024-01-05"}, {"id": "c", "day": None}]
    exports.attach_columns(con, "marts", rows, Attach("days", "day", ("refs",)))
    assert rows == [
        {"id": "a", "day": "2024-01-02", "refs": ["r1", "r2"]},
        {"id": "b", "day": "2024-01-05", "refs": None},
        {"id": "c", "day": None, "refs": None},
    ]
    con.execute("insert into marts.days values (?, ['r3'])", [datetime.date(2024, 1, 2)])
    with pytest.raises(duckdb.ConstraintException) as exc:
        exports.attach_columns(con, "marts", [{"day": "2024-01-02"}], Attach("days", "day", ("refs",)))
    assert str(exc.value).endswith("marts.days: two rows for day '2024-01-02'; the report quotes one row per key")


# ----------------------------------------------------------------------------------------------
# The report step without a good build (no dbt run needed)
# ----------------------------------------------------------------------------------------------


def _write_run_results(target: Path, statuses: dict[str, str], invocation: str = "inv-1") -> None:
    target.mkdir(parents=True, exist_ok=True)
    (target / "run_results.json").write_text(
        json.dumps(
            {
                "metadata": {"invocation_id": invocation, "dbt_version": "1.11.16"},
                "args": {"which": "build", "vars": {}},
                "results": [
                    {"unique_id": u, "status": s, "message": "boom" if s == "error" else None}
                    for u, s in statuses.items()
                ],
            }
        )
    )


def test_no_warehouse_no_results_still_writes_valid_reports(tmp_path):
    out = tmp_path / "out"
    result = report_mod.write_reports(out, tmp_path / "nope.duckdb", "empty", target_dir=tmp_path / "target")
    report = _valid_report(out)
    assert result.ok is False and report["ok"] is False
    assert report["errors"] == [
        {
            "source": "dbt",
            "unique_id": None,
            "status": "error",
            "message": "dbt wrote no run_results.json for this build",
        },
        {"source": "report", "unique_id": None, "status": "error", "message": "warehouse file nope.duckdb not found"},
    ]
    assert report["build"]["status"] == "not_run"
    assert {a["status"] for a in report["analyses"].values()} == {"missing"}
    assert report["analyses"]["bundles"]["reason"] == (
        "not built by this run: dbt wrote no run_results.json for this build"
    )
    md = (out / "report.md").read_text(encoding="utf-8")
    assert md.startswith("# moneytrail report: empty\n\n**Status: FAILED** (2 error(s)).")
    assert "- dbt [error]: dbt wrote no run_results.json for this build" in md
    index = json.loads((out / "evidence_index.json").read_text(encoding="utf-8"))
    assert [a["path"] for a in index["artifacts"] if not a["path"].startswith("html/")] == ["report.json", "report.md"]


def test_a_stale_mart_from_an_earlier_run_is_not_reported(tmp_path):
    db = tmp_path / "w.duckdb"
    con = duckdb.connect(str(db))
    con.execute("create schema marts")
    con.execute("create table marts.bundles as select 'b1' as bundle_id, 100.00::decimal(18,2) as total_amount")
    con.close()
    _write_run_results(
        tmp_path / "target", {"model.moneytrail.stg_contributions": "error", "model.moneytrail.bundles": "skipped"}
    )
    out = tmp_path / "out"
    report_mod.write_reports(out, db, "stale", target_dir=tmp_path / "target")
    report = _valid_report(out)
    assert report["analyses"]["bundles"] == {
        "status": "missing",
        "title": "Bundled donations",
        "model": "model.moneytrail.bundles",
        "evidence_kind": "measured",
        "reason": "model.moneytrail.bundles did not build in this run (status skipped)",
    }
    assert not (out / "bundles.csv").exists()
    assert report["errors"] == [
        {
            "source": "dbt_node",
            "unique_id": "model.moneytrail.bundles",
            "status": "skipped",
            "message": "upstream failed (no manifest to say which)",
        },
        {"source": "dbt_node", "unique_id": "model.moneytrail.stg_contributions", "status": "error", "message": "boom"},
        {
            "source": "report",
            "unique_id": None,
            "status": "error",
            "message": "raw.ingest_manifest does not exist: nothing was ingested",
        },
    ]
    assert report["analyses"]["cross_links"]["reason"] == "model.moneytrail.cross_links was not part of this build"


def test_results_of_another_invocation_are_not_trusted(tmp_path):
    _write_run_results(tmp_path / "target", {"model.moneytrail.bundles": "success"}, invocation="old")
    context = report_mod.BuildContext(invocation_id="new", build=report_mod.StepOutcome(False, "Parsing Error: x"))
    result = report_mod.write_reports(
        tmp_path / "out", tmp_path / "nope.duckdb", "r", target_dir=tmp_path / "target", context=context
    )
    assert result.ok is False
    assert result.report["build"]["run_results"] == "stale"
    assert result.errors[0] == {
        "source": "dbt",
        "unique_id": None,
        "status": "error",
        "message": "Parsing Error: x\n(run_results.json in the dbt target folder is not from this build (dbt "
        "stopped before running any node, or another dbt command overwrote it))",
    }


def test_schema_rejects_a_float_amount(demo_run):
    report = _report(demo_run)
    report["analyses"]["bundles"]["top"][0]["total_amount"] = 1000.0
    with pytest.raises(
        report_mod.ReportSchemaError,
        match=r"report.json does not match moneytrail/report.schema.json:\n/analyses/bundles",
    ):
        report_mod.validate_report(report)
