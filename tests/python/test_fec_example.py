"""The FEC x ICE real-data example end to end, checked against facts counted independently
(shared/realdata MANIFEST: largest bundle, contribution-limit groups)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ingest.runfile import load_run_file
from tests.python.conftest import REPO, DemoRun

pytestmark = pytest.mark.slow

RUN_FILE = REPO / "examples" / "fec_ice" / "run.yml"


@pytest.fixture(scope="module")
def fec_run(tmp_path_factory, _block_network) -> DemoRun:
    from moneytrail.cli import main

    base = tmp_path_factory.mktemp("fec")
    db, out = base / "fec.duckdb", base / "out"
    code = main(["run", str(RUN_FILE), "--db", str(db), "--out", str(out)])
    return DemoRun(code, db, out, {})


def test_runs_cleanly(fec_run):
    assert fec_run.exit_code == 0


def test_row_accounting(fec_run):
    assert fec_run.query(
        "select role, input_rows, filtered_out, rejected, staged from staging.dq_row_accounting order by role"
    ) == [
        ("candidate_links", 2165, 0, 0, 2165),
        ("candidates", 6406, 0, 0, 6406),
        ("committees", 15536, 0, 0, 15536),
        ("contracts", 2203, 0, 0, 2203),
        ("contributions", 20000, 0, 0, 20000),
    ]


def test_user_model_role_keeps_row_refs(fec_run):
    rows = fec_run.query("""
        select count(*), count(distinct s.row_ref), count(r.row_index)
        from staging.stg_contracts s
        left join raw.ice_freezer r on r.row_index = s.row_index and r.award_id = s.award_id""")
    assert rows == [(2203, 2203, 2203)]


def test_largest_bundle_is_the_known_payroll_bundle(fec_run):
    top = fec_run.query("""
        select recipient_id, cast(donation_date as varchar), employer_norm, n_contributions, total_amount,
               linked_vendor_name_norm
        from marts.bundles order by n_contributions desc, bundle_id limit 1""")
    assert top == [("C00227744", "2017-01-31", "ERNST AND YOUNG", 1042, Decimal("616975.00"), "ERNST AND YOUNG")]


def test_real_links(fec_run):
    links = {
        (v, o): t
        for v, o, t in fec_run.query(
            "select vendor_name_norm, other_name_norm, confidence_tier from intermediate.int_name_links"
        )
    }
    assert links[("GEO GROUP", "GEO GROUP")] == "high"
    assert links[("ERNST AND YOUNG", "ERNST AND YOUNG")] == "high"
    assert links[("DELOITTE CONSULTING", "DELOITTE")] in {"medium", "probable"}
    usable = {k for k, t in links.items() if t in {"high", "medium", "probable"}}
    assert ("L3 TECHNOLOGIES", "LEVEL 3 COMMUNICATIONS") not in usable
    assert ("LEVEL 3 COMMUNICATIONS", "L3 TECHNOLOGIES") not in usable


def test_timing_switched_off_by_role_map(fec_run):
    assert fec_run.query("select count(*) from marts.timing_signals") == [(0,)]


def test_recipients_have_fec_kinds(fec_run):
    """Counted independently from the raw committee master over the 627 filers of the slice:
    58 not in the master; types O 10; W 4; Q/D 7; Q/N (not D or J) 501, of which 461 with an
    ORG_TP (separate segregated funds); X/Y 47, of which NRCC is a national party.
    Kept above test_limit_groups_match_the_independent_count, which rebuilds the models with
    generic rules."""
    assert fec_run.query("""
        select recipient_kind, count(*) from intermediate.int_recipients
        where recipient_id in (select "CMTE_ID" from raw.fec_itcont)
        group by 1 order by 1""") == [
        ("hybrid_pac", 4),
        ("leadership_pac", 7),
        ("pac_connected", 461),
        ("pac_nonconnected", 40),
        ("party_national", 1),
        ("party_state_local", 46),
        ("super_pac", 10),
        ("unknown", 58),
    ]


def test_limit_groups_match_the_independent_count(fec_run):
    """404 donor (NAME + ZIP5) x committee x calendar-year groups of individuals sum above
    $2,700 with memo rows excluded, counted independently from the raw file."""
    from moneytrail import dbt_runner

    run_vars = load_run_file(RUN_FILE).vars  # the FEC preset's role map, expanded
    run_vars["source_rules"] = "generic"  # the configured flat limit, not the FEC seeds
    run_vars["role_map"]["contributions"]["when"] = [{"column": "ENTITY_TP", "equals": "IND"}]
    run_vars["donor_identity"] = ["donor_name", "donor_zip5"]
    run_vars["contribution_limits"] = {"limit": 2700, "period": "calendar_year", "exclude_memo": True, "refunds": "net"}
    result = dbt_runner.invoke(["run", "--select", "+limit_flags"], run_vars, warehouse=fec_run.db)
    assert result.success, result.error_text()
    assert fec_run.query("select count(*), min(limit_amount) from marts.limit_flags") == [(404, Decimal("2700.00"))]


def test_flat_limit_settings_are_refused_under_fec_rules(fec_run):
    """With the FEC preset the seeds decide limits; a contribution_limits setting would be
    ignored, so it stops the limit models with a message instead."""
    from moneytrail import dbt_runner

    run_vars = load_run_file(RUN_FILE).vars
    run_vars["contribution_limits"] = {"limit": 2700}
    result = dbt_runner.invoke(["run", "--select", "limit_flags"], run_vars, warehouse=fec_run.db)
    assert not result.success
    assert (
        "analysis config: vars.contribution_limits does not apply with source_rules fec (limits, periods, "
        "memo rows and refunds follow the FEC seeds in seeds/fec_*.csv): remove it, or set source_rules: "
        "generic for a flat limit. Set it under vars in dbt_project.yml or in your run file's vars."
    ) in result.error_text()
