"""Run files documented and validated by the one settings schema (issue 14 item 2):
docs/RUNFILE.md is generated from it, every key has a description and an example, role fields
live in it (adding one is one line), and errors name the key path and the allowed values."""

from __future__ import annotations

import copy
import re

import pytest
import yaml

from moneytrail import settings, settings_docs
from tests.python.conftest import REPO


def test_runfile_doc_is_generated_from_the_schema():
    committed = (REPO / "docs" / "RUNFILE.md").read_text(encoding="utf-8")
    assert committed == settings_docs.render_runfile_doc(), "run: python -m moneytrail.settings generate"
    assert settings.generate(write=False)[settings.RUNFILE_DOC_PATH] is False


def test_readme_links_the_runfile_reference():
    assert "(docs/RUNFILE.md)" in (REPO / "README.md").read_text(encoding="utf-8")


def test_the_documented_example_is_a_valid_run_file():
    data = yaml.safe_load(settings_docs.RUNFILE_EXAMPLE)
    assert settings.validate_run_file(data) == data
    assert settings_docs.RUNFILE_EXAMPLE.rstrip("\n") in settings_docs.render_runfile_doc()


def test_every_run_file_key_input_key_role_key_and_role_field_is_documented_with_an_example():
    doc = settings_docs.render_runfile_doc()
    schema = settings.load_schema()
    rows = {m.group(1): m.group(0) for m in re.finditer(r"^\| `([^`]+)` \|.*$", doc, flags=re.M)}
    expected_keys = list(schema["run_file"]["keys"])
    expected_keys += list(settings.resolve(schema["definitions"]["input"])["keys"])
    expected_keys += list(settings.resolve(schema["definitions"]["role"])["keys"])
    expected_keys += ["concat", "sep", "column", "equals", "in", "not_in", "is_null"]
    expected_keys += [f"fec_files.{k}" for k in schema["run_file"]["keys"]["fec_files"]["keys"]]
    for role, fields in schema["role_fields"].items():
        assert f"### {role}" in doc
        expected_keys += list(fields)
    for key in expected_keys:
        assert key in rows, key
        assert rows[key].rstrip(" |").endswith("`"), f"{key} has no example: {rows[key]}"


def test_every_role_field_is_complete():
    for role, fields in settings.load_schema()["role_fields"].items():
        for field, spec in fields.items():
            assert set(spec) == {"type", "required", "nonempty", "description", "example"}, (role, field)
            assert spec["type"] in ("text", "date", "amount")
            assert spec["description"].endswith(".")
            # the example is a valid mapping of the field
            node = settings.load_schema()["definitions"]["column_ref"]
            assert settings.check(spec["example"], node, f"{role}.{field}") == []
            if spec["type"] == "date":
                assert set(spec["example"]) == {"column", "format"}


def test_unknown_role_field_is_refused_naming_the_path_and_the_fields():
    role_map = copy.deepcopy(settings.project_vars()["role_map"])
    role_map["contracts"]["columns"]["vendr_name"] = "vendor_name"
    with pytest.raises(settings.SettingsError) as err:
        settings.validate_vars({"role_map": role_map})
    assert err.value.problems == [
        "vars.role_map.contracts.columns.vendr_name: unknown field (did you mean vendor_name?); fields of "
        "contracts: award_id, vendor_name, parent_vendor_name, dba_name, agency, award_date, contract_value, "
        "procurement_method, fiscal_year"
    ]


def test_adding_a_role_field_is_one_schema_line(monkeypatch):
    schema = settings.load_schema()
    schema["role_fields"]["contracts"]["dba_name"] = {
        "type": "text",
        "required": False,
        "nonempty": False,
        "description": "Doing-business-as name.",
        "example": "DBA",
    }
    monkeypatch.setattr(settings, "_schema_cached", lambda: schema)
    role_map = copy.deepcopy(settings.project_vars()["role_map"])
    role_map["contracts"]["columns"]["dba_name"] = "vendor_name"
    settings.validate_vars({"role_map": role_map})
    assert '"dba_name":{"type":"text","required":false,"nonempty":false}' in settings_docs.render_macro()
    assert '| `dba_name` | text | no | no | Doing-business-as name. | `"DBA"` |' in settings_docs.render_runfile_doc()


@pytest.mark.parametrize(
    "change, message",
    [
        (
            {"empty_last_column": "keep"},
            'run_file.inputs[1].empty_last_column: "keep" is not allowed; expected one of refuse, drop',
        ),
        ({"skip_lines": -1}, "run_file.inputs[1].skip_lines: -1 is out of range; expected an integer >= 0"),
        ({"skip_lines": "2"}, 'run_file.inputs[1].skip_lines: "2" is text; expected an integer >= 0'),
    ],
)
def test_tabular_option_errors_name_the_path_and_the_allowed_values(change, message):
    data = {"name": "x", "inputs": [{"path": "a.csv", "table": "a", **change}]}
    with pytest.raises(settings.SettingsError) as err:
        settings.validate_run_file(data)
    assert err.value.problems == [message]


def test_fec_files_keys_are_checked():
    data = {"name": "x", "inputs": [{"path": "a.csv", "table": "a"}], "fec_files": {"contribution": "i.txt"}}
    with pytest.raises(settings.SettingsError) as err:
        settings.validate_run_file(data)
    assert err.value.problems == [
        "run_file.fec_files.contribution: unknown key (did you mean contributions?); allowed: contributions, "
        "committees, candidates, candidate_links"
    ]
