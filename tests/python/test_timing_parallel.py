"""The timing test in vendor buckets (python_udfs/timing_parallel.py, the Spark form of
int_timing_tests) gives exactly the single-process table.

What models/spark/int_timing_tests.sql does in SQL is restated here in plain Python: the
buckets' per-day calendar counts are summed per day, every bucket is tested with that
calendar, and the q-values are computed again over all pairs from the distinct p-values (a
tie block takes min over later blocks of p * m / its last rank). No Spark is needed;
tests/python/test_spark_equivalence.py runs the SQL itself on the demo."""

from __future__ import annotations

import json
import zlib
from collections import defaultdict

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from python_udfs import timing_parallel as tp
from python_udfs.timing import run_timing
from python_udfs.timing_config import config_from_model
from python_udfs.timing_inputs import date_source_of
from tests.python.test_timing import tables

SETTINGS = json.dumps({"n_permutations": 199, "min_awards": 3})


def _data(n_vendors: int, seed: int):
    rng = np.random.default_rng(seed)
    donations, awards = [], []
    for v in range(n_vendors):
        lo = int(rng.integers(0, 600))
        for a in rng.choice(np.arange(lo, lo + 700), size=int(rng.integers(1, 12)), replace=False):
            awards.append((f"v{v}", int(a)))
        for r in range(int(rng.integers(1, 4))):
            for d in rng.integers(lo, lo + 700, size=int(rng.integers(1, 9))):
                donations.append((f"v{v}", f"r{r}", int(d)))
    donations += [("vnone", "r0", 1), ("vnone", "r0", 2), ("vnone", "r0", 3)]
    don, aw = tables(donations, awards)
    col = pa.array(["award_date"] * aw.num_rows, pa.string())
    return don.append_column("date_column", pa.array(["contribution_receipt_date"] * don.num_rows)), aw.append_column(
        "date_column", col
    )


def _bh_by_blocks(p_values: list[float | None]) -> list[float | None]:
    blocks = sorted({p for p in p_values if p is not None})
    count = {p: sum(1 for q in p_values if q == p) for p in blocks}
    m = sum(count.values())
    q_of, running, last = {}, 1.0, 0
    last_rank = {}
    for p in blocks:
        last += count[p]
        last_rank[p] = last
    for p in reversed(blocks):
        running = min(running, (p * m) / last_rank[p])
        q_of[p] = running
    return [None if p is None else q_of[p] for p in p_values]


def _parts(donations: pa.Table, awards: pa.Table, n_buckets: int) -> pa.Table:
    def bucket_of(keys):
        return np.array([zlib.crc32(k.encode()) % n_buckets for k in keys.to_pylist()])

    don_b, aw_b = bucket_of(donations.column("vendor_key")), bucket_of(awards.column("vendor_key"))
    sums: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for b in range(n_buckets):
        for day, awarded, change in tp.day_counts(awards.filter(pa.array(aw_b == b))):
            sums[day][0] += awarded
            sums[day][1] += change
    days = [(d, a, c) for d, (a, c) in sums.items()]
    award_cols = awards.column("date_column").to_pylist()
    don_cols = donations.column("date_column").to_pylist()
    parts = [
        tp.bucket_tests(
            SETTINGS,
            "7",
            donations.filter(pa.array(don_b == b)),
            awards.filter(pa.array(aw_b == b)),
            days,
            award_cols,
            don_cols,
            awards.num_rows,
        )
        for b in range(n_buckets)
        if (don_b == b).any()
    ]
    table = pa.concat_tables(parts)
    q = _bh_by_blocks(table.column("p_value").to_pylist())
    return table.set_column(table.schema.get_field_index("q_value"), "q_value", pa.array(q, pa.float64()))


def _sorted(table: pa.Table) -> list[dict]:
    return table.take(pc.sort_indices(table, [("vendor_key", "ascending"), ("recipient_key", "ascending")])).to_pylist()


