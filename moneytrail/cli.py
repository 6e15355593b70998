"""The `moneytrail` command: ingest files, run the whole job, match name lists, report."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import duckdb

from ingest import manifest, warehouse
from ingest.runfile import InputSpec, RunFile, guess_format, load_run_file
from ingest.tabular import TabularOptions, load_tabular
from moneytrail import dbt_runner, match_cli, progress, run_config, spark_cluster
from moneytrail.errors import EXIT_BUILD_FAILED, EXIT_INPUT_ERROR, MoneytrailError, UserError, exit_code
from moneytrail.settings import validate_vars

DEMO_RUN_FILE = dbt_runner.PROJECT_DIR / "examples" / "demo" / "run.yml"

# What a user can get wrong (a file, a name, a setting, a busy or full warehouse) is a
# UserError (moneytrail.errors): exit 2 and one message, never a traceback. Library messages
# name options in the library's terms; these are the flags that set them, per command.
OPTION_FLAGS = {
    "ingest": {
        "header": "--no-header",
        "header_file": "--header-file",
        "columns": "--columns",
        "delimiter": "--delimiter",
        "skip_lines": "--skip-lines",
        "empty_last_column": "--empty-last-column",
        "warehouse": "--db",
    },
    "run": {"warehouse": "--db"},
    "demo": {"warehouse": "--db"},
    "report": {"warehouse": "--db"},
}


class WarehouseWriteError(UserError, ValueError):
    """DuckDB could not write the warehouse (full disk, read-only file, ...)."""


def error_message(exc: MoneytrailError, command: str | None) -> str:
    """The message of an error as the CLI prints it: the library's message, then the flags of
    this command that set the options it names."""
    flags = [OPTION_FLAGS.get(command or "", {}).get(o) for o in exc.options]
    shown = [f for f in flags if f is not None]
    return f"{exc} (command line: {', '.join(shown)})" if shown else str(exc)


def _unescape(value: str) -> str:
    """Let users type \\t for a tab on the command line."""
    return {"\\t": "\t", "tab": "\t", "\\|": "|"}.get(value, value)


def _add_ingest(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("ingest", help="load a CSV/TSV file or a SQL dump into the warehouse's raw schema")
    p.add_argument("path", type=Path, help="input file (.csv, .tsv, .txt, .sql, .sql.gz)")
    p.add_argument("--table", help="raw table name (CSV/TSV; for dumps: the dump's own table names)")
    p.add_argument("--format", choices=["auto", "csv", "sql_dump"], default="auto")
    p.add_argument("--delimiter", default=None, help="field delimiter (default , or tab for .tsv; \\t for tab)")
    quote = p.add_mutually_exclusive_group()
    quote.add_argument("--quote", default='"', help='quote character (default ")')
    quote.add_argument("--no-quote", action="store_true", help="fields are never quoted (FEC bulk files)")
    p.add_argument("--encoding", default="utf-8")
    p.add_argument("--no-header", action="store_true", help="the file has no header line")
    p.add_argument("--header-file", type=Path, help="take column names from this file's first line")
    p.add_argument("--columns", help="comma-separated column names (with --no-header)")
    p.add_argument(
        "--skip-lines", type=int, default=0, help="physical lines to skip before the header (or the first row)"
    )
    p.add_argument(
        "--empty-last-column",
        choices=["refuse", "drop"],
        default="refuse",
        help="drop: every row ends with the delimiter (an always-empty last field, e.g. MA OCPF files)",
    )
    p.add_argument("--table-prefix", default="", help="dumps: prefix for every table name")
    p.add_argument(
        "--schema",
        type=Path,
        dest="schema_path",
        help="dumps: a schema-only dump whose CREATE TABLEs define the data dump's tables",
    )
    p.add_argument(
        "--allow-sqlite-pragma-header",
        action="store_true",
        help="dumps: accept the `PRAGMA foreign_keys=OFF` line sqlite3 .dump writes first",
    )
    p.add_argument(
        "--skip-programmable-objects",
        action="store_true",
        help="dumps: skip (with a warning) triggers, views, functions defined after the data",
    )
    p.add_argument("--manifest-json", type=Path, help="also write the manifest rows of this load as JSON")
    _add_db(p)


#: where `run` and `demo` build: DuckDB (the embedded default) or a local Spark session
ENGINES = ("duckdb", "spark")


def _add_db(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--db", type=Path, default=None, help=f"warehouse file (default ${warehouse.DB_ENV} or {warehouse.DEFAULT_DB})"
    )


def _add_run(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("run", help="ingest a run file's inputs, dbt build, write the report")
    p.add_argument("run_file", type=Path, help="run file (YAML: name, inputs, vars)")
    p.add_argument("--out", type=Path, default=None, help="output folder (default output/<name>)")
    _add_db(p)
    d = sub.add_parser("demo", help="the whole job on the bundled golden demo data")
    d.add_argument("--out", type=Path, default=None, help="output folder (default output/demo)")
    _add_db(d)
    for parser in (p, d):
        parser.add_argument(
            "--engine",
            choices=ENGINES,
            default="duckdb",
            help="where dbt builds: duckdb (the embedded default) or spark (a local Spark session: "
            "needs pip install -e '.[spark]' and Java 17; ingest stays DuckDB, the tables Spark "
            "built are kept as Parquet in <warehouse>.spark/ next to the warehouse)",
        )
        spark_cluster.add_arguments(parser)


def _add_dbt(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "dbt",
        help="any dbt command (build, test, docs generate, ...) with the vars of the `moneytrail run` "
        "that built the warehouse",
    )
    _add_db(p)
    p.add_argument("dbt_args", nargs=argparse.REMAINDER, help="the dbt command and its arguments, e.g. build")


def cmd_dbt(args: argparse.Namespace) -> int:
    db_path = args.db or warehouse.default_path()
    if not args.dbt_args:
        print("error: name the dbt command, e.g. moneytrail dbt build", file=sys.stderr)
        return EXIT_INPUT_ERROR
    if "--vars" in args.dbt_args:
        print(
            "error: moneytrail dbt passes the run's vars itself; for other vars write a run file and moneytrail run it",
            file=sys.stderr,
        )
        return EXIT_INPUT_ERROR
    try:
        config = run_config.read(db_path)
    except run_config.RunConfigMissing as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_INPUT_ERROR
    print(f"dbt {' '.join(args.dbt_args)} with the vars of run {config.run_name} ({config.run_file})")
    result = dbt_runner.invoke(list(args.dbt_args), config.vars, warehouse=db_path, check_run_config=True)
    if not result.success:
        print(f"error: dbt {' '.join(args.dbt_args)} failed:\n{result.error_text()}", file=sys.stderr)
        return EXIT_BUILD_FAILED
    return 0


def _add_report(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "report", help="export the marts and write report.json/.md and the evidence index from the last dbt build"
    )
    p.add_argument("--out", type=Path, default=None, help="output folder (default output/<name>)")
    p.add_argument("--name", default=None, help="run name in the report (default: the output folder's name, or demo)")
    p.add_argument(
        "--target-dir",
        type=Path,
        default=None,
        help="dbt target folder holding run_results.json (default $DBT_TARGET_PATH or target)",
    )
    _add_db(p)


def _add_gate(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "gate",
        help="release gate: the whole pytest suite and the demo dbt build; "
        "writes gate.json, exits non-zero unless everything passed",
    )
    p.add_argument("--out", type=Path, default=None, help="output folder for gate.json (default output/gate)")
    p.add_argument(
        "--pytest-args", default=None, help="arguments for pytest instead of the default suite (quoted, shell syntax)"
    )
    p.add_argument(
        "--approved-skips",
        type=Path,
        default=None,
        help="approved skips/xfails file (default tests/approved_skips.txt)",
    )
    p.add_argument(
        "--skip-dbt-build", action="store_true", help="do not build the demo (the gate then says DO_NOT_SHIP)"
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="moneytrail",
        description="Follow the money: contracts, contributions and candidates in one DuckDB warehouse.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    _add_ingest(sub)
    _add_run(sub)
    _add_report(sub)
    _add_gate(sub)
    _add_dbt(sub)
    match = sub.add_parser("match", help=match_cli.HELP)
    match_cli.add_arguments(match)
    match_cli.add_review_arguments(sub.add_parser("match-review", help=match_cli.REVIEW_HELP))
    return parser


def load_inputs_guarded(con: duckdb.DuckDBPyConnection, spec: InputSpec) -> list[manifest.ManifestEntry]:
    """load_input, with DuckDB's own I/O failures (a full disk) as one clear user error."""
    try:
        return load_input(con, spec)
    except (duckdb.IOException, duckdb.FatalException, duckdb.TransactionException, OSError) as exc:
        text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise WarehouseWriteError(
            f"loading {spec.path.name} failed while writing the warehouse: {text}; nothing of this input was loaded"
        ) from None


