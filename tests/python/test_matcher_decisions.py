"""Reviewed decisions and aliases (python_udfs/er_decisions.py) and their effect on links and
entities, without dbt."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest

from python_udfs.entities import canonical_entities
from python_udfs.er_decisions import (
    DECISION_COLUMNS,
    KNOWLEDGE_LINK_SCHEMA,
    DecisionError,
    alias_key,
    apply_knowledge,
    combine_decisions,
    data_aliases,
    parent_aliases,
    parse_aliases,
    parse_decisions,
)
from python_udfs.er_files import read_csv_file
from python_udfs.er_units import units_as_family
from python_udfs.matcher import TIERS, match_to_arrow

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


def test_read_csv_file_keeps_every_character_of_a_cell(tmp_path: Path) -> None:
    """Rows end at CR/LF only: a line separator (U+2028), a next-line (U+0085) or a form feed in
    a note stays in the note, as does a quoted line break; CRLF files and a BOM read the same."""
    note = "renamed\u2028in 2016\u0085see 10-K\x0cpage 3"
    p = tmp_path / "d.csv"
    p.write_bytes(
        ("\ufeffleft_name,right_name,note\r\nA,B," + f'"{note}"' + '\r\nC,D,"two\r\nlines"\r\n').encode("utf-8")
    )
    rows, header = read_csv_file(p, "er_link_decisions_file")
    assert header == ["left_name", "right_name", "note"]
    assert rows == [
        {"left_name": "A", "right_name": "B", "note": note},
        {"left_name": "C", "right_name": "D", "note": "two\r\nlines"},
    ]


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


def test_knowledge_applies_in_its_own_order_whatever_order_it_is_given() -> None:
    """A decision for every relation and one limited to vendor_employer on the same pair: the
    limited one is applied last (sort_decisions), so its decision and note are the pair's,
    in whichever order the two arrive (a table read back in any order, a Spark bucket)."""
    left, right = ["DELOITTE"], ["DELOITTE CONSULTING"]
    links = match_to_arrow(left, right)
    both = parse_decisions(
        [
            dec("DELOITTE", "DELOITTE CONSULTING", "not_same", relation="vendor_employer", note="limited"),
            dec("DELOITTE", "DELOITTE CONSULTING", "same", note="every relation"),
        ],
        "f",
        COLS,
    )
    outs = [
        apply_knowledge(links, "vendor_employer", left, right, order, []).to_pylist() for order in (both, both[::-1])
    ]
    assert outs[0] == outs[1]
    (row,) = outs[0]
    assert (row["review_decision"], row["knowledge_note"]) == ("not_same", "not_same by r on 2026-12-03: limited")


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


def _scopes(table) -> dict[tuple[str, str], tuple[str, str, str | None]]:
    return {
        (r["left_name"], r["right_name"]): (r["tier"], r["link_scope"], r["knowledge_note"]) for r in table.to_pylist()
    }


def test_a_unit_of_a_linked_brand_is_a_family_link() -> None:
    """HOWARD UNIVERSITY employees (DC data) linked to both vendors HOWARD UNIVERSITY and HOWARD
    UNIVERSITY HOSPITAL, so their gifts counted in both vendors' breadth: the hospital link is
    the unit of the brand they wrote, scope family, with the rule's note. An employer that
    writes the unit's own word keeps its same-organisation link."""
    left = ["DELOITTE", "DELOITTE CONSULTING", "HOWARD UNIVERSITY", "HOWARD UNIVERSITY HOSPITAL"]
    right = ["DELOITTE CONSULTING", "HOWARD", "HOWARD UNIVERSITY"]
    links = match_to_arrow(left, right)
    before = _scopes(apply_knowledge(links, "vendor_employer", left, right, [], []))
    note = (
        "unit of a linked brand: this name also links to HOWARD UNIVERSITY, which HOWARD UNIVERSITY "
        "HOSPITAL extends by HOSPITAL (words this name does not have); counted under HOWARD UNIVERSITY "
        "only, unless vars.er_link_scopes includes family"
    )
    assert before == {
        ("DELOITTE", "DELOITTE CONSULTING"): ("probable", "same_organisation", None),
        ("DELOITTE CONSULTING", "DELOITTE CONSULTING"): ("high", "same_organisation", None),
        ("HOWARD UNIVERSITY", "HOWARD"): ("probable", "same_organisation", None),
        ("HOWARD UNIVERSITY", "HOWARD UNIVERSITY"): ("high", "same_organisation", None),
        ("HOWARD UNIVERSITY HOSPITAL", "HOWARD UNIVERSITY"): ("probable", "family", note),
    }
    # a reviewed 'same' keeps the link the organisation's own, with the reviewer's note
    same = parse_decisions([dec("HOWARD UNIVERSITY HOSPITAL", "HOWARD UNIVERSITY", "same")], "f", COLS)
    after = _scopes(apply_knowledge(links, "vendor_employer", left, right, same, []))
    assert after[("HOWARD UNIVERSITY HOSPITAL", "HOWARD UNIVERSITY")] == (
        "high",
        "same_organisation",
        "same by r on 2026-12-03: n",
    )
    assert {k: v for k, v in after.items() if k != ("HOWARD UNIVERSITY HOSPITAL", "HOWARD UNIVERSITY")} == {
        k: v for k, v in before.items() if k != ("HOWARD UNIVERSITY HOSPITAL", "HOWARD UNIVERSITY")
    }


