"""Opening the warehouse: one DuckDB file, never any network."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

DB_ENV = "MONEYTRAIL_DB"
DEFAULT_DB = "warehouse/moneytrail.duckdb"

# DuckDB fetches extensions from the network on first use unless told not to.
OFFLINE_CONFIG = {
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
}


def default_path() -> Path:
    return Path(os.environ.get(DB_ENV, DEFAULT_DB))


def connect(path: Path | str | None = None, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open (creating its folder) the warehouse file with extension auto-install/-load off."""
    target = Path(path) if path is not None else default_path()
    if str(target) != ":memory:" and not read_only:
        target.parent.mkdir(parents=True, exist_ok=True)
    return duckdb.connect(str(target), read_only=read_only, config=dict(OFFLINE_CONFIG))