def _tabular_options(args: argparse.Namespace) -> TabularOptions:
    delimiter = args.delimiter
    if delimiter is None:
        delimiter = "\t" if args.path.name.lower().endswith((".tsv", ".tab")) else ","
    return TabularOptions(
        delimiter=_unescape(delimiter),
        quote=None if args.no_quote else args.quote,
        encoding=args.encoding,
        header=not args.no_header,
        header_file=args.header_file,
        columns=tuple(c.strip() for c in args.columns.split(",")) if args.columns else None,
        skip_lines=args.skip_lines,
        empty_last_column=args.empty_last_column,
    )


def load_input(con: duckdb.DuckDBPyConnection, spec: InputSpec) -> list[manifest.ManifestEntry]:
    """Load one input; a progress bar (bytes of the file) on a terminal, nothing otherwise."""
    bar = progress.for_file(spec.path.name, spec.path.stat().st_size if spec.path.is_file() else 0)
    try:
        if spec.format == "csv":
            assert spec.table is not None and spec.tabular is not None
            on_rows = None if bar is None else (lambda rows, nbytes, seconds: bar.update(nbytes))
            entries = [load_tabular(con, spec.path, spec.table, spec.tabular, progress=on_rows)]
        else:
            from ingest.sqldump import load_dump  # the dump reader is only needed for dumps

            on_bytes = None if bar is None else (lambda p: bar.update(p.stored_bytes))
            entries = load_dump(con, spec.path, **spec.dump_options, progress=on_bytes)
    except BaseException:
        if bar is not None:
            bar.close(finished=False)
        raise
    if bar is not None:
        bar.close()
    return entries


