"""Reviewed decisions and aliases (python_udfs/er_decisions.py) and their effect on links and
entities, without dbt."""

from __future__ import annotations

from pathlib import Path

import pytest

from python_udfs.entities import canonical_entities
from python_udfs.er_decisions import (
    DECISION_COLUMNS,
    DecisionError,
    alias_key,
    apply_knowledge,
    combine_decisions,
    data_aliases,
    parent_aliases,
    parse_aliases,
    parse_decisions,
    read_csv_file,
)
from python_udfs.matcher import match_to_arrow

COLS = (*DECISION_COLUMNS, "relation", "source")


def dec(left: str, right: str, decision: str, **kw: str) -> dict[str, str]:
    return {
        "left_name": left,
        "right_name": right,
        "decision": decision,
        "note": kw.get("note", "n"),
        "reviewer": kw.get("reviewer", "r"),
        "decided_on": kw.get("decided_on", "2026-12-03"),
        "relation": kw.get("relation", ""),
        "source": "",
    }


def test_parse_decisions_normalises_and_skips_blank_rows() -> None:
    rows = [dec("Deloitte Consulting LLP", "DELOITTE", "not_same"), dec("A", "B", "")]
    (d,) = parse_decisions(rows, "file:x.csv", COLS)
    assert (d.left_norm, d.right_norm, d.decision, d.origin) == (
        "DELOITTE CONSULTING",
        "DELOITTE",
        "not_same",
        "file:x.csv:1",
    )


@pytest.mark.parametrize(
    "row, message",
    [
        (dec("A CO", "B CO", "yes"), "f row 1: decision='yes' (allowed: same, not_same, unsure)"),
        (dec("A CO", "B CO", "same", reviewer=""), "f row 1: reviewer is blank (say who decided)"),
        (
            dec("A CO", "B CO", "same", decided_on="3/12/2026"),
            "f row 1: decided_on='3/12/2026' is not a date (YYYY-MM-DD)",
        ),
        (dec("INC", "B CO", "same"), "f row 1: left_name='INC' is blank after normalisation"),
        (
            dec("A CO", "B CO", "same", relation="vendor_vendor"),
            "f row 1: relation='vendor_vendor' (allowed: blank for all, vendor_employer, vendor_business_donor)",
        ),
    ],
)
def test_parse_decisions_refuses_bad_rows(row: dict[str, str], message: str) -> None:
    with pytest.raises(DecisionError) as e:
        parse_decisions([row], "f", COLS)
    assert str(e.value) == message


def test_missing_columns_and_conflicts_are_refused() -> None:
    with pytest.raises(DecisionError) as e:
        parse_decisions([], "f", ("left_name", "right_name", "decision"))
    assert str(e.value) == (
        "f: missing column(s) note, reviewer, decided_on; a decisions file needs "
        "left_name, right_name, decision, note, reviewer, decided_on"
    )
    a = parse_decisions([dec("ACME", "ACME LABS", "same")], "seed", COLS)
    b = parse_decisions([dec("Acme Labs Inc", "Acme", "not_same")], "file:q.csv", COLS)
    with pytest.raises(DecisionError) as e:
        combine_decisions(a, b)
    assert str(e.value) == (
        "conflicting decisions on 'ACME LABORATORIES' ~ 'ACME': 'same' (seed:1) and 'not_same' (file:q.csv:1); keep one"
    )
    assert combine_decisions(a, a) == a


def test_read_csv_file_errors(tmp_path: Path) -> None:
    with pytest.raises(DecisionError) as e:
        read_csv_file(tmp_path / "nope.csv", "er_link_decisions_file")
    assert str(e.value) == f"vars.er_link_decisions_file: {str(tmp_path / 'nope.csv')!r} does not exist"
    p = tmp_path / "x.csv"
    p.write_text("left_name,right_name\nA,B,C\n", encoding="utf-8")
    with pytest.raises(DecisionError) as e:
        read_csv_file(p, "er_link_decisions_file")
    assert str(e.value) == "vars.er_link_decisions_file: x.csv row 1 has more cells than the header"


def test_parse_aliases() -> None:
    cols = ("name", "alias_of", "relation_kind", "note", "source")
    row = {
        "name": "CoreCivic",
        "alias_of": "Corrections Corp. of America",
        "relation_kind": "former_name",
        "note": "",
        "source": "10-K",
    }
    (a,) = parse_aliases([row], "seed", cols)
    assert alias_key(a.alias_of_norm) == alias_key("CORRECTIONS CORPORATION OF AMERICA") == "AMERICA CORRECTIONS OF"
    assert (a.name_norm, a.alias_of_norm, a.link_scope) == (
        "CORECIVIC",
        "CORRECTIONS CORP OF AMERICA",
        "same_organisation",
    )
    with pytest.raises(DecisionError) as e:
        parse_aliases([{**row, "relation_kind": "owner"}], "seed", cols)
    assert str(e.value).startswith("seed row 1: relation_kind='owner' (allowed: former_name, successor, dba, acronym, ")
    with pytest.raises(DecisionError) as e:
        parse_aliases([{**row, "source": " "}], "seed", cols)
    assert str(e.value) == "seed row 1: source is blank (cite where the relation is documented)"


def _rows(table) -> set[tuple]:
    return {
        (r["left_name"], r["right_name"], r["tier"], r["match_type"], r["link_scope"], r["review_decision"])
        for r in table.to_pylist()
    }


