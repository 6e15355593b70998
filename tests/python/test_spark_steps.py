"""The Spark session functions' declared columns and their stand-in dbt object, checked against
the DuckDB build of the demo (no Spark needed: runs in every suite)."""

from __future__ import annotations

import json
import re

import pyarrow as pa
import pytest
import yaml

from moneytrail import spark_steps
from tests.python.conftest import REPO

# DuckDB type -> the Spark type spark_steps declares for it
DUCK_TO_SPARK = {
    "VARCHAR": "string",
    "BIGINT": "bigint",
    "INTEGER": "int",
    "TINYINT": "tinyint",
    "DOUBLE": "double",
    "BOOLEAN": "boolean",
    "DATE": "date",
    "VARCHAR[]": "array<string>",
    "DECIMAL(18,2)": "decimal(18,2)",
}

SCHEMA_OF = {"er_link_decisions": "reference", "er_aliases": "reference", "stg_contracts": "staging"}


def _duck_columns(demo_run, table: str) -> list[tuple[str, str]]:
    schema = SCHEMA_OF.get(table, "intermediate")
    rows = demo_run.query(
        "select column_name, data_type from information_schema.columns "
        "where table_schema = ? and table_name = ? order by ordinal_position",
        [schema, table],
    )
    return [(name, DUCK_TO_SPARK[typ]) for name, typ in rows]


@pytest.mark.slow
@pytest.mark.parametrize("step", sorted(spark_steps.STEPS))
def test_declared_output_columns_are_the_duckdb_models_columns(demo_run, step):
    assert spark_steps.parse_ddl(spark_steps.STEPS[step]["returns"]) == _duck_columns(demo_run, step)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("model", "ddl"),
    [
        ("int_name_matches", spark_steps.MATCH_RETURNS),
        ("int_timing_tests", spark_steps.TIMING_RETURNS),
        ("int_entity_map", spark_steps.ENTITY_RETURNS),
    ],
)
def test_the_distributed_steps_return_the_duckdb_models_columns(demo_run, model, ddl):
    assert spark_steps.parse_ddl(ddl) == _duck_columns(demo_run, model)


def test_every_spark_model_is_a_python_steps_form_or_a_declared_spark_only_step():
    files = sorted(p.stem for p in (REPO / "models" / "spark").glob("*.sql"))
    distributed = ["int_name_matches", "int_timing_tests", "int_entity_map"]
    assert files == sorted([*spark_steps.STEPS, *distributed, *spark_steps.SPARK_ONLY_MODELS])


@pytest.mark.slow
@pytest.mark.parametrize("ref", sorted(spark_steps.INPUTS))
def test_declared_input_columns_exist_with_these_types_in_the_duckdb_build(demo_run, ref):
    declared = spark_steps.parse_ddl(spark_steps.INPUTS[ref])
    have = dict(_duck_columns(demo_run, ref))
    assert [(name, have.get(name)) for name, _ in declared] == declared


@pytest.mark.slow
@pytest.mark.parametrize("step", ["int_er_decisions", "int_er_aliases"])
def test_run_step_reproduces_the_duckdb_model_from_its_inputs(demo_run, step):
    """The stand-in dbt object hands the same rows to the same model file: same output."""
    import duckdb

    spec = spark_steps.STEPS[step]
    con = duckdb.connect(str(demo_run.db), read_only=True)
    try:
        inputs = {}
        for ref in spec["refs"]:
            cols = ", ".join(name for name, _ in spark_steps.parse_ddl(spark_steps.INPUTS[ref]))
            inputs[ref] = con.execute(
                f"select {cols} from {SCHEMA_OF.get(ref, 'intermediate')}.{ref}"
            ).fetch_arrow_table()
        # the step leaves the aliases the contract data states to SQL (origin data:contracts.*)
        where = " where origin not like 'data:%'" if step == "int_er_aliases" else ""
        expected = con.execute(f"select * from intermediate.{step}{where}").fetchall()
        project_vars = yaml.safe_load((REPO / "dbt_project.yml").read_text())["vars"]
        settings = {
            "match_settings": json.dumps(project_vars["entity_resolution"]),
            "timing_settings": json.dumps(project_vars["timing"]),
            "run_seed": str(project_vars["run_seed"]),
            # the demo names no user decisions or aliases file (vars.er_link_decisions_file, er_aliases_file)
            "decisions_file": "",
            "aliases_file": "",
            # on Spark the data's own aliases are SQL (models/spark/int_er_aliases.sql)
            "data_aliases_in_sql": True,
        }
        config = {key: settings[key] for key in spec["config"]}
    finally:
        con.close()
    got = spark_steps.run_step(step, config, {ref: t.to_pylist() for ref, t in inputs.items()})
    assert len(got) == len(expected) > 0
    assert sorted(got, key=repr) == sorted(expected, key=repr)


def test_a_step_reading_a_relation_its_variant_does_not_pass_is_an_error():
    dbt = spark_steps._Dbt(None, {}, {})
    with pytest.raises(KeyError, match=r"the step reads ref\('int_org_names'\), which its Spark variant does not pass"):
        dbt.ref("int_org_names")


def test_ddl_parser_keeps_nested_types_whole():
    assert spark_steps.parse_ddl("a string, b array<string>, c decimal(18, 2)") == [
        ("a", "string"),
        ("b", "array<string>"),
        ("c", "decimal(18, 2)"),
    ]
    assert spark_steps.arrow_schema("a array<string>, d date") == pa.schema(
        [("a", pa.list_(pa.string())), ("d", pa.date32())]
    )


