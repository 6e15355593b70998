"""Stable entity ids and canonical entities built from matcher links.

``entity_id`` follows DESIGN section 2: the first 16 hex digits of
sha256("entity:v1:" + entity_type + ":" + normalised_name). DuckDB computes the same value
with ``substr(sha256('entity:v1:' || entity_type || ':' || name), 1, 16)``.

``canonical_entities`` clusters names with union-find over links at ``min_tier`` or better
(default ``medium``: exact, aggressive and near-certain fuzzy links, so a chain of merely
probable links never fuses two firms). Each cluster's canonical name is its most frequent
member when counts are given, else -- and on ties -- the shortest, then the alphabetically
first. The entity id is ``entity_id(entity_type, canonical_name)``. The result depends only
on the set of names and links, never on their order.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import pyarrow as pa

from python_udfs.matcher import TIERS, Link, tier_at_least

ENTITY_SCHEMA = pa.schema(
    [
        ("normalized_name", pa.string()),
        ("entity_id", pa.string()),
        ("canonical_name", pa.string()),
        ("cluster_size", pa.int64()),
    ]
)


def entity_id(entity_type: str, normalized_name: str) -> str:
    """First 16 hex digits of sha256("entity:v1:<entity_type>:<normalized_name>")."""
    if not entity_type or ":" in entity_type:
        raise ValueError(f"entity_type must be non-empty and contain no ':', got {entity_type!r}")
    if not normalized_name:
        raise ValueError("normalized_name must be a non-empty normalised name")
    payload = f"entity:v1:{entity_type}:{normalized_name}".encode()
    return hashlib.sha256(payload).hexdigest()[:16]


@dataclass(frozen=True)
class EntityMember:
    """One name's place in the entity map."""

    normalized_name: str
    entity_id: str
    canonical_name: str
    cluster_size: int


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict[str, str] = {}
        self.members: dict[str, list[str]] = {}

    def add(self, x: str) -> None:
        self.parent.setdefault(x, x)

    def find(self, x: str) -> str:
        root = x
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[x] != root:
            self.parent[x], x = root, self.parent[x]
        return root

    def union(self, a: str, b: str, cannot: Mapping[str, set[str]] | None = None) -> bool:
        """Merge the clusters of ``a`` and ``b`` unless that would put a ``cannot`` pair in one
        cluster; True when they are (now) together."""
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return True
        if cannot:
            ma, mb = self.members.get(ra, [ra]), self.members.get(rb, [rb])
            if len(ma) > len(mb):
                ma, mb = mb, ma
            others = set(mb)
            if any(p in others for x in ma for p in cannot.get(x, ())):
                return False
        # the smaller root wins, so the structure does not depend on link order
        lo, hi = sorted((ra, rb))
        self.parent[hi] = lo
        self.members[lo] = self.members.pop(lo, [lo]) + self.members.pop(hi, [hi])
        return True


def _link_pairs(links: Iterable[Link] | pa.Table, min_tier: str) -> list[tuple[str, str]]:
    rows: Iterable[tuple[str, str, str]]
    if isinstance(links, pa.Table):
        rows = zip(
            links.column("left_name").to_pylist(),
            links.column("right_name").to_pylist(),
            links.column("tier").to_pylist(),
            strict=False,
        )
    else:
        rows = ((k.left, k.right, k.tier) for k in links)
    ranked = sorted((TIERS.index(t), a, b) for a, b, t in rows if tier_at_least(t, min_tier))
    return [(a, b) for _, a, b in ranked]