def test_a_unit_needs_a_brand_link_at_least_as_strong() -> None:
    """Without the brand's own vendor the employer's one probable link stays its own."""
    left = ["DELOITTE", "GEORGETOWN UNIVERSITY HOSPITAL", "HOWARD UNIVERSITY HOSPITAL"]
    right = ["DELOITTE CONSULTING", "HOWARD UNIVERSITY"]
    out = _scopes(apply_knowledge(match_to_arrow(left, right), "vendor_employer", left, right, [], []))
    assert out == {
        ("DELOITTE", "DELOITTE CONSULTING"): ("probable", "same_organisation", None),
        ("HOWARD UNIVERSITY HOSPITAL", "HOWARD UNIVERSITY"): ("probable", "same_organisation", None),
    }


def _link(left: str, right: str, tier: str, **kw: object) -> dict[str, object]:
    row: dict[str, object] = {f.name: None for f in KNOWLEDGE_LINK_SCHEMA}
    row.update(
        left_name=left,
        right_name=right,
        match_type="fuzzy",
        tier=tier,
        tier_rank=TIERS.index(tier),
        score=90.0,
        token_sort_score=90.0,
        coverage_left=0.9,
        coverage_right=1.0,
        overlap=0.9,
        shared_tokens="",
        max_idf=1.0,
        mean_idf=1.0,
        number_mismatch=False,
        type_conflict=False,
        link_scope="same_organisation",
        matcher_tier=tier,
        relation="vendor_employer",
    )
    row.update(kw)
    return row


@pytest.mark.parametrize(
    "brand_tier, unit_extra, unit_kw, scope",
    [
        ("probable", "HOSPITAL", {}, "family"),
        ("medium", "HOSPITAL", {}, "family"),
        ("low", "HOSPITAL", {}, "same_organisation"),  # a brand link weaker than the unit's
        ("probable", "THE", {}, "same_organisation"),  # a stop word adds no identity
        ("probable", "LLC", {}, "same_organisation"),  # nor does a legal form
        ("probable", "HOSPITAL", {"alias_id": "a1"}, "same_organisation"),  # a curated alias keeps its scope
        ("probable", "HOSPITAL", {"review_decision": "same"}, "same_organisation"),
        ("probable", "HOSPITAL", {"matcher_tier": None}, "same_organisation"),  # not the matcher's link
        ("probable", "HOSPITAL", {"review_decision": "unsure"}, "family"),
    ],
)
def test_the_unit_rule_case_by_case(brand_tier: str, unit_extra: str, unit_kw: dict, scope: str) -> None:
    rows = [
        _link("HOWARD UNIVERSITY", "HOWARD", brand_tier),
        _link(f"HOWARD UNIVERSITY {unit_extra}", "HOWARD", "probable", **unit_kw),
        _link("HOWARD UNIVERSITY", "HOWARD UNIVERSITY", "high", match_type="exact"),  # another right name
    ]
    out = units_as_family(pa.Table.from_pylist(rows, schema=KNOWLEDGE_LINK_SCHEMA))
    got = {(r["left_name"], r["right_name"]): r["link_scope"] for r in out.to_pylist()}
    assert got == {
        ("HOWARD UNIVERSITY", "HOWARD"): "same_organisation",
        (f"HOWARD UNIVERSITY {unit_extra}", "HOWARD"): scope,
        ("HOWARD UNIVERSITY", "HOWARD UNIVERSITY"): "same_organisation",
    }