def test_the_spark_aliases_model_reads_every_field_the_data_states_aliases_in():
    """models/spark/int_er_aliases.sql picks each field's column by name: every field of
    er_decisions.DATA_ALIAS_FIELDS has its branch, with the kind, scope and note of Python's."""
    from python_udfs.er_decisions import ALIAS_KINDS, DATA_ALIAS_FIELDS

    sql = (REPO / "models" / "spark" / "int_er_aliases.sql").read_text(encoding="utf-8")
    branches = re.findall(r"when '(\w+)' then c\.(\w+)_norm", sql)
    assert sorted(branches) == sorted((field, field) for field in DATA_ALIAS_FIELDS)
    assert spark_steps._data_alias_fields() == [
        ("dba_name", "dba", "same_organisation", "doing-business-as name recorded on the vendor's contract rows"),
        ("parent_vendor_name", "subsidiary_of", "ownership", "parent name recorded on the vendor's contract rows"),
    ]
    assert {kind for _, kind, _, _ in spark_steps._data_alias_fields()} <= set(ALIAS_KINDS)


def _seed_rows(name: str) -> list[dict]:
    import csv

    columns = [c for c, _ in spark_steps.parse_ddl(spark_steps.INPUTS[name])]
    with (REPO / "seeds" / f"{name}.csv").open(encoding="utf-8", newline="") as f:
        return [{c: row.get(c) or None for c in columns} for row in csv.DictReader(f)]


def test_the_aliases_step_leaves_the_datas_aliases_to_sql_only_when_told():
    """The Python model reads int_contracts on DuckDB; the Spark variant's config turns that off
    (a step without int_contracts would otherwise fail naming it)."""
    seed = _seed_rows("er_aliases")
    got = spark_steps.run_step(
        "int_er_aliases", {"aliases_file": "", "data_aliases_in_sql": True}, {"er_aliases": seed}
    )
    assert [(r[1], r[2], r[3], r[6]) for r in got][:2] == [
        ("seed:er_aliases:1", "CORECIVIC", "CORRECTIONS CORPORATION OF AMERICA", "former_name"),
        ("seed:er_aliases:2", "CORNELL COMPANIES", "GEO GROUP", "subsidiary_of"),
    ]
    assert len(got) == len(seed)
    with pytest.raises(KeyError, match=r"reads ref\('int_contracts'\)"):
        spark_steps.run_step("int_er_aliases", {"aliases_file": ""}, {"er_aliases": seed})


@pytest.mark.parametrize(
    ("step", "seed", "config"),
    [
        ("int_er_aliases", "er_aliases", {"aliases_file": "", "data_aliases_in_sql": True}),
        ("int_er_decisions", "er_link_decisions", {"decisions_file": ""}),
    ],
)
def test_a_seeds_rows_keep_their_row_numbers_in_whatever_order_spark_hands_them(step, seed, config):
    """A cluster read the seed's two files largest first and swapped seed:er_aliases:1 and :2
    (found by the demo's build on a local 2-worker cluster). The row number is the CSV's."""
    rows = _seed_rows(seed)
    assert len(rows) >= 2
    in_order = spark_steps.run_step(step, config, {seed: rows})
    assert spark_steps.run_step(step, config, {seed: list(reversed(rows))}) == in_order
    assert [r[1] for r in in_order] == [f"seed:{seed}:{n}" for n in range(1, len(rows) + 1)]


def test_a_seed_table_that_is_not_its_file_is_an_error(tmp_path):
    # a byte-order mark, and NULL as dbt loads it: empty, blank, "null" in any case
    (tmp_path / "er_aliases.csv").write_text(
        "\ufeffname,alias_of,relation_kind,note,source,reviewer,decided_on\n"
        "A,B,dba,,NULL,r,2024-01-01\nA,B,dba,  , null ,r,2024-01-01\n",
        encoding="utf-8",
    )
    row = {
        "name": "A",
        "alias_of": "B",
        "relation_kind": "dba",
        "note": None,
        "source": None,
        "reviewer": "r",
        "decided_on": "2024-01-01",
    }
    assert spark_steps.seed_order("er_aliases", [row, dict(row)], tmp_path) == [row, row]
    with pytest.raises(ValueError) as err:
        spark_steps.seed_order("er_aliases", [row], tmp_path)
    assert str(err.value) == f"spark_steps: the seed table er_aliases has 1 rows, {tmp_path / 'er_aliases.csv'} 2"
    other = dict(row, note="NULL")  # the text NULL in a table is not a NULL cell
    with pytest.raises(ValueError) as err:
        spark_steps.seed_order("er_aliases", [row, other], tmp_path)
    assert str(err.value) == (
        f"spark_steps: the seed table er_aliases has a row that {tmp_path / 'er_aliases.csv'} has not: {other}"
    )


def test_the_duckdb_model_refuses_the_spark_variants_switch():
    """Set on DuckDB, data_aliases_in_sql would drop the data's aliases with nothing to add them."""
    import duckdb

    class DuckDbt(spark_steps._Dbt):
        spark_step = False

    con = duckdb.connect()
    seed = pa.Table.from_pylist(
        _seed_rows("er_aliases"), schema=spark_steps.arrow_schema(spark_steps.INPUTS["er_aliases"])
    )
    dbt = DuckDbt(con, {"er_aliases": seed}, {"aliases_file": "", "data_aliases_in_sql": True})
    with pytest.raises(ValueError) as err:
        spark_steps._load_model("int_er_aliases").model(dbt, None)
    assert str(err.value) == (
        "int_er_aliases: data_aliases_in_sql is the Spark variant's (models/spark/int_er_aliases.sql)"
    )
