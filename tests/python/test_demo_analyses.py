"""Every analysis of the demo build against the golden ground truth: positives and negatives."""

from __future__ import annotations

from decimal import Decimal

import pytest

from python_udfs.names import normalize_org_name

pytestmark = pytest.mark.slow

PROBABLE = 3  # tier_rank of 'probable': links the analyses use


def row_index(ref: str) -> int:
    return int(ref.rsplit("#row_index=", 1)[1])


def linked_pairs(demo_run) -> set[tuple[str, str]]:
    return set(
        demo_run.query(f"select vendor_name_norm, other_name_raw from marts.cross_links where tier_rank <= {PROBABLE}")
    )


def test_positive_links(demo_run):
    pairs = linked_pairs(demo_run)
    for link in demo_run.truth["links"]["positive"]:
        assert (normalize_org_name(link["vendor"]), link["name"]) in pairs, link


def test_negative_links(demo_run):
    pairs = linked_pairs(demo_run)
    for link in demo_run.truth["links"]["negative"]:
        vendor = None if link["vendor"] == "*" else normalize_org_name(link["vendor"])
        name = None if link["name"] == "*" else link["name"]
        hits = [p for p in pairs if vendor in (None, p[0]) and name in (None, p[1])]
        assert hits == [], link


def test_linked_rows_are_exactly_the_planted_ones(demo_run):
    refs = demo_run.query(f"select distinct contribution_row_ref from marts.cross_links where tier_rank <= {PROBABLE}")
    assert sorted(row_index(r[0]) for r in refs) == demo_run.truth["links"]["linked_contribution_rows"]


def test_relations(demo_run):
    rows = demo_run.query(
        f"select distinct relation, other_name_raw from marts.cross_links where tier_rank <= {PROBABLE} "
        "and relation = 'vendor_business_donor'"
    )
    assert rows == [("vendor_business_donor", "BLUEWATER MARINE SYSTEMS, LLC")]


def test_edge_ids_are_stable_hashes(demo_run):
    rows = demo_run.query("""
        select count(*) from marts.cross_links
        where edge_id <> left(sha256('edge:v1:' || relation || ':' || vendor_entity_id || ':'
                                     || other_entity_id || ':' || contribution_row_ref), 16)""")
    assert rows == [(0,)]


def test_bundles(demo_run):
    rows = demo_run.query("""
        select recipient_id, cast(donation_date as varchar), employer_norm, n_donors,
               cast(total_amount as varchar), row_refs, linked_vendor_name_norm
        from marts.bundles order by recipient_id""")
    expected = sorted(demo_run.truth["bundles"]["positive"], key=lambda b: b["recipient"])
    assert [(r[0], r[1], r[2], r[3], r[4], sorted(row_index(x) for x in r[5]), r[6]) for r in rows] == [
        (
            b["recipient"],
            b["date"],
            b["employer_norm"],
            b["donors"],
            b["total"],
            sorted(b["rows"]),
            normalize_org_name(b["linked_vendor"]) if b["linked_vendor"] else None,
        )
        for b in expected
    ]


def test_bundle_negatives(demo_run):
    bundled = {row_index(r) for (refs,) in demo_run.query("select row_refs from marts.bundles") for r in refs}
    for negative in demo_run.truth["bundles"]["negative"]:
        assert bundled.isdisjoint(negative["rows"]), negative["why"]


def test_limit_flags(demo_run):
    rows = demo_run.query("""
        select donor_name, recipient_id, period, total_amount, excess_amount, row_refs
        from marts.limit_flags order by donor_name""")
    expected = sorted(demo_run.truth["limit_flags"]["positive"], key=lambda f: f["donor_name"])
    assert [(r[0], r[1], r[2], r[3], r[4], sorted(row_index(x) for x in r[5])) for r in rows] == [
        (f["donor_name"], f["recipient"], f["period"], Decimal(f["total"]), Decimal(f["excess"]), sorted(f["rows"]))
        for f in expected
    ]


def test_limit_negatives(demo_run):
    flagged = {row_index(r) for (refs,) in demo_run.query("select row_refs from marts.limit_flags") for r in refs}
    for negative in demo_run.truth["limit_flags"]["negative"]:
        assert flagged.isdisjoint(negative["rows"]), negative["why"]


