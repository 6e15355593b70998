"""The dbt project's layers as dbt Labs teaches them, checked on the model files and their YAML
(no dbt run): staging renames and casts, nothing reads a layer above its own, every model has a
primary-key test, every foreign key a `relationships` test, every mart a unit test."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
MODELS = ROOT / "models"

# macros that normalise, key or classify: analysis logic, which belongs in intermediate
ANALYSIS_MACROS = (
    "normalize_org_name",
    "normalize_person_name",
    "person_name_key",
    "is_employer_non_answer",
    "donor_identity_expr",
    "stable_id",
)

# columns that point at another model's key, and the model they must point at
FOREIGN_KEYS = {
    "vendor_entity_id": "int_entity_map",
    "linked_vendor_entity_id": "int_entity_map",
    "other_entity_id": "int_entity_map",
    "link_id": "int_name_links",
    "contribution_row_ref": "stg_contributions",
    "vendor_row_ref": "stg_contracts",
    "recipient_id": "int_recipients",
    # lists of keys: a finding's evidence (list_relationships, tests/dbt/generic)
    "row_refs": "stg_contributions",
    "edge_ids": "cross_links",
}
# where a column of that name is not a foreign key, or its target is another model; each with why
NOT_FOREIGN_KEYS = {
    ("int_name_links", "link_id"): "its own primary key",
    ("int_recipients", "recipient_id"): "its own primary key",
    ("base_contributions", "recipient_id"): "as written by the source; int_recipients is built from it",
    ("stg_contributions", "recipient_id"): "as written by the source; int_recipients is built from it",
    ("int_contributions", "recipient_id"): "as written by the source; int_recipients is built from it",
    ("int_cross_links", "recipient_id"): "the filer as written (stg_contributions); int_recipients is built from it",
    ("cross_links", "recipient_id"): "the filer as written (stg_contributions); int_recipients is built from it",
    ("cross_links", "link_id"): "a copy of int_cross_links, which carries the test",
    ("cross_links", "contribution_row_ref"): "a copy of int_cross_links, which carries the test",
    ("cross_links", "vendor_row_ref"): "a copy of int_cross_links, which carries the test",
    ("cross_links", "other_entity_id"): "a copy of int_cross_links, which carries the test",
    ("timing_signals", "vendor_entity_id"): "tested against int_entity_map and timing_awards (its award evidence)",
    ("red_flags", "vendor_entity_id"): "a filter of red_flag_pairs, whose test it repeats",
    ("red_flags", "recipient_id"): "a filter of red_flag_pairs, whose test it repeats",
    ("red_flags", "edge_ids"): "a filter of red_flag_pairs, whose test it repeats",
    ("er_review_queue", "vendor_entity_id"): "a filter of int_name_links, whose test it repeats",
    ("er_review_queue", "other_entity_id"): "a filter of int_name_links, whose test it repeats",
}


def _model_files() -> dict[str, Path]:
    # models/spark holds the Spark stand-ins of intermediate Python models, under the same names
    # (only one of the two is enabled per target); the layers are checked on the originals
    return {
        p.stem: p
        for p in sorted(MODELS.rglob("*"))
        if p.suffix in (".sql", ".py") and p.relative_to(MODELS).parts[0] != "spark"
    }


def _yaml_docs() -> list[dict[str, Any]]:
    return [yaml.safe_load(p.read_text(encoding="utf-8")) or {} for p in sorted(MODELS.rglob("*.yml"))]


def _model_yaml() -> dict[str, dict[str, Any]]:
    return {m["name"]: m for doc in _yaml_docs() for m in doc.get("models") or []}


def _test_names(tests: list[Any] | None) -> list[str]:
    return [t if isinstance(t, str) else next(iter(t)) for t in tests or []]


def _relationship_targets(tests: list[Any] | None) -> list[str]:
    out = []
    for t in tests or []:
        kind = next(iter(t)) if isinstance(t, dict) else None
        if kind in ("relationships", "list_relationships"):
            spec = t[kind].get("arguments", t[kind])
            out.append(re.sub(r"^ref\('(\w+)'\)$", r"\1", spec["to"]))
    return out


def _refs(path: Path) -> set[str]:
    text = path.read_text(encoding="utf-8")
    return set(re.findall(r"""\bref\(\s*['"](\w+)['"]\s*\)""", text))


def _layer(path: Path) -> str:
    return path.relative_to(MODELS).parts[0]


