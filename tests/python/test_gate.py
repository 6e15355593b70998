"""The release gate: JUnit parsing, the ship/no-ship decision, and the command end to end."""

from __future__ import annotations

import json
import os
import textwrap
from pathlib import Path

import pytest

from moneytrail import gate
from tests.python.conftest import REPO

JUNIT = """<?xml version="1.0" encoding="utf-8"?>
<testsuites><testsuite name="pytest" errors="1" failures="1" skipped="2" tests="7">
<testcase classname="tests.python.test_a" name="test_ok" file="tests/python/test_a.py" line="3" time="0.01"/>
<testcase classname="tests.python.test_a" name="test_bad" file="tests/python/test_a.py" line="5" time="0.01">
  <failure message="AssertionError: assert 1 == 2">long traceback</failure></testcase>
<testcase classname="tests.python.test_a.TestGroup" name="test_p[x-1]" file="tests/python/test_a.py" line="9" time="0"/>
<testcase classname="tests.python.test_b" name="test_skip" file="tests/python/test_b.py" line="1" time="0">
  <skipped type="pytest.skip" message="needs the big file">skip</skipped></testcase>
<testcase classname="tests.python.test_b" name="test_xf" file="tests/python/test_b.py" line="4" time="0">
  <skipped type="pytest.xfail" message="known bug"/></testcase>
<testcase classname="tests.python.test_b" name="test_teardown" file="tests/python/test_b.py" line="8" time="0">
  <error message="failed on teardown with &quot;RuntimeError: x&quot;">tb</error></testcase>
<testcase classname="" name="tests.python.test_c" time="0">
  <error message="collection failure">ImportError</error></testcase>
</testsuite></testsuites>
"""


@pytest.fixture
def cases(tmp_path):
    path = tmp_path / "junit.xml"
    path.write_text(JUNIT)
    return gate.parse_junit(path)


def test_parse_junit(cases):
    assert [(c.node_id, c.suite, c.outcome, c.message) for c in cases] == [
        ("tests/python/test_a.py::test_ok", "tests/python/test_a.py", "passed", ""),
        ("tests/python/test_a.py::test_bad", "tests/python/test_a.py", "failed", "AssertionError: assert 1 == 2"),
        ("tests/python/test_a.py::TestGroup::test_p[x-1]", "tests/python/test_a.py", "passed", ""),
        ("tests/python/test_b.py::test_skip", "tests/python/test_b.py", "skipped", "needs the big file"),
        ("tests/python/test_b.py::test_xf", "tests/python/test_b.py", "xfailed", "known bug"),
        (
            "tests/python/test_b.py::test_teardown",
            "tests/python/test_b.py",
            "error",
            'failed on teardown with "RuntimeError: x"',
        ),
        ("tests/python/test_c.py", "tests/python/test_c.py", "error", "collection failure"),
    ]


def test_summary_per_suite(cases):
    summary = gate.summarise(cases, {"tests/python/test_b.py::test_xf": "upstream bug #12"})
    assert summary["totals"] == {"tests": 7, "passed": 2, "failed": 1, "error": 2, "skipped": 1, "xfailed": 1}
    assert [(s["suite"], s["tests"], s["status"], s["unapproved"]) for s in summary["suites"]] == [
        ("tests/python/test_a.py", 3, "failed", 0),
        ("tests/python/test_b.py", 3, "failed", 1),
        ("tests/python/test_c.py", 1, "failed", 0),
    ]
    assert summary["xfails"] == [
        {
            "node_id": "tests/python/test_b.py::test_xf",
            "outcome": "xfailed",
            "message": "known bug",
            "approved": True,
            "approval_reason": "upstream bug #12",
        }
    ]
    assert [f["node_id"] for f in summary["failures"]] == [
        "tests/python/test_a.py::test_bad",
        "tests/python/test_b.py::test_teardown",
        "tests/python/test_c.py",
    ]


def test_decision_on_a_failing_suite(cases):
    reasons = gate.decide(gate.summarise(cases, {}), 1, {"status": "success"})
    assert reasons == [
        "1 test(s) failed",
        "2 test error(s)",
        "1 unapproved skip(s): tests/python/test_b.py::test_skip",
        "1 unapproved xfail(s): tests/python/test_b.py::test_xf",
    ]