def _timing(demo_run, vendor: str, recipient: str):
    rows = demo_run.query(
        "select status, p_value, q_value, effect_size, is_signal, evidence_kind from marts.timing_signals "
        "where vendor_name_norm = ? and recipient_id = ?",
        [normalize_org_name(vendor), recipient],
    )
    assert len(rows) == 1, (vendor, recipient)
    return rows[0]


def test_timing_positive_and_negative(demo_run):
    for pos in demo_run.truth["timing"]["positive"]:
        status, p, q, effect, signal, kind = _timing(demo_run, pos["vendor"], pos["recipient"])
        assert (status, signal, kind) == ("tested", True, "modelled")
        assert p <= pos["max_p"] and q <= pos["max_p"] * 2 and effect > 1
    for neg in demo_run.truth["timing"]["negative"]:
        status, p, q, effect, signal, kind = _timing(demo_run, neg["vendor"], neg["recipient"])
        assert (status, signal) == ("tested", False)
        assert p >= neg["min_p"]


def test_breadth(demo_run):
    ranks = dict(demo_run.query("select vendor_name_norm, n_recipients from marts.vendor_breadth"))
    for pos in demo_run.truth["breadth"]["positive"]:
        assert ranks[normalize_org_name(pos["vendor"])] >= pos["min_recipients"]
    (top,) = demo_run.query("select vendor_name_norm from marts.vendor_breadth where breadth_rank = 1")[0]
    assert top == normalize_org_name(demo_run.truth["breadth"]["positive"][0]["vendor"])
    for neg in demo_run.truth["breadth"]["negative"]:
        assert ranks.get(normalize_org_name(neg["vendor"]), 0) == neg["recipients"]


def test_red_flags(demo_run):
    """Changed with the pair-evidence definition: only rules about the vendor-recipient pair
    flag it, overlapping rows count once, vendor-level facts are context."""
    flags = {
        (v, r): rest
        for v, r, *rest in demo_run.query(
            "select vendor_name_norm, recipient_id, severity, rules_fired, n_independent_rules, "
            "non_competitive_award, broad_influence, timing_finding_id, bundle_ids, limit_flag_ids "
            "from marts.red_flags"
        )
    }
    assert len(flags) == len(demo_run.truth["red_flags"]["positive"])
    for pos in demo_run.truth["red_flags"]["positive"]:
        sev, rules, independent, non_competitive, broad, timing_id, bundle_ids, limit_ids = flags[
            (normalize_org_name(pos["vendor"]), pos["recipient"])
        ]
        assert (sev, rules, independent) == (pos["severity"], pos["rules_fired"], pos["independent_rules"])
        assert [c for c, on in (("non_competitive_award", non_competitive), ("broad_influence", broad)) if on] == pos[
            "context"
        ]
        # the ids resolve to the findings behind the rules
        assert demo_run.query("select count(*) from marts.timing_signals where finding_id = ?", [timing_id]) == [(1,)]
        assert demo_run.query("select count(*) from marts.bundles where list_contains(?, bundle_id)", [bundle_ids]) == [
            (1,)
        ]
        assert demo_run.query(
            "select count(*) from marts.limit_flags where list_contains(?, flag_id)", [limit_ids]
        ) == [(1,)]
    for neg in demo_run.truth["red_flags"]["negative"]:
        vendor = normalize_org_name(neg["vendor"])
        assert [k for k in flags if k[0] == vendor and neg["recipient"] in ("*", k[1])] == [], neg


def test_vendor_context_alone_never_flags(demo_run):
    """Pairs whose only facts are the vendor's (non-competitive awards, breadth) are evaluated and
    carry the context, but are not flagged."""
    rows = demo_run.query(
        "select recipient_id, n_linked_contributions, non_competitive_award, broad_influence, n_rules "
        "from marts.red_flag_pairs where vendor_name_norm = 'ACME ROAD BUILDERS' and not is_flagged "
        "order by recipient_id"
    )
    assert rows == [("C002", 1, True, True, 0), ("C003", 1, True, True, 0), ("C004", 1, True, True, 0)]


def test_bundle_groups_all_bundles_on_the_demo(demo_run):
    """Every demo recipient is a candidate committee of the candidates role: every same-day group
    of the demo is a bundle, none is unclassified or payroll giving."""
    assert demo_run.query("select group_status, count(*) from marts.bundle_groups group by all") == [("bundle", 2)]
    assert demo_run.query("select count(*) from marts.payroll_giving") == [(0,)]
