"""The release gate: the whole pytest suite plus a dbt build of the demo, one verdict.

`moneytrail gate` runs `python -m pytest` in a subprocess with a JUnit XML report, parses it per
test file, runs `moneytrail demo` (ingest, dbt build with its tests, report) in another
subprocess, and writes gate.json. DO_NOT_SHIP is true, and the exit code non-zero, on any test
failure or error, on any skip or xfail not listed in tests/approved_skips.txt, when no test ran,
when pytest itself exits non-zero, and when the demo build or its report is not ok.

The subprocesses run the repository's own tests, so the suite's conftest blocks the network
there exactly as in a plain `pytest` run.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from moneytrail.dbt_runner import PROJECT_DIR
from moneytrail.errors import UserError

APPROVED_SKIPS_FILE = PROJECT_DIR / "tests" / "approved_skips.txt"
GATE_FORMAT = "moneytrail-gate/1"
OUTCOMES = ("passed", "failed", "error", "skipped", "xfailed")


class GateError(UserError, ValueError):
    pass


@dataclass(frozen=True)
class CaseResult:
    node_id: str
    suite: str  # the test file
    outcome: str  # one of OUTCOMES
    message: str


# ----------------------------------------------------------------------------------------------
# JUnit XML
# ----------------------------------------------------------------------------------------------


def _node_id(case: ET.Element) -> tuple[str, str]:
    """(pytest node id, test file) of a <testcase> written with junit_family=xunit1."""
    classname = case.get("classname") or ""
    name = case.get("name") or ""
    file = case.get("file")
    if not file:
        # collection errors carry no file; the classname is the module path
        file = (classname or name).replace(".", "/") + ".py" if (classname or name) else "?"
        return (f"{file}::{name}" if classname else file), file
    module = file[:-3].replace("/", ".") if file.endswith(".py") else file
    parts = [file]
    if classname.startswith(module + "."):
        parts += classname[len(module) + 1 :].split(".")
    parts.append(name)
    return "::".join(parts), file


def _outcome(case: ET.Element) -> tuple[str, str]:
    """A test case's outcome: an error (e.g. in teardown) outranks a failure, which outranks a skip."""
    found = {child.tag: child for child in case}
    for tag, outcome in (("error", "error"), ("failure", "failed")):
        if tag in found:
            return outcome, _message(found[tag])
    if "skipped" in found:
        el = found["skipped"]
        return ("xfailed" if el.get("type") == "pytest.xfail" else "skipped"), _message(el)
    return "passed", ""


def _message(el: ET.Element) -> str:
    if el.get("message"):
        return el.get("message") or ""
    lines = (el.text or "").strip().splitlines()
    return lines[-1] if lines else ""


def parse_junit(path: Path) -> list[CaseResult]:
    """Every test case of a pytest JUnit XML file, in file order."""
    try:
        root = ET.parse(path).getroot()
    except (ET.ParseError, OSError) as exc:
        raise GateError(f"cannot read the JUnit report {path.name}: {exc}") from exc
    out = []
    for case in root.iter("testcase"):
        node_id, suite = _node_id(case)
        outcome, message = _outcome(case)
        out.append(CaseResult(node_id, suite, outcome, " ".join(message.split())[:500]))
    return out


# ----------------------------------------------------------------------------------------------
# Approved skips
# ----------------------------------------------------------------------------------------------


def load_approved(path: Path) -> dict[str, str]:
    """Node id -> reason from lines `<node id> | <reason>` (split at the first " | ", so a
    parametrised id like test_x[a|b] stays whole); '#' starts a comment line."""
    if not path.is_file():
        return {}
    approved: dict[str, str] = {}
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        node_id, sep, reason = (part.strip() for part in line.partition(" | "))
        if not sep or not node_id or not reason:
            raise GateError(f"{path.name} line {number}: expected '<pytest node id> | <reason>', got {raw!r}")
        approved[node_id] = reason
    return approved


# ----------------------------------------------------------------------------------------------
# The decision
# ----------------------------------------------------------------------------------------------