def _case(node_id: str, outcome: str) -> gate.CaseResult:
    return gate.CaseResult(node_id, node_id.split("::")[0], outcome, "")


def test_decision_green_and_approved():
    cases = [_case("t.py::a", "passed"), _case("t.py::b", "skipped")]
    assert gate.decide(gate.summarise(cases, {"t.py::b": "needs a GPU"}), 0, {"status": "success"}) == []
    assert gate.decide(gate.summarise(cases, {}), 0, {"status": "success"}) == ["1 unapproved skip(s): t.py::b"]


def test_decision_other_reasons():
    assert gate.decide(gate.summarise([], {}), 5, {"status": "success"}) == [
        "no tests ran",
        "pytest exited with code 5",
    ]
    assert gate.decide(
        gate.summarise([_case("t.py::a", "passed")], {}),
        0,
        {"status": "failed", "detail": "exit code 1, 3 error(s) in report.json"},
    ) == ["dbt build of the demo: failed (exit code 1, 3 error(s) in report.json)"]
    # pytest failing without a failed test (e.g. an internal error) still blocks the release
    assert gate.decide(gate.summarise([_case("t.py::a", "passed")], {}), 3, {"status": "success"}) == [
        "pytest exited with code 3"
    ]


def test_approved_skips_file(tmp_path):
    path = tmp_path / "approved.txt"
    path.write_text("# comment\n\ntests/python/test_x.py::test_y[a|b] | needs the 2 GB FEC file | by hand\n")
    assert gate.load_approved(path) == {"tests/python/test_x.py::test_y[a|b]": "needs the 2 GB FEC file | by hand"}
    path.write_text("tests/python/test_x.py::test_y\n")
    with pytest.raises(
        gate.GateError,
        match=r"^approved\.txt line 1: expected '<pytest node id> \| <reason>', "
        r"got 'tests/python/test_x\.py::test_y'$",
    ):
        gate.load_approved(path)


def test_repository_approves_no_skips():
    assert gate.load_approved(REPO / "tests" / "approved_skips.txt") == {}


# ----------------------------------------------------------------------------------------------
# End to end, on tiny pytest targets (never the whole suite: that would run this test again)
# ----------------------------------------------------------------------------------------------


def _target(tmp_path: Path, body: str) -> Path:
    """A one-file test suite. Pass it with --rootdir: pytest otherwise roots node ids at the
    common ancestor of the suite and the working directory, which depends on where the
    repository is checked out."""
    folder = tmp_path / "suite"
    folder.mkdir()
    (folder / "test_tiny.py").write_text(textwrap.dedent(body))
    return folder


def test_gate_says_do_not_ship_when_a_test_fails(tmp_path, capsys):
    from moneytrail.cli import main

    suite = _target(
        tmp_path,
        """
        def test_passes():
            assert True

        def test_fails():
            assert 1 == 2, "made to fail"
    """,
    )
    out = tmp_path / "gate"
    assert main(["gate", "--out", str(out), "--pytest-args", f"{suite} -q --rootdir {suite}", "--skip-dbt-build"]) == 1
    result = json.loads((out / "gate.json").read_text(encoding="utf-8"))
    assert result["DO_NOT_SHIP"] is True
    assert result["pytest"]["exit_code"] == 1
    assert result["pytest"]["totals"] == {"tests": 2, "passed": 1, "failed": 1, "error": 0, "skipped": 0, "xfailed": 0}
    assert result["pytest"]["failures"] == [
        {
            "node_id": "test_tiny.py::test_fails",
            "outcome": "failed",
            "message": "AssertionError: made to fail assert 1 == 2",
        }
    ]
    assert result["reasons"] == ["1 test(s) failed", "dbt build of the demo: not_run (--skip-dbt-build)"]
    assert "gate: DO_NOT_SHIP" in capsys.readouterr().err


