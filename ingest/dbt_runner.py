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
class DbtResult:
    success: bool
    command: list[str]
    exception: str | None


def project_dir() -> Path:
    if not (PROJECT_DIR / "dbt_project.yml").is_file():
        raise FileNotFoundError(
            f"dbt project not found next to the ingest package ({PROJECT_DIR}); "
            "install moneytrail from its source tree (pip install -e .)"
        )
    return PROJECT_DIR


def invoke(args: list[str], run_vars: dict[str, Any] | None = None, warehouse: Path | None = None) -> DbtResult:
    """Run one dbt command against this project; dbt's own output goes to stdout."""
    for key, value in OFFLINE_ENV.items():
        os.environ[key] = value
    if warehouse is not None:
        os.environ["MONEYTRAIL_DB"] = str(warehouse.resolve())
    from dbt.cli.main import dbtRunner  # imported late: dbt reads the environment on import

    project = project_dir()
    command = list(args) + [
        "--project-dir", str(project),
        "--profiles-dir", str(project),
    ]
    if run_vars:
        command += ["--vars", json.dumps(run_vars, sort_keys=True)]
    result = dbtRunner().invoke(command)
    return DbtResult(
        success=bool(result.success),
        command=["dbt"] + command,
        exception=None if result.exception is None else str(result.exception),
    )

