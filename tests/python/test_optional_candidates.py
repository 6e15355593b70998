"""The candidates role is optional (issue 14 item 4): a run without it (contributions that name
their recipient, no directory) builds green, and the analysis that needs it says so."""

from __future__ import annotations

import copy
import json

import duckdb
import pytest
import yaml

from moneytrail import settings
from tests.python.conftest import DEMO_DIR

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def no_candidates(tmp_path_factory, _block_network):
    from moneytrail.cli import main

    base = tmp_path_factory.mktemp("nocand")
    role_map = copy.deepcopy(settings.project_vars()["role_map"])
    del role_map["candidates"]
    run = {
        "name": "no_candidates",
        "inputs": [
            {"path": str(DEMO_DIR / "contracts.csv"), "table": "demo_contracts"},
            {"path": str(DEMO_DIR / "contributions.csv"), "table": "demo_contributions"},
        ],
        "vars": {"role_map": role_map},
    }
    run_file = base / "run.yml"
    run_file.write_text(yaml.safe_dump(run), encoding="utf-8")
    db, out = base / "w.duckdb", base / "out"
    code = main(["run", str(run_file), "--db", str(db), "--out", str(out)])
    return code, db, out


def test_a_run_without_candidates_is_green(no_candidates):
    code, db, out = no_candidates
    assert code == 0
    con = duckdb.connect(str(db), read_only=True)
    try:
        roles = con.execute("select role from staging.dq_row_accounting order by role").fetchall()
        assert roles == [("contracts",), ("contributions",)]
        assert con.execute("select count(*) from staging.stg_candidates").fetchone() == (0,)
        kinds = con.execute("select distinct recipient_kind from intermediate.int_recipients").fetchall()
        assert kinds == [("unknown",)]
        # independent: the same-day same-employer groups of >= 3 donors exist in the input, yet none
        # is a bundle, because no recipient is known to be a candidate
        groups = con.execute("""
            select count(*) from (
                select recipient_id, donation_date, employer_norm from intermediate.int_contributions
                where employer_norm is not null and not is_memo
                group by all having count(distinct donor_name_norm) >= 3)""").fetchone()[0]
        assert groups > 0
        assert con.execute("select count(*) from marts.bundles").fetchone() == (0,)
    finally:
        con.close()


def test_the_analysis_that_needs_candidates_says_so(no_candidates):
    _, _, out = no_candidates
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    note = (
        "Not run: bundles need the candidates role (or a committees role) to know which recipients are "
        "candidates, and neither is mapped, so no recipient has a kind and no group counts as a bundle. "
        "Map role_map.candidates, or, where every recipient is a candidate (contributions that name "
        "their candidate), set vars.bundles.unclassified_recipients: include."
    )
    assert note in report["analyses"]["bundles"]["notes"]
    assert note in (out / "report.md").read_text(encoding="utf-8")
