"""Build the project on Apache Spark (the `spark` target of profiles.yml, session mode).

Spark is optional (``pip install -e '.[spark]'`` and Java 17). The steps:

1. the raw schema of the DuckDB warehouse (what ``moneytrail ingest`` loaded) is written as one
   Parquet file per table (:func:`export_raw_parquet`);
2. a local Spark session starts (loopback only, UI off, in-memory catalog) and registers each
   Parquet file as ``raw.<table>`` (:func:`register_raw`);
3. the project's Python steps are registered on the session as SQL functions
   (:mod:`moneytrail.spark_steps`);
4. ``dbt build --target spark`` runs in this process, so dbt-spark's session method uses the
   session started here;
5. every table of staging, intermediate, marts and report is written back as Parquet
   (``<out>/<schema>/<name>/``) for the report and
   for the equivalence test, which compares them with the DuckDB build row for row.

``python -m moneytrail.spark_engine RUN_FILE --db WAREHOUSE --out DIR`` does all of it after
``moneytrail ingest`` (or ``moneytrail run``) filled the warehouse.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ingest import warehouse
from ingest.sqlquote import quote_ident, quote_literal
from moneytrail.spark_cluster import (
    DEFAULT_MASTER,
    PYSPARK_MISSING,
    LocalCluster,
    SparkClusterError,
    Where,
    add_arguments,
    check_master,
    local_cluster,
    wait_for_executors,
    where_from_args,
)

#: The default: local mode (spark_cluster.DEFAULT_MASTER), no cluster.
LOCAL = Where()

# Local mode, nothing listening beyond loopback, no UI, UTC, ANSI SQL (errors instead of NULLs).
SESSION_CONFIG = {
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.driver.host": "127.0.0.1",
    "spark.driver.bindAddress": "127.0.0.1",
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.ansi.enabled": "true",
    "spark.sql.catalogImplementation": "in-memory",
    # a small demo does not need 200 shuffle partitions per join
    "spark.sql.shuffle.partitions": "4",
    "spark.sql.adaptive.enabled": "true",
    # No broadcast join planned from a table's file size: Parquet's compressed columns undercount
    # its rows in memory many times, and at 20M contributions the driver could not build the
    # broadcast of marts.limit_flags (red_flag_pairs failed). A join side is broadcast only when
    # its measured shuffle output is small (adaptive execution, at run time).
    "spark.sql.autoBroadcastJoinThreshold": "-1",
    "spark.sql.adaptive.autoBroadcastJoinThreshold": "10MB",
}


class SparkEngineError(RuntimeError):
    """Spark cannot run here (no Java, no pyspark) or the raw schema is missing."""


def raw_tables(db_path: Path) -> list[str]:
    """Tables of the warehouse's raw schema, sorted; an error when there are none."""
    con = warehouse.connect(db_path, read_only=True)
    try:
        rows = con.execute(
            "select table_name from information_schema.tables where table_schema = 'raw' order by table_name"
        ).fetchall()
    finally:
        con.close()
    names = [r[0] for r in rows]
    if "ingest_manifest" not in names:
        raise SparkEngineError(
            f"the warehouse {db_path} has no raw.ingest_manifest: "
            "load the inputs first (moneytrail ingest or moneytrail run)"
        )
    return names


def export_raw_parquet(db_path: Path, out_dir: Path) -> list[Path]:
    """Write each raw table as ``out_dir/<table>.parquet`` (DuckDB COPY, ordered by row)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    names = raw_tables(db_path)
    con = warehouse.connect(db_path, read_only=True)
    written = []
    try:
        for name in names:
            target = out_dir / f"{name}.parquet"
            ident = quote_ident(name)
            columns = [r[0] for r in con.execute(f"select * from raw.{ident} limit 0").description]
            order = " order by row_index" if "row_index" in columns else ""
            con.execute(f"copy (select * from raw.{ident}{order}) to {quote_literal(str(target))} (format parquet)")
            written.append(target)
    finally:
        con.close()
    return written


def start_session(work_dir: Path, master: str = DEFAULT_MASTER, extra: dict[str, str] | None = None) -> Any:
    """A Spark session for dbt's session method (its getOrCreate returns this one), on ``master``
    (checked: spark_cluster.check_master) with ``extra`` settings besides SESSION_CONFIG."""
    check_master(master)
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise SparkEngineError(PYSPARK_MISSING) from None
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    builder = SparkSession.builder.master(master).appName("moneytrail")
    for key, value in {**SESSION_CONFIG, **(extra or {})}.items():
        builder = builder.config(key, value)
    # the catalog lives in memory: tables a previous session left in this folder are orphans
    # that would block their own re-creation (LOCATION_ALREADY_EXISTS)
    shutil.rmtree(work_dir / "spark-warehouse", ignore_errors=True)
    builder = builder.config("spark.sql.warehouse.dir", str((work_dir / "spark-warehouse").resolve()))
    builder = builder.config("spark.local.dir", str((work_dir / "spark-tmp").resolve()))
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return session


def register_raw(session: Any, parquet_files: Sequence[Path]) -> None:
    """``raw.<table>`` for each Parquet file (external tables: the files stay where they are)."""
    session.sql("create database if not exists raw")
    for path in parquet_files:
        name = path.stem
        session.sql(f"drop table if exists raw.`{name}`")
        location = str(path.resolve()).replace("\\", "\\\\").replace("'", "\\'")
        session.sql(f"create table raw.`{name}` using parquet location '{location}'")


def export_schema(session: Any, out_dir: Path, database: str = "marts", views: bool = False) -> list[Path]:
    """Each table (and view, if asked) of a Spark database as Parquet, ``out_dir/<name>/part-*.parquet`` (written by
    Spark itself, so the column types are Spark's, not a conversion's), in as many files as the
    table has partitions: every task writes its own, none gathers a whole table."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    # views only when asked (marts.entity_alias_rows): the staging base_* views would be
    # computed again just to be written
    tables = sorted(t.name for t in session.catalog.listTables(database) if views or t.tableType != "VIEW")
    for name in tables:
        target = out_dir / name
        session.table(f"{database}.`{name}`").write.mode("overwrite").parquet(str(target))
        written.append(target)
    return written


