"""The matcher in parts (python_udfs/matcher_parallel.py, the Spark form of int_name_matches)
gives exactly the single-process matcher's links, knowledge applied.

The whole-data steps that models/spark/int_name_matches.sql does in SQL are restated here in
plain Python, independently of both (document frequencies, blocking keys and their limits,
candidate pairs, exact/aggressive/acronym pairs, the names an alias or decision touches);
the pairs are cut into buckets of right names by a hash of this test's own, and the union of
the buckets' links must equal ``match_to_arrow`` + ``apply_knowledge`` row for row. No Spark
is needed; tests/python/test_spark_equivalence.py runs the SQL itself on the demo."""

from __future__ import annotations

import json
import zlib
from collections import defaultdict

import pyarrow as pa
import pytest

from moneytrail.match_cli import load_knowledge
from python_udfs import matcher_parallel as mp
from python_udfs.er_decisions import alias_key, apply_knowledge, parse_aliases, sort_aliases
from python_udfs.matcher import match_to_arrow
from python_udfs.names import normalize_org_name
from tests.python.conftest import REPO

FIXTURES = REPO / "tests" / "fixtures" / "er"


def _norm(path):
    names = (normalize_org_name(n) for n in path.read_text(encoding="utf-8").split("\n"))
    return sorted({n for n in names if n})


def _whole(left, right, settings, decisions, aliases, relation="vendor_employer"):
    links = match_to_arrow(left, right, mp.config(settings))
    return apply_knowledge(links, relation, left, right, decisions, aliases)


def _parts(left, right, settings, decisions, aliases, n_buckets, relation="vendor_employer"):
    """The SQL's steps in plain Python, then one bucket_links call per bucket."""
    clean = {}
    for side, raw in (("L", left), ("R", right)):
        for n in raw:
            c = mp.clean_name(settings, n)
            if c is not None:
                clean.setdefault(c, set()).add(side)
    tokens = {}
    for name in clean:
        words = set(name.split(" "))
        facts = {w: mp.word_facts(settings, w) for w in words}
        has_distinct = any(k == 3 for k, _ in facts.values())
        toks = set(words) | {p for _, p in facts.values() if p is not None}
        toks |= {"#" + w for w, (k, _) in facts.items() if k == 2 and not has_distinct}
        tokens[name] = {t: (4 if t not in words else facts[t][0]) for t in toks}
    df = defaultdict(int)
    for toks in tokens.values():
        for t in toks:
            df[t] += 1
    block_df, block_pairs, acronym_df = mp.limits(settings)
    holders = defaultdict(lambda: ([], []))
    for name, toks in tokens.items():
        for t, kind in toks.items():
            if kind in (3, 4) and df[t] <= block_df:
                for i, side in enumerate("LR"):
                    if side in clean[name]:
                        holders[t][i].append(name)
    cand = set()
    for lefts, rights in holders.values():
        if lefts and rights and len(lefts) * len(rights) <= block_pairs:
            cand |= {(a, b) for a in lefts for b in rights if a != b}
    exact = {(n, n) for n, s in clean.items() if s == {"L", "R"}}
    aggressive = set()
    for key in (lambda n: " ".join(sorted(set(n.split(" ")))), lambda n: n.replace(" ", "")):
        by = defaultdict(lambda: ([], []))
        for n, s in clean.items():
            for i, side in enumerate("LR"):
                if side in s:
                    by[key(n)][i].append(n)
        aggressive |= {(a, b) for lefts, rights in by.values() for a in lefts for b in rights if a != b}
    spelled = defaultdict(list)
    for n in clean:
        initials, _ = mp.acronym_facts(settings, n)
        if initials is not None:
            spelled[initials].append(n)
    acronyms = set()
    for n, s in clean.items():
        if mp.acronym_facts(settings, n)[1] and df[n] <= acronym_df and len(spelled.get(n, [])) == 1:
            (full,) = spelled[n]
            acronyms |= {(n, full)} if "L" in s and "R" in clean[full] else set()
            acronyms |= {(full, n)} if "R" in s and "L" in clean[full] else set()
    pairs = [(a, b, mp.EXACT) for a, b in exact] + [(a, b, mp.AGGRESSIVE) for a, b in aggressive]
    pairs += [(a, b, mp.CANDIDATE) for a, b in cand - exact - aggressive] + [(a, b, mp.ACRONYM) for a, b in acronyms]

    def bucket(name):
        return zlib.crc32(name.encode()) % n_buckets

    keys = {alias_key(a.name_norm) for a in aliases} | {alias_key(a.alias_of_norm) for a in aliases}
    named = {d.left_norm for d in decisions} | {d.right_norm for d in decisions}
    known_right = defaultdict(set)
    for n in right:
        if n and (alias_key(n) in keys or n in named):
            known_right[bucket(n)].add(n)
    by_bucket = defaultdict(list)
    for p in pairs:
        by_bucket[bucket(p[1])].append(p)
    parts = []
    for b in sorted(set(by_bucket) | set(known_right)):
        right_keys = {alias_key(n) for n in known_right[b]}
        b_aliases = [a for a in aliases if {alias_key(a.name_norm), alias_key(a.alias_of_norm)} & right_keys]
        b_decisions = [d for d in decisions if {d.left_norm, d.right_norm} & known_right[b]]
        reach = {alias_key(a.name_norm) for a in b_aliases} | {alias_key(a.alias_of_norm) for a in b_aliases}
        reach_names = {d.left_norm for d in b_decisions} | {d.right_norm for d in b_decisions}
        left_known = [n for n in left if n and (alias_key(n) in reach or n in reach_names)]
        names = {p[0] for p in by_bucket[b]} | {p[1] for p in by_bucket[b]}
        b_df = {t: df[t] for n in names for t in tokens[n]}
        parts.append(
            mp.bucket_links(
                settings,
                relation,
                len(clean),
                by_bucket[b],
                b_df,
                left_known,
                sorted(known_right[b]),
                b_decisions,
                b_aliases,
            )
        )
    return pa.concat_tables(parts) if parts else None