def cmd_ingest(args: argparse.Namespace) -> int:
    fmt = guess_format(args.path) if args.format == "auto" else args.format
    if fmt == "csv":
        if not args.table:
            print("error: --table is required for CSV/TSV input", file=sys.stderr)
            return EXIT_INPUT_ERROR
        spec = InputSpec(args.path, fmt, args.table, _tabular_options(args))
    else:
        if args.table:
            print(
                "error: --table does not apply to SQL dumps (their tables keep their own names; use --table-prefix)",
                file=sys.stderr,
            )
            return EXIT_INPUT_ERROR
        options = {
            "table_prefix": args.table_prefix,
            "allow_sqlite_pragma_header": args.allow_sqlite_pragma_header,
            "skip_programmable_objects": args.skip_programmable_objects,
        }
        if args.schema_path is not None:
            options["schema_path"] = args.schema_path
        spec = InputSpec(args.path, fmt, args.table, None, options)
    con = warehouse.connect(args.db)
    try:
        entries = load_inputs_guarded(con, spec)
    finally:
        con.close()
    if fmt == "sql_dump":
        from ingest.sqldump import format_summary

        print(format_summary(entries))
    else:
        for entry in entries:
            print(
                f"loaded raw.{entry.table_name}: {entry.row_count:,} rows "
                f"(dataset_version_id {entry.dataset_version_id})"
            )
    if args.manifest_json:
        write_manifest_json(args.manifest_json, entries)
    return 0


