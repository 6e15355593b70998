"""Unit links and separate bodies (python_udfs/matcher_units.py): a body and one of its units
is a ``unit`` link at ``probable`` with scope ``family``; a name that adds a credit union or a
foundation to another is another organisation, capped at ``low``."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest

from python_udfs.er_decisions import apply_knowledge, parse_aliases, parse_decisions
from python_udfs.er_units import unit_link_note
from python_udfs.matcher import MatchConfig, match_to_arrow
from python_udfs.matcher_units import adds_separate_body, coined_brand, common_name_words
from python_udfs.matcher_words import _DISTINCT, _GENERIC, _PLACE
from python_udfs.names import normalize_org_name

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "er"

# (left, right, tier and match type with the rules, tier and match type without them, why)
CASES = [
    (
        "MAYO CLINIC HEALTH SYSTEM SOUTHEAST MINNESOTA REGION",
        "MAYO CLINIC",
        ("probable", "unit"),
        ("low", "token_overlap"),
        "a regional unit: the direction and place words are the unit's",
    ),
    ("MAYO CLINIC", "MAYO CLINIC COLLEGE OF MEDICINE", ("probable", "unit"), ("low", "token_overlap"), "either side"),
    (
        "JOHNS HOPKINS UNIVERSITY APPLIED PHYSICS LABORATORY",
        "JOHNS HOPKINS UNIVERSITY",
        ("probable", "unit"),
        ("low", "token_overlap"),
        "a laboratory of the university",
    ),
    (
        "AMERICAN RED CROSS NATIONAL CAPITAL CHAPTER",
        "AMERICAN RED CROSS",
        ("probable", "unit"),
        ("low", "token_overlap"),
        "a chapter",
    ),
    (
        "ARAMARK CORRECTIONAL SERVICES",
        "ARAMARK",
        ("probable", "unit"),
        ("low", "token_overlap"),
        "a coined one-word brand",
    ),
    ("CISCO EAGLE", "CISCO", ("low", "token_overlap"), ("low", "token_overlap"), "a common English word"),
    (
        "MASON TILLMAN ASSOCIATES",
        "MASON",
        ("low", "token_overlap"),
        ("low", "token_overlap"),
        "a common surname",
    ),
    ("TCS INTERPRETING", "TCS", ("low", "token_overlap"), ("low", "token_overlap"), "three letters: another acronym"),
    (
        "JOHNS HOPKINS HOSPITAL",
        "JOHNS HOPKINS BAYVIEW MEDICAL CENTER",
        ("low", "token_overlap"),
        ("low", "token_overlap"),
        "sister units: neither name is the other's first words",
    ),
    (
        "J ALLEN AND ASSOCIATES ATLANTA",
        "ALLEN AND ASSOCIATES",
        ("low", "token_overlap"),
        ("low", "token_overlap"),
        "not the first words, and an initial without a partner",
    ),
    (
        "DELTA AIR LINES FEDERAL CREDIT UNION",
        "DELTA AIR LINES",
        ("low", "token_overlap"),
        ("probable", "fuzzy"),
        "a credit union is a separate body",
    ),
    (
        "KAISER PERMANENTE FOUNDATION",
        "KAISER PERMANENTE",
        ("low", "token_overlap"),
        ("probable", "fuzzy"),
        "a foundation is a separate body",
    ),
    (
        "ST LOUIS COUNTY",
        "ST LOUIS",
        ("low", "token_overlap"),
        ("low", "token_overlap"),
        "another level of government, not a unit",
    ),
    (
        "CITY OF SOMERVILLE PUBLIC SCHOOLS",
        "CITY OF SOMERVILLE",
        ("low", "token_overlap"),
        ("low", "token_overlap"),
        "a school district, another kind of public body",
    ),
    (
        "JOHNS HOPKINS UNIVERSITY SCHOOL OF NURSING",
        "JOHNS HOPKINS UNIVERSITY",
        ("probable", "unit"),
        ("low", "token_overlap"),
        "inside a university a school is its unit",
    ),
    (
        "UNION PACIFIC CREDIT UNION",
        "UNION PACIFIC",
        ("low", "token_overlap"),
        ("low", "token_overlap"),
        "a credit union added after a brand that has CREDIT or UNION of its own",
    ),
    ("ZYXCORP 2 3", "ZYXCORP 2", ("low", "token_overlap"), ("low", "token_overlap"), "a prefix, but numbers disagree"),
    (
        "ZYLOTEK SYSTEMS J SMITH",
        "ZYLOTEK SYSTEMS",
        ("low", "token_overlap"),
        ("low", "token_overlap"),
        "a prefix, but an initial without a partner",
    ),
    ("MURPHYS TOWING", "MURPHYS", ("low", "token_overlap"), ("low", "token_overlap"), "a surname's possessive"),
    (
        "TEAMSTERS LOCAL 25 HEALTH",
        "TEAMSTERS LOCAL 122",
        ("low", "token_overlap"),
        ("low", "token_overlap"),
        "numbers disagree",
    ),
]


def _names(name: str) -> list[str]:
    raw = (FIXTURES / name).read_text(encoding="utf-8").split("\n")[:-1]
    return sorted({n for n in (normalize_org_name(x) for x in raw) if n})


@pytest.fixture(scope="module")
def corpus() -> tuple[list[str], list[str]]:
    """The cases among real names (the ICE vendors and FEC employers of the fixtures), so word
    weights and blocking are those of real data."""
    left = sorted(set(_names("ice_vendor_names.txt")) | {c[0] for c in CASES})
    right = sorted(set(_names("fec_employer_names.txt")) | {c[1] for c in CASES})
    return left, right


def _tiers(corpus: tuple[list[str], list[str]], cfg: MatchConfig) -> dict[tuple[str, str], tuple[str, str]]:
    rows = match_to_arrow(*corpus, cfg).to_pylist()
    return {(r["left_name"], r["right_name"]): (r["tier"], r["match_type"]) for r in rows}


def test_units_and_separate_bodies_case_by_case(corpus: tuple[list[str], list[str]]) -> None:
    on = _tiers(corpus, MatchConfig(per_right="all"))
    off = _tiers(corpus, MatchConfig(per_right="all", unit_links=False, separate_body_low=False))
    # the coined-brand part alone
    coined_off = _tiers(corpus, MatchConfig(per_right="all", unit_coined_brands=False))
    assert coined_off[("ARAMARK CORRECTIONAL SERVICES", "ARAMARK")] == ("low", "token_overlap")
    assert coined_off[("MAYO CLINIC", "MAYO CLINIC COLLEGE OF MEDICINE")] == ("probable", "unit")
    assert {(c[0], c[1]): (on.get((c[0], c[1])), c[4]) for c in CASES} == {(c[0], c[1]): (c[2], c[4]) for c in CASES}
    assert {(c[0], c[1]): (off.get((c[0], c[1])), c[4]) for c in CASES} == {(c[0], c[1]): (c[3], c[4]) for c in CASES}


@pytest.mark.parametrize(
    ("short", "long", "separate"),
    [
        ("DELTA AIR LINES", "DELTA AIR LINES FEDERAL CREDIT UNION", True),
        ("SOUTHWEST AIRLINES", "SOUTHWEST AIRLINES FCU", True),
        ("PEPSICO", "PEPSICO FOUNDATION", True),
        ("HARVARD", "HARVARD ALUMNI", True),
        ("UNION PACIFIC", "UNION PACIFIC CREDIT UNION", True),  # the added words hold CREDIT UNION
        ("CREDIT ACCEPTANCE", "CREDIT ACCEPTANCE CREDIT UNION", True),
        ("CREDIT SUISSE", "CREDIT SUISSE UNION", False),  # CREDIT is the brand's own word
        ("UNION PACIFIC", "UNION PACIFIC CREDIT", False),
        ("KAISER HOSPITALS", "KAISER FOUNDATION HOSPITALS", False),  # not the other's words, then more
        ("GATES FOUNDATION", "BILL AND MELINDA GATES FOUNDATION", False),
        ("PEPSICO FOUNDATION", "COCA COLA FOUNDATION", False),
    ],
)
def test_adds_separate_body(short: str, long: str, separate: bool) -> None:
    assert adds_separate_body(short.split(), long.split()) is separate


def test_unit_links_rank_after_the_names_own_spellings(corpus: tuple[list[str], list[str]]) -> None:
    """A body with many unit vendors: with max_links_per_right=5 (the default) its own spelling
    (a same-organisation link at the same tier) is kept before the units."""
    units = [f"JOHNS HOPKINS UNIVERSITY {w}" for w in ("ALPHA LAB", "BETA LAB", "DELTA LAB", "GAMMA LAB", "KAPPA LAB")]
    left = sorted(set(corpus[0]) | {"JOHNS HOPKINS UNIV", *units})
    rows = match_to_arrow(left, sorted(set(corpus[1]) | {"JOHNS HOPKINS UNIVERSITY"})).to_pylist()
    got = [(r["left_name"], r["match_type"]) for r in rows if r["right_name"] == "JOHNS HOPKINS UNIVERSITY"]
    assert ("JOHNS HOPKINS UNIV", "fuzzy") in got
    assert len(got) == 5 and sum(1 for _, t in got if t == "unit") == 3


def _scoped(links: pa.Table) -> dict[tuple[str, str], tuple[str, str, str, str | None]]:
    return {
        (r["left_name"], r["right_name"]): (r["tier"], r["match_type"], r["link_scope"], r["knowledge_note"])
        for r in links.to_pylist()
    }


def test_a_unit_link_is_family_until_a_person_or_an_alias_says_more(corpus: tuple[list[str], list[str]]) -> None:
    left, right = corpus
    pair = ("JOHNS HOPKINS UNIVERSITY APPLIED PHYSICS LABORATORY", "JOHNS HOPKINS UNIVERSITY")
    links = match_to_arrow(left, right)
    note = (
        "unit: JOHNS HOPKINS UNIVERSITY APPLIED PHYSICS LABORATORY is JOHNS HOPKINS UNIVERSITY plus APPLIED "
        "PHYSICS LABORATORY, a body and its unit; scope family, counted only if vars.er_link_scopes includes family"
    )
    assert unit_link_note(*pair) == note
    plain = _scoped(apply_knowledge(links, "vendor_employer", left, right, [], []))
    assert plain[pair] == ("probable", "unit", "family", note)
    cols = ("left_name", "right_name", "decision", "note", "reviewer", "decided_on")
    decided = {"left_name": pair[0], "right_name": pair[1], "note": "n", "reviewer": "r", "decided_on": "2026-12-05"}
    same = parse_decisions([{**decided, "decision": "same"}], "f", cols)
    assert _scoped(apply_knowledge(links, "vendor_employer", left, right, same, []))[pair] == (
        "high",
        "reviewed",
        "same_organisation",
        "same by r on 2026-12-05: n",
    )
    unsure = parse_decisions([{**decided, "decision": "unsure"}], "f", cols)
    assert _scoped(apply_knowledge(links, "vendor_employer", left, right, unsure, []))[pair] == (
        "probable",
        "unit",
        "family",
        f"{note}; unsure by r on 2026-12-05: n",
    )
    not_same = parse_decisions([{**decided, "decision": "not_same"}], "f", cols)
    out = apply_knowledge(links, "vendor_employer", left, right, not_same, []).to_pylist()
    assert [r["review_decision"] for r in out if (r["left_name"], r["right_name"]) == pair] == ["not_same"]
    alias = {"name": pair[0], "alias_of": pair[1], "relation_kind": "abbreviation", "note": "APL", "source": "s"}
    aliases = parse_aliases([alias], "f", ("name", "alias_of", "relation_kind", "note", "source"))
    assert _scoped(apply_knowledge(links, "vendor_employer", left, right, [], aliases))[pair] == (
        "high",
        "alias",
        "same_organisation",
        "abbreviation: APL [s]",
    )


def test_common_name_words_file() -> None:
    """python_udfs/data/common_name_words.csv: sorted, unique upper-case ASCII words, each with
    one of the sources its README describes."""
    path = Path(__file__).resolve().parents[2] / "python_udfs" / "data" / "common_name_words.csv"
    lines = path.read_text(encoding="ascii").splitlines()
    assert lines[0] == "word,source"
    rows = [line.split(",") for line in lines[1:]]
    words = [w for w, _ in rows]
    assert words == sorted(set(words))
    assert all(w.isalpha() and w.isupper() for w in words)
    counts = {src: sum(1 for _, s in rows if s == src) for src in ("wordfreq", "census", "wordfreq+census")}
    assert counts == {"wordfreq": 26164, "census": 2826, "wordfreq+census": 2174}
    assert len(rows) == sum(counts.values()) == len(common_name_words())


@pytest.mark.parametrize(
    ("word", "kind", "wclass", "coined"),
    [
        ("GENSLER", _DISTINCT, 0, True),
        ("MEDSTAR", _DISTINCT, 0, True),
        ("SALEM", _DISTINCT, 0, False),  # a common English word (and place)
        ("MASON", _DISTINCT, 0, False),  # a common surname
        ("CATALYST", _DISTINCT, 0, False),  # a common word
        ("HMF", _DISTINCT, 0, False),  # three letters
        ("ACME3", _DISTINCT, 0, False),  # not only letters
        ("GENSLER", _GENERIC, 0, False),  # a generic word of the matcher's lists
        ("GENSLER", _DISTINCT, _PLACE, False),  # a place word
        ("MURPHYS", _DISTINCT, 0, False),  # MURPHY'S: a common surname with an S
    ],
)
def test_coined_brand(word: str, kind: int, wclass: int, coined: bool) -> None:
    assert coined_brand(word, kind, wclass) is coined
