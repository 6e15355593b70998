"""The FEC x ICE real-data example (examples/fec_ice) built on Apache Spark equals its DuckDB build,
row for row, ids included: every mart, every report model, the Python steps' outputs and the
staged rows; and the report and exports written from the Spark build are the DuckDB run's, byte
for byte (the build section aside).

The demo's twin is tests/python/test_spark_equivalence.py (same comparison, same Spark subprocess);
this file is apart so the release gate's workers can build the two on different processes.
"""

from __future__ import annotations

import json
import shutil

import duckdb
import pytest

from tests.python.conftest import FEC_RUN_FILE
from tests.python.test_spark_equivalence import (
    COMPARED_INTERMEDIATE,
    COMPARED_STAGING,
    _differences,
    _tables,
    build_on_spark,
    require_spark,
)

pytestmark = [pytest.mark.slow, pytest.mark.spark]


@pytest.fixture(scope="module")
def fec_spark_build(fec_example_run, tmp_path_factory):
    require_spark()
    assert fec_example_run.exit_code == 0
    out = tmp_path_factory.mktemp("spark_fec")
    db = out / "source.duckdb"  # the DuckDB run's raw tables, on a copy other readers never see
    shutil.copyfile(fec_example_run.db, db)
    return build_on_spark(FEC_RUN_FILE, db, out, "FEC example")


def _compare(db, schema: str, tables: list[str], folder) -> list[str]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return [p for t in tables for p in _differences(con, schema, t, folder / t)]
    finally:
        con.close()


def test_every_mart_and_report_model_is_equal(fec_example_run, fec_spark_build):
    con = duckdb.connect(str(fec_example_run.db), read_only=True)
    try:
        marts, report = _tables(con, "marts"), _tables(con, "report")
        # the comparison can fail: the example's links, payroll giving and limit flags are not empty
        named = ("cross_links", "payroll_giving", "limit_flags")
        sizes = {t: con.execute(f"select count(*) from marts.{t}").fetchone()[0] for t in named}
    finally:
        con.close()
    assert sizes["cross_links"] > 1000 and sizes["payroll_giving"] > 0 and sizes["limit_flags"] > 0, sizes
    assert sorted(p.name for p in (fec_spark_build / "marts").iterdir() if p.is_dir()) == marts
    assert sorted(p.name for p in (fec_spark_build / "report").iterdir() if p.is_dir()) == report
    problems = _compare(fec_example_run.db, "marts", marts, fec_spark_build / "marts")
    problems += _compare(fec_example_run.db, "report", report, fec_spark_build / "report")
    assert problems == []


def test_python_steps_and_staging_are_equal(fec_example_run, fec_spark_build):
    problems = _compare(
        fec_example_run.db, "intermediate", list(COMPARED_INTERMEDIATE), fec_spark_build / "intermediate"
    )
    problems += _compare(fec_example_run.db, "staging", list(COMPARED_STAGING), fec_spark_build / "staging")
    assert problems == []


def test_report_and_exports_equal_the_duckdb_run(fec_example_run, fec_spark_build):
    spark_out, duck_out = fec_spark_build / "report-out", fec_example_run.out
    spark = json.loads((spark_out / "report.json").read_text(encoding="utf-8"))
    duck = json.loads((duck_out / "report.json").read_text(encoding="utf-8"))
    assert spark["ok"] is True and spark["errors"] == []
    assert (spark["build"]["dbt_adapter"], duck["build"]["dbt_adapter"]) == ("spark", "duckdb")
    assert sorted(spark) == sorted(duck)
    assert [k for k in duck if k != "build" and spark[k] != duck[k]] == []
    exported = sorted(p.name for p in duck_out.iterdir() if p.suffix in (".csv", ".jsonl"))
    assert len(exported) >= 13
    assert sorted(p.name for p in spark_out.iterdir() if p.suffix in (".csv", ".jsonl")) == exported
    assert [n for n in exported if (spark_out / n).read_bytes() != (duck_out / n).read_bytes()] == []
