"""The configuration a `moneytrail run` builds the warehouse with, remembered in the warehouse.

`moneytrail run FILE` writes its resolved dbt vars (dbt_project.yml's vars with the run file's on
top, as dbt sees them) into ``meta.run_config`` and into a git-ignored file next to the warehouse
(``warehouse/moneytrail.run_vars.json``) before anything is ingested. Afterwards a plain
`dbt build`, `dbt test` or `dbt docs generate` compares its own vars with them
(macros/run_config.sql) and stops, naming the command to use, instead of silently rebuilding the
run's warehouse with the demo's role map. `moneytrail dbt ARGS...` runs any dbt command with them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from moneytrail.dbt_runner import PROJECT_DIR
from moneytrail.errors import UserError

SCHEMA = "meta"
TABLE = "run_config"


class RunConfigMissing(UserError, ValueError):
    """The warehouse holds no run configuration (it was not built by `moneytrail run`)."""


@dataclass(frozen=True)
class RunConfig:
    run_name: str
    run_file: str
    vars: dict[str, Any]
    vars_file: str


def vars_file_for(db_path: Path) -> Path:
    """The git-ignored file beside the warehouse holding its run's vars as JSON."""
    return db_path.with_name(db_path.stem + ".run_vars.json")


def _shown(path: Path) -> str:
    """A path as the messages show it: relative to the project when inside it."""
    resolved = path.resolve()
    try:
        return str(resolved.relative_to(PROJECT_DIR))
    except ValueError:
        return str(resolved)


def record(
    con: duckdb.DuckDBPyConnection, db_path: Path, run_name: str, run_file: Path, merged_vars: Mapping[str, Any]
) -> RunConfig:
    """Remember the run's vars in the warehouse and beside it; replaces an earlier run's."""
    text = json.dumps(dict(merged_vars), sort_keys=True, ensure_ascii=True)
    vars_file = vars_file_for(db_path)
    vars_file.write_text(text + "\n", encoding="utf-8")
    config = RunConfig(run_name, str(run_file), json.loads(text), _shown(vars_file))
    con.execute(f"create schema if not exists {SCHEMA}")
    con.execute(
        f"create or replace table {SCHEMA}.{TABLE} "
        "(run_name varchar not null, run_file varchar not null, vars_json varchar not null, vars_file varchar not null)"
    )
    con.execute(
        f"insert into {SCHEMA}.{TABLE} values (?, ?, ?, ?)",
        [config.run_name, config.run_file, text, config.vars_file],
    )
    return config


def read(db_path: Path) -> RunConfig:
    """The run configuration a warehouse was built with (RunConfigMissing when there is none)."""
    from ingest import warehouse

    if not db_path.is_file():
        raise RunConfigMissing(f"the warehouse {db_path} does not exist; build it with: moneytrail run RUN_FILE")
    con = warehouse.connect(db_path, read_only=True)
    try:
        found = con.execute(
            "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
            [SCHEMA, TABLE],
        ).fetchone()
        rows = con.execute(f"select * from {SCHEMA}.{TABLE}").fetchall() if found and found[0] else []
    finally:
        con.close()
    if not rows:
        raise RunConfigMissing(
            f"the warehouse {db_path} was not built by `moneytrail run` (it holds no run configuration): "
            "run dbt directly, or build it with: moneytrail run RUN_FILE"
        )
    run_name, run_file, vars_json, vars_file = rows[0]
    return RunConfig(run_name, run_file, json.loads(vars_json), vars_file)


__all__ = ["RunConfig", "RunConfigMissing", "read", "record", "vars_file_for"]
