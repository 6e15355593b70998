"""Invoke dbt in-process (so the test suite's socket guard covers it too), offline."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PROJECT_DIR = Path(__file__).resolve().parent.parent

# No usage stats, no version checks: the run must never reach the network.
OFFLINE_ENV = {
    "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    "DO_NOT_TRACK": "1",
    "DBT_VERSION_CHECK": "false",
}


@dataclass(frozen=True)
class NodeFailure:
    unique_id: str
    status: str
    message: str


@dataclass(frozen=True)
class DbtResult:
    success: bool
    command: list[str]
    exception: str | None
    failures: tuple[NodeFailure, ...] = ()
    error_log: tuple[str, ...] = ()  # dbt's error-level log lines, in order

    def error_text(self) -> str:
        """Every failure message, one per line, for people and for tests."""
        lines = [f"{f.unique_id} [{f.status}]: {f.message}" for f in self.failures if f.message]
        lines += list(self.error_log)
        if self.exception:
            lines.append(self.exception)
        return "\n".join(lines)


def project_dir() -> Path:
    if not (PROJECT_DIR / "dbt_project.yml").is_file():
        raise FileNotFoundError(
            f"dbt project not found next to the ingest package ({PROJECT_DIR}); "
            "install moneytrail from its source tree (pip install -e .)"
        )
    return PROJECT_DIR


# macros/run_config.sql: whether dbt compares its vars with those of the `moneytrail run` that
# built the warehouse. Callers of invoke() pass their vars on purpose, so it is off unless asked.
RUN_CONFIG_CHECK_ENV = "MONEYTRAIL_RUN_CONFIG_CHECK"


def invoke(
    args: list[str],
    run_vars: dict[str, Any] | None = None,
    warehouse: Path | None = None,
    check_run_config: bool = False,
) -> DbtResult:
    """Run one dbt command against this project; dbt's own output goes to stdout.

    check_run_config: stop (as a plain `dbt build` does) when run_vars differ from those of the
    `moneytrail run` that built the warehouse (moneytrail/run_config.py)."""
    for key, value in OFFLINE_ENV.items():
        os.environ[key] = value
    before = os.environ.get(RUN_CONFIG_CHECK_ENV)
    os.environ[RUN_CONFIG_CHECK_ENV] = "on" if check_run_config else "off"
    if warehouse is not None:
        os.environ["MONEYTRAIL_DB"] = str(warehouse.resolve())
    from dbt.cli.main import dbtRunner  # imported late: dbt reads the environment on import

    project = project_dir()
    command = list(args) + [
        "--project-dir",
        str(project),
        "--profiles-dir",
        str(project),
    ]
    if run_vars:
        command += ["--vars", json.dumps(run_vars, sort_keys=True)]
    errors: list[str] = []

    def collect(event: Any) -> None:
        if event.info.level == "error":
            errors.append(event.info.msg)

    try:
        result = dbtRunner(callbacks=[collect]).invoke(command)
    finally:
        _release_warehouse()
        if before is None:
            os.environ.pop(RUN_CONFIG_CHECK_ENV, None)
        else:
            os.environ[RUN_CONFIG_CHECK_ENV] = before
    return DbtResult(
        success=bool(result.success),
        command=["dbt"] + command,
        exception=None if result.exception is None else str(result.exception),
        failures=tuple(_failures(result.result)),
        error_log=tuple(errors),
    )


def _release_warehouse() -> None:
    """Close the DuckDB connection dbt-duckdb keeps open after a command.

    dbt-duckdb caches one connection per process; left open, it holds the warehouse file with
    its own configuration and the next open in this process (the report step, a test) fails.
    The attributes are private to dbt-duckdb, which is pinned to 1.11.1 in pyproject.toml."""
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    with DuckDBConnectionManager._LOCK:
        env: Any = DuckDBConnectionManager._ENV
        if env is not None:
            env.close()
            DuckDBConnectionManager._ENV = None


def _failures(run_result: Any) -> list[NodeFailure]:
    out: list[NodeFailure] = []
    for node_result in getattr(run_result, "results", None) or []:
        status = str(getattr(node_result, "status", ""))
        if status.lower() in {"error", "fail", "skipped", "runtime error"}:
            node = getattr(node_result, "node", None)
            out.append(
                NodeFailure(
                    unique_id=getattr(node, "unique_id", "?"),
                    status=status.lower(),
                    message=str(getattr(node_result, "message", "") or ""),
                )
            )
    return out