def test_every_model_has_a_primary_key_test():
    docs = _model_yaml()
    missing = []
    for name in _model_files():
        model = docs.get(name, {})
        keyed_column = any(
            {"unique", "not_null"} <= set(_test_names(c.get("data_tests"))) for c in model.get("columns") or []
        )
        if not keyed_column and "primary_key" not in _test_names(model.get("data_tests")):
            missing.append(name)
    assert missing == [], "models without a primary-key test (primary_key, or unique + not_null on one column)"


def test_every_mart_has_a_unit_test():
    tested = {u["model"] for doc in _yaml_docs() for u in doc.get("unit_tests") or []}
    marts = [name for name, path in _model_files().items() if _layer(path) == "marts"]
    assert len(marts) >= 15
    assert [m for m in marts if m not in tested] == []


def test_no_layer_reads_a_layer_above_its_own():
    files = _model_files()
    # examples/ and sources/ shape a source's own files into roles: they sit below staging
    # report/ (the report's numbers) reads any layer below it; nothing in dbt reads report/
    rank = {"staging": 0, "data_quality": 1, "intermediate": 1, "marts": 2, "report": 3, "examples": 0, "sources": 0}
    upward = []
    for name, path in files.items():
        for ref in _refs(path):
            if ref in files and rank[_layer(files[ref])] > rank[_layer(path)]:
                upward.append(f"{name} ({_layer(path)}) reads {ref} ({_layer(files[ref])})")
            if _layer(path) == "intermediate" and ref in files and _layer(files[ref]) == "data_quality":
                upward.append(f"{name} reads the data-quality model {ref}")
    assert upward == []


def test_nothing_in_dbt_reads_a_report_model():
    """models/report/ aggregates for the Python report (moneytrail/report/) only: no model, not even
    another report model, reads one, so each stands on the marts and intermediates it counts."""
    files = _model_files()
    readers = [
        f"{name} reads {ref}"
        for name, path in files.items()
        for ref in _refs(path)
        if ref in files and _layer(files[ref]) == "report"
    ]
    assert readers == []
    assert [n for n, p in files.items() if _layer(p) == "report"], "models/report/ holds no model"
    assert all(n.startswith("rpt_") for n, p in files.items() if _layer(p) == "report")


def test_staging_renames_and_casts_only():
    offending = {}
    for name, path in _model_files().items():
        if _layer(path) == "staging" and path.parent.name != "base":
            text = path.read_text(encoding="utf-8")
            used = [m for m in ANALYSIS_MACROS if re.search(rf"\b{m}\(", text)]
            if used:
                offending[name] = used
    assert offending == {}


def test_data_quality_outputs_live_in_their_own_folder():
    files = _model_files()
    assert _layer(files["stg_rejects"]) == "data_quality"
    assert _layer(files["dq_row_accounting"]) == "data_quality"


@pytest.mark.parametrize("column", sorted(FOREIGN_KEYS))
def test_every_foreign_key_has_a_relationships_test(column):
    missing = []
    for name, model in _model_yaml().items():
        for c in model.get("columns") or []:
            if c["name"] != column or (name, column) in NOT_FOREIGN_KEYS:
                continue
            targets = _relationship_targets(c.get("data_tests"))
            if not targets:
                missing.append(name)
    assert missing == []


def test_foreign_keys_point_at_their_model():
    wrong = []
    for name, model in _model_yaml().items():
        for c in model.get("columns") or []:
            for target in _relationship_targets(c.get("data_tests")):
                expected = FOREIGN_KEYS.get(c["name"])
                if expected and target != expected and (name, c["name"]) not in NOT_FOREIGN_KEYS:
                    wrong.append(f"{name}.{c['name']} -> {target} (expected {expected})")
    assert wrong == []


def test_one_tier_order_in_sql_and_python():
    """The confidence tiers, best first: the link_tiers() macro (tier_rank in SQL) and the matcher's
    TIERS, which the report and the HTML pages use, are the same list."""
    from moneytrail.html.context import _TIER_RANK
    from moneytrail.report.common import LINK_TIERS
    from python_udfs.matcher_config import TIERS

    text = (ROOT / "macros" / "analysis_config.sql").read_text(encoding="utf-8")
    m = re.search(r"macro link_tiers\(\) %\}\{\{ return\(\[([^\]]*)\]\) \}\}", text)
    assert m is not None
    assert tuple(x.strip().strip("'") for x in m.group(1).split(",")) == TIERS == LINK_TIERS
    assert _TIER_RANK == {"high": 1, "medium": 2, "probable": 3, "low": 4}