def write_manifest_json(path: Path, entries: Sequence[manifest.ManifestEntry]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    body = [e.as_dict() for e in sorted(entries, key=lambda e: e.table_name)]
    path.write_text(json.dumps(body, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def cmd_run(args: argparse.Namespace, run_file: Path) -> int:
    db_path = args.db or warehouse.default_path()
    engine = getattr(args, "engine", "duckdb")
    try:
        # every setting is checked before anything is ingested or built
        where = spark_cluster.where_from_args(args, engine)
        run = load_run_file(run_file)
        merged_vars = validate_vars(run.vars)
    except UserError as exc:
        print(f"error: {error_message(exc, args.command)}", file=sys.stderr)
        _report_refused(args, run_file, db_path, "settings", str(exc))
        return EXIT_INPUT_ERROR
    out_dir = args.out or Path("output") / run.name
    out_dir.mkdir(parents=True, exist_ok=True)

    print(f"[1/4] ingest {len(run.inputs)} input(s) into {db_path}")
    entries: list[manifest.ManifestEntry] = []
    try:
        con = warehouse.connect(db_path)
        try:
            # a plain dbt build afterwards keeps these vars or stops (macros/run_config.sql)
            run_config.record(con, db_path, run.name, run_file, merged_vars)
            for spec in run.inputs:
                loaded = load_inputs_guarded(con, spec)
                entries += loaded
                for entry in loaded:
                    print(f"      raw.{entry.table_name}: {entry.row_count:,} rows from {entry.source_path}")
        finally:
            con.close()
    except UserError as exc:
        print(f"error: {error_message(exc, args.command)}", file=sys.stderr)
        write_manifest_json(out_dir / "ingest_manifest.json", entries)
        _write_report(run.name, db_path, out_dir, run.vars, entries, ingest=str(exc))
        return EXIT_INPUT_ERROR
    write_manifest_json(out_dir / "ingest_manifest.json", entries)

    print("[2/4] validate the role map")
    validation = dbt_runner.invoke(
        ["run-operation", "validate_role_map"], run.vars, warehouse=db_path, check_run_config=True
    )
    if not validation.success:
        # Keep going: dbt still builds every node the broken role does not feed, and the
        # report says what failed; the exit code says the run is not trustworthy.
        print(f"error: the role map is invalid:\n{validation.error_text()}", file=sys.stderr)

    result, report_ok = _build_and_report(engine, where, run, db_path, out_dir, validation, entries)

    print(f"[4/4] results: warehouse {db_path}, outputs in {out_dir}/")
    if not (validation.success and result.success and report_ok):
        print("the run had failures: see the messages above", file=sys.stderr)
        return EXIT_BUILD_FAILED
    return 0


def _build_and_report(
    engine: str,
    where: spark_cluster.Where,
    run: RunFile,
    db_path: Path,
    out_dir: Path,
    validation: dbt_runner.DbtResult,
    entries: Sequence[manifest.ManifestEntry],
) -> tuple[dbt_runner.DbtResult, bool]:
    """Step 3 of `run` on the chosen engine, then the report: (dbt's result, report ok)."""
    if engine != "spark":
        print("[3/4] dbt build")
        result = dbt_runner.invoke(["build"], run.vars, warehouse=db_path, check_run_config=True)
        tables = [e.table_name for e in entries]
        return result, report_after_build(run, db_path, out_dir, validation, result, tables)
    from moneytrail import spark_engine

    spark_dir = spark_engine_dir(db_path)
    print(f"[3/4] dbt build on Spark (tables as Parquet in {spark_dir})")
    result = spark_engine.build_tables(db_path, spark_dir, run.vars, where=where)
    if not result.success:
        print(f"error: dbt on Spark failed:\n{result.error_text()}", file=sys.stderr)
    tables = [e.table_name for e in entries]
    return result, spark_engine.write_report(run, db_path, spark_dir, out_dir, result, validation, tables)


def spark_engine_dir(db_path: Path) -> Path:
    """Where `run --engine spark` keeps the Spark build: next to the warehouse, <stem>.spark/."""
    return db_path.with_name(db_path.stem + ".spark")


def _report_refused(args: argparse.Namespace, run_file: Path, db_path: Path, step: str, message: str) -> None:
    """A run refused before ingest still gets report.json/report.md saying why, in --out or in
    output/<name> when the run file's name is a valid folder name."""
    import yaml

    from moneytrail.settings import run_name_ok

    name: Any = None
    raw_vars: dict[str, Any] = {}
    try:
        data = yaml.safe_load(Path(run_file).read_text(encoding="utf-8"))
        if isinstance(data, dict):
            name = data.get("name")
            found = data.get("vars")
            raw_vars = found if isinstance(found, dict) else {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        pass
    name_ok = run_name_ok(name)
    if args.out is None and not name_ok:
        why = "the run file gives no name" if name is None else "the run name is not a valid folder name"
        print(f"      no report written: {why} (pass --out)", file=sys.stderr)
        return
    out_dir = args.out or Path("output") / str(name)
    out_dir.mkdir(parents=True, exist_ok=True)
    _write_report(str(name) if name_ok else out_dir.name, db_path, out_dir, raw_vars, (), **{step: message})


def _write_report(
    name: str,
    db_path: Path,
    out_dir: Path,
    report_vars: dict[str, Any],
    entries: Sequence[manifest.ManifestEntry],
    settings: str | None = None,
    ingest: str | None = None,
) -> None:
    """The report of a run that stopped before dbt: the failed step and that nothing was built."""
    from moneytrail import report

    failed = report.StepOutcome(False, settings or ingest)
    context = report.BuildContext(
        invocation_id="not-run",
        build=report.StepOutcome(
            False, "dbt build not run: the run stopped at the " + ("settings" if settings else "ingest") + " step"
        ),
        settings=failed if settings else report.StepOutcome(True),
        ingest=failed if ingest else None,
        input_tables=tuple(sorted(e.table_name for e in entries)),
    )
    try:
        # dbt did not run: no target folder, so no earlier build's results are mistaken for this one
        no_dbt = out_dir / "dbt-not-run"
        written = report.write_reports(out_dir, db_path, name, run_vars=report_vars, context=context, target_dir=no_dbt)
    except Exception as exc:  # the refusal is what the user must see
        print(f"error: the report step failed: {type(exc).__name__}: {exc}", file=sys.stderr)
        return
    print(f"      report: {written.out_dir / 'report.md'} (FAILED)")


def _step_message(result: dbt_runner.DbtResult) -> str | None:
    if result.success:
        return None
    return result.exception or "\n".join(result.error_log) or result.error_text() or "dbt failed"


def report_after_build(
    run: RunFile,
    db_path: Path,
    out_dir: Path,
    validation: dbt_runner.DbtResult | None,
    result: dbt_runner.DbtResult,
    input_tables: Sequence[str] | None,
    target_dir: Path | None = None,
) -> bool:
    """Exports, reports and evidence index, always, whatever the build did; False unless all is well.

    db_path and target_dir: the warehouse and dbt target the build wrote (for a Spark build, the
    DuckDB file assembled from its tables and its own target folder: moneytrail/spark_engine.py).
    input_tables: the raw tables this run loaded; None for every table the manifest lists."""
    from dbt_common.invocation import get_invocation_id

    from moneytrail import report

    # the id of the invocation that just ran: run_results.json on disk must carry it
    context = report.BuildContext(
        invocation_id=get_invocation_id(),
        build=report.StepOutcome(result.success, _step_message(result)),
        validation=None if validation is None else report.StepOutcome(validation.success, _step_message(validation)),
        settings=report.StepOutcome(True),
        input_tables=None if input_tables is None else tuple(sorted(input_tables)),
    )
    try:
        # the report records the settings as validated and applied (report.applied_settings)
        written = report.write_reports(out_dir, db_path, run.name, target_dir, run.vars, context)
    except Exception as exc:  # the report step must never hide the build's outcome
        print(f"error: the report step failed: {type(exc).__name__}: {exc}", file=sys.stderr)
        return False
    print(
        f"      report: {out_dir / 'report.md'} ({'ok' if written.ok else 'FAILED'}), "
        f"evidence index: {out_dir / 'evidence_index.json'}"
    )
    _print_report_errors(written.errors, "      ")
    return written.ok


def _print_report_errors(errors: Sequence[dict[str, Any]], indent: str = "") -> None:
    skipped = [e for e in errors if e["status"] == "skipped"]
    for error in errors:
        if error["status"] != "skipped":
            where = error["unique_id"] or error["source"]
            print(f"{indent}error: {where} [{error['status']}]: {error['message'].splitlines()[0]}", file=sys.stderr)
    if skipped:
        print(f"{indent}error: {len(skipped)} node(s) skipped because of the failures above", file=sys.stderr)


def cmd_report(args: argparse.Namespace) -> int:
    from moneytrail import report

    name = args.name or (args.out.name if args.out is not None else "demo")
    out_dir = args.out or Path("output") / name
    db_path = args.db or warehouse.default_path()
    written = report.write_reports(out_dir, db_path, name, target_dir=args.target_dir)
    print(
        f"report: {out_dir / 'report.md'} ({'ok' if written.ok else 'FAILED'}), "
        f"evidence index: {out_dir / 'evidence_index.json'}"
    )
    _print_report_errors(written.errors)
    return 0 if written.ok else EXIT_BUILD_FAILED


def cmd_gate(args: argparse.Namespace) -> int:
    from moneytrail import gate

    return gate.main(args)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    progress.configure(sys.stderr)  # bars on a terminal only; python_udfs run by dbt read it too
    try:
        if args.command == "ingest":
            return cmd_ingest(args)
        if args.command == "run":
            return cmd_run(args, args.run_file)
        if args.command == "demo":
            return cmd_run(args, DEMO_RUN_FILE)
        if args.command == "report":
            return cmd_report(args)
        if args.command == "gate":
            return cmd_gate(args)
        if args.command == "dbt":
            return cmd_dbt(args)
        if args.command == "match":
            return match_cli.main(args)
        if args.command == "match-review":
            return match_cli.review_main(args)
    except MoneytrailError as exc:
        # user errors exit 2, internal ones 1; anything else is a bug and keeps its traceback
        print(f"error: {error_message(exc, args.command)}", file=sys.stderr)
        return exit_code(exc)
    parser.error(f"unknown command {args.command}")  # exits 2


if __name__ == "__main__":
    sys.exit(main())
