"""The timing null's draws and distance sums as they were before the bitmap grid and the per-vendor
union of donation days (commit 4870e71), kept only as the reference the fast path must equal
bit for bit (tests/python/test_timing_fastpath.py). Not used by the application."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.random import PCG64, Generator

from python_udfs.timing_null import (
    _MAX_REDRAW_PASSES,
    _SMALL_K,
    Calendar,
    _block_rows,
    _dup_mask,
    _keys,
    _redraw_repeats,
    _Slice,
)


def draw_interior(rng: Generator, sl: _Slice, k: int, rows: int) -> np.ndarray:
    """``rows`` sets of ``k`` distinct dates of a calendar slice (int32 days, rows sorted).

    Successive weighted sampling without replacement: rejection of repeats while k is a
    small share of the slice, exponential keys (smallest Exp(1)/weight) otherwise.
    """
    if k == 0:
        return np.empty((rows, 0), dtype=np.int32)
    if k == sl.n_days:
        return np.broadcast_to(sl.days(), (rows, k)).copy()
    if sl.uses_rejection(k):
        if k > _SMALL_K:
            return draw_distinct_bitmap(rng, sl, k, rows)  # sorted already
        idx = sl.pick(rng, (rows, k))
        _redraw_repeats(rng, sl, idx, _dup_mask(idx), k)
    else:
        idx = sl.days()[_keys(rng, sl.cum(), k, rows)]
    idx.sort(axis=1)
    return idx


def draw_distinct_bitmap(rng: Generator, sl: _Slice, k: int, rows: int) -> np.ndarray:
    """The sets of _taken_bitmap as sorted (rows, k) int32 days."""
    taken = taken_bitmap(rng, sl, k, rows)
    # flat positions, row by row in day order; minus each row's start gives the day offsets
    flat = np.flatnonzero(taken).reshape(rows, k)
    flat -= (np.arange(rows, dtype=np.int64) * sl.width - sl.start)[:, None]
    return flat.astype(np.int32)


def taken_bitmap(rng: Generator, sl: _Slice, k: int, rows: int) -> np.ndarray:
    """Rejection sampling for many awards per set: (rows, width) bool, True on the set's days.

    The first draws are made slot by slot (all rows' first award, then all rows' second...);
    a draw landing on a day already taken in its row is rejected and redrawn in the next
    pass, in row order (successive sampling without replacement). Which of two equal draws
    of a row counts as the repeat does not change the set, so repeats of the first pass are
    counted per row (k minus the distinct days) rather than found one by one.
    """
    vals_t = sl.pick(rng, (k, rows))  # slot-major
    base = np.arange(rows, dtype=np.int64) * sl.width - sl.start
    taken = np.zeros(rows * sl.width, dtype=bool)
    taken[np.add(vals_t, base, dtype=np.int64).ravel()] = True
    grid = taken.reshape(rows, sl.width)
    missing = k - np.count_nonzero(grid, axis=1)
    for _ in range(_MAX_REDRAW_PASSES):
        r = np.repeat(np.arange(rows, dtype=np.int64), missing)  # row-major order of the repeats
        if r.size == 0:
            return grid
        # A pass's redraws of one row, checked one after the other against the row's days and
        # each other, add exactly the new distinct days: count those instead.
        taken[sl.pick(rng, r.size) + base[r]] = True
        touched = np.flatnonzero(missing)
        missing[touched] = k - np.count_nonzero(grid[touched], axis=1)
    bad = np.flatnonzero(missing)
    grid[bad] = False
    days = sl.days()[_keys(rng, sl.cum(), k, bad.size)] - sl.start
    grid[np.repeat(bad, k), days.ravel()] = True
    return grid


def sums_for(d: np.ndarray, awards: np.ndarray) -> np.ndarray:
    """Per row of ``awards`` (rows, n; each row sorted), the sum over donation days ``d``
    of the distance to the row's nearest award (int64)."""
    rows, n = awards.shape
    if d.size * n <= 96 or n <= 4:
        acc = np.zeros(rows, dtype=np.int64)
        tmp = np.empty_like(awards)
        for day in d.tolist():
            np.subtract(awards, day, out=tmp)
            np.abs(tmp, out=tmp)
            acc += tmp.min(axis=1)
        return acc
    lo = min(int(awards[:, 0].min()), int(d.min()))
    stride = max(int(awards[:, -1].max()), int(d.max())) - lo + 1
    base = (np.arange(rows, dtype=np.int64) * stride)[:, None]
    flat = (awards - lo + base).ravel()
    queries = ((d - lo)[None, :] + base).ravel()
    idx = np.searchsorted(flat, queries).reshape(rows, d.size)
    first = (np.arange(rows, dtype=np.int64) * n)[:, None]
    left = np.clip(idx - 1, first, first + n - 1)
    right = np.minimum(idx, first + n - 1)
    q = queries.reshape(rows, d.size)
    dist = np.minimum(np.abs(q - flat[left]), np.abs(flat[right] - q))
    sums: np.ndarray = dist.sum(axis=1)
    return sums


def vendor_null_sums(
    award_days: np.ndarray,
    calendar: Calendar,
    uniform: bool,
    seed: int,
    n_perm: int,
    donation_sets: Sequence[np.ndarray],
) -> list[np.ndarray]:
    """Null sums (n_perm,) for each sorted donation-day array in ``donation_sets``, all
    against the same null award sets of one vendor (sorted distinct ``award_days``, n >= 3)."""
    first, last = int(award_days[0]), int(award_days[-1])
    sl = calendar.between(first, last, uniform)
    k = award_days.size - 2
    if sl.n_days < k:
        raise ValueError("timing: the calendar misses award dates of the vendor itself")
    rng = Generator(PCG64(seed))
    rows = _block_rows(sl, award_days.size)
    out = [np.empty(n_perm, dtype=np.int64) for _ in donation_sets]
    for r0 in range(0, n_perm, rows):
        r1 = min(n_perm, r0 + rows)
        awards = np.empty((r1 - r0, k + 2), dtype=np.int64)
        awards[:, 0] = first
        awards[:, -1] = last
        awards[:, 1:-1] = draw_interior(rng, sl, k, r1 - r0)
        for i, d in enumerate(donation_sets):
            out[i][r0:r1] = sums_for(d, awards)
    return out


# long: the timing test's batched inner loop; its draws must follow vendor_null_sums step by step