def summarise(cases: Sequence[CaseResult], approved: Mapping[str, str]) -> dict[str, Any]:
    totals = {o: 0 for o in OUTCOMES}
    suites: dict[str, dict[str, Any]] = {}
    for c in cases:
        totals[c.outcome] += 1
        s = suites.setdefault(c.suite, {"suite": c.suite, "tests": 0, **{o: 0 for o in OUTCOMES}, "unapproved": 0})
        s["tests"] += 1
        s[c.outcome] += 1
        if c.outcome in {"skipped", "xfailed"} and c.node_id not in approved:
            s["unapproved"] += 1
    for s in suites.values():
        s["status"] = "failed" if s["failed"] or s["error"] else "unapproved_skips" if s["unapproved"] else "passed"

    def listing(outcomes: set[str]) -> list[dict[str, Any]]:
        rows = []
        for c in cases:
            if c.outcome in outcomes:
                row: dict[str, Any] = {"node_id": c.node_id, "outcome": c.outcome, "message": c.message}
                if c.outcome in {"skipped", "xfailed"}:
                    row["approved"] = c.node_id in approved
                    row["approval_reason"] = approved.get(c.node_id)
                rows.append(row)
        return rows

    return {
        "totals": {"tests": len(cases), **totals},
        "suites": [suites[k] for k in sorted(suites)],
        "failures": listing({"failed", "error"}),
        "skips": listing({"skipped"}),
        "xfails": listing({"xfailed"}),
    }


def decide(pytest_summary: Mapping[str, Any], pytest_exit_code: int | None, dbt_build: Mapping[str, Any]) -> list[str]:
    """Why the release must not ship; empty when it may."""
    reasons: list[str] = []
    totals = pytest_summary["totals"]
    if totals["failed"]:
        reasons.append(f"{totals['failed']} test(s) failed")
    if totals["error"]:
        reasons.append(f"{totals['error']} test error(s)")
    unapproved_skips = [s["node_id"] for s in pytest_summary["skips"] if not s["approved"]]
    unapproved_xfails = [s["node_id"] for s in pytest_summary["xfails"] if not s["approved"]]
    if unapproved_skips:
        reasons.append(f"{len(unapproved_skips)} unapproved skip(s): {', '.join(unapproved_skips)}")
    if unapproved_xfails:
        reasons.append(f"{len(unapproved_xfails)} unapproved xfail(s): {', '.join(unapproved_xfails)}")
    if totals["tests"] == 0:
        reasons.append("no tests ran")
    if pytest_exit_code not in (0, None) and not (totals["failed"] or totals["error"]):
        reasons.append(f"pytest exited with code {pytest_exit_code}")
    if pytest_exit_code is None:
        reasons.append("pytest did not run")
    if dbt_build.get("status") != "success":
        reasons.append(
            f"dbt build of the demo: {dbt_build.get('status')}"
            + (f" ({dbt_build['detail']})" if dbt_build.get("detail") else "")
        )
    return reasons


# ----------------------------------------------------------------------------------------------
# Running
# ----------------------------------------------------------------------------------------------


WORKERS_ENV = "MONEYTRAIL_TEST_WORKERS"
MAX_AUTO_WORKERS = 4


def suite_workers(pytest_args: Sequence[str], environ: Mapping[str, str] | None = None) -> int:
    """How many pytest-xdist worker processes the suite runs on: $MONEYTRAIL_TEST_WORKERS (1-16)
    or `auto` (the default): the CPUs this process may use, at most 4. 1 when the pytest arguments
    choose for themselves (-n, --numprocesses, --dist, -p no:xdist). Each worker builds the
    session's shared runs (demo, FEC example) once for itself."""
    env = os.environ if environ is None else environ
    raw = env.get(WORKERS_ENV, "auto").strip()
    if raw == "auto":
        workers = min(
            len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1, MAX_AUTO_WORKERS
        )
    elif raw.isdigit() and 1 <= int(raw) <= 16:
        workers = int(raw)
    else:
        raise GateError(f"{WORKERS_ENV}={raw!r}: expected a whole number from 1 to 16, or auto")
    chosen = any(a == "no:xdist" or a.startswith(("-n", "--numprocesses", "--dist")) for a in pytest_args)
    return 1 if chosen else workers


def run_pytest(pytest_args: Sequence[str], junit_path: Path, workers: int = 1) -> int:
    parallel = ["-n", str(workers), "--dist", "loadfile"] if workers > 1 else []
    cmd = [
        sys.executable,
        "-m",
        "pytest",
        *parallel,
        *pytest_args,
        f"--junitxml={junit_path}",
        "-o",
        "junit_family=xunit1",
        "-p",
        "no:cacheprovider",
    ]
    print(f"gate: {' '.join(shlex.quote(c) for c in cmd)}", flush=True)
    return subprocess.run(cmd, cwd=PROJECT_DIR, check=False).returncode


