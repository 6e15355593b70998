"""Entity ids and canonical entities built from matcher links."""

from __future__ import annotations

import hashlib
import random

import duckdb
import pytest

from python_udfs.entities import (
    ENTITY_SCHEMA,
    EntityMember,
    canonical_entities,
    entities_to_arrow,
    entity_id,
)
from python_udfs.matcher import Link, MatchConfig, match_names, match_to_arrow
from python_udfs.names import normalize_org_name


def _link(left: str, right: str, tier: str, match_type: str = "fuzzy") -> Link:
    return Link(left, right, tier, match_type, 100.0, 100.0, 1.0, 1.0, "", 0.0, 0.0, False, False)


def test_entity_id_is_sha256_prefix() -> None:
    expected = hashlib.sha256(b"entity:v1:organization:GEO GROUP").hexdigest()[:16]
    assert entity_id("organization", "GEO GROUP") == expected
    assert len(expected) == 16 and int(expected, 16) >= 0


def test_entity_id_matches_duckdb() -> None:
    sql = "select substr(sha256('entity:v1:' || 'organization' || ':' || 'GEO GROUP'), 1, 16)"
    assert duckdb.sql(sql).fetchone()[0] == entity_id("organization", "GEO GROUP")


@pytest.mark.parametrize("entity_type, name", [("", "X"), ("a:b", "X"), ("organization", "")])
def test_entity_id_rejects_bad_input(entity_type: str, name: str) -> None:
    with pytest.raises(ValueError):
        entity_id(entity_type, name)


def test_canonical_entities_cluster_medium_and_better_links() -> None:
    links = [
        _link("GEO GROUP", "GEO GROUP", "high", "exact"),
        _link("COUNTY OF KERN", "KERN COUNTY OF", "medium", "aggressive"),
        _link("DELOITTE", "DELOITTE CONSULTING", "probable"),
        _link("CISCO EAGLE", "CISCO", "low", "token_overlap"),
    ]
    got = canonical_entities(links, names=["ACME"])
    kern = entity_id("organization", "COUNTY OF KERN")
    assert got == [
        EntityMember("ACME", entity_id("organization", "ACME"), "ACME", 1),
        EntityMember("COUNTY OF KERN", kern, "COUNTY OF KERN", 2),
        EntityMember("GEO GROUP", entity_id("organization", "GEO GROUP"), "GEO GROUP", 1),
        EntityMember("KERN COUNTY OF", kern, "COUNTY OF KERN", 2),
    ]


def test_min_tier_and_counts_choose_clusters_and_canonical_names() -> None:
    links = [
        _link("DELOITTE", "DELOITTE CONSULTING", "probable"),
        _link("DELOITTE CONSULTING", "DELOITTE TAX", "probable"),
    ]
    got = canonical_entities(
        links, min_tier="probable", counts={"DELOITTE TAX": 10, "DELOITTE": 3}, entity_type="vendor"
    )
    eid = entity_id("vendor", "DELOITTE TAX")
    assert [(m.normalized_name, m.entity_id, m.canonical_name, m.cluster_size) for m in got] == [
        ("DELOITTE", eid, "DELOITTE TAX", 3),
        ("DELOITTE CONSULTING", eid, "DELOITTE TAX", 3),
        ("DELOITTE TAX", eid, "DELOITTE TAX", 3),
    ]
    # without counts the shortest name wins
    assert {m.canonical_name for m in canonical_entities(links, min_tier="probable")} == {"DELOITTE"}
    with pytest.raises(ValueError):
        canonical_entities(links, min_tier="certain")


def test_canonical_entities_do_not_depend_on_order() -> None:
    left = [
        normalize_org_name(n)
        for n in (
            "THE GEO GROUP INCORPORATED",
            "GEO Group",
            "County of Kern",
            "Kern, County of",
            "PricewaterhouseCoopers",
            "Deloitte",
            "Deloitte Consulting LLP",
            "Acme Widgets",
        )
    ]
    right = [
        normalize_org_name(n)
        for n in (
            "GEO GROUP, INC., THE",
            "KERN COUNTY OF",
            "PRICE WATERHOUSE COOPERS",
            "DELOITTE TAX",
            "ACME WIDGET",
            "Zenith Tools",
        )
    ]
    links = match_names(left, right, MatchConfig(per_right="all"))
    first = canonical_entities(links, names=left + right)
    rnd = random.Random(3)
    for _ in range(3):
        shuffled = list(links)
        rnd.shuffle(shuffled)
        names = left + right
        rnd.shuffle(names)
        assert canonical_entities(shuffled, names=names) == first
    table = match_to_arrow(left, right, MatchConfig(per_right="all"))
    assert canonical_entities(table, names=left + right) == first


def test_entities_to_arrow() -> None:
    t = entities_to_arrow(canonical_entities([_link("A B", "B A", "medium", "aggressive")]))
    assert t.schema == ENTITY_SCHEMA
    eid = entity_id("organization", "A B")
    assert t.to_pylist() == [
        {"normalized_name": "A B", "entity_id": eid, "canonical_name": "A B", "cluster_size": 2},
        {"normalized_name": "B A", "entity_id": eid, "canonical_name": "A B", "cluster_size": 2},
    ]
