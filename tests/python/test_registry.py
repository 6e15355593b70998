"""The one registry of user-facing marts (meta.moneytrail in the models' YAML): every list of
marts derives from it, the files dbt and JSON Schema need are checked against it, and a new
mart needs only its SQL, its YAML and its section's row count (models/report/rpt_<mart>.sql, which
tests/python/test_report_models.py requires for every registered section)."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest
import yaml

from moneytrail import exports, registry
from moneytrail.report import analyses as analyses_mod
from moneytrail.report import er, load_schema
from moneytrail.report.write import report_models_read
from tests.python.conftest import REPO


def test_exports_and_report_sections_come_from_the_registry():
    reg = registry.load()
    assert (
        [s.name for s in exports.EXPORTS]
        == [m.name for m in reg.exported()]
        == [
            "cross_links",
            "bundles",
            "bundle_groups",
            "payroll_giving",
            "limit_flags",
            "prohibited_contributions",
            "vendor_breadth",
            "timing_signals",
            "timing_awards",
            "red_flags",
            "non_competitive_awards",
            "red_flag_pairs",
            "stg_rejects",
            "dq_row_accounting",
        ]
    )
    assert (
        [a.name for a in analyses_mod.ANALYSES]
        == [m.name for m in reg.reported()]
        == [
            "red_flags",
            "timing_signals",
            "bundles",
            "payroll_giving",
            "limit_flags",
            "prohibited_contributions",
            "vendor_breadth",
            "cross_links",
        ]
    )
    links = reg.get("cross_links")
    assert (links.schema, links.id_column, links.export.jsonl, links.report.finding_pages) == (
        "marts",
        "edge_id",
        True,
        False,
    )
    assert exports.EXPORTS[-2].order_by == ("role", "dataset_version_id", "row_index", "row_ref")
    assert exports.EXPORTS[-2].relation == "staging.stg_rejects"
    # every section with Python of its own is a registered mart (no orphan extras)
    assert set(analyses_mod.EXTRAS) <= {m.name for m in reg.reported()}


def test_report_schema_requires_exactly_the_registered_analyses():
    block = load_schema()["properties"]["analyses"]
    names = [a.name for a in analyses_mod.ANALYSES]
    assert block["required"] == names
    assert sorted(block["properties"]) == sorted(names)
    assert block["additionalProperties"] is False


def _exposures() -> dict[str, list[str]]:
    doc = yaml.safe_load((REPO / "models" / "marts" / "_exposures.yml").read_text(encoding="utf-8"))
    return {x["name"]: x["depends_on"] for x in doc["exposures"]}


def test_exposures_name_every_registered_mart():
    exposures = _exposures()
    # the report exposure: every export, the marts of report.json's entity_resolution, the report
    # models the report step reads, the ingest manifest
    er_marts = [f"ref('{m.split('.')[-1]}')" for m in (er.APPLIED_MODEL, er.SUMMARY_MODEL)]
    report_models = [f"ref('{m}')" for m in report_models_read()]
    assert sorted(exposures["report"]) == sorted(
        [f"ref('{s.name}')" for s in exports.EXPORTS] + er_marts + report_models + ["source('raw', 'ingest_manifest')"]
    )
    # the HTML report reads every analysis's mart (and more: raw rows, staging)
    assert {f"ref('{a.name}')" for a in analyses_mod.ANALYSES} <= set(exposures["html_report"])
    # and the marts whose columns it quotes beside a finding (report.attach)
    attached = {f"ref('{a.attach.mart}')" for a in analyses_mod.ANALYSES if a.attach is not None}
    assert attached == {"ref('timing_awards')", "ref('non_competitive_awards')"}
    assert attached <= set(exposures["html_report"])


def test_a_folder_with_its_own_schema_gives_its_schema():
    # models/data_quality is configured with +schema: staging in dbt_project.yml
    dq = registry.load().get("dq_row_accounting")
    assert (dq.yml, dq.schema) == ("models/data_quality/_data_quality.yml", "staging")


def test_registered_marts_exist_as_models():
    for m in registry.load().marts:
        assert list((REPO / m.yml).parent.rglob(f"{m.name}.sql")), m.name


# ----------------------------------------------------------------------------------------------
# A new mart: SQL + YAML (+ models/report/rpt_<mart>.sql, its section's row count)
# ----------------------------------------------------------------------------------------------

TOY_YML = """
version: 2
models:
  - name: toy_findings
    config:
      meta:
        moneytrail:
          id_column: toy_id
          export: {rank: 1000}
          report: {rank: 1000, title: Toy findings, evidence: measured, order_by: "amount desc, toy_id",
                   ordering: "largest amount first, then toy_id"}
    description: A toy mart added by a test.