def run_demo_build(out_dir: Path) -> dict[str, Any]:
    """`moneytrail demo` into a scratch warehouse; its report.json says whether all of it passed."""
    with tempfile.TemporaryDirectory(prefix="moneytrail-gate-") as tmp:
        env = dict(os.environ)
        env["DBT_TARGET_PATH"] = str(Path(tmp) / "target")  # never race another build's target/
        cmd = [
            sys.executable,
            "-m",
            "moneytrail.cli",
            "demo",
            "--db",
            str(Path(tmp) / "demo.duckdb"),
            "--out",
            str(out_dir),
        ]
        print(f"gate: {' '.join(shlex.quote(c) for c in cmd)}", flush=True)
        code = subprocess.run(cmd, cwd=PROJECT_DIR, env=env, check=False).returncode
    result: dict[str, Any] = {"exit_code": code, "report": None, "errors": []}
    report_path = out_dir / "report.json"
    report = None
    if report_path.is_file():
        report = json.loads(report_path.read_text(encoding="utf-8"))
        result["report"] = str(report_path)
        result["report_ok"] = report["ok"]
        result["node_counts"] = report["build"]["counts_by_status"]
        result["errors"] = [f"{e['unique_id'] or e['source']} [{e['status']}]" for e in report["errors"]][:50]
    if code == 0 and report is not None and report["ok"]:
        result["status"] = "success"
    else:
        result["status"] = "failed"
        result["detail"] = (
            f"exit code {code}"
            + ("" if report is not None else ", no report.json")
            + (f", {len(report['errors'])} error(s) in report.json" if report else "")
        )
    return result


def run_gate(
    out_dir: Path, pytest_args: Sequence[str] = (), approved_path: Path = APPROVED_SKIPS_FILE, build_demo: bool = True
) -> tuple[bool, dict[str, Any]]:
    """Run everything, write gate.json; (ship?, gate document)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    reasons: list[str] = []
    try:
        approved = load_approved(approved_path)
    except GateError as exc:
        approved, reasons = {}, [str(exc)]
    workers = suite_workers(pytest_args)
    with tempfile.TemporaryDirectory(prefix="moneytrail-gate-junit-") as tmp:
        junit = Path(tmp) / "junit.xml"
        exit_code: int | None = run_pytest(pytest_args, junit, workers)
        try:
            cases = parse_junit(junit)
        except GateError as exc:
            cases = []
            reasons.append(str(exc))
    summary = summarise(cases, approved)
    if build_demo:
        dbt_build = run_demo_build(out_dir / "demo")
    else:
        dbt_build = {"status": "not_run", "detail": "--skip-dbt-build"}
    reasons += decide(summary, exit_code, dbt_build)
    gate = {
        "format": GATE_FORMAT,
        "DO_NOT_SHIP": bool(reasons),
        "reasons": reasons,
        "pytest": {"args": list(pytest_args), "workers": workers, "exit_code": exit_code, **summary},
        "dbt_build": dbt_build,
        "approved_skips_file": approved_path.name,
    }
    (out_dir / "gate.json").write_text(json.dumps(gate, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return not reasons, gate


def main(args: argparse.Namespace) -> int:
    out_dir = args.out or Path("output") / "gate"
    try:
        pytest_args = shlex.split(args.pytest_args) if args.pytest_args else []
    except ValueError as exc:  # unbalanced quotes: a user error, not a gate verdict
        print(f"error: --pytest-args {args.pytest_args!r} cannot be split: {exc}", file=sys.stderr)
        return 2
    try:
        suite_workers(pytest_args)
    except GateError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    ship, gate = run_gate(
        out_dir, pytest_args, args.approved_skips or APPROVED_SKIPS_FILE, build_demo=not args.skip_dbt_build
    )
    t = gate["pytest"]["totals"]
    print(
        f"gate: {t['tests']} tests: {t['passed']} passed, {t['failed']} failed, {t['error']} errors, "
        f"{t['skipped']} skipped, {t['xfailed']} xfailed; dbt build of the demo: {gate['dbt_build']['status']}"
    )
    if ship:
        print(f"gate: SHIP ({out_dir / 'gate.json'})")
        return 0
    print(f"gate: DO_NOT_SHIP ({out_dir / 'gate.json'})", file=sys.stderr)
    for reason in gate["reasons"]:
        print(f"gate:   {reason}", file=sys.stderr)
    return 1
