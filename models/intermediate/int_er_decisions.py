"""Reviewed link decisions (logic: python_udfs/er_decisions.py): seeds/er_link_decisions.csv
plus the user CSV named by vars.er_link_decisions_file, validated and normalised. Conflicting
decisions on one pair, unknown decisions and blank reviewers or dates stop the build; rows of a
review queue whose decision is still blank are skipped."""

from python_udfs.er_decisions import combine_decisions, decisions_to_arrow, parse_decisions
from python_udfs.er_files import read_csv_file


def model(dbt, session):
    dbt.config(materialized="table")
    user_file = dbt.config.get("decisions_file")
    seed = dbt.ref("er_link_decisions").fetch_arrow_table()
    parts = [parse_decisions(seed.to_pylist(), "seed:er_link_decisions", seed.column_names)]
    if user_file:
        rows, header = read_csv_file(user_file, "er_link_decisions_file")
        name = user_file.replace("\\", "/").rsplit("/", 1)[-1]
        parts.append(parse_decisions(rows, f"file:{name}", header))
    return decisions_to_arrow(combine_decisions(*parts))
