"""Role-map fields combined from several columns without SQL (issue 14 item 3):
{concat: [a, b], sep: s}. Checked on the real MA OCPF filer list against independent SQL."""

from __future__ import annotations

import copy

import duckdb
import pytest

from ingest.tabular import TabularOptions, load_tabular
from moneytrail import settings
from tests.python.conftest import DEMO_DIR, REPO

pytestmark = pytest.mark.slow

OCPF = REPO / "tests" / "fixtures" / "ocpf" / "all_filers.txt.gz"
FIRST, LAST = "Candidate First Name", "Candidate Last Name"


def demo_role_map() -> dict:
    return copy.deepcopy(settings.project_vars()["role_map"])


def ocpf_role_map(**candidate_columns) -> dict:
    role_map = demo_role_map()
    role_map["candidates"] = {
        "table": "ocpf_filers",
        "columns": {"candidate_id": "CPF ID", **candidate_columns},
    }
    return role_map


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory, _block_network):
    base = tmp_path_factory.mktemp("concat")
    db = base / "w.duckdb"
    con = duckdb.connect(str(db))
    try:
        load_tabular(con, DEMO_DIR / "contracts.csv", "demo_contracts", progress=None)
        load_tabular(con, DEMO_DIR / "contributions.csv", "demo_contributions", progress=None)
        options = TabularOptions(delimiter="\t", empty_last_column="drop")
        load_tabular(con, OCPF, "ocpf_filers", options, progress=None)
    finally:
        con.close()
    return db


def invoke(db, args, role_map, monkeypatch, tmp_path):
    from moneytrail import dbt_runner

    monkeypatch.setenv("DBT_TARGET_PATH", str(tmp_path / "target"))
    return dbt_runner.invoke(args, {"role_map": role_map}, warehouse=db)


def test_concat_joins_trimmed_non_empty_parts(warehouse, monkeypatch, tmp_path):
    role_map = ocpf_role_map(
        candidate_name={"concat": [FIRST, LAST]},  # sep defaults to one space
        office={"concat": [LAST, FIRST], "sep": ", "},
    )
    result = invoke(warehouse, ["run", "--select", "base_candidates"], role_map, monkeypatch, tmp_path)
    assert result.success, result.error_text()
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        # independent: the documented semantics written out case by case
        mismatches = con.execute(f"""
            with raw as (
                select row_index, trim("{FIRST}") as f, trim("{LAST}") as l from raw.ocpf_filers
            ),
            expected as (
                select row_index,
                    case when f = '' and l = '' then null when f = '' then l when l = '' then f
                         else f || ' ' || l end as name,
                    case when f = '' and l = '' then null when f = '' then l when l = '' then f
                         else l || ', ' || f end as office
                from raw
            )
            select count(*) from expected e join staging.base_candidates b using (row_index)
            where e.name is distinct from b.candidate_name or e.office is distinct from b.office""").fetchone()
        assert mismatches == (0,)
        counts = con.execute("""
            select count(*), count(candidate_name), count(*) filter (where reject_reason = 'missing candidate_name')
            from staging.base_candidates""").fetchone()
        # 9,577 filers; 2,689 (PACs, party committees) have neither name: counted rejects, not blanks
        assert counts == (9577, 6888, 2689)
        samples = con.execute("""
            select "CPF ID", candidate_name, office from staging.base_candidates b
            join raw.ocpf_filers r using (row_index) where "CPF ID" in ('10008') order by 1""").fetchall()
        assert samples == [("10008", "Robert B. Ambler", "Ambler, Robert B.")]
    finally:
        con.close()


def test_concat_on_a_date_field_is_refused(warehouse, monkeypatch, tmp_path):
    role_map = demo_role_map()
    role_map["contracts"]["columns"]["award_date"] = {"concat": ["award_date", "agency"]}
    result = invoke(warehouse, ["run-operation", "validate_role_map"], role_map, monkeypatch, tmp_path)
    assert not result.success
    assert (
        "role 'contracts' field 'award_date' is a date and needs {column: <name>, format: <strptime format>}"
        in result.error_text()
    )


def test_concat_on_an_amount_and_format_on_text_are_refused(warehouse, monkeypatch, tmp_path):
    role_map = demo_role_map()
    role_map["contracts"]["columns"]["contract_value"] = {"concat": ["contract_value", "agency"]}
    result = invoke(warehouse, ["run-operation", "validate_role_map"], role_map, monkeypatch, tmp_path)
    assert "role 'contracts' field 'contract_value' is amount: concat: joins text fields only" in result.error_text()
    role_map = demo_role_map()
    role_map["contracts"]["columns"]["agency"] = {"column": "agency", "format": "%Y"}
    result = invoke(warehouse, ["run-operation", "validate_role_map"], role_map, monkeypatch, tmp_path)
    assert "role 'contracts' field 'agency' is text, not a date: format: does not apply" in result.error_text()


def test_concat_of_a_missing_column_names_it(warehouse, monkeypatch, tmp_path):
    role_map = ocpf_role_map(candidate_name={"concat": [FIRST, "Candidate Middle Name"]})
    result = invoke(warehouse, ["run-operation", "validate_role_map"], role_map, monkeypatch, tmp_path)
    assert not result.success
    assert (
        "role 'candidates' maps field 'candidate_name' to column 'Candidate Middle Name', which " in result.error_text()
    )


@pytest.mark.parametrize(
    "mapping, message",
    [
        (
            {"concat": ["a"]},
            'vars.role_map.candidates.columns.candidate_name: {"concat": ["a"]} is not allowed; expected text or '
            "a mapping with keys column, format or a mapping with keys concat, sep",
        ),
        (
            {"concat": ["a", "b"], "separator": " "},
            'vars.role_map.candidates.columns.candidate_name: {"concat": ["a", "b"], "separator": " "} is not '
            "allowed; expected text or a mapping with keys column, format or a mapping with keys concat, sep",
        ),
    ],
)
def test_concat_shape_is_checked_by_the_schema(mapping, message):
    role_map = ocpf_role_map(candidate_name=mapping)
    with pytest.raises(settings.SettingsError) as err:
        settings.validate_vars({"role_map": role_map})
    assert err.value.problems == [message]
