"""The entity map: every distinct normalised organisation name to its canonical entity
(logic: python_udfs/entities.py).

Names are clustered with union-find over same-organisation links at tier medium or better
(exact, aggressive, near-certain fuzzy, reviewed `same` decisions, curated same-organisation
aliases) plus names of the same side that share an aggressive key (the same words in any
order: vendor spellings such as GROUP GEO / GEO GROUP). Reviewed `same` decisions merge
first; no merge ever joins two names a `not_same` decision separates. Family and ownership
links never merge entities. The canonical name of a cluster is its most used member;
entity_id = first 16 hex of sha256('entity:v1:organization:' || canonical name). Ids depend
on the names, links, decisions and row counts only, never on input order.
"""

import pyarrow as pa

from python_udfs.entities import canonical_entities, entities_to_arrow
from python_udfs.names import aggressive_key


def _same_key_links(names):
    """Chain the names of each aggressive-key group with medium-tier links."""
    groups = {}
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


def model(dbt, session):
    dbt.config(materialized="table")
    counts_table = dbt.ref("int_org_names").aggregate("name_norm, sum(n_rows)::bigint as n_rows").fetch_arrow_table()
    names = counts_table.column("name_norm").to_pylist()
    counts = dict(zip(names, counts_table.column("n_rows").to_pylist(), strict=False))
    matches = (
        dbt.ref("int_name_matches")
        .filter("link_scope = 'same_organisation' and review_decision is distinct from 'not_same'")
        .project("left_name, right_name, tier")
        .fetch_arrow_table()
    )
    links = pa.concat_tables([matches, _same_key_links(names)])
    known = set(names)
    decisions = dbt.ref("int_er_decisions").project("left_name_norm, right_name_norm, decision").fetch_arrow_table()
    must, cannot = [], []
    for a, b, d in zip(*(decisions.column(i).to_pylist() for i in range(3)), strict=True):
        if a in known and b in known:
            (must if d == "same" else cannot if d == "not_same" else []).append((a, b))
    members = canonical_entities(links, names=names, counts=counts, must_link=must, cannot_link=cannot)
    return entities_to_arrow(members)
