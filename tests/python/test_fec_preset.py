"""The FEC preset (run file `source: fec`) and the reference seeds, without running dbt."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from ingest.presets import fec
from ingest.runfile import RunFileError, load_run_file
from tests.python.conftest import REPO

RUN_FILE = REPO / "examples" / "fec_ice" / "run.yml"
SEEDS = REPO / "seeds"


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "run.yml"
    path.write_text(text, encoding="utf-8")
    return path


def test_example_expands_to_the_four_fec_files_and_their_roles():
    run = load_run_file(RUN_FILE)
    tables = [(spec.table, spec.path.name, spec.tabular.header_file.name) for spec in run.inputs[:4]]
    assert tables == [
        ("fec_itcont", "itcont_indiv18_head20k.txt.gz", "indiv_header_file.csv"),
        ("fec_cm", "fec2024_cm.txt.gz", "cm_header_file.csv"),
        ("fec_cn", "fec2024_cn.txt.gz", "cn_header_file.csv"),
        ("fec_ccl", "fec2024_ccl.txt.gz", "ccl_header_file.csv"),
    ]
    assert [spec.table for spec in run.inputs[4:]] == ["ice_freezer", "ice_rainviz"]
    assert all(spec.tabular.delimiter == "|" and spec.tabular.quote is None for spec in run.inputs[:4])
    assert run.vars["source_rules"] == "fec"
    assert run.vars["donor_identity"] == ["donor_person_key", "donor_zip5"]
    assert sorted(run.vars["role_map"]) == ["candidate_links", "candidates", "committees", "contracts", "contributions"]
    assert run.vars["role_map"]["committees"]["columns"]["committee_type"] == "CMTE_TP"
    assert run.vars["role_map"]["contributions"]["columns"]["other_id"] == "OTHER_ID"


def test_user_keys_override_the_preset_key_by_key(tmp_path):
    path = _write(
        tmp_path,
        "name: x\nsource: fec\nfec_files: {contributions: a.txt, committees: b.txt}\n"
        "vars:\n  role_map:\n    contributions:\n      reject_tolerance: 1\n"
        "      columns: {employer: OCCUPATION}\n"
        "    contracts: {table: awards, columns: {award_id: id, vendor_name: vendor}}\n",
    )
    run = load_run_file(path)
    role = run.vars["role_map"]["contributions"]
    assert role["reject_tolerance"] == 1
    assert role["columns"]["employer"] == "OCCUPATION"  # user value wins
    assert role["columns"]["donor_name"] == "NAME"  # the rest of the preset stays
    assert "candidates" not in run.vars["role_map"]  # cn not given: the role is left out
    assert [spec.table for spec in run.inputs] == ["fec_itcont", "fec_cm"]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            "source: fec\n",
            "source: fec needs fec_files: a mapping with contributions: (itcont) and committees: (cm), "
            "optionally candidates: (cn) and candidate_links: (ccl)",
        ),
        (
            "source: fec\nfec_files: {contributions: a.txt}\n",
            "fec_files is missing ['committees'] (the FEC preset needs the itcont and cm files)",
        ),
        (
            "source: fec\nfec_files: {contributions: a, committees: b, pas2: c}\n",
            "fec_files has unknown key(s) ['pas2']; "
            "allowed: ['candidate_links', 'candidates', 'committees', 'contributions']",
        ),
        (
            "source: ocpf\n",
            "source is 'ocpf'; known sources: ['fec'] "
            "(the others go under sources: ['calaccess', 'dc', 'ma_crab', 'ma_ocpf', 'usaspending'])",
        ),
        (
            "source: fec\nfec_files: {contributions: a, committees: b}\ninputs: [{path: c.csv, table: fec_cm}]\n",
            "inputs table(s) ['fec_cm'] are the FEC preset's; name your table differently",
        ),
    ],
)
def test_preset_errors_name_what_is_wrong(tmp_path, body, message):
    path = _write(tmp_path, "name: x\n" + body)
    with pytest.raises(RunFileError) as err:
        load_run_file(path)
    assert str(err.value) == f"{path}: {message}"


def test_shipped_headers_are_the_official_column_lists():
    def columns(name):
        return (fec.HEADERS / name).read_text(encoding="utf-8").strip().split("|")

    assert len(columns("indiv_header_file.csv")) == 21
    assert columns("indiv_header_file.csv")[15] == "OTHER_ID"
    assert len(columns("cm_header_file.csv")) == 15
    assert len(columns("cn_header_file.csv")) == 15
    assert columns("ccl_header_file.csv") == [
        "CAND_ID",
        "CAND_ELECTION_YR",
        "FEC_ELECTION_YR",
        "CMTE_ID",
        "CMTE_TP",
        "CMTE_DSGN",
        "LINKAGE_ID",
    ]


def _seed(name):
    with open(SEEDS / f"{name}.csv", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_every_seed_row_names_its_source():
    for path in sorted(SEEDS.glob("*.csv")):
        rows = _seed(path.stem)
        if path.stem.startswith("er_"):  # reviewed decisions cite their public source in one column
            assert all(r["source"].strip() for r in rows), path.name
            continue
        assert rows, path.name
        assert all(r["source_title"] and r["source_url"].startswith("https://") for r in rows), path.name


def test_limits_cover_every_cycle_and_kind():
    rows = _seed("fec_contribution_limits")
    cycles = sorted({int(r["cycle"]) for r in rows})
    assert cycles == [2016, 2018, 2020, 2022, 2024, 2026]
    kinds = {(r["contributor_kind"], r["recipient_kind"]) for r in rows}
    assert len(rows) == len(cycles) * len(kinds)
    candidate = {
        int(r["cycle"]): r["limit_amount"]
        for r in rows
        if (r["contributor_kind"], r["recipient_kind"]) == ("individual", "candidate")
    }
    assert candidate == {2016: "2700", 2018: "2700", 2020: "2800", 2022: "2900", 2024: "3300", 2026: "3500"}
    national = {
        int(r["cycle"]): r["limit_amount"]
        for r in rows
        if (r["contributor_kind"], r["recipient_kind"]) == ("individual", "party_national")
    }
    assert national == {2016: "33400", 2018: "33900", 2020: "35500", 2022: "36500", 2024: "41300", 2026: "44300"}
    unlimited = {r["period"] for r in rows if r["recipient_kind"] == "super_pac"}
    assert unlimited == {"unlimited"}
    multi = {
        r["limit_amount"]
        for r in rows
        if (r["contributor_kind"], r["recipient_kind"]) == ("multicandidate_pac", "candidate")
    }
    assert multi == {"5000"}


def test_transaction_types_cover_the_indiv_file_codes():
    """The FEC's individual-contributions file description lists these codes as the ones the
    file carries; every one needs a meaning."""
    codes = {r["transaction_type"] for r in _seed("fec_transaction_types")}
    assert {"10", "11", "15", "15C", "15E", "15I", "15T", "19", "22Y", "24I", "24T", "20Y", "21Y"} <= codes
    by_code = {r["transaction_type"]: r for r in _seed("fec_transaction_types")}
    assert by_code["22Y"]["is_refund"] == "true" and by_code["22Y"]["counts_toward_limit"] == "true"
    assert by_code["10"]["is_unlimited"] == "true" and by_code["10"]["counts_toward_limit"] == "false"
    assert by_code["24T"]["limit_recipient"] == "other_id" and by_code["24I"]["limit_recipient"] == "other_id"


def test_employer_non_answer_seed_is_the_macro_default_list():
    macro = (REPO / "macros" / "normalize_org_name.sql").read_text(encoding="utf-8")
    terms = re.findall(r"'([A-Z ]+)'", re.search(r"set default_terms = \[(.*?)\]", macro).group(1))
    prefixes = re.findall(r"'([A-Z ]+)'", re.search(r"set default_prefixes = \[(.*?)\]", macro).group(1))
    rows = _seed("employer_non_answers")
    assert sorted(r["employer_norm"] for r in rows if r["match"] == "exact") == sorted(terms)
    assert sorted(r["employer_norm"] for r in rows if r["match"] == "prefix") == sorted(prefixes)
