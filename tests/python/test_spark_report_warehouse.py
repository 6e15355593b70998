"""The report of a Spark build reads what Spark built (moneytrail/spark_engine.py
report_warehouse), without Spark: the DuckDB file it assembles holds the ingest warehouse's raw
tables and, for every other schema, only the tables of the Spark build's Parquet folders."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from moneytrail import cli, spark_engine


def _warehouse(path: Path) -> None:
    con = duckdb.connect(str(path))
    con.execute("create schema raw")
    con.execute("create table raw.ingest_manifest as select 'contributions' as table_name")
    con.execute("create table raw.contributions as select 0 as row_index, 'A' as donor")
    # an older DuckDB build's mart in the ingest warehouse: never what the Spark report reads
    con.execute("create schema marts")
    con.execute("create table marts.vendor_breadth as select 'from duckdb' as source")
    con.close()


def _parquet(folder: Path, sql: str) -> None:
    folder.mkdir(parents=True)
    con = duckdb.connect()
    con.execute(f"copy ({sql}) to '{folder / 'part-00000.parquet'}' (format parquet)")
    con.close()


def test_the_report_warehouse_holds_raw_and_what_spark_wrote(tmp_path):
    db = tmp_path / "w.duckdb"
    _warehouse(db)
    out = tmp_path / "spark"
    _parquet(out / "marts" / "vendor_breadth", "select 'from spark' as source")
    _parquet(out / "report" / "rpt_vendor_breadth", "select 1 as section_rows")
    (out / "staging" / "stg_empty").mkdir(parents=True)  # a folder without Parquet is no table
    path = spark_engine.report_warehouse(db, out)
    assert path == out / "spark_tables.duckdb"
    con = duckdb.connect(str(path), read_only=True)
    try:
        tables = con.execute("select table_schema, table_name from information_schema.tables order by 1, 2").fetchall()
        assert tables == [
            ("marts", "vendor_breadth"),
            ("raw", "contributions"),
            ("raw", "ingest_manifest"),
            ("report", "rpt_vendor_breadth"),
        ]
        assert con.execute("select source from marts.vendor_breadth").fetchall() == [("from spark",)]
        assert con.execute("select donor from raw.contributions").fetchall() == [("A",)]
    finally:
        con.close()
    # built again from scratch: a table of an earlier assembly does not survive
    (out / "report" / "rpt_vendor_breadth" / "part-00000.parquet").unlink()
    path = spark_engine.report_warehouse(db, out)
    con = duckdb.connect(str(path), read_only=True)
    try:
        assert con.execute(
            "select count(*) from information_schema.tables where table_schema = 'report'"
        ).fetchall() == [(0,)]
    finally:
        con.close()


def test_the_engine_is_duckdb_or_spark(capsys):
    parser = cli.build_parser()
    assert parser.parse_args(["run", "x.yml"]).engine == "duckdb"
    assert parser.parse_args(["demo", "--engine", "spark"]).engine == "spark"
    with pytest.raises(SystemExit) as exc:
        parser.parse_args(["run", "x.yml", "--engine", "postgres"])
    assert exc.value.code == 2
    # the list of choices is quoted differently across Python patch releases
    err = capsys.readouterr().err
    assert "moneytrail run: error: argument --engine: invalid choice: 'postgres' (choose from " in err
    assert cli.spark_engine_dir(Path("warehouse") / "moneytrail.duckdb") == Path("warehouse") / "moneytrail.spark"
