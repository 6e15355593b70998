"""Name-level matches between vendors and the donor side (logic: python_udfs/matcher.py and
python_udfs/er_decisions.py).

Works on distinct normalised names from int_org_names, once per relation:
vendor_employer (vendors x employers of individual donors) and vendor_business_donor
(vendors x organisations that gave). Settings come from vars.entity_resolution (every key
validated, unknown keys refused). Reviewed decisions (int_er_decisions) and aliases
(int_er_aliases) are applied on top: not_same > same > alias > matcher. Pairs a not_same
decision covers stay here with review_decision = 'not_same' (so the effect can be counted);
int_name_links drops them.
"""

import json

import pyarrow as pa

from python_udfs.er_decisions import aliases_from_arrow, apply_knowledge, decisions_from_arrow
from python_udfs.matcher import MatchConfig, match_to_arrow

RELATIONS = (("vendor_employer", "employer"), ("vendor_business_donor", "business_donor"))


def _names(relation, side):
    table = relation.filter(f"side = '{side}'").project("name_norm").order("name_norm")
    return table.fetch_arrow_table().column("name_norm")


def model(dbt, session):
    dbt.config(materialized="table")
    # its own statement: dbt only sees dbt.config.get calls that are not nested in expressions
    settings = dbt.config.get("match_settings")
    config = MatchConfig.from_mapping(json.loads(settings or "{}"), where="vars.entity_resolution")
    # apply_knowledge puts them in their order whatever order the tables are read in
    decisions = decisions_from_arrow(dbt.ref("int_er_decisions").fetch_arrow_table())
    aliases = aliases_from_arrow(dbt.ref("int_er_aliases").fetch_arrow_table())
    names = dbt.ref("int_org_names")
    vendors = _names(names, "vendor")
    parts = []
    for relation, side in RELATIONS:
        others = _names(names, side)
        links = match_to_arrow(vendors, others, config)
        parts.append(apply_knowledge(links, relation, vendors.to_pylist(), others.to_pylist(), decisions, aliases))
    return pa.concat_tables(parts)
