"""Reviewed decisions, aliases and entity-resolution settings in a real dbt build of the demo.

Round trip: export the review queue (`moneytrail match-review`), mark one link not_same and
another same, load the file as decisions (vars.er_link_decisions_file), rebuild: the first
link leaves cross_links, the second enters it at tier high. An ownership alias links only when
vars.er_link_scopes opts in. vars.entity_resolution reaches the Python model: a bad key stops
the build naming key, value and the allowed settings; a changed threshold changes the links.
Checked with SQL written here, not the models' own."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import duckdb
import pytest

from moneytrail import dbt_runner
from moneytrail.cli import main as cli_main

pytestmark = pytest.mark.slow

OFF = ("DELOITTE CONSULTING", "DELOITTE")  # probable in the demo: marked not_same
ON = ("NORTHEASTERN PAVING", "NORTHWESTERN PAVING")  # low in the demo: marked same


@pytest.fixture(scope="module")
def warehouse(demo_run, tmp_path_factory) -> Path:
    assert demo_run.exit_code == 0
    # same file name: views name their catalog after the file
    db = tmp_path_factory.mktemp("review") / demo_run.db.name
    shutil.copyfile(demo_run.db, db)
    return db


def q(db: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def edges(db: Path, scope_col: bool = False) -> set[tuple]:
    cols = "vendor_name_norm, other_name_norm, confidence_tier, match_type" + (", link_scope" if scope_col else "")
    return set(q(db, f"select distinct {cols} from marts.cross_links"))


def build(db: Path, select: str, run_vars: dict) -> dbt_runner.DbtResult:
    return dbt_runner.invoke(["build", "--select", select], run_vars, warehouse=db)


def test_review_queue_round_trip(warehouse: Path, tmp_path: Path) -> None:
    before = edges(warehouse)
    assert (*OFF, "probable", "fuzzy") in before
    assert (*ON, "low", "token_overlap") in before  # an edge, but below the analyses' tier
    queue = tmp_path / "queue.csv"
    page = tmp_path / "queue.html"
    assert cli_main(["match-review", "--db", str(warehouse), "--out", str(queue), "--html", str(page)]) == 0
    assert page.read_text(encoding="utf-8").count("<tr><td>") == 2
    with queue.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        rows = list(reader)
        header = reader.fieldnames
    assert header[:7] == ["queue_rank", "left_name", "right_name", "decision", "note", "reviewer", "decided_on"]
    assert [(r["queue_rank"], r["left_name"], r["right_name"], r["confidence_tier"]) for r in rows] == [
        ("1", *OFF, "probable"),
        ("2", *ON, "low"),
    ]
    assert rows[0]["vendor_examples"].startswith("Deloitte Consulting LLP <db://")
    assert rows[0]["other_examples"].startswith("DELOITTE <db://")
    rows[0].update(decision="not_same", note="a unit is not the firm", reviewer="test", decided_on="2026-12-03")
    rows[1].update(decision="same", note="the same paving firm", reviewer="test", decided_on="2026-12-03")
    with queue.open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=header)
        w.writeheader()
        w.writerows(rows)
    aliases = tmp_path / "aliases.csv"
    aliases.write_text(
        "name,alias_of,relation_kind,note,source\n"
        "JUNIPER OPTICS,Bluewater Marine Systems LLC,subsidiary_of,made up for this test,test fixture\n",
        encoding="utf-8",
    )
    run_vars = {"er_link_decisions_file": str(queue), "er_aliases_file": str(aliases)}
    result = build(warehouse, "int_er_decisions+ int_er_aliases+", run_vars)
    assert result.success, result.error_text()

    after = edges(warehouse)
    assert not any(e[:2] == OFF for e in after)
    assert (*ON, "high", "reviewed") in after
    assert after - {(*ON, "high", "reviewed")} == {e for e in before if e[:2] not in (OFF, ON)}
    assert q(
        warehouse, "select effect, applied from marts.er_decisions_applied where origin like 'file:%' order by 1"
    ) == [
        ("link_added", True),
        ("link_removed", True),
    ]
    summary = q(
        warehouse,
        "select decisions_applied, links_removed, links_added, review_queue_rows from marts.er_review_summary",
    )
    assert summary == [(2, 1, 1, 1)]  # the queue now holds only the (unreviewed) ownership link
    # the ownership alias is a link, but analyses do not use it by default
    own = q(
        warehouse,
        "select vendor_name_norm, other_name_norm, match_type, link_scope from intermediate.int_name_links "
        "where link_scope = 'ownership'",
    )
    assert own == [("BLUEWATER MARINE SYSTEMS", "JUNIPER OPTICS", "alias", "ownership")]
    assert not any(e[1] == "JUNIPER OPTICS" for e in after)
    # the entity map keeps the not_same names apart and the ownership pair separate
    ids = dict(q(warehouse, "select normalized_name, entity_id from intermediate.int_entity_map"))
    assert ids["DELOITTE CONSULTING"] != ids["DELOITTE"]
    assert ids["NORTHEASTERN PAVING"] == ids["NORTHWESTERN PAVING"]
    assert ids["BLUEWATER MARINE SYSTEMS"] != ids["JUNIPER OPTICS"]

    # opt in to ownership links: they reach cross_links, labelled (the edges are built in
    # int_cross_links; cross_links is a view over it)
    result = build(
        warehouse, "int_cross_links cross_links", {**run_vars, "er_link_scopes": ["same_organisation", "ownership"]}
    )
    assert result.success, result.error_text()
    opted = edges(warehouse, scope_col=True)
    assert ("BLUEWATER MARINE SYSTEMS", "JUNIPER OPTICS", "medium", "alias", "ownership") not in opted
    assert ("BLUEWATER MARINE SYSTEMS", "JUNIPER OPTICS", "high", "alias", "ownership") in opted

    result = build(warehouse, "cross_links", {"er_link_scopes": ["same_organisation", "cousins"]})
    assert not result.success
    assert (
        'vars.er_link_scopes[2]: "cousins" is not allowed; expected one of same_organisation, family, ownership'
        in result.error_text()
    )


def test_entity_resolution_vars_reach_the_model(warehouse: Path) -> None:
    result = build(warehouse, "int_name_matches", {"entity_resolution": {"bogus_key": 1}})
    assert not result.success
    assert "vars.entity_resolution.bogus_key: unknown key; allowed: fuzzy_threshold, min_coverage, " in (
        result.error_text()
    )
    result = build(warehouse, "int_name_matches", {"entity_resolution": {"fuzzy_threshold": 150}})
    assert not result.success
    assert "vars.entity_resolution.fuzzy_threshold: 150 is out of range; expected a number >= 0 and <= 100" in (
        result.error_text()
    )

    pair = (
        "select tier from intermediate.int_name_matches "
        "where left_name = 'DELOITTE CONSULTING' and right_name = 'DELOITTE'"
    )
    result = build(warehouse, "int_name_matches", {})
    assert result.success, result.error_text()
    assert q(warehouse, pair) == [("probable",)]
    # DELOITTE CONSULTING is covered 0.745 by DELOITTE: below 0.8 the pair is only a low link
    result = build(warehouse, "int_name_matches", {"entity_resolution": {"min_coverage": 0.8}})
    assert result.success, result.error_text()
    assert q(warehouse, pair) == [("low",)]