@pytest.mark.slow
def test_gate_ships_when_everything_passes(tmp_path):
    from moneytrail.cli import main

    suite = _target(
        tmp_path,
        """
        def test_passes():
            assert True
    """,
    )
    out = tmp_path / "gate"
    assert main(["gate", "--out", str(out), "--pytest-args", f"{suite} --rootdir {suite}"]) == 0
    result = json.loads((out / "gate.json").read_text(encoding="utf-8"))
    assert result["DO_NOT_SHIP"] is False
    assert result["reasons"] == []
    assert result["pytest"]["suites"] == [
        {
            "suite": "test_tiny.py",
            "tests": 1,
            "passed": 1,
            "failed": 0,
            "error": 0,
            "skipped": 0,
            "xfailed": 0,
            "unapproved": 0,
            "status": "passed",
        }
    ]
    assert result["dbt_build"]["status"] == "success"
    assert result["dbt_build"]["report_ok"] is True
    assert (out / "demo" / "report.json").is_file()


def test_gate_blocks_an_unapproved_skip(tmp_path):
    suite = _target(
        tmp_path,
        """
        import pytest

        @pytest.mark.skip(reason="not today")
        def test_skipped():
            pass
    """,
    )
    approved = tmp_path / "approved.txt"
    approved.write_text("")
    ship, result = gate.run_gate(tmp_path / "gate", [str(suite), "--rootdir", str(suite)], approved, build_demo=False)
    assert not ship
    assert result["reasons"][0] == "1 unapproved skip(s): test_tiny.py::test_skipped"
    approved.write_text("test_tiny.py::test_skipped | demo of an approval\n")
    ship, result = gate.run_gate(tmp_path / "gate", [str(suite), "--rootdir", str(suite)], approved, build_demo=False)
    assert result["reasons"] == ["dbt build of the demo: not_run (--skip-dbt-build)"]
    assert result["pytest"]["skips"][0]["approval_reason"] == "demo of an approval"


@pytest.mark.parametrize(
    "env, args, workers",
    [
        ({"MONEYTRAIL_TEST_WORKERS": "3"}, [], 3),
        ({"MONEYTRAIL_TEST_WORKERS": "1"}, [], 1),
        ({"MONEYTRAIL_TEST_WORKERS": " 16 "}, [], 16),
        ({"MONEYTRAIL_TEST_WORKERS": "3"}, ["-n", "2"], 1),
        ({"MONEYTRAIL_TEST_WORKERS": "3"}, ["-n2"], 1),
        ({"MONEYTRAIL_TEST_WORKERS": "3"}, ["--numprocesses=2"], 1),
        ({"MONEYTRAIL_TEST_WORKERS": "3"}, ["-p", "no:xdist"], 1),
        ({"MONEYTRAIL_TEST_WORKERS": "3"}, ["--dist=load"], 1),
        ({"MONEYTRAIL_TEST_WORKERS": "3"}, ["-q", "tests/python/test_gate.py"], 3),
    ],
)
def test_suite_workers(env, args, workers):
    assert gate.suite_workers(args, env) == workers


def test_suite_workers_auto_is_the_cpus_up_to_four():
    cpus = len(os.sched_getaffinity(0))
    assert gate.suite_workers([], {}) == min(cpus, 4)
    assert gate.suite_workers([], {"MONEYTRAIL_TEST_WORKERS": "auto"}) == min(cpus, 4)


@pytest.mark.parametrize("raw", ["0", "17", "two", "-1", "2.5", ""])
def test_suite_workers_refuses_other_values(raw):
    with pytest.raises(gate.GateError) as err:
        gate.suite_workers([], {"MONEYTRAIL_TEST_WORKERS": raw})
    assert str(err.value) == f"MONEYTRAIL_TEST_WORKERS={raw.strip()!r}: expected a whole number from 1 to 16, or auto"


def test_gate_refuses_a_bad_worker_count_before_running_anything(tmp_path, monkeypatch, capsys):
    from moneytrail.cli import main

    monkeypatch.setenv("MONEYTRAIL_TEST_WORKERS", "many")
    assert main(["gate", "--out", str(tmp_path / "gate"), "--skip-dbt-build"]) == 2
    assert capsys.readouterr().err == (
        "error: MONEYTRAIL_TEST_WORKERS='many': expected a whole number from 1 to 16, or auto\n"
    )
    assert not (tmp_path / "gate").exists()
