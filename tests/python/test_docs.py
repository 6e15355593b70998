"""`dbt docs generate` works offline and documents every model and column, sources to report."""

from __future__ import annotations

import json

import pytest

from moneytrail import registry
from moneytrail.report.write import report_models_read

pytestmark = pytest.mark.slow

# the user-facing marts and exports, from the one registry (meta.moneytrail in the models' YAML)
EXPORTED = [m.name for m in registry.load().exported()]
MARTS = [m.name for m in registry.load().exported() if m.schema == "marts"]


@pytest.fixture(scope="module")
def docs(demo_run, tmp_path_factory):
    from moneytrail import dbt_runner

    target = tmp_path_factory.mktemp("docs_target")
    mp = pytest.MonkeyPatch()
    mp.setenv("DBT_TARGET_PATH", str(target))  # never share target/ with another build
    try:
        result = dbt_runner.invoke(["docs", "generate"], warehouse=demo_run.db)
    finally:
        mp.undo()
    assert result.success, result.error_text()
    manifest = json.loads((target / "manifest.json").read_text(encoding="utf-8"))
    catalog = json.loads((target / "catalog.json").read_text(encoding="utf-8"))
    return manifest, catalog, target


def test_docs_site_is_written(docs):
    _, catalog, target = docs
    assert (target / "index.html").is_file()
    assert catalog["errors"] is None


def test_report_exposure_closes_the_lineage(docs):
    manifest, _, _ = docs
    exposure = manifest["exposures"]["exposure.moneytrail.report"]
    assert exposure["description"].strip()
    assert sorted(exposure["depends_on"]["nodes"]) == sorted(
        [f"model.moneytrail.{m}" for m in [*EXPORTED, "er_decisions_applied", "er_review_summary"]]
        + [f"model.moneytrail.{m}" for m in report_models_read()]
        + ["source.moneytrail.raw.ingest_manifest"]
    )
    # every report model is read by the report step or by the HTML report (its exposure)
    html = manifest["exposures"]["exposure.moneytrail.html_report"]["depends_on"]["nodes"]
    report_models = {uid for uid in manifest["nodes"] if uid.startswith("model.moneytrail.rpt_")}
    assert len(report_models) == 24
    assert report_models == {n for n in [*exposure["depends_on"]["nodes"], *html] if n in report_models}
    # walking up from the report reaches every raw source the role map reads
    parents = manifest["parent_map"]
    seen, stack = set(), ["exposure.moneytrail.report"]
    while stack:
        for parent in parents.get(stack.pop(), []):
            if parent not in seen:
                seen.add(parent)
                stack.append(parent)
    assert {
        "source.moneytrail.raw.contributions",
        "source.moneytrail.raw.contracts",
        "source.moneytrail.raw.candidates",
        "source.moneytrail.raw.ingest_manifest",
    } <= seen


def test_every_model_and_column_is_documented(docs):
    manifest, catalog, _ = docs
    undocumented = []
    models = {uid: node for uid, node in catalog["nodes"].items() if uid.startswith("model.")}
    assert {f"model.moneytrail.{m}" for m in MARTS} <= set(models)
    for uid, node in sorted(models.items()):
        documented = manifest["nodes"][uid]
        if not (documented.get("description") or "").strip():
            undocumented.append(uid)
        columns = {name.lower(): c for name, c in documented["columns"].items()}
        for column in node["columns"]:
            if not (columns.get(column.lower(), {}).get("description") or "").strip():
                undocumented.append(f"{uid}.{column}")
    assert undocumented == []
