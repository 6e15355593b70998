"""vars.timing reaches the dbt Python model: every setting changes the output of
int_timing_tests, unknown keys and bad values stop the build with a message naming them."""

from __future__ import annotations

import json
import shutil

import pytest

pytestmark = pytest.mark.slow


@pytest.fixture
def warehouse(demo_run, tmp_path, monkeypatch):
    monkeypatch.setenv("DBT_TARGET_PATH", str(tmp_path / "target"))  # never share target/
    db = tmp_path / "timing.duckdb"
    shutil.copyfile(demo_run.db, db)
    return db


def run_timing_model(db, run_vars):
    from moneytrail import dbt_runner

    return dbt_runner.invoke(["run", "--select", "int_timing_tests"], run_vars, warehouse=db)


def rows(db):
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        return {
            (v, r): (status, n_perm, seed, null_model, json.loads(settings), n_awards)
            for v, r, status, n_perm, seed, null_model, settings, n_awards in con.execute(
                "select vendor_key, recipient_key, status, n_permutations, seed, null_model, timing_settings, "
                "n_awards from intermediate.int_timing_tests"
            ).fetchall()
        }
    finally:
        con.close()


def test_every_timing_setting_reaches_the_model_and_changes_its_output(demo_run, warehouse):
    before = rows(demo_run.db)
    assert {r[4]["n_permutations"] for r in before.values()} == {2000}
    settings = {"n_permutations": 500, "min_donations": 1, "min_awards": 6, "calendar": "uniform_days"}
    result = run_timing_model(warehouse, {"timing": settings, "run_seed": 7})
    assert result.success, result.error_log
    after = rows(warehouse)
    assert set(after) == set(before)
    assert {json.dumps(r[4], sort_keys=True) for r in after.values()} == {
        json.dumps({**settings, "run_seed": 7}, sort_keys=True)
    }
    status_before = {k: r[0] for k, r in before.items()}
    status_after = {k: r[0] for k, r in after.items()}
    # min_donations 1: pairs with one or two donations are no longer refused for that reason
    assert "too_few_donations" in status_before.values()
    assert "too_few_donations" not in status_after.values()
    # min_awards 6: the vendor with 5 award dates (Harbor Health Services) is refused, Acme (6) is not
    assert [status_before[k] for k, r in before.items() if r[5] == 5] == ["tested"]
    assert [status_after[k] for k, r in after.items() if r[5] == 5] == ["too_few_awards"]
    assert {status_after[k] for k, r in after.items() if r[5] == 6} == {"tested"}
    tested_after = [r for r in after.values() if r[0] == "tested"]
    assert tested_after
    # n_permutations, calendar, run_seed
    assert {r[1] for r in tested_after} == {500}
    assert all("every day equally likely" in r[3] for r in tested_after)
    assert all(after[k][2] != before[k][2] for k in before)


# The settings schema refuses these before any node runs (the on-run-start hook, issue 11); the
# model's own check stays behind it for direct callers of python_udfs.timing.
@pytest.mark.parametrize(
    "timing, message",
    [
        (
            {"bogus_key": 1},
            "vars.timing.bogus_key: unknown key; allowed: n_permutations, min_donations, min_awards, calendar",
        ),
        (
            {"calendar": "study_span"},
            'vars.timing.calendar: "study_span" is not allowed; expected one of all_awards, uniform_days',
        ),
    ],
)
def test_unknown_keys_and_bad_values_stop_the_build(warehouse, timing, message):
    result = run_timing_model(warehouse, {"timing": timing})
    assert not result.success
    assert message in result.error_text() + "\n".join(f.message for f in result.failures)
