"""Dates have a precision (issue 14 item 5): a year- or month-only date format never lets its
dates into the timing test; the model says where they came from and the report names the
input column and format."""

from __future__ import annotations

import copy
import csv
import shutil

import duckdb
import pytest

from ingest.tabular import load_tabular
from moneytrail import settings
from moneytrail.report.counts import notes_date_precision
from tests.python.conftest import DEMO_DIR

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def year_only(demo_run, tmp_path_factory):
    """The demo warehouse with its contracts re-read through a year-only award date column."""
    from moneytrail import dbt_runner

    base = tmp_path_factory.mktemp("precision")
    db = base / "w.duckdb"
    shutil.copyfile(demo_run.db, db)
    with open(DEMO_DIR / "contracts.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    path = base / "contracts_years.csv"
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=[*rows[0], "award_year"])
        writer.writeheader()
        for row in rows:
            writer.writerow({**row, "award_year": row["award_date"][:4]})
    con = duckdb.connect(str(db))
    load_tabular(con, path, "demo_contracts_years", progress=None)
    con.close()
    role_map = copy.deepcopy(settings.project_vars()["role_map"])
    role_map["contracts"]["table"] = "demo_contracts_years"
    role_map["contracts"]["columns"]["award_date"] = {"column": "award_year", "format": "%Y"}
    import os

    os.environ["DBT_TARGET_PATH"] = str(base / "target")
    try:
        result = dbt_runner.invoke(
            [
                "run",
                "--select",
                "base_contracts",
                "stg_contracts",
                "int_contracts",
                "int_timing_awards",
                "int_timing_tests",
                "rpt_timing_dates_without_day",  # the report's note reads its count from this model
            ],
            {"role_map": role_map},
            warehouse=db,
        )
    finally:
        os.environ.pop("DBT_TARGET_PATH", None)
    assert result.success, result.error_text()
    return db


def query(db, sql):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_year_only_dates_are_marked_with_their_source(year_only):
    rows = query(year_only, "select distinct date_precision, date_source from intermediate.int_timing_awards")
    assert rows == [("year", 'role_map.contracts.columns.award_date: column "award_year", format "%Y"')]
    # independent: every award date is 1 January of the year written in the input
    wrong = query(
        year_only,
        """select count(*) from intermediate.int_timing_awards a
           join raw.demo_contracts_years r on a.row_ref like '%#row_index=' || r.row_index
           where a.award_date <> make_date(cast(r.award_year as integer), 1, 1)""",
    )
    assert wrong == [(0,)]


def test_year_only_dates_never_enter_the_timing_test(year_only, demo_run):
    tested_in_demo = demo_run.query("select count(*) from intermediate.int_timing_tests where status = 'tested'")
    assert tested_in_demo[0][0] > 0  # the same pairs are tested with day dates
    statuses = dict(query(year_only, "select status, count(*) from intermediate.int_timing_tests group by 1"))
    assert "tested" not in statuses
    assert statuses.get("imprecise_award_dates", 0) > 0


def test_report_names_the_column_and_format(year_only):
    con = duckdb.connect(str(year_only), read_only=True)
    try:
        notes = notes_date_precision(con)
        n = con.execute("select count(*) from intermediate.int_timing_awards").fetchone()[0]
    finally:
        con.close()
    assert notes == [
        f"Not run on {n:,} award date(s): they have year precision (role_map.contracts.columns.award_date: "
        'column "award_year", format "%Y"), and a date without a day never enters the timing test (its '
        "distances in days would be artefacts of the format)."
    ]


def test_day_precision_dates_give_no_note(demo_run):
    con = duckdb.connect(str(demo_run.db), read_only=True)
    try:
        assert notes_date_precision(con) == []
        sources = con.execute("select distinct date_precision, date_source from intermediate.int_timing_donations")
        assert sources.fetchall() == [
            ("day", 'role_map.contributions.columns.donation_date: column "contribution_date", format "%m/%d/%Y"')
        ]
    finally:
        con.close()