def canonical_entities(
    links: Iterable[Link] | pa.Table,
    names: Iterable[str] = (),
    counts: Mapping[str, int] | None = None,
    entity_type: str = "organization",
    min_tier: str = "medium",
    must_link: Iterable[tuple[str, str]] = (),
    cannot_link: Iterable[tuple[str, str]] = (),
) -> list[EntityMember]:
    """Entity membership of every name in ``names`` or in a link at ``min_tier`` or better,
    sorted by name. ``counts`` (name -> rows) picks the canonical name of a cluster.

    Reviewed decisions: ``must_link`` pairs (``same``) are merged first, then links best tier
    first; no merge ever puts a ``cannot_link`` pair (``not_same``) into one cluster, not even
    through a chain of other links (the merge that would do it is skipped)."""
    if min_tier not in TIERS:
        raise ValueError(f"min_tier must be one of {', '.join(TIERS)}, got {min_tier!r}")
    counts = counts or {}
    uf = _UnionFind()
    for n in sorted(set(names)):
        if n:
            uf.add(n)
    cannot: dict[str, set[str]] = {}
    for a, b in cannot_link:
        if a != b:
            cannot.setdefault(a, set()).add(b)
            cannot.setdefault(b, set()).add(a)
    for a, b in sorted(must_link) + _link_pairs(links, min_tier):
        uf.add(a)
        uf.add(b)
        uf.union(a, b, cannot)
    clusters: dict[str, list[str]] = {}
    for n in sorted(uf.parent):
        clusters.setdefault(uf.find(n), []).append(n)
    out: list[EntityMember] = []
    for members in clusters.values():
        canonical = min(members, key=lambda m: (-counts.get(m, 0), len(m), m))
        eid = entity_id(entity_type, canonical)
        out.extend(EntityMember(m, eid, canonical, len(members)) for m in members)
    out.sort(key=lambda e: e.normalized_name)
    return out


def entities_to_arrow(members: Iterable[EntityMember]) -> pa.Table:
    """Arrow table with the ``ENTITY_SCHEMA`` columns."""
    ms = list(members)
    return pa.table(
        {
            "normalized_name": [m.normalized_name for m in ms],
            "entity_id": [m.entity_id for m in ms],
            "canonical_name": [m.canonical_name for m in ms],
            "cluster_size": [m.cluster_size for m in ms],
        },
        schema=ENTITY_SCHEMA,
    )


def same_key_links(names: Iterable[str]) -> pa.Table:
    """Chain the names of each aggressive-key group (the same words in any order) with
    medium-tier links: spellings of one vendor such as GROUP GEO / GEO GROUP."""
    from python_udfs.names import aggressive_key

    groups: dict[str | None, list[str]] = {}
    for name in sorted(names):
        groups.setdefault(aggressive_key(name), []).append(name)
    left, right = [], []
    for members in groups.values():
        for a, b in zip(members, members[1:], strict=False):
            left.append(a)
            right.append(b)
    return pa.table(
        {"left_name": left, "right_name": right, "tier": ["medium"] * len(left)},
        schema=pa.schema([("left_name", pa.string()), ("right_name", pa.string()), ("tier", pa.string())]),
    )


def entity_map(
    counts: Mapping[str, int],
    matches: pa.Table,
    decisions: Iterable[tuple[str, str, str]],
) -> pa.Table:
    """int_entity_map's rows (models/intermediate/int_entity_map.py): ``counts`` is every name
    with its rows, ``matches`` the same-organisation links not decided not_same (left_name,
    right_name, tier), ``decisions`` (left name, right name, decision) of int_er_decisions.
    Clusters are found per connected component, so a part of the names that holds whole
    components (the Spark build's buckets) gets exactly its rows of the whole table."""
    names = list(counts)
    links = pa.concat_tables([matches.select(["left_name", "right_name", "tier"]), same_key_links(names)])
    known = set(names)
    must: list[tuple[str, str]] = []
    cannot: list[tuple[str, str]] = []
    for a, b, d in decisions:
        if a in known and b in known:
            (must if d == "same" else cannot if d == "not_same" else []).append((a, b))
    members = canonical_entities(links, names=names, counts=counts, must_link=must, cannot_link=cannot)
    return entities_to_arrow(members)