#: dbt's unit tests check model logic on fixtures and run on DuckDB: their fixtures are written
#: in DuckDB SQL (list literals), and models that list columns of their inputs on Spark cannot
#: see a fixture's. The equivalence test proves the Spark build against the DuckDB one.
SPARK_BUILD = ("build", "--exclude-resource-type", "unit_test")


#: The databases the build writes back as Parquet, in dbt's layer order.
BUILT_DATABASES = ("staging", "intermediate", "marts", "report")


def build_tables(
    db_path: Path,
    out_dir: Path,
    run_vars: dict[str, Any] | None = None,
    dbt_args: Sequence[str] = SPARK_BUILD,
    where: Where = LOCAL,
) -> Any:
    """Steps 1-5 of the module docstring; returns dbt's result (moneytrail.dbt_runner.DbtResult).

    The tables are written back also when some node failed: the report then says which
    sections are missing, as it does after a failed DuckDB build."""
    out_dir.mkdir(parents=True, exist_ok=True)
    files = export_raw_parquet(db_path, out_dir / "raw")
    if where.cluster is None:
        return _build_on(where.master, {}, files, out_dir, run_vars, dbt_args)
    with local_cluster(where.cluster, out_dir) as cluster:
        print(f"spark: a local cluster of {where.cluster.workers} workers at {cluster.master} (logs in {cluster.logs})")
        return _build_on(cluster.master, where.cluster.session_config(), files, out_dir, run_vars, dbt_args, cluster)


def _build_on(
    master: str,
    extra: dict[str, str],
    files: Sequence[Path],
    out_dir: Path,
    run_vars: dict[str, Any] | None,
    dbt_args: Sequence[str],
    cluster: LocalCluster | None = None,
) -> Any:
    from moneytrail import dbt_runner, spark_steps

    started = time.monotonic()
    session = start_session(out_dir, master, extra)
    try:
        if cluster is not None:
            wait_for_executors(session, cluster)
        session_ready = time.monotonic()
        register_raw(session, files)
        spark_steps.register(session)
        # its own target and log folders: the DuckDB build's run_results.json stays what it was
        dbt_dirs = ["--target-path", str(target_dir(out_dir)), "--log-path", str(out_dir / "dbt-logs")]
        result = dbt_runner.invoke([*dbt_args, "--target", "spark", *dbt_dirs], run_vars)
        built = time.monotonic()
        for database in BUILT_DATABASES:
            shutil.rmtree(out_dir / database, ignore_errors=True)  # never a table of an earlier build
            if session.catalog.databaseExists(database):
                export_schema(session, out_dir / database, database, views=database == "marts")
        write_plans(session, out_dir)
    finally:
        session.stop()
    print(f"spark: session {session_ready - started:.1f} s, dbt {built - session_ready:.1f} s, tables in {out_dir}")
    return result


#: The distributed steps whose plans the build writes (write_plans): their scoring functions run
#: per bucket, in parallel tasks.
PLANNED_MODELS = ("int_name_matches", "int_timing_bucket_tests", "int_entity_map")


def write_plans(session: Any, out_dir: Path) -> list[Path]:
    """``out_dir/plans/<model>.txt``: Spark's plan of each distributed step (its compiled SQL),
    which shows the rows hashed into buckets and the step's function run on each bucket's
    partition (README "Running on Apache Spark"). A model that was not compiled (a build that
    stopped earlier) has no plan."""
    written = []
    for model in PLANNED_MODELS:
        compiled = target_dir(out_dir) / "compiled" / "moneytrail" / "models" / "spark" / f"{model}.sql"
        if not compiled.is_file():
            continue
        plan = session.sql("explain formatted " + compiled.read_text(encoding="utf-8")).collect()[0][0]
        target = out_dir / "plans" / f"{model}.txt"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(plan, encoding="utf-8")
        written.append(target)
    return written


