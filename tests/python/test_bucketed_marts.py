"""The marts built one bucket of groups at a time (macros/bucketed_table.sql) hold exactly the
rows of the one-pass build, whatever the bucket count: compared row for row (EXCEPT ALL both
ways, every column, list columns included) on the real FEC x ICE example, with the FEC rules and
with a configured flat limit of $2,700 a calendar year that flags 389 groups."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from ingest.runfile import load_run_file
from tests.python.conftest import REPO

RUN_FILE = REPO / "examples" / "fec_ice" / "run.yml"
BUCKETED = ("limit_flags", "bundle_groups")


def _build(db: Path, run_vars: dict, capsys: pytest.CaptureFixture[str]) -> str:
    from moneytrail import dbt_runner

    capsys.readouterr()
    result = dbt_runner.invoke(["run", "--select", *BUCKETED], run_vars, warehouse=db)
    assert result.success, result.error_text()
    return capsys.readouterr().out


def _tables(db: Path) -> dict[str, list[tuple]]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {t: con.execute(f"select * from marts.{t}").fetchall() for t in BUCKETED}
    finally:
        con.close()


def _differences(a: Path, b: Path, table: str) -> tuple[int, int, int]:
    con = duckdb.connect(str(a), read_only=True)
    try:
        quoted = "'" + str(b).replace("'", "''") + "'"
        con.execute(f"attach {quoted} as other (read_only)")
        rows = con.execute(f"select count(*) from marts.{table}").fetchone()[0]
        extra = f"select count(*) from (from marts.{table} except all from other.marts.{table})"
        missing = f"select count(*) from (from other.marts.{table} except all from marts.{table})"
        return rows, con.execute(extra).fetchone()[0], con.execute(missing).fetchone()[0]
    finally:
        con.close()


@pytest.mark.parametrize("rules", ["fec", "generic"])
def test_bucketed_marts_equal_the_one_pass_build(fec_example_copy, tmp_path, capsys, rules):
    run_vars = load_run_file(RUN_FILE).vars
    if rules == "generic":
        run_vars["source_rules"] = "generic"
        run_vars["contribution_limits"] = {"limit": 2700, "period": "calendar_year"}
    # int_contributions holds the example's 20,000 rows: the default (8M rows a bucket) is one
    # pass, 1,000 rows a bucket is 20
    one_pass = _build(fec_example_copy.db, run_vars, capsys)
    assert "buckets of its groups" not in one_pass
    reference = tmp_path / "one_pass.duckdb"
    shutil.copyfile(fec_example_copy.db, reference)
    bucketed = _build(fec_example_copy.db, {**run_vars, "build_bucket_rows": 1000}, capsys)
    for table in BUCKETED:
        line = f"{table}: 20 buckets of its groups (vars.build_bucket_rows 1000 rows of int_contributions each)"
        assert line in bucketed
    expected = {"fec": {"limit_flags": 3, "bundle_groups": 610}, "generic": {"limit_flags": 389, "bundle_groups": 610}}
    for table in BUCKETED:
        assert _differences(fec_example_copy.db, reference, table) == (expected[rules][table], 0, 0)


def test_a_bucket_count_below_the_minimum_is_refused(fec_example_copy, capsys):
    from moneytrail import dbt_runner

    run_vars = {**load_run_file(RUN_FILE).vars, "build_bucket_rows": 10}
    before = _tables(fec_example_copy.db)
    result = dbt_runner.invoke(["run", "--select", "limit_flags"], run_vars, warehouse=fec_example_copy.db)
    assert not result.success
    expected = "vars.build_bucket_rows: 10 is out of range; expected an integer >= 1000 and <= 9223372036854775807"
    assert expected in result.error_text()
    assert _tables(fec_example_copy.db) == before
