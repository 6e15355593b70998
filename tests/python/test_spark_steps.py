"""The Spark session functions' declared columns and their stand-in dbt object, checked against
the DuckDB build of the demo (no Spark needed: runs in every suite)."""

from __future__ import annotations

import json

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
        expected = con.execute(f"select * from intermediate.{step}").fetchall()
        project_vars = yaml.safe_load((REPO / "dbt_project.yml").read_text())["vars"]
        settings = {
            "match_settings": json.dumps(project_vars["entity_resolution"]),
            "timing_settings": json.dumps(project_vars["timing"]),
            "run_seed": str(project_vars["run_seed"]),
            # the demo names no user decisions or aliases file (vars.er_link_decisions_file, er_aliases_file)
            "decisions_file": "",
            "aliases_file": "",
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