def _rows(table):
    return sorted(table.to_pylist(), key=lambda r: (r["right_name"], r["left_name"]))


@pytest.mark.slow
def test_buckets_give_the_single_process_links_on_real_names_with_the_shipped_knowledge():
    left, right = _norm(FIXTURES / "ice_vendor_names.txt"), _norm(FIXTURES / "fec_employer_names.txt")
    know = load_knowledge()
    decisions = sorted(know.decisions, key=lambda d: d.decision_id)
    aliases = list(know.aliases)
    settings = json.dumps({})
    whole = _whole(left, right, settings, decisions, aliases)
    for n_buckets in (1, 7):
        got = _parts(left, right, settings, decisions, aliases, n_buckets)
        assert got is not None
        assert _rows(got) == _rows(whole)
    assert whole.num_rows > 800
    kinds = set(whole.column("match_type").to_pylist())
    assert {"exact", "aggressive", "fuzzy", "token_overlap", "acronym"} <= kinds, kinds


def test_buckets_apply_aliases_and_decisions_whatever_bucket_holds_the_name():
    left = ["CORECIVIC", "GEO GROUP", "DELOITTE CONSULTING", "PROTECTIVE PRODUCTS ENTERPRISES"]
    right = ["CORRECTIONS CORP OF AMERICA", "CORNELL COMPANIES", "DELOITTE TAX", "PROTECTIVE LIFE"]
    know = load_knowledge()
    decisions = sorted(know.decisions, key=lambda d: d.decision_id)
    extra = parse_aliases(
        [
            {
                "name": "GEO GROUP",
                "alias_of": "CORNELL COMPANIES",
                "relation_kind": "subsidiary_of",
                "note": "n",
                "source": "https://example.org/x",
                "reviewer": "r",
                "decided_on": "2026-01-01",
            }
        ],
        "file:a.csv",
        ["name", "alias_of", "relation_kind", "note", "source", "reviewer", "decided_on"],
    )
    aliases = sort_aliases([*know.aliases, *extra])
    whole = _whole(left, right, "{}", decisions, aliases)
    for n_buckets in (1, 2, 3, 5):
        assert _rows(_parts(left, right, "{}", decisions, aliases, n_buckets)) == _rows(whole)
    pairs = {(r["left_name"], r["right_name"]): r for r in whole.to_pylist()}
    assert pairs[("CORECIVIC", "CORRECTIONS CORP OF AMERICA")]["tier"] == "high"
    assert pairs[("DELOITTE CONSULTING", "DELOITTE TAX")]["review_decision"] == "not_same"


def test_settings_change_the_parts_as_they_change_the_whole():
    left, right = _norm(FIXTURES / "ice_vendor_names.txt")[:600], _norm(FIXTURES / "fec_employer_names.txt")[:1500]
    settings = json.dumps({"per_right": "all", "prefix_len": 0, "block_max_df": 30, "acronyms": False})
    whole = _whole(left, right, settings, [], [])
    assert _rows(_parts(left, right, settings, [], [], 4)) == _rows(whole)
    assert whole.num_rows != _whole(left, right, "{}", [], []).num_rows


def test_word_statistics_must_cover_every_word_of_the_scored_names():
    expected = r"^matcher: no document frequency for 1 word\(s\) or key\(s\) of these names, e\.g\. 'ACME'; "
    with pytest.raises(ValueError, match=expected):
        mp.score_pairs("{}", [("ACME", "ACME", mp.EXACT)], {"~X": 1}, 10)


def test_bad_settings_are_refused_naming_the_var():
    with pytest.raises(Exception, match=r"vars\.entity_resolution\.per_right"):
        mp.config(json.dumps({"per_right": "some"}))


def test_name_and_word_facts():
    assert mp.clean_name("{}", "  ACME   TOOLS ") == "ACME TOOLS"
    assert mp.clean_name("{}", "SELF EMPLOYED") is None
    assert mp.word_facts("{}", "CONSULTING")[0] == 2
    assert mp.word_facts("{}", "PALANTIR") == (3, "~PALAN")
    assert mp.word_facts("{}", "OF") == (0, None)
    assert mp.acronym_facts("{}", "SCIENCE APPLICATIONS INTERNATIONAL CORP") == ("SAI", False)
    assert mp.acronym_facts("{}", "SAIC") == (None, True)
