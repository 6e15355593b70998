"""Issue 11: one settings schema, validated before anything runs, with exact messages.

The audit's "settings silently ignored" and "wrong types coerced" families: each case here is
refused with exit 2 and a message naming the key, the value and what is allowed."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
import yaml

from moneytrail import settings
from moneytrail.cli import main
from tests.python.conftest import DEMO_DIR, REPO


def _demo_run_file(tmp_path: Path, name: str = "case", **vars_) -> dict:
    return {
        "name": name,
        "inputs": [
            {"path": str(DEMO_DIR / "contracts.csv"), "table": "demo_contracts"},
            {"path": str(DEMO_DIR / "contributions.sql"), "table_prefix": "demo_"},
            {"path": str(DEMO_DIR / "candidates.tsv"), "table": "demo_candidates", "delimiter": "\t"},
        ],
        "vars": vars_,
    }


def _write(tmp_path: Path, data: dict) -> Path:
    path = tmp_path / "run.yml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


# ----------------------------------------------------------------------------------------------
# The schema file, the generated macro and the doc
# ----------------------------------------------------------------------------------------------


def test_generated_macro_and_doc_match_the_schema():
    stale = {p.name for p, s in settings.generate(write=False).items() if s}
    assert stale == set(), "run: python -m moneytrail.settings generate"


def test_project_vars_and_example_run_files_are_valid():
    settings.validate_vars({})
    from ingest.runfile import load_run_file

    for run_file in (REPO / "examples" / "demo" / "run.yml", REPO / "examples" / "fec_ice" / "run.yml"):
        load_run_file(run_file)  # presets (source: fec) expand first, then every key is checked


def test_every_var_the_project_reads_is_in_the_schema():
    project = yaml.safe_load((REPO / "dbt_project.yml").read_text(encoding="utf-8"))["vars"]
    known = settings.load_schema()["vars"]["keys"]
    assert set(project) <= set(known)
    # and every var(...) in models and macros names a schema key
    import re

    read = set()
    for path in list((REPO / "models").rglob("*.sql")) + list((REPO / "models").rglob("*.yml")):
        read |= set(re.findall(r"var\('([a-z_]+)'", path.read_text(encoding="utf-8")))
    for path in (REPO / "macros").glob("*.sql"):
        text = path.read_text(encoding="utf-8")
        read |= set(re.findall(r"var\('([a-z_]+)'", text)) | set(re.findall(r"mt_setting\('([a-z_]+)'\)", text))
    assert read - set(known) == set()


def _leaves(node, path, out):
    node = settings.resolve(node)
    out.append((path, node))
    for key, child in (node.get("keys") or {}).items():
        _leaves(child, f"{path}.{key}", out)
    for key in ("items", "values"):
        if key in node:
            _leaves(node[key], f"{path}[]", out)
    for i, option in enumerate(node.get("any_of") or []):
        _leaves(option, f"{path}|{i}", out)


def test_every_schema_node_has_a_description_and_every_leaf_an_example():
    schema = settings.load_schema()
    nodes: list = []
    for root in ("run_file", "vars"):
        _leaves(schema[root], root, nodes)
    for name, node in schema["definitions"].items():
        _leaves(node, name, nodes)
    missing_doc = [p for p, n in nodes if not n.get("description")]
    leaves = [p for p, n in nodes if n.get("type") not in ("mapping", None) and "items" not in n]
    missing_example = [p for p in leaves if "example" not in dict(nodes)[p]]
    assert missing_doc == []
    assert missing_example == []
    # every default is itself valid
    bad_defaults = [p for p, n in nodes if "default" in n and settings.check(n["default"], n, p)]
    assert bad_defaults == []


def test_schema_defaults_are_the_defaults_the_code_applies():
    from python_udfs.timing import TimingConfig

    timing = settings.applied(settings.validate_vars({}))["timing"]
    code = {f.name: f.default for f in dataclasses.fields(TimingConfig) if f.name in timing}
    assert timing == code
    assert settings.applied(settings.validate_vars({}))["run_seed"] == TimingConfig().run_seed


def test_adding_a_setting_is_one_schema_entry(monkeypatch):
    schema = settings.load_schema()
    schema["vars"]["keys"]["bundles"]["keys"]["max_days"] = {
        "type": "integer",
        "minimum": 0,
        "default": 0,
        "description": "x",
        "example": 1,
    }
    monkeypatch.setattr(settings, "_schema_cached", lambda: schema)
    assert settings.applied(settings.validate_vars({}))["bundles"]["max_days"] == 0
    with pytest.raises(settings.SettingsError) as exc:
        settings.validate_vars({"bundles": {"max_days": -1}})
    assert str(exc.value) == "vars.bundles.max_days: -1 is out of range; expected an integer >= 0"


# ----------------------------------------------------------------------------------------------
# Exact messages: every audit case of "wrong types" and "silently ignored"
# ----------------------------------------------------------------------------------------------

ROLE = "vars.role_map.contributions"
VARS_CASES = [
    (
        "unquoted_yaml_date",
        yaml.safe_load("er_link_decisions_file: 2018-01-01"),
        'vars.er_link_decisions_file: "2018-01-01" is a YAML date (write it in quotes); expected text',
    ),
    (
        "run_seed_text",
        {"run_seed": "abc"},
        'vars.run_seed: "abc" is text; expected an integer >= 0 and <= 9223372036854775807',
    ),
    (
        "misspelt_bundles",
        {"bundle": {"min_donors": 4}},
        "vars.bundle: unknown key (did you mean bundles?); allowed: role_map, reject_tolerance, run_seed, "
        "build_bucket_rows, donor_identity, min_link_tier, bundles, contribution_limits, timing, red_flags, entity_resolution, "
        "employer_non_answers, employer_non_answers_extra, employer_non_answer_prefixes, source_rules, er_link_decisions_file, er_aliases_file, er_link_scopes, fec_ice_example, source_presets",
    ),
    (
        "misspelt_contribution_limits",
        {"contribution_limit": {"limit": 2700}},
        "vars.contribution_limit: unknown key (did you mean contribution_limits?); allowed: role_map, "
        "reject_tolerance, run_seed, build_bucket_rows, donor_identity, min_link_tier, bundles, contribution_limits, timing, "
        "red_flags, entity_resolution, employer_non_answers, employer_non_answers_extra, "
        "employer_non_answer_prefixes, source_rules, er_link_decisions_file, er_aliases_file, er_link_scopes, fec_ice_example, source_presets",
    ),
    (
        "timing_unknown_key",
        {"timing": {"n_permutations": 500, "bogus_key": 1}},
        "vars.timing.bogus_key: unknown key; allowed: n_permutations, min_donations, min_awards, calendar",
    ),
    (
        "timing_calendar_misspelt",
        {"timing": {"calendar": "all_award"}},
        'vars.timing.calendar: "all_award" is not allowed (did you mean all_awards?); '
        "expected one of all_awards, uniform_days",
    ),
    (
        "entity_resolution_unknown_key",
        {"entity_resolution": {"fuzzy_treshold": 85}},
        "vars.entity_resolution.fuzzy_treshold: unknown key (did you mean fuzzy_threshold?); allowed: "
        "fuzzy_threshold, min_coverage, medium_min_coverage, medium_min_score, medium_min_idf, low_min_coverage, "
        "generic_weight, block_max_df, block_max_pairs, prefix_len, prefix_min_word_len, per_right, tie_epsilon, "
        "max_links_per_right, include_low, workers, generic_words, generic_words_extra, stop_words, "
        "government_type_words, organisation_type_words, non_answers_extra, non_answers, chunk_pairs, sister_units_low, glued_generic_low, acronyms, separate_body_low, unit_coined_brands, unit_links",
    ),
    (
        "limit_negative",
        {"contribution_limits": {"limit": -100}},
        "vars.contribution_limits.limit: -100 is out of range; expected a number > 0 and <= 1000000000",
    ),
    (
        "limit_sql",
        {"contribution_limits": {"limit": "1000 as decimal(18,2)); create table pwned(i int); --"}},
        'vars.contribution_limits.limit: "1000 as decimal(18,2)); create table pwned(i int); --" is text; '
        "expected a number > 0 and <= 1000000000",
    ),
    (
        "min_independent_rules_zero",
        {"red_flags": {"min_independent_rules": 0}},
        "vars.red_flags.min_independent_rules: 0 is out of range; expected an integer >= 1 and <= 4",
    ),
    (
        "timing_max_p_two",
        {"red_flags": {"timing_max_p": 2}},
        "vars.red_flags.timing_max_p: 2 is out of range; expected a number >= 0 and <= 1",
    ),
    (
        "timing_max_q_subquery",
        {"red_flags": {"timing_max_q": "(select count(*) from read_text('/etc/passwd'))"}},
        "vars.red_flags.timing_max_q: \"(select count(*) from read_text('/etc/passwd'))\" is text; "
        "expected a number >= 0 and <= 1",
    ),
    (
        "timing_min_effect_bool",
        {"red_flags": {"timing_min_effect": True}},
        "vars.red_flags.timing_min_effect: true is true/false; expected a number >= 0 and <= 1000000",
    ),
    (
        "min_donors_float",
        {"bundles": {"min_donors": 3.5}},
        "vars.bundles.min_donors: 3.5 is a number; expected an integer >= 2",
    ),
    (
        "period_unknown",
        {"contribution_limits": {"period": "weekly"}},
        'vars.contribution_limits.period: "weekly" is not allowed; expected one of calendar_year, election, cycle',
    ),
    (
        "donor_identity_text",
        {"donor_identity": "donor_name"},
        'vars.donor_identity: "donor_name" is text; expected a list of values from donor_id, donor_name_norm, '
        "donor_person_key, donor_zip5, donor_name, donor_zip",
    ),
    (
        "procurement_method_nul",
        {"red_flags": {"procurement_methods": ["SOLE\x00SOURCE"]}},
        'vars.red_flags.procurement_methods[1]: "SOLE\\u0000SOURCE" holds a control character (NUL, ...); '
        "expected text",
    ),
]


def _role_map(**contributions_changes) -> dict:
    role_map = yaml.safe_load((REPO / "dbt_project.yml").read_text(encoding="utf-8"))["vars"]["role_map"]
    role_map["contributions"].update(contributions_changes)
    return role_map


ROLE_CASES = [
    (
        "is_null_text",
        {"when": [{"column": "memo_code", "is_null": "false"}]},
        f'{ROLE}.when[1].is_null: "false" is text; expected true or false',
    ),
    (
        "organisation_types_text",
        {"organisation_types": "ORG"},
        f'{ROLE}.organisation_types: "ORG" is text; expected a list of text',
    ),
    (
        "when_two_operators",
        {"when": [{"column": "memo_code", "equals": "X", "is_null": True}]},
        f"{ROLE}.when[1]: needs exactly one of equals, in, not_in, is_null (given: equals, is_null)",
    ),
    (
        "table_with_quote",
        {"table": 'demo_contributions"; drop table raw.demo_contracts; --'},
        f'{ROLE}.table: "demo_contributions\\"; drop table raw.demo_contracts; --" is not allowed; expected text '
        "matching [A-Za-z_][A-Za-z0-9_]{0,62} (The raw table (loaded by moneytrail ingest or a run file) playing "
        "this role.)",
    ),
    (
        "reject_tolerance_negative",
        {"reject_tolerance": -1},
        f"{ROLE}.reject_tolerance: -1 is out of range; expected an integer >= 0",
    ),
]


def test_role_keys_that_do_not_apply_to_a_role_are_refused():
    role_map = _role_map()
    role_map["contracts"]["organisation_types"] = ["ORG"]
    role_map["candidates"]["timing"] = {"enabled": False}
    with pytest.raises(settings.SettingsError) as exc:
        settings.validate_vars({"role_map": role_map})
    assert exc.value.problems == [
        "vars.role_map.contracts.organisation_types: unknown key; allowed: table, model, description, columns, "
        "when, reject_tolerance, timing",
        "vars.role_map.candidates.timing: unknown key; allowed: table, model, description, columns, when, "
        "reject_tolerance",
    ]


@pytest.mark.parametrize(("case", "given", "message"), VARS_CASES, ids=[c[0] for c in VARS_CASES])
def test_var_refused_with_exact_message(tmp_path, capsys, case, given, message):
    with pytest.raises(settings.SettingsError) as exc:
        settings.validate_vars(given)
    assert str(exc.value) == message
    # and `moneytrail run` says exactly that, exit 2, nothing ingested, a report saying so
    path = _write(tmp_path, _demo_run_file(tmp_path, **given))
    out = tmp_path / "out"
    assert main(["run", str(path), "--db", str(tmp_path / "w.duckdb"), "--out", str(out)]) == 2
    assert capsys.readouterr().err == f"error: {message}\n"
    assert not (tmp_path / "w.duckdb").exists()
    assert json.loads((out / "report.json").read_text(encoding="utf-8"))["errors"][0]["message"] == message


@pytest.mark.parametrize(("case", "change", "message"), ROLE_CASES, ids=[c[0] for c in ROLE_CASES])
def test_role_map_refused_with_exact_message(case, change, message):
    with pytest.raises(settings.SettingsError) as exc:
        settings.validate_vars({"role_map": _role_map(**change)})
    assert str(exc.value) == message


INPUT_CASES = [
    ("header_text", {"header": "false"}, 'run_file.inputs[1].header: "false" is text; expected true or false'),
    (
        "columns_text",
        {"columns": "ab", "header": False},
        'run_file.inputs[1].columns: "ab" is text; expected a list of text',
    ),
    ("delimiter_int", {"delimiter": 1}, "run_file.inputs[1].delimiter: 1 is an integer; expected one character"),
    ("delimiter_two", {"delimiter": ";;"}, 'run_file.inputs[1].delimiter: ";;" is too long; expected one character'),
    (
        "table_int",
        {"table": 123},
        "run_file.inputs[1].table: 123 is an integer; expected text matching [A-Za-z_][A-Za-z0-9_]{0,62}",
    ),
    (
        "table_nul",
        {"table": "t\x00x"},
        'run_file.inputs[1].table: "t\\u0000x" holds a control character (NUL, ...); '
        "expected text matching [A-Za-z_][A-Za-z0-9_]{0,62}",
    ),
    (
        "table_empty",
        {"table": ""},
        'run_file.inputs[1].table: "" is not allowed; expected text matching [A-Za-z_][A-Za-z0-9_]{0,62} '
        "(Raw table name for a CSV/TSV input (required for them). Dumps keep their own table names.)",
    ),
    (
        "misspelt_input_key",
        {"delimeter": "|"},
        "run_file.inputs[1].delimeter: unknown key (did you mean delimiter?); allowed: path, table, format, "
        "delimiter, quote, encoding, header, header_file, columns, skip_lines, empty_last_column, "
        "table_prefix, schema_path, allow_sqlite_pragma_header, skip_programmable_objects",
    ),
]


@pytest.mark.parametrize(("case", "change", "message"), INPUT_CASES, ids=[c[0] for c in INPUT_CASES])
def test_run_file_input_refused_with_exact_message(tmp_path, capsys, case, change, message):
    data = _demo_run_file(tmp_path)
    data["inputs"][0].update(change)
    with pytest.raises(settings.SettingsError) as exc:
        settings.validate_run_file(data)
    assert str(exc.value) == message
    path = _write(tmp_path, data)
    assert main(["run", str(path), "--db", str(tmp_path / "w.duckdb"), "--out", str(tmp_path / "out")]) == 2
    assert capsys.readouterr().err == f"error: {message}\n"
    assert not (tmp_path / "w.duckdb").exists()


def test_run_name_cannot_leave_the_output_folder(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    path = _write(tmp_path, _demo_run_file(tmp_path, name="../../escape_dir"))
    assert main(["run", str(path), "--db", str(tmp_path / "w.duckdb")]) == 2
    err = capsys.readouterr().err
    assert err == (
        'error: run_file.name: "../../escape_dir" is not allowed; expected text matching '
        "[A-Za-z0-9][A-Za-z0-9._-]{0,99} (Name of the run and of its output folder output/<name>; letters, "
        "digits, '.', '_' and '-', no path separators.)\n"
        "      no report written: the run name is not a valid folder name (pass --out)\n"
    )
    assert not (tmp_path.parent.parent / "escape_dir").exists()
    assert not (tmp_path / "w.duckdb").exists()  # nothing ingested


def test_refused_run_seed_still_writes_the_report(tmp_path, capsys):
    out = tmp_path / "out"
    path = _write(tmp_path, _demo_run_file(tmp_path, run_seed="abc"))
    assert main(["run", str(path), "--db", str(tmp_path / "w.duckdb"), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err == 'error: vars.run_seed: "abc" is text; expected an integer >= 0 and <= 9223372036854775807\n'
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert report["ok"] is False
    assert report["run"]["run_seed"] is None
    assert report["run"]["vars"]["run_seed"] == "abc"  # recorded as given: it was never applied
    assert report["errors"][0] == {
        "source": "settings",
        "unique_id": None,
        "status": "error",
        "message": 'vars.run_seed: "abc" is text; expected an integer >= 0 and <= 9223372036854775807',
    }
    assert report["inputs"] == []
    md = (out / "report.md").read_text(encoding="utf-8")
    assert 'vars.run_seed: "abc" is text' in md
    assert not (tmp_path / "w.duckdb").exists()  # validated before anything was ingested


def test_several_problems_are_listed_together(tmp_path, capsys):
    data = _demo_run_file(tmp_path, bundle={}, red_flags={"timing_max_p": 2})
    data["inputs"][0]["header"] = "false"
    path = _write(tmp_path, data)
    assert main(["run", str(path), "--db", str(tmp_path / "w.duckdb"), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert err.splitlines()[:4] == [
        "error: invalid settings:",
        '  run_file.inputs[1].header: "false" is text; expected true or false',
        "  vars.bundle: unknown key (did you mean bundles?); allowed: role_map, reject_tolerance, run_seed, "
        "build_bucket_rows, donor_identity, min_link_tier, bundles, contribution_limits, timing, red_flags, entity_resolution, "
        "employer_non_answers, employer_non_answers_extra, employer_non_answer_prefixes, source_rules, er_link_decisions_file, er_aliases_file, er_link_scopes, fec_ice_example, source_presets",
        "  vars.red_flags.timing_max_p: 2 is out of range; expected a number >= 0 and <= 1",
    ]


def test_csv_only_options_on_a_dump_are_refused(tmp_path, capsys):
    data = _demo_run_file(tmp_path)
    data["inputs"][1]["delimiter"] = "|"
    path = _write(tmp_path, data)
    assert main(["run", str(path), "--db", str(tmp_path / "w.duckdb"), "--out", str(tmp_path / "o")]) == 2
    assert capsys.readouterr().err == (
        "error: run_file.inputs[2]: delimiter only apply to csv inputs; "
        f"{DEMO_DIR / 'contributions.sql'} is a SQL dump\n"
    )


def test_report_records_the_applied_settings(tmp_path):
    from moneytrail import report

    used = report.applied_settings({"bundles": {"min_donors": 4}})
    assert used["bundles"] == {
        "min_donors": 4,
        "exclude_memo": True,
        "recipient_kinds": ["candidate"],
        "unclassified_recipients": "exclude",
        "payroll_memo_patterns": ["P/R DEDUCTION", "PAYROLL DEDUCTION"],
    }
    assert used["red_flags"]["timing_max_p"] == 0.05
    assert used["contribution_limits"] == {
        "limit": 1000,
        "period": "calendar_year",
        "exclude_memo": True,
        "refunds": "net",
        "exclude_transaction_types": [],
    }


# ----------------------------------------------------------------------------------------------
# The same schema when dbt runs directly
# ----------------------------------------------------------------------------------------------


def test_dbt_directly_refuses_the_same_settings_before_any_node(tmp_path):
    import duckdb

    from moneytrail import dbt_runner

    db = tmp_path / "w.duckdb"
    bad = {
        "bundle": {"min_donors": 4},
        "run_seed": "abc",
        "red_flags": {"timing_max_p": "0.05; create table main.pwned(i int); --"},
        "role_map": _role_map(when=[{"column": "memo_code", "is_null": "false"}]),
    }
    result = dbt_runner.invoke(["build"], bad, warehouse=db)
    assert not result.success
    text = result.error_text()
    python_side = settings.SettingsError
    with pytest.raises(python_side) as exc:
        settings.validate_vars(bad)
    for problem in exc.value.problems:
        assert problem in text
    con = duckdb.connect(str(db), read_only=True)
    try:
        tables = con.execute("select table_schema, table_name from information_schema.tables").fetchall()
    finally:
        con.close()
    assert tables == []  # no node ran, nothing injected
    # and the run-operation moneytrail run calls first says the same
    op = dbt_runner.invoke(["run-operation", "validate_role_map"], {"contribution_limit": {}}, warehouse=db)
    assert not op.success
    assert "vars.contribution_limit: unknown key (did you mean contribution_limits?)" in op.error_text()