def test_precedence_not_same_beats_same_beats_alias_beats_matcher() -> None:
    left = ["CORRECTIONS CORPORATION OF AMERICA", "DELOITTE CONSULTING", "GEO GROUP", "NORTHEASTERN PAVING"]
    right = ["CORECIVIC", "DELOITTE", "CORNELL COMPANIES", "NORTHWESTERN PAVING"]
    links = match_to_arrow(left, right)
    cols = ("name", "alias_of", "relation_kind", "note", "source")
    aliases = parse_aliases(
        [
            {
                "name": "CORECIVIC",
                "alias_of": "CORRECTIONS CORPORATION OF AMERICA",
                "relation_kind": "former_name",
                "note": "",
                "source": "s",
            },
            {
                "name": "CORNELL COMPANIES",
                "alias_of": "GEO GROUP",
                "relation_kind": "subsidiary_of",
                "note": "",
                "source": "s",
            },
            # an alias the not_same decision below overrules
            {
                "name": "DELOITTE",
                "alias_of": "DELOITTE CONSULTING",
                "relation_kind": "brand_family",
                "note": "",
                "source": "s",
            },
        ],
        "seed",
        cols,
    )
    decisions = parse_decisions(
        [
            dec("DELOITTE CONSULTING", "DELOITTE", "not_same"),
            dec("NORTHWESTERN PAVING", "NORTHEASTERN PAVING", "same"),  # order of names does not matter
        ],
        "f",
        COLS,
    )
    out = _rows(apply_knowledge(links, "vendor_employer", left, right, decisions, aliases))
    assert out == {
        ("CORRECTIONS CORPORATION OF AMERICA", "CORECIVIC", "high", "alias", "same_organisation", None),
        ("GEO GROUP", "CORNELL COMPANIES", "high", "alias", "ownership", None),
        ("DELOITTE CONSULTING", "DELOITTE", "probable", "fuzzy", "same_organisation", "not_same"),
        ("NORTHEASTERN PAVING", "NORTHWESTERN PAVING", "high", "reviewed", "same_organisation", "same"),
    }
    # a decision for another relation does not apply
    other = parse_decisions(
        [dec("DELOITTE CONSULTING", "DELOITTE", "not_same", relation="vendor_business_donor")], "f", COLS
    )
    out = _rows(apply_knowledge(links, "vendor_employer", left, right, other, []))
    assert ("DELOITTE CONSULTING", "DELOITTE", "probable", "fuzzy", "same_organisation", None) in out


def test_parent_aliases_skip_self_parents() -> None:
    got = parent_aliases([("CORECIVIC OF TENNESSEE", "CORECIVIC"), ("GEO GROUP", "GROUP GEO"), (None, "X")])
    assert [(a.name_norm, a.alias_of_norm, a.relation_kind, a.link_scope, a.origin) for a in got] == [
        ("CORECIVIC OF TENNESSEE", "CORECIVIC", "subsidiary_of", "ownership", "data:contracts.parent_vendor_name")
    ]


def test_dba_names_of_the_data_are_same_organisation_aliases() -> None:
    """A doing-business-as name on the vendor's contract rows links the two names as one
    organisation, with its own relation kind and match type, at tier medium; a curated alias
    stays high; a not_same decision still wins."""
    got = data_aliases("dba_name", [("CELLCO PARTNERSHIP", "VERIZON WIRELESS"), ("ACME", "ACME"), ("X", None)])
    assert [(a.name_norm, a.alias_of_norm, a.relation_kind, a.link_scope, a.origin) for a in got] == [
        ("CELLCO PARTNERSHIP", "VERIZON WIRELESS", "dba", "same_organisation", "data:contracts.dba_name")
    ]
    left, right = ["CELLCO PARTNERSHIP", "DELOITTE"], ["VERIZON WIRELESS", "DELOITTE"]
    out = _rows(apply_knowledge(match_to_arrow(left, right), "vendor_employer", left, right, [], got))
    assert out == {
        ("CELLCO PARTNERSHIP", "VERIZON WIRELESS", "medium", "dba_name", "same_organisation", None),
        ("DELOITTE", "DELOITTE", "high", "exact", "same_organisation", None),
    }
    no = parse_decisions([dec("CELLCO PARTNERSHIP", "VERIZON WIRELESS", "not_same")], "f", COLS)
    out = _rows(apply_knowledge(match_to_arrow(left, right), "vendor_employer", left, right, no, got))
    assert out == {
        ("CELLCO PARTNERSHIP", "VERIZON WIRELESS", "medium", "dba_name", "same_organisation", "not_same"),
        ("DELOITTE", "DELOITTE", "high", "exact", "same_organisation", None),
    }


def test_entity_map_never_merges_a_not_same_pair() -> None:
    links = [("A", "B", "high"), ("B", "C", "high"), ("C", "D", "medium")]
    import pyarrow as pa

    table = pa.table(
        {"left_name": [x[0] for x in links], "right_name": [x[1] for x in links], "tier": [x[2] for x in links]}
    )
    plain = {m.normalized_name: m.entity_id for m in canonical_entities(table)}
    assert len(set(plain.values())) == 1
    kept = {m.normalized_name: m.entity_id for m in canonical_entities(table, cannot_link=[("A", "D")])}
    assert kept["A"] == kept["B"] == kept["C"] != kept["D"]  # the weakest link gives way
    forced = {
        m.normalized_name: m.entity_id
        for m in canonical_entities(table, names=["E"], must_link=[("D", "E")], cannot_link=[("A", "D")])
    }
    assert forced["D"] == forced["E"] != forced["A"]
