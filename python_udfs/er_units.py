"""Rule 5 of python_udfs/er_decisions.py: a unit of a linked brand is a family link.

When one donor-side name links to two vendors and one vendor's name is the other's plus words
the donor-side name does not have (HOWARD UNIVERSITY links to HOWARD UNIVERSITY and to HOWARD
UNIVERSITY HOSPITAL), the matcher's link to the longer name gets scope ``family``: its gifts
count once, under the brand the donor wrote, unless ``vars.er_link_scopes`` opts in."""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from python_udfs.matcher_config import TIERS
from python_udfs.matcher_words import DEFAULT_STOP_WORDS

#: legal forms: no identity of their own (er_decisions.alias_key ignores them too)
LEGAL_WORDS = frozenset("CO COMPANY CORP CORPORATION INC INCORPORATED LIMITED LTD LLC LLP LP".split())

#: The note a link re-scoped by the unit rule carries ({unit}: the longer vendor name, {brand}:
#: the vendor name it extends, {extra}: the words it adds).
UNIT_RULE = (
    "unit of a linked brand: this name also links to {brand}, which {unit} extends by {extra} "
    "(words this name does not have); counted under {brand} only, unless vars.er_link_scopes "
    "includes family"
)
#: The note of a matcher ``unit`` link (python_udfs/matcher_units.py).
UNIT_LINK = (
    "unit: {long} is {short} plus {extra}, a body and its unit; scope family, counted only if "
    "vars.er_link_scopes includes family"
)
_NOT_IDENTITY = LEGAL_WORDS | frozenset(DEFAULT_STOP_WORDS)
_PROBABLE = TIERS.index("probable")


def unit_link_note(left: str, right: str) -> str:
    """The note of a ``unit`` link between two names, one the other plus words after it."""
    short, long = sorted((left, right), key=lambda n: (n.count(" "), n))
    return UNIT_LINK.format(long=long, short=short, extra=long[len(short) :].strip())


def units_as_family(links: pa.Table) -> pa.Table:
    """Rule 5 of er_decisions' docstring: re-scope the matcher's links to units of a linked brand.

    Only right names with two or more same-organisation links at probable or better can have
    one; those few rows go through Python, the rest stays Arrow. A unit link needs a brand
    link at least as strong (tier) from the same right name; the unit's extra words (beyond
    legal forms and stop words) must all be missing from the right name, so an employer that
    writes DELOITTE CONSULTING keeps its link to the vendor DELOITTE CONSULTING."""
    same = pc.and_(
        pc.equal(links.column("link_scope"), "same_organisation"),
        pc.less_equal(links.column("tier_rank"), _PROBABLE),
    )
    rights = links.filter(same).column("right_name")
    counts = pc.value_counts(rights)
    multi = [v["values"] for v in counts.to_pylist() if v["counts"] > 1]
    if not multi:
        return links
    in_multi = pc.and_(same, pc.is_in(links.column("right_name"), value_set=pa.array(multi, pa.string())))
    rest = links.filter(pc.invert(pc.fill_null(in_multi, False)))
    groups: dict[str, list[dict[str, Any]]] = {}
    for row in links.filter(in_multi).to_pylist():
        groups.setdefault(row["right_name"], []).append(row)
    for right, rows in groups.items():
        right_words = set(right.split(" "))
        words = {r["left_name"]: set(r["left_name"].split(" ")) for r in rows}
        for unit in rows:
            if unit["matcher_tier"] is None or unit["alias_id"] is not None or unit["review_decision"] == "same":
                continue
            for brand in sorted(rows, key=lambda r: (r["tier_rank"], r["left_name"])):
                extra = words[unit["left_name"]] - words[brand["left_name"]] - _NOT_IDENTITY
                if (
                    brand is unit
                    or brand["tier_rank"] > unit["tier_rank"]
                    or not words[brand["left_name"]] < words[unit["left_name"]]
                    or not extra
                    or extra & right_words
                ):
                    continue
                unit["link_scope"] = "family"
                note = UNIT_RULE.format(brand=brand["left_name"], unit=unit["left_name"], extra=" ".join(sorted(extra)))
                unit["knowledge_note"] = note if unit["knowledge_note"] is None else f"{unit['knowledge_note']}; {note}"
                break
    moved = pa.Table.from_pylist([r for rows in groups.values() for r in rows], schema=links.schema)
    return pa.concat_tables([rest, moved])
