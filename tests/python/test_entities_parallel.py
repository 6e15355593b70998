"""The entity map per bucket of connected components (the Spark form of int_entity_map:
models/spark/int_entity_components.sql and int_entity_map.sql) gives exactly the single-process
table: python_udfs/entities.entity_map on each bucket's names, links and decisions.

The components are found here by a plain breadth-first search over the same edges the SQL
uses (same-organisation links at medium or better, `same` decisions between known names,
shared aggressive keys), independently of the SQL's label propagation; the buckets are a hash
of the component's least name. No Spark is needed: the Spark equivalence tests compare the
tables the SQL builds."""

from __future__ import annotations

import zlib
from collections import defaultdict, deque

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from python_udfs.entities import entity_map
from python_udfs.matcher import match_to_arrow
from python_udfs.names import aggressive_key, normalize_org_name
from tests.python.conftest import REPO

FIXTURES = REPO / "tests" / "fixtures" / "er"


def _names(path):
    out = (normalize_org_name(n) for n in path.read_text(encoding="utf-8").split("\n"))
    return sorted({n for n in out if n})


def _inputs():
    left, right = _names(FIXTURES / "ice_vendor_names.txt"), _names(FIXTURES / "fec_employer_names.txt")
    counts = {n: 1 + zlib.crc32(n.encode()) % 50 for n in sorted(set(left) | set(right))}
    matches = match_to_arrow(left, right).select(["left_name", "right_name", "tier"])
    pairs = list(zip(matches.column("left_name").to_pylist(), matches.column("right_name").to_pylist(), strict=True))
    # decisions: a not_same that splits a medium-or-better link, a same that joins two names
    medium = [
        p for p, t in zip(pairs, matches.column("tier").to_pylist(), strict=True) if t == "medium" and p[0] != p[1]
    ]
    decisions = [
        (medium[0][0], medium[0][1], "not_same"),
        (left[10], right[20], "same"),
        ("NOT A NAME", left[0], "same"),
    ]
    return counts, matches, decisions


def _components(counts, matches, decisions):
    graph = defaultdict(set)
    keep = pc.is_in(matches.column("tier"), value_set=pa.array(["high", "medium"]))
    m = matches.filter(keep)
    edges = list(zip(m.column("left_name").to_pylist(), m.column("right_name").to_pylist(), strict=True))
    edges += [(a, b) for a, b, d in decisions if d == "same" and a in counts and b in counts]
    by_key = defaultdict(list)
    for n in counts:
        by_key[aggressive_key(n)].append(n)
    edges += [(g[0], x) for g in by_key.values() for x in g[1:]]
    for a, b in edges:
        graph[a].add(b)
        graph[b].add(a)
    label = {}
    for start in sorted(graph):
        if start in label:
            continue
        seen, todo = {start}, deque([start])
        while todo:
            for nxt in graph[todo.popleft()] - seen:
                seen.add(nxt)
                todo.append(nxt)
        for n in seen:
            label[n] = min(seen)
    return label


@pytest.mark.parametrize("n_buckets", [1, 3, 16])
def test_buckets_of_components_give_the_single_process_entity_map(n_buckets):
    counts, matches, decisions = _inputs()
    whole = entity_map(counts, matches, decisions)
    label = _components(counts, matches, decisions)

    def bucket(name):
        return zlib.crc32(label.get(name, name).encode()) % n_buckets

    parts = []
    for b in range(n_buckets):
        names = {n: c for n, c in counts.items() if bucket(n) == b}
        keep = [bucket(n) == b for n in matches.column("left_name").to_pylist()]
        mine = [d for d in decisions if d[0] in names]
        parts.append(entity_map(names, matches.filter(pa.array(keep)), mine))
    got = pa.concat_tables(parts)
    assert sorted(got.to_pylist(), key=lambda r: r["normalized_name"]) == whole.to_pylist()
    sizes = whole.column("cluster_size").to_pylist()
    assert sum(1 for s in sizes if s > 1) > 50 and whole.num_rows == len(counts)
    # the not_same decision kept its two names apart
    a, b, _ = decisions[0]
    ids = dict(zip(whole.column("normalized_name").to_pylist(), whole.column("entity_id").to_pylist(), strict=True))
    assert ids[a] != ids[b]
