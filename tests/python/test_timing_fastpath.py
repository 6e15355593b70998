"""The timing null's fast path (bitmap grid, per-vendor union of donation days, three ways to
find the nearest award) gives exactly the null sums of the path it replaced, kept in
tests/python/timing_reference.py, and run_timing's outputs stay pinned."""

from __future__ import annotations

import hashlib

import numpy as np
import pyarrow as pa
import pytest
from numpy.random import PCG64, Generator

from python_udfs import timing_null, timing_sums
from python_udfs.timing import Calendar, TimingConfig, run_timing
from tests.python import timing_reference


def _vendors(seed: int):
    """Vendors of many shapes on one contracts calendar: few and many award dates, short and
    long spans, dense sets (exponential keys), pairs with donations outside the span and on
    the first or last award."""
    rng = np.random.default_rng(seed)
    shapes = [(3, 40), (12, 300), (34, 200), (35, 900), (60, 4000), (120, 400), (300, 1100), (500, 900), (700, 800)]
    vendors = []
    for n, span in shapes:
        start = int(rng.integers(0, 400))
        awards = np.sort(rng.choice(np.arange(start, start + span), size=min(n, span), replace=False))
        first, last = int(awards[0]), int(awards[-1])
        sets = []
        for size in (1, 3, 20, 57):
            d = rng.integers(first - 30, last + 30, size=size)
            sets.append(np.sort(np.concatenate([d, [first, last, (first + last) // 2]])))
        vendors.append((awards.astype(np.int64), sets))
    calendar_days = np.concatenate([a for a, _ in vendors] + [rng.integers(0, 6000, size=3000)])
    return vendors, calendar_days


@pytest.mark.parametrize("uniform, table", [(False, True), (True, True), (False, False)])
@pytest.mark.parametrize("n_perm, batch", [(200, None), (1500, 1 << 14)])
def test_null_sums_equal_the_reference_path(monkeypatch, uniform, table, n_perm, batch):
    if batch is not None:  # small blocks: several per vendor, for both paths alike
        monkeypatch.setattr(timing_null, "_BATCH_ELEMENTS", batch)
    if not table:  # a calendar too large for a slot table: days found by binary search
        monkeypatch.setattr(timing_null, "_MAX_TABLE_SLOTS", 0)
    vendors, calendar_days = _vendors(3)
    calendar = Calendar.from_award_days(calendar_days)
    assert (calendar.table is not None) == table
    for i, (awards, sets) in enumerate(vendors):
        seed = 1000 + i
        fast = timing_null.vendor_null_sums(awards, calendar, uniform, seed, n_perm, sets)
        slow = timing_reference.vendor_null_sums(awards, calendar, uniform, seed, n_perm, sets)
        assert len(fast) == len(slow)
        for f, s in zip(fast, slow, strict=True):
            assert f.dtype == np.int64 and np.array_equal(f, s), (awards.size, i)


def test_draw_interior_equals_the_reference_on_the_bitmap_path():
    vendors, calendar_days = _vendors(4)
    calendar = Calendar.from_award_days(calendar_days)
    checked = 0
    for awards, _ in vendors:
        sl = calendar.between(int(awards[0]), int(awards[-1]), False)
        k = awards.size - 2
        if not (sl.uses_rejection(k) and k > timing_null._SMALL_K):
            continue
        fast = timing_null.draw_interior(Generator(PCG64(9)), sl, k, 700)
        slow = timing_reference.draw_interior(Generator(PCG64(9)), sl, k, 700)
        assert fast.dtype == slow.dtype and np.array_equal(fast, slow)
        checked += 1
    assert checked >= 3


@pytest.mark.parametrize("how, from_grid", [("scan", True), ("search", False), ("count", True), ("count", False)])
def test_nearest_award_distances_on_every_path(monkeypatch, how, from_grid):
    # force one way of finding the neighbours: costs 0 or huge make the choice
    monkeypatch.setattr(timing_sums, "_SCAN_COST", 0 if how == "scan" else 10**9)
    monkeypatch.setattr(timing_sums, "_SEARCH_COST", 0 if how == "search" else 10**9)
    rng = np.random.default_rng(5)
    first, last, k, rows = 100, 100 + 150, 40, 64
    interior = np.sort(np.array([rng.choice(np.arange(first + 1, last), size=k, replace=False) for _ in range(rows)]))
    block = timing_sums.Block.from_days(interior, first, last)
    if from_grid:
        taken = np.zeros(block.rows * block.stride, dtype=bool)
        taken[block.positions()] = True
        block = timing_sums.Block(block.rows, block.stride, block.n, grid=taken.reshape(block.rows, block.stride))
    donation_sets = [np.sort(rng.integers(first - 20, last + 20, size=n)) for n in (1, 5, 33)]
    donation_sets.append(np.array([first, first + 1, last - 1, last, last]))
    sums = timing_sums.Queries(donation_sets, first, last).sums(block)
    awards = np.hstack([np.full((rows, 1), first), interior, np.full((rows, 1), last)])
    for d, got in zip(donation_sets, sums, strict=True):
        brute = np.abs(awards[:, None, :] - d[None, :, None]).min(axis=2).sum(axis=1)
        assert got.tolist() == brute.tolist()


def _digest(table: pa.Table) -> str:
    h = hashlib.sha256()
    for name in table.column_names:
        h.update(name.encode())
        h.update(repr(table.column(name).to_pylist()).encode())
    return h.hexdigest()[:16]


def test_run_timing_outputs_are_pinned():
    # Computed with the implementation before the fast path (commit 4870e71): same seed, same
    # draws, same integer sums, so every output column must be unchanged. all_awards re-pinned
    # when its calendar became the share of active vendors awarded each day (the weights, so
    # the draws, and the null_model sentence changed); uniform_days is the 4870e71 value.
    rng = np.random.default_rng(17)
    don_v, don_r, don_d, aw_v, aw_d = [], [], [], [], []
    for v, (n, span) in enumerate([(5, 200), (40, 700), (150, 900), (400, 1000), (800, 900)]):
        aw_d += rng.choice(np.arange(span), size=n, replace=False).tolist()
        aw_v += [f"v{v}"] * n
        for r in range(3):
            size = int(rng.integers(3, 30))
            don_d += rng.integers(-10, span + 10, size=size).tolist()
            don_v += [f"v{v}"] * size
            don_r += [f"r{r}"] * size
    base = np.datetime64("2020-01-01", "D")
    donations = pa.table(
        {
            "vendor_key": don_v,
            "recipient_key": don_r,
            "donation_date": pa.array(base + np.array(don_d).astype("timedelta64[D]"), pa.date32()),
            "row_ref": [f"db://d#row_index={i}" for i in range(len(don_d))],
            "edge_id": [f"e{i}" for i in range(len(don_d))],
        }
    )
    awards = pa.table(
        {
            "vendor_key": aw_v,
            "award_date": pa.array(base + np.array(aw_d).astype("timedelta64[D]"), pa.date32()),
            "row_ref": [f"db://a#row_index={i}" for i in range(len(aw_d))],
        }
    )
    digests = {
        calendar: _digest(
            run_timing(donations, awards, TimingConfig(n_permutations=999, calendar=calendar, min_awards=3))
        )
        for calendar in ("all_awards", "uniform_days")
    }
    assert digests == PINNED


PINNED = {"all_awards": "84de99ad244cd1c3", "uniform_days": "bf5228e3793f8199"}


@pytest.mark.parametrize("ties", [False, True])
def test_smallest_keys_are_argpartitions_choice(ties):
    rng = np.random.default_rng(6)
    keys = rng.integers(0, 40, size=(300, 90)).astype(np.float64) if ties else rng.standard_exponential((300, 90))
    for k in (1, 30, 89):
        want = np.sort(np.argpartition(keys, k - 1, axis=1)[:, :k], axis=1)
        assert np.array_equal(timing_null._smallest(keys, k), want)


@pytest.mark.parametrize("stride", [32, 64, 1120, 2016, 2048, 4096, 9600])
def test_set_sizes_counts_the_taken_days_of_every_row(stride):
    # byte lanes of 64-bit words added in chunks of 255 words: rows of all ones fill every
    # lane to 255 (stride 9600 = 1200 words, five chunks), random rows check the folding
    rng = np.random.default_rng(stride)
    grid = rng.random((41, stride)) < rng.random((41, 1))
    grid[0] = True
    grid[1] = False
    sizes = timing_null._set_sizes(grid)
    assert sizes.dtype == np.int64
    assert sizes.tolist() == grid.sum(axis=1).tolist()
    assert sizes[:2].tolist() == [stride, 0]