@pytest.mark.parametrize(("n_vendors", "seed", "n_buckets"), [(40, 1, 1), (40, 1, 5), (120, 2, 7)])
def test_buckets_give_the_single_process_table(n_vendors, seed, n_buckets):
    donations, awards = _data(n_vendors, seed)
    whole = run_timing(donations, awards, config_from_model(SETTINGS, "7"))
    got = _parts(donations, awards, n_buckets)
    assert _sorted(got) == _sorted(whole)
    statuses = set(whole.column("status").to_pylist())
    assert {"tested", "no_award_dates", "too_few_awards"} <= statuses, statuses
    # the calendar and the q-values are the whole file's: with buckets the q-values differ from
    # each bucket's own, so the comparison above can fail
    tested = pc.sum(pc.equal(whole.column("status"), "tested")).as_py()
    assert tested > 20


def test_a_bucket_without_the_files_calendar_would_differ():
    """The shared calendar matters: a bucket tested with its own awards' calendar gives other
    p-values, so day_counts summed over buckets is what keeps the table equal."""
    donations, awards = _data(120, 2)
    whole = {
        (r["vendor_key"], r["recipient_key"]): r["p_value"]
        for r in _sorted(run_timing(donations, awards, config_from_model(SETTINGS, "7")))
    }
    keys = donations.column("vendor_key").to_pylist()
    mine = pa.array([zlib.crc32(k.encode()) % 7 == 0 for k in keys])
    mine_aw = pa.array([zlib.crc32(k.encode()) % 7 == 0 for k in awards.column("vendor_key").to_pylist()])
    alone = run_timing(donations.filter(mine), awards.filter(mine_aw), config_from_model(SETTINGS, "7"))
    differ = [
        r
        for r in alone.to_pylist()
        if r["p_value"] is not None and r["p_value"] != whole[(r["vendor_key"], r["recipient_key"])]
    ]
    assert differ


def test_date_sources_are_the_whole_files():
    assert date_source_of(["a", None, "a"], "contracts", "award_date") == (
        "column 'a', mapped as role_map.contracts.columns.award_date"
    )
    assert date_source_of(["a", "b"], "contracts", "award_date") == "role_map.contracts.columns.award_date"
    assert date_source_of([], "contributions", "donation_date") == "role_map.contributions.columns.donation_date"


def test_donations_without_one_award_date_in_the_file_are_the_models_error():
    donations, awards = _data(3, 1)
    with pytest.raises(ValueError, match=r"^timing: no contract row has a parseable award_date "):
        tp.bucket_tests(SETTINGS, "7", donations, awards.slice(0, 0), [], [], [], 0)
    assert tp.bucket_tests(SETTINGS, "7", donations, awards.slice(0, 0), [], [], [], 5).num_rows > 0


def test_the_spark_models_q_value_sql_is_benjamini_hochberg():
    """The q-value part of models/spark/int_timing_tests.sql, run as written on DuckDB over
    p-values with many ties, gives stats.bh_qvalues' values exactly."""
    import duckdb

    from python_udfs.stats import bh_qvalues
    from tests.python.conftest import REPO

    text = (REPO / "models" / "spark" / "int_timing_tests.sql").read_text(encoding="utf-8")
    start = text.index("p_blocks as (")
    ctes = text[start : text.index("\nselect\n", start)]
    rng = np.random.default_rng(5)
    # skewed towards small p-values (many distinct q-values), with ties
    p = ((np.floor(199 * rng.random(3000) ** 4) + 1) / 200).tolist() + [None] * 7
    con = duckdb.connect()
    con.execute("create table results (p_value double)")
    con.executemany("insert into results values (?)", [[v] for v in p])
    rows = con.execute(
        f"with {ctes} select r.p_value, q.q_value from results r left join q_blocks q on q.p_value = r.p_value"
    ).fetchall()
    given = [v for v in p if v is not None]
    expected = dict(zip(given, bh_qvalues(given).tolist(), strict=True))
    assert len(rows) == len(p)
    assert {(a, b) for a, b in rows if a is not None} == set(expected.items())
    assert [b for a, b in rows if a is None] == [None] * 7
    assert len(set(expected.values())) > 50
