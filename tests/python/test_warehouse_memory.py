"""Every DuckDB connection moneytrail opens (ingest, report, exports, HTML) has the memory cap
dbt's connection has (profiles.yml): $MONEYTRAIL_MEMORY_LIMIT, else 4GB. DuckDB's own default
is 80% of the machine's memory: the report step of a 70M-row build reached 20 GB with it."""

from __future__ import annotations

import pytest

from ingest import warehouse


def _limit(path) -> str:
    con = warehouse.connect(path)
    try:
        return con.execute("select current_setting('memory_limit')").fetchone()[0]
    finally:
        con.close()


def test_the_default_cap_is_dbts(tmp_path, monkeypatch):
    monkeypatch.delenv("MONEYTRAIL_MEMORY_LIMIT", raising=False)
    assert _limit(tmp_path / "w.duckdb") == "3.7 GiB"  # 4GB = 4 * 1000^3 bytes


def test_the_cap_follows_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("MONEYTRAIL_MEMORY_LIMIT", "512MiB")
    assert _limit(tmp_path / "w.duckdb") == "512.0 MiB"
    con = warehouse.connect(tmp_path / "w.duckdb", read_only=True)
    try:
        assert con.execute("select current_setting('memory_limit')").fetchone()[0] == "512.0 MiB"
    finally:
        con.close()


def test_a_cap_duckdb_cannot_read_is_refused_naming_the_variable(tmp_path, monkeypatch):
    monkeypatch.setenv("MONEYTRAIL_MEMORY_LIMIT", "lots")
    with pytest.raises(warehouse.WarehouseError) as err:
        warehouse.connect(tmp_path / "w.duckdb")
    assert str(err.value) == (
        "MONEYTRAIL_MEMORY_LIMIT='lots' is not a memory size DuckDB reads: Parser Error: Memory limit "
        "must have a number (e.g. SET memory_limit=1GB; set it like 4GB or 512MiB, or unset it for 4GB"
    )
