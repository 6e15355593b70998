"""Opening the warehouse: one DuckDB file, never any network."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

from ingest.errors import IngestError

DB_ENV = "MONEYTRAIL_DB"
DEFAULT_DB = "warehouse/moneytrail.duckdb"

# DuckDB fetches extensions from the network on first use unless told not to.
OFFLINE_CONFIG = {
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
}


# The same memory cap as dbt's (profiles.yml): DuckDB's own default is 80% of the machine's
# memory, and the report step's sorted exports of a 70M-row build took 20 GB with it.
MEMORY_LIMIT_ENV = "MONEYTRAIL_MEMORY_LIMIT"
DEFAULT_MEMORY_LIMIT = "4GB"


def memory_limit() -> str:
    return os.environ.get(MEMORY_LIMIT_ENV, DEFAULT_MEMORY_LIMIT)


def default_path() -> Path:
    return Path(os.environ.get(DB_ENV, DEFAULT_DB))


class WarehouseError(IngestError):
    """The warehouse file cannot be opened (held by another process, not a DuckDB file, ...)."""


def connect(path: Path | str | None = None, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open (creating its folder) the warehouse file with extension auto-install/-load off and
    DuckDB's memory capped at $MONEYTRAIL_MEMORY_LIMIT (default 4GB), as dbt's connection is."""
    target = Path(path) if path is not None else default_path()
    if str(target) != ":memory:" and not read_only:
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise WarehouseError(f"cannot create the warehouse folder {target.parent}: {exc.strerror}") from None
    config: dict[str, str | bool | int | float | list[str]] = {**OFFLINE_CONFIG, "memory_limit": memory_limit()}
    try:
        return duckdb.connect(str(target), read_only=read_only, config=config)
    except (duckdb.ParserException, duckdb.InvalidInputException) as exc:
        if "memory" not in str(exc).lower():
            raise
        raise WarehouseError(
            f"{MEMORY_LIMIT_ENV}={memory_limit()!r} is not a memory size DuckDB reads: "
            f"{str(exc).splitlines()[0]}; set it like 4GB or 512MiB, or unset it for 4GB",
            options=(MEMORY_LIMIT_ENV,),
        ) from None
    except duckdb.IOException as exc:
        text = str(exc)
        if "lock" in text.lower():
            raise WarehouseError(
                f"the warehouse {target.name} is in use by another process (DuckDB allows one writer); "
                "wait for it to finish or use another warehouse file",
                options=("warehouse",),
            ) from None
        raise WarehouseError(f"the warehouse {target.name} cannot be opened: {text.splitlines()[0]}") from None
