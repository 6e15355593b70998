"""Test-wide guards: no network, ever; dbt's target and log folders private to each test process."""

from __future__ import annotations

import json
import os
import shutil
import socket
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

_DBT_DIRS = pytest.MonkeyPatch()  # undone when the test process ends


def pytest_configure(config: pytest.Config) -> None:
    """dbt writes manifest.json, partial_parse.msgpack and run_results.json into its target folder.
    Two test processes (pytest-xdist workers, or a suite beside a developer's own build) sharing
    the repository's target/ would read each other's files, so every test process gets its own
    target and log folders; a test that needs another one still sets DBT_TARGET_PATH itself."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    base = Path(tempfile.mkdtemp(prefix=f"moneytrail-tests-{worker}-"))
    _DBT_DIRS.setenv("DBT_TARGET_PATH", str(base / "target"))
    _DBT_DIRS.setenv("DBT_LOG_PATH", str(base / "logs"))
    config.add_cleanup(lambda: shutil.rmtree(base, ignore_errors=True))
    config.add_cleanup(_DBT_DIRS.undo)


class NetworkBlocked(RuntimeError):
    pass


_ALLOWED_FAMILIES = {getattr(socket, "AF_UNIX", None)}


def _guarded(original):
    def connect(self, address, *args, **kwargs):
        if self.family in _ALLOWED_FAMILIES:
            return original(self, address, *args, **kwargs)
        raise NetworkBlocked(f"network access blocked in tests: connect to {address!r}")

    return connect


@pytest.fixture(autouse=True, scope="session")
def _block_network():
    patched = {
        "connect": socket.socket.connect,
        "connect_ex": socket.socket.connect_ex,
    }
    socket.socket.connect = _guarded(patched["connect"])
    socket.socket.connect_ex = _guarded(patched["connect_ex"])
    original_getaddrinfo = socket.getaddrinfo

    def getaddrinfo(host, *args, **kwargs):
        raise NetworkBlocked(f"network access blocked in tests: resolve {host!r}")

    socket.getaddrinfo = getaddrinfo
    try:
        yield
    finally:
        socket.socket.connect = patched["connect"]
        socket.socket.connect_ex = patched["connect_ex"]
        socket.getaddrinfo = original_getaddrinfo


# ----------------------------------------------------------------------------------------------
# End-to-end: one demo run per test session, shared by every test that reads its warehouse.
# ----------------------------------------------------------------------------------------------


REPO = Path(__file__).resolve().parents[2]
DEMO_DIR = REPO / "examples" / "demo"


@dataclass(frozen=True)
class DemoRun:
    exit_code: int
    db: Path
    out: Path
    truth: dict

    def query(self, sql: str, params: list | None = None) -> list[tuple]:
        import duckdb

        con = duckdb.connect(str(self.db), read_only=True)
        try:
            return con.execute(sql, params or []).fetchall()
        finally:
            con.close()


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory, _block_network) -> DemoRun:
    from moneytrail.cli import main

    base = tmp_path_factory.mktemp("demo")
    db, out = base / "demo.duckdb", base / "out"
    code = main(["demo", "--db", str(db), "--out", str(out)])
    truth = json.loads((DEMO_DIR / "ground_truth.json").read_text())
    return DemoRun(code, db, out, truth)


FEC_RUN_FILE = REPO / "examples" / "fec_ice" / "run.yml"


@pytest.fixture(scope="session")
def fec_example_run(tmp_path_factory, _block_network) -> DemoRun:
    """The FEC x ICE real-data example (examples/fec_ice/run.yml), built once for the session
    into a tmp warehouse, dbt's target and logs in tmp too (never the repository's target/).
    Tests read it; a test that rebuilds models with other vars does so on a copy
    (fec_example_copy), so every reader sees this run's tables."""
    from moneytrail.cli import main

    base = tmp_path_factory.mktemp("fec_example")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("DBT_TARGET_PATH", str(base / "target"))
        env.setenv("DBT_LOG_PATH", str(base / "logs"))
        code = main(["run", str(FEC_RUN_FILE), "--db", str(base / "fec.duckdb"), "--out", str(base / "out")])
    return DemoRun(code, base / "fec.duckdb", base / "out", {})


@pytest.fixture
def fec_example_copy(fec_example_run, tmp_path) -> DemoRun:
    """A private copy of the FEC example's warehouse, for a test that rebuilds models with other vars."""
    assert fec_example_run.exit_code == 0
    db = tmp_path / "fec.duckdb"
    shutil.copyfile(fec_example_run.db, db)
    return DemoRun(fec_example_run.exit_code, db, fec_example_run.out, {})


def write_demo_run_file(tmp_path: Path, role_map: dict, contributions_csv: Path | None = None) -> Path:
    """A run file over the demo's CSV files with the given role map: for tests of broken or
    unusual role maps."""
    import yaml

    run = {
        "name": "broken",
        "inputs": [
            {"path": str(DEMO_DIR / "contracts.csv"), "table": "demo_contracts"},
            {"path": str(contributions_csv or DEMO_DIR / "contributions.csv"), "table": "demo_contributions"},
            {"path": str(DEMO_DIR / "candidates.tsv"), "table": "demo_candidates", "delimiter": "\t"},
        ],
        "vars": {"role_map": role_map},
    }
    path = tmp_path / "run.yml"
    path.write_text(yaml.safe_dump(run))
    return path
