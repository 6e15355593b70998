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


def default_path() -> Path:
    return Path(os.environ.get(DB_ENV, DEFAULT_DB))


class WarehouseError(IngestError):
    """The warehouse file cannot be opened (held by another process, not a DuckDB file, ...)."""


def connect(path: Path | str | None = None, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open (creating its folder) the warehouse file with extension auto-install/-load off."""
    target = Path(path) if path is not None else default_path()
    if str(target) != ":memory:" and not read_only:
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise WarehouseError(f"cannot create the warehouse folder {target.parent}: {exc.strerror}") from None
    try:
        return duckdb.connect(str(target), read_only=read_only, config=dict(OFFLINE_CONFIG))
    except duckdb.IOException as exc:
        text = str(exc)
        if "lock" in text.lower():
            raise WarehouseError(
                f"the warehouse {target.name} is in use by another process (DuckDB allows one writer); "
                "wait for it to finish or use another warehouse file",
                options=("warehouse",),
            ) from None
        raise WarehouseError(f"the warehouse {target.name} cannot be opened: {text.splitlines()[0]}") from None
