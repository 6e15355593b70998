"""Name-level matches between vendors and the donor side (logic: python_udfs/matcher.py).

Works on distinct normalised names from int_org_names, once per relation:
vendor_employer (vendors x employers of individual donors) and vendor_business_donor
(vendors x organisations that gave). Thresholds come from vars.entity_resolution.
"""

import json

import pyarrow as pa

from python_udfs.matcher import MatchConfig, match_to_arrow

RELATIONS = (("vendor_employer", "employer"), ("vendor_business_donor", "business_donor"))


def _names(relation, side):
    table = relation.filter(f"side = '{side}'").project("name_norm").order("name_norm")
    return table.fetch_arrow_table().column("name_norm")


def model(dbt, session):
    dbt.config(materialized="table")
    config = MatchConfig.from_mapping(json.loads(dbt.config.get("match_settings") or "{}"))
    names = dbt.ref("int_org_names")
    vendors = _names(names, "vendor")
    parts = []
    for relation, side in RELATIONS:
        links = match_to_arrow(vendors, _names(names, side), config)
        parts.append(links.append_column("relation", pa.array([relation] * links.num_rows, pa.string())))
    return pa.concat_tables(parts)
