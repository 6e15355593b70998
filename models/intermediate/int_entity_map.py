"""The entity map: every distinct normalised organisation name to its canonical entity
(logic: python_udfs/entities.py, entity_map).

Names are clustered with union-find over same-organisation links at tier medium or better
(exact, aggressive, near-certain fuzzy, reviewed `same` decisions, curated same-organisation
aliases) plus names of the same side that share an aggressive key (the same words in any
order: vendor spellings such as GROUP GEO / GEO GROUP). Reviewed `same` decisions merge
first; no merge ever joins two names a `not_same` decision separates. Family and ownership
links never merge entities. The canonical name of a cluster is its most used member;
entity_id = first 16 hex of sha256('entity:v1:organization:' || canonical name). Ids depend
on the names, links, decisions and row counts only, never on input order.
"""

from python_udfs.entities import entity_map


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
    decisions = dbt.ref("int_er_decisions").project("left_name_norm, right_name_norm, decision").fetch_arrow_table()
    rows = zip(*(decisions.column(i).to_pylist() for i in range(3)), strict=True)
    return entity_map(counts, matches, rows)