def build(
    db_path: Path,
    out_dir: Path,
    run_vars: dict[str, Any] | None = None,
    dbt_args: Sequence[str] = SPARK_BUILD,
    where: Where = LOCAL,
) -> int:
    """Steps 1-5; returns 0 when dbt succeeded and the tables were written."""
    result = build_tables(db_path, out_dir, run_vars, dbt_args, where)
    if not result.success:
        print(f"error: dbt on Spark failed:\n{result.error_text()}", file=sys.stderr)
        return 1
    return 0


def target_dir(out_dir: Path) -> Path:
    """dbt's target folder of the Spark build (run_results.json, manifest.json)."""
    return out_dir / "dbt-target"


def report_warehouse(db_path: Path, out_dir: Path) -> Path:
    """A DuckDB file for the report step, ``out_dir/spark_tables.duckdb``: the ingest warehouse's raw
    tables (the inputs the report quotes, and raw.ingest_manifest) and every table the Spark build
    wrote back as Parquet, under its own schema. Only the report reads it: every number in it
    was computed by Spark (the report's numbers come from the report models, models/report/);
    the report step only selects and formats, as it does on DuckDB."""
    path = out_dir / "spark_tables.duckdb"
    for stale in (path, path.with_name(path.name + ".wal")):
        stale.unlink(missing_ok=True)
    raw = raw_tables(db_path)
    con = warehouse.connect(path)
    try:
        con.execute(f"attach {quote_literal(str(db_path))} as ingest (read_only)")
        con.execute("create schema if not exists raw")
        for name in raw:
            con.execute(f"create table raw.{quote_ident(name)} as select * from ingest.raw.{quote_ident(name)}")
        con.execute("detach ingest")
        for database in BUILT_DATABASES:
            folder = out_dir / database
            if not folder.is_dir():
                continue
            con.execute(f"create schema if not exists {quote_ident(database)}")
            for table in sorted(p for p in folder.iterdir() if p.is_dir()):
                files = sorted(table.glob("*.parquet"))
                if not files:
                    continue
                listed = ", ".join(quote_literal(str(f)) for f in files)
                con.execute(
                    f"create table {quote_ident(database)}.{quote_ident(table.name)} as "
                    f"select * from read_parquet([{listed}])"
                )
    finally:
        con.close()
    return path


def main(argv: Sequence[str] | None = None) -> int:
    from ingest.runfile import load_run_file

    p = argparse.ArgumentParser(prog="python -m moneytrail.spark_engine", description=__doc__.split("\n")[0])
    p.add_argument("run_file", type=Path, help="the run file whose vars (role map, settings) the build uses")
    p.add_argument("--db", type=Path, required=True, help="DuckDB warehouse whose raw schema holds the inputs")
    p.add_argument("--out", type=Path, required=True, help="folder for the Parquet files and the Spark warehouse")
    p.add_argument(
        "--skip-tests",
        action="store_true",
        help="seeds and models only (dbt build --exclude-resource-type test unit_test): the equivalence test "
        "compares the tables themselves",
    )
    p.add_argument(
        "--report",
        type=Path,
        default=None,
        help="also write the report of this build into this folder (as moneytrail run --engine spark does)",
    )
    add_arguments(p)
    args = p.parse_args(argv)
    dbt_args = [*SPARK_BUILD, "--exclude-resource-type", "test"] if args.skip_tests else list(SPARK_BUILD)
    try:
        where = where_from_args(args)
        run = load_run_file(args.run_file)
        if args.report is None:
            return build(args.db, args.out, run.vars, dbt_args, where)
        result = build_tables(args.db, args.out, run.vars, dbt_args, where)
    except SparkClusterError as exc:  # a bad option, or the local cluster did not start or lost a process
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0 if write_report(run, args.db, args.out, args.report, result) and result.success else 1


def write_report(
    run: Any,
    db_path: Path,
    spark_dir: Path,
    out_dir: Path,
    result: Any,
    validation: Any = None,
    input_tables: Sequence[str] | None = None,
) -> bool:
    """The report of a Spark build (report.json, report.md, exports, HTML, evidence index) into
    out_dir: the report step of `moneytrail run` (cli.report_after_build) over report_warehouse
    and the Spark build's dbt artifacts; True when it is ok."""
    from moneytrail.cli import report_after_build

    report_db = report_warehouse(db_path, spark_dir)
    return report_after_build(run, report_db, out_dir, validation, result, input_tables, target_dir(spark_dir))


if __name__ == "__main__":
    raise SystemExit(main())
