"""dbt run directly after `moneytrail run` keeps that run's configuration or stops saying how
(issue 14 item 6): real dbt command lines against the demo's warehouse."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from moneytrail import run_config, settings
from tests.python.conftest import REPO

pytestmark = pytest.mark.slow

DBT = Path(sys.executable).with_name("dbt")


@pytest.fixture
def warehouse(demo_run, tmp_path, monkeypatch):
    """A copy of the demo's warehouse and of the vars file `moneytrail demo` wrote beside it."""
    monkeypatch.setenv("DBT_TARGET_PATH", str(tmp_path / "target"))
    db = tmp_path / "w.duckdb"
    shutil.copyfile(demo_run.db, db)
    shutil.copyfile(run_config.vars_file_for(demo_run.db), run_config.vars_file_for(db))
    return db


def dbt_cli(db: Path, tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    """`dbt ARGS` as a user types it in the project folder (no MONEYTRAIL_RUN_CONFIG_CHECK set)."""
    env = {k: v for k, v in os.environ.items() if k != "MONEYTRAIL_RUN_CONFIG_CHECK"}
    env.update(
        MONEYTRAIL_DB=str(db),
        DBT_TARGET_PATH=str(tmp_path / "cli_target"),
        DBT_SEND_ANONYMOUS_USAGE_STATS="false",
        DO_NOT_TRACK="1",
        DBT_VERSION_CHECK="false",
    )
    return subprocess.run(
        [str(DBT), *args, "--profiles-dir", "."], cwd=REPO, env=env, capture_output=True, text=True, timeout=600
    )


def test_demo_run_records_its_vars(demo_run):
    config = run_config.read(demo_run.db)
    assert (config.run_name, Path(config.run_file).name) == ("demo", "run.yml")
    # the demo's run file adds nothing: its vars are dbt_project.yml's
    assert config.vars == json.loads(json.dumps(settings.project_vars()))
    assert json.loads(run_config.vars_file_for(demo_run.db).read_text()) == config.vars


def test_plain_dbt_after_the_demo_run_keeps_its_configuration(warehouse, tmp_path):
    done = dbt_cli(warehouse, tmp_path, "run", "--select", "base_contracts")
    assert done.returncode == 0, done.stdout


def test_dbt_with_other_vars_after_a_run_stops_naming_the_command(warehouse, tmp_path):
    con = duckdb.connect(str(warehouse), read_only=True)
    before = con.execute("select count(*) from marts.cross_links").fetchone()
    con.close()
    done = dbt_cli(warehouse, tmp_path, "build", "--vars", "{run_seed: 7}")
    assert done.returncode != 0
    recorded = run_config.read(warehouse)  # a copy: its record names the original's vars file
    message = (
        f"this warehouse was built by `moneytrail run {recorded.run_file}` (run demo), and "
        "this dbt build has other vars (run_seed differ): it would mix another configuration "
        "(dbt_project.yml's demo role map, or your --vars) into the run's warehouse. Use the run's "
        f'configuration: `moneytrail dbt build`, or `dbt build --vars "$(cat {recorded.vars_file})"`; for another '
        "configuration write a run file and `moneytrail run` it (into another warehouse with --db to keep "
        "this one)."
    )
    assert message in " ".join(done.stdout.split())
    con = duckdb.connect(str(warehouse), read_only=True)
    assert con.execute("select count(*) from marts.cross_links").fetchone() == before
    con.close()
    # the command the message gives works
    with_file = dbt_cli(
        warehouse, tmp_path, "run", "--select", "base_contracts", "--vars", Path(recorded.vars_file).read_text("utf-8")
    )
    assert with_file.returncode == 0, with_file.stdout


def test_docs_generate_with_other_vars_stops(warehouse):
    from moneytrail import dbt_runner

    result = dbt_runner.invoke(["docs", "generate"], {"run_seed": 7}, warehouse=warehouse, check_run_config=True)
    assert not result.success
    assert "this dbt docs generate has other vars (run_seed differ)" in result.error_text()
    assert "`moneytrail dbt docs generate`" in result.error_text()


def test_moneytrail_dbt_uses_the_recorded_vars(warehouse, tmp_path, capsys):
    from moneytrail.cli import main

    assert main(["dbt", "--db", str(warehouse), "run", "--select", "base_contracts"]) == 0
    assert "dbt run --select base_contracts with the vars of run demo" in capsys.readouterr().out
    assert main(["dbt", "--db", str(warehouse), "build", "--vars", "{}"]) == 2
    assert capsys.readouterr().err == (
        "error: moneytrail dbt passes the run's vars itself; for other vars write a run file and moneytrail run it\n"
    )
    empty = tmp_path / "empty.duckdb"
    duckdb.connect(str(empty)).close()
    assert main(["dbt", "--db", str(empty), "build"]) == 2
    assert capsys.readouterr().err == (
        f"error: the warehouse {empty} was not built by `moneytrail run` (it holds no run configuration): "
        "run dbt directly, or build it with: moneytrail run RUN_FILE\n"
    )


def test_record_replaces_the_previous_run(tmp_path):
    db = tmp_path / "r.duckdb"
    con = duckdb.connect(str(db))
    run_config.record(con, db, "first", Path("a.yml"), {"run_seed": 1})
    run_config.record(con, db, "second", Path("b.yml"), {"run_seed": 2, "role_map": {"x": "it's"}})
    con.close()
    config = run_config.read(db)
    assert (config.run_name, config.run_file, config.vars) == (
        "second",
        "b.yml",
        {"run_seed": 2, "role_map": {"x": "it's"}},
    )
    assert json.loads((tmp_path / "r.run_vars.json").read_text()) == config.vars
