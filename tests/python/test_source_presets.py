"""The source presets of issue 14 (run file `sources:`) and their seeds, without running dbt."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from ingest.runfile import RunFileError, load_run_file
from tests.python.conftest import REPO

EXAMPLES = REPO / "examples"
SEEDS = REPO / "seeds"


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "run.yml"
    path.write_text(text, encoding="utf-8")
    return path


def _inputs(run):
    return [
        (s.table, s.path.name, s.tabular.delimiter, s.tabular.quote, s.tabular.encoding, s.tabular.header)
        for s in run.inputs
    ]


def test_ma_ocpf_example_expands_to_two_sources():
    run = load_run_file(EXAMPLES / "ma_ocpf" / "run.yml")
    assert _inputs(run) == [
        ("crab_awards", "crab_contract_awards.csv.gz", ",", '"', "utf-8", True),
        ("ocpf_receipts", "boston2021_contributions.csv.gz", ",", '"', "utf-8", True),
    ]
    roles = run.vars["role_map"]
    assert sorted(roles) == ["candidates", "contracts", "contributions"]
    assert roles["contributions"]["model"] == "src_ocpf_contributions"
    assert roles["contributions"]["columns"]["donation_date"] == {"column": "contribution_date", "format": "%Y-%m-%d"}
    assert roles["contracts"]["model"] == "src_crab_awards"
    assert roles["contracts"]["reject_tolerance"] == 8  # the user's key merged into the preset's role
    assert roles["contracts"]["columns"]["award_date"] == {"column": "published_date", "format": "%m/%d/%Y"}
    assert run.vars["source_rules"] == "ma_ocpf"
    assert run.vars["source_presets"] == ["ma_crab", "ma_ocpf"]
    assert run.vars["donor_identity"] == ["donor_person_key", "donor_zip5"]


def test_dc_example_reads_each_file_in_its_encoding():
    run = load_run_file(EXAMPLES / "dc" / "run.yml")
    assert _inputs(run) == [
        ("dc_ocf_contributions", "dc_contribs_since_7may15.csv.gz", ",", '"', "cp1252", True),
        ("dc_ocp_awards", "ocp_awards.csv.gz", ",", '"', "utf-8", True),
    ]
    assert run.vars["source_rules"] == "dc_ocf"
    assert run.vars["role_map"]["contracts"]["columns"]["procurement_method"] == "market_type"
    assert run.vars["role_map"]["contracts"]["when"] == [{"column": "contract_number", "is_null": False}]
    assert run.vars["red_flags"] == {
        "procurement_methods": [
            "SOLE SOURCE",
            "SINGLE AVAILABLE SOURCE",
            "SINGLE SOURCE",
            "SOLE AVAILABLE SOURCE",
            "EMERGENCY",
        ]
    }


def test_usaspending_example_combines_with_the_fec_preset():
    run = load_run_file(EXAMPLES / "usaspending" / "run.yml")
    assert [s.table for s in run.inputs] == ["fec_itcont", "fec_cm", "fec_cn", "fec_ccl", "usaspending_transactions"]
    contracts = run.vars["role_map"]["contracts"]
    # the award date is the base award's action date: modifications are filtered out
    assert contracts["when"] == [{"column": "mod_number", "in": ["0"]}]
    assert contracts["columns"]["award_date"] == {"column": "action_date", "format": "%Y-%m-%d"}
    assert run.vars["source_rules"] == "fec"


def test_calaccess_preset_reads_tab_separated_text_without_quoting():
    run = load_run_file(EXAMPLES / "calaccess" / "run.yml")
    assert _inputs(run)[0] == ("calaccess_rcpt", "RCPT_CD.TSV.gz", "\t", None, "utf-8", True)
    columns = run.vars["role_map"]["contributions"]["columns"]
    assert columns["donation_date"] == {"column": "rcpt_date", "format": "%m/%d/%Y %I:%M:%S %p"}
    assert columns["contributor_type"] == "entity_cd"
    assert run.vars["source_rules"] == "ca_calaccess"


def test_user_vars_override_a_source_preset_key_by_key(tmp_path):
    path = _write(
        tmp_path,
        "name: x\nsources:\n  usaspending: {contracts: t.csv}\n  dc: {contributions: c.csv}\n"
        "vars:\n  role_map:\n    contracts:\n      columns: {vendor_name: recipient_parent_name}\n",
    )
    run = load_run_file(path)
    contracts = run.vars["role_map"]["contracts"]
    assert contracts["columns"]["vendor_name"] == "recipient_parent_name"  # user value wins
    assert contracts["columns"]["award_id"] == "award_id"  # the rest of the preset stays
    assert contracts["when"] == [{"column": "mod_number", "in": ["0"]}]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            "sources: []\n",
            "sources must be a mapping of source name -> its files; "
            "known sources: ['calaccess', 'dc', 'ma_crab', 'ma_ocpf', 'usaspending']",
        ),
        (
            "sources: {ocpf: {contributions: a.csv}}\n",
            "sources has unknown source(s) ['ocpf']; known: ['calaccess', 'dc', 'ma_crab', 'ma_ocpf', 'usaspending']",
        ),
        (
            "sources: {fec: {contributions: a.txt}}\n",
            "sources has unknown source(s) ['fec']; known: ['calaccess', 'dc', 'ma_crab', 'ma_ocpf', 'usaspending'] "
            "(the FEC bulk files go under source: fec with fec_files:)",
        ),
        (
            "sources: {ma_ocpf: {}}\n",
            "sources.ma_ocpf must be a mapping of its files: contributions "
            "(OCPF itemised deposit-report receipts, Boston 2021 scrape layout (CSV), required)",
        ),
        (
            "sources: {ma_ocpf: {receipts: a.csv}}\n",
            "sources.ma_ocpf has unknown key(s) ['receipts']; allowed: ['contributions']",
        ),
        (
            "sources: {dc: {contracts: {path: a.csv, delimiter: ';'}}}\n",
            "sources.dc.contracts must be a path or {path:, encoding:}",
        ),
        (
            "sources: {ma_crab: {contracts: a.csv}, usaspending: {contracts: b.csv}}\n",
            "role contracts is built by both sources.ma_crab and sources.usaspending; give it to one of them",
        ),
        (
            "sources: {ma_ocpf: {contributions: a.csv}, calaccess: {contributions: b.tsv}}\n",
            "role contributions is built by both sources.calaccess and sources.ma_ocpf; give it to one of them",
        ),
        (
            "sources: {dc: {contracts: a.csv}}\ninputs: [{path: c.csv, table: dc_ocp_awards}]\n",
            "inputs table(s) ['dc_ocp_awards'] are loaded by sources:; name your table differently",
        ),
        (
            "source: fec\nfec_files: {contributions: a, committees: b}\nsources: {dc: {contributions: c.csv}}\n",
            "role(s) ['candidates', 'contributions'] are built by both source: fec and sources:; "
            "give each to one of them",
        ),
    ],
)
def test_source_errors_name_what_is_wrong(tmp_path, body, message):
    path = _write(tmp_path, "name: x\n" + body)
    with pytest.raises(RunFileError) as err:
        load_run_file(path)
    assert str(err.value) == f"{path}: {message}"


# ---------------------------------------------------------------------------------------------
# Seeds: every row names its source; the limits the analyses apply are the law's figures
# ---------------------------------------------------------------------------------------------

NEW_SEEDS = [
    "state_contribution_limits",
    "contributor_types",
    "ma_ocpf_record_types",
    "ma_ocpf_account_types",
    "usaspending_extent_competed",
    "dc_ocp_market_types",
]


def _seed(name):
    with (SEEDS / f"{name}.csv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.mark.parametrize("name", NEW_SEEDS)
def test_every_seed_row_names_its_source(name):
    rows = _seed(name)
    assert rows
    assert all(r["source_title"].strip() and r["source_url"].startswith("http") for r in rows)


def test_massachusetts_limits_are_the_statute_figures():
    limits = {
        (r["contributor_kind"], r["recipient_kind"]): r["limit_amount"]
        for r in _seed("state_contribution_limits")
        if r["rules"] == "ma_ocpf"
    }
    # M.G.L. c. 55 s. 7A(a) and the OCPF chart: $1,000 to a candidate, $500 to a PAC, $5,000 to a
    # party's committees, no limit to ballot question committees or independent expenditure PACs
    assert limits[("individual", "candidate")] == "1000"
    assert limits[("individual", "pac")] == "500"
    assert limits[("individual", "party")] == "5000"
    assert limits[("individual", "ballot_question")] == ""
    assert limits[("individual", "iepac")] == ""
    assert limits[("pac", "candidate")] == "500"
    # Massachusetts and DC have limits with a source; California is not checked
    assert {r["rules"] for r in _seed("state_contribution_limits")} == {"ma_ocpf", "dc_ocf"}


def test_dc_limits_are_the_statute_figures_per_campaign_and_office():
    limits = {
        (r["contributor_kind"], r["recipient_office"]): (r["limit_amount"], r["period"])
        for r in _seed("state_contribution_limits")
        if r["rules"] == "dc_ocf"
    }
    # D.C. Code 1-1163.33(a)(4), (a)(5): at-large councilmember $1,000, ward councilmember $500, for
    # the campaign (primary and general together), from a person or a business contributor
    assert limits == {
        ("individual", "Council - At-Large"): ("1000", "campaign"),
        ("individual", "Council - Ward %"): ("500", "campaign"),
        ("business", "Council - At-Large"): ("1000", "campaign"),
        ("business", "Council - Ward %"): ("500", "campaign"),
    }


def test_codes_the_analyses_read():
    record = {r["record_type_id"]: r["contributor_kind"] for r in _seed("ma_ocpf_record_types")}
    assert (record["201"], record["202"], record["203"], record["211"]) == (
        "individual",
        "committee",
        "union_association",
        "business",
    )
    entity = {
        r["contributor_type"]: r["contributor_kind"] for r in _seed("contributor_types") if r["rules"] == "ca_calaccess"
    }
    assert [entity[c] for c in ("IND", "COM", "OTH", "PTY", "SCC")] == [
        "individual",
        "committee",
        "organisation",
        "party",
        "small_contributor_committee",
    ]
    competed = {r["extent_competed_code"]: r["competition"] for r in _seed("usaspending_extent_competed")}
    assert sorted(c for c, v in competed.items() if v == "not_competed") == ["B", "C", "E", "G", "NDO"]
    market = {r["market_type"]: r["competition"] for r in _seed("dc_ocp_market_types")}
    assert (market["OPEN"], market["SOLE SOURCE"], market["EMERGENCY"]) == ("competed", "not_competed", "not_competed")


def test_example_data_is_documented(tmp_path):
    for name in ("ma_ocpf", "usaspending", "calaccess", "dc"):
        sources = (EXAMPLES / name / "SOURCES.md").read_text(encoding="utf-8")
        for data in (EXAMPLES / name).glob("*.gz"):
            assert data.name in sources, (name, data.name)


def test_report_knows_the_same_seeded_rules_as_the_macro():
    """The report's notes (moneytrail/report/counts.py) and the models agree on which
    source_rules take their limits from the seeds."""
    import re

    from moneytrail.report.counts import SEEDED_RULES

    text = (REPO / "macros" / "analysis_config.sql").read_text(encoding="utf-8")
    m = re.search(r"macro seeded_rules\(\) %\}\{\{ return\(\[([^\]]*)\]\) \}\}", text)
    assert m is not None
    assert tuple(x.strip().strip("'") for x in m.group(1).split(",")) == SEEDED_RULES