"""


def _project_copy(tmp_path: Path) -> Path:
    project = tmp_path / "project"
    shutil.copytree(REPO / "models", project / "models", ignore=shutil.ignore_patterns("*.sql", "*.py", "*.md"))
    shutil.copy(REPO / "dbt_project.yml", project / "dbt_project.yml")  # folder schemas (+schema)
    (project / "models" / "marts" / "toy_findings.sql").write_text("select 1 as toy_id\n")
    (project / "models" / "marts" / "_toy.yml").write_text(TOY_YML)
    return project


def test_a_new_mart_needs_only_its_sql_and_yaml(tmp_path):
    project = _project_copy(tmp_path)
    specs = exports.specs(project)
    assert specs[-1] == exports.ExportSpec("toy_findings", "marts", ("toy_id",))
    (toy,) = [a for a in analyses_mod.build(project) if a.name == "toy_findings"]
    assert (toy.title, toy.evidence, toy.fields, toy.relation) == ("Toy findings", "measured", (), "marts.toy_findings")

    db = tmp_path / "w.duckdb"
    con = duckdb.connect(str(db))
    con.execute("create schema marts")
    con.execute(
        "create table marts.toy_findings as select * from (values ('t2', 5.00), ('t1', 7.50)) v(toy_id, amount)"
    )
    # what dbt builds from models/report/rpt_toy_findings.sql: the section's row count; without an
    # evidence_kind column the section needs no counts by group
    con.execute("create schema report")
    con.execute("create table report.rpt_toy_findings as select count(*) as section_rows from marts.toy_findings")
    out = tmp_path / "out"
    result = exports.export_marts(con, out, export_specs=[specs[-1]])
    assert [(f.path, f.records) for f in result.files] == [("toy_findings.csv", 2)]
    assert (out / "toy_findings.csv").read_text() == "toy_id,amount\nt1,7.50\nt2,5.00\n"
    section = analyses_mod.analysis_section(con, toy, ["toy_findings.csv"], {})
    con.close()
    assert (section["count"], section["counts"], section["top"]) == (
        2,
        {"rows": 2},
        [{"toy_id": "t1", "amount": "7.50"}, {"toy_id": "t2", "amount": "5.00"}],
    )
    assert toy.sentence(section["top"][0]) == "Toy findings: toy_id `t1`."


_TOY_REPORT = "{id_column: x, report: {rank: 1001, title: T, evidence: measured, order_by: x, ordering: x"


@pytest.mark.parametrize(
    ("meta", "message"),
    [
        (
            "{id_column: x, exprot: {rank: 1}}",
            "models/marts/_toy.yml: model toy_findings: meta.moneytrail: unknown key(s) exprot; "
            "allowed: export, id_column, report",
        ),
        (
            "{id_column: x, export: {rank: one}}",
            "models/marts/_toy.yml: model toy_findings: meta.moneytrail.export.rank: expected an integer, got 'one'",
        ),
        (
            "{id_column: x, export: {rank: 10}}",
            "export rank 10 is used by both cross_links and toy_findings",
        ),
        (
            "{export: {rank: 1001}}",
            "models/marts/_toy.yml: model toy_findings: meta.moneytrail.export.order_by: "
            "expected a list of columns (or an id_column)",
        ),
        (
            "{id_column: x, report: {rank: 1001, title: T, evidence: guessed, order_by: x, ordering: x}}",
            "models/marts/_toy.yml: model toy_findings: meta.moneytrail.report.evidence: "
            "expected one of measured, modelled, mixed",
        ),
        (
            "{id_column: x, report: {rank: 1001, title: T}}",
            "models/marts/_toy.yml: model toy_findings: meta.moneytrail.report: missing evidence, order_by, ordering",
        ),
        (
            _TOY_REPORT + ", attach: {mart: toy_awards, key: x, columns: [a]}}}",
            "models/marts/_toy.yml: model toy_findings: meta.moneytrail.report.attach: mart toy_awards is not "
            "registered (give it a meta.moneytrail block)",
        ),
        (
            _TOY_REPORT + ", attach: {mart: stg_rejects, key: x, columns: [a]}}}",
            "models/marts/_toy.yml: model toy_findings: meta.moneytrail.report.attach: mart stg_rejects is in "
            "schema staging, not marts",
        ),
        (
            _TOY_REPORT + ", attach: {mart: timing_signals, key: x, columns: [a]}}}",
            "models/marts/_toy.yml: model toy_findings: meta.moneytrail.report.attach: mart timing_signals "
            "attaches timing_awards itself; attach that",
        ),
        (
            _TOY_REPORT + ", attach: {mart: timing_awards, on: x, columns: [a]}}}",
            "models/marts/_toy.yml: model toy_findings: meta.moneytrail.report.attach: unknown key(s) True; "
            "allowed: columns, key, mart",
        ),
        (
            _TOY_REPORT + ", attach: {mart: timing_awards, key: x, columns: []}}}",
            "models/marts/_toy.yml: model toy_findings: meta.moneytrail.report.attach.columns: expected a list of "
            "columns",
        ),
    ],
)
def test_a_malformed_registry_entry_is_refused_with_its_place(tmp_path, meta, message):
    project = _project_copy(tmp_path)
    (project / "models" / "marts" / "_toy.yml").write_text(
        f"version: 2\nmodels:\n  - name: toy_findings\n    config:\n      meta:\n        moneytrail: {meta}\n"
    )
    with pytest.raises(registry.RegistryError) as exc:
        registry.load(project)
    assert str(exc.value) == message
