"""Aliases (logic: python_udfs/er_decisions.py): seeds/er_aliases.csv, the user CSV named by
vars.er_aliases_file, and what the contract data says itself: each vendor's parent name
(role_map.contracts.columns.parent_vendor_name) as an ownership alias and its
doing-business-as name (role_map.contracts.columns.dba_name) as a same-organisation alias."""

import pyarrow as pa

from python_udfs.er_decisions import (
    DATA_ALIAS_FIELDS,
    aliases_to_arrow,
    data_aliases,
    parse_aliases,
    sort_aliases,
)
from python_udfs.er_files import read_csv_file


def model(dbt, session):
    dbt.config(materialized="table")
    user_file = dbt.config.get("aliases_file")
    seed = dbt.ref("er_aliases").fetch_arrow_table()
    aliases = parse_aliases(seed.to_pylist(), "seed:er_aliases", seed.column_names)
    if user_file:
        rows, header = read_csv_file(user_file, "er_aliases_file")
        name = user_file.replace("\\", "/").rsplit("/", 1)[-1]
        aliases += parse_aliases(rows, f"file:{name}", header)
    # on Spark the aliases the data states are SQL (models/spark/int_er_aliases.sql), spread over
    # tasks; this step then reads only the seed and the user file
    in_sql = dbt.config.get("data_aliases_in_sql")
    if in_sql and not getattr(dbt, "spark_step", False):
        raise ValueError("int_er_aliases: data_aliases_in_sql is the Spark variant's (models/spark/int_er_aliases.sql)")
    fields = () if in_sql else DATA_ALIAS_FIELDS
    for field in fields:
        pairs = (
            dbt.ref("int_contracts")
            .filter(f"{field}_norm is not null and vendor_name_norm is not null")
            .project(f"vendor_name_norm, {field}_norm")
            .distinct()
            .order(f"vendor_name_norm, {field}_norm")
            .fetch_arrow_table()
        )
        aliases += data_aliases(
            field,
            zip(pairs.column("vendor_name_norm").to_pylist(), pairs.column(f"{field}_norm").to_pylist(), strict=True),
        )
    table = aliases_to_arrow(sort_aliases(aliases))
    assert isinstance(table, pa.Table)
    return table
