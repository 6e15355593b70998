"""The timing test's null: calendars of dates awards may fall on, seeded draws of award dates
between a vendor's first and last award, and the distance sums of each draw (see timing.py)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.random import PCG64, Generator

from python_udfs.timing_sums import Block, Queries, grid_stride

# Memory budget (array elements) of one block of null draws or distances.
_BATCH_ELEMENTS = 1 << 20
# Rejection sampling of distinct dates is used while the awards to place are at most this
# share of the calendar dates available; above it, exponential keys (Efraimidis-Spirakis).
_REJECTION_SHARE = 0.5
_MAX_REDRAW_PASSES = 64
# Awards to redraw per set up to which repeats are found by pairwise comparison (above: by sorting).
_SMALL_K = 32
# Calendar weight of a day on which every active vendor was awarded, in units of the floor
# (1 slot) times the most vendors active on one day: the floor is 0.1 / that number.
_VENDOR_WEIGHT = 10
# Largest calendar (in slots, summed over the days) given a slot -> day table.
_MAX_TABLE_SLOTS = 1 << 24


# ----------------------------------------------------------------------------- null draws


@dataclass(frozen=True)
class Calendar:
    """Dates a null award may fall on, with integer weights.

    Every day from the file's first to its last award date (``base`` .. ``base + span - 1``)
    has an integer weight (from_vendor_awards: the share of active vendors awarded that day,
    the all_awards calendar; from_award_days: counts of vendors, used by tests). The weights
    are laid out as consecutive "slots", day by day (day d owns slots ``cum[d - base - 1]``
    .. ``cum[d - base] - 1``), so the days strictly between two dates own one contiguous run of
    slots and a uniform integer over that run is a day drawn in proportion to its weight.
    ``table`` (slot -> day) makes that one lookup; above _MAX_TABLE_SLOTS slots it is not
    built and the same mapping is made by a binary search of ``cum`` (identical draws, less
    memory, slower).
    """

    base: int
    weights: np.ndarray  # int64 weight of each day from base
    cum: np.ndarray  # int64 cumulative weights, cum[-1] = total slots
    table: np.ndarray | None  # day - base of each slot (int16 or int32)
    smoothing: bool

    @classmethod
    def from_award_days(cls, days: np.ndarray, smoothing: bool = True) -> Calendar:
        """Weight of a date: the number of vendors with an award that day (``days`` holds one
        entry per vendor and date), plus 0.1 for every date from the first to the last award
        of the file (as integers: 10 per vendor, 1 per day). The 0.1 keeps every day possible:
        a file with few vendors, or a vendor whose period no other vendor shares, still has a
        calendar instead of a null that can only return the vendor's own dates."""
        days = np.asarray(days, dtype=np.int64)
        if days.size == 0:
            return cls(0, np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.int32), smoothing)
        base = int(days.min())
        counts = np.bincount(days - base).astype(np.int64)
        return cls._from_weights(base, _VENDOR_WEIGHT * counts + 1 if smoothing else counts, smoothing)

    @classmethod
    def _from_weights(cls, base: int, weights: np.ndarray, smoothing: bool) -> Calendar:
        cum = np.cumsum(weights)
        table = None
        if int(cum[-1]) <= _MAX_TABLE_SLOTS:
            # days as offsets from base: int16 whenever the file spans under 89 years (half
            # the memory traffic of the random lookups, which dominate the small vendors' draws)
            small = np.int16 if weights.size < (1 << 15) else np.int32
            table = np.repeat(np.arange(weights.size, dtype=small), weights)
        return cls(base, weights, cum, table, smoothing)

    @classmethod
    def from_vendor_awards(cls, days: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> Calendar:
        """The ``all_awards`` calendar: each day weighted by the share of the vendors active
        that day that were awarded that day, plus a floor that keeps every day possible.

        ``days`` holds every vendor's sorted distinct award dates, vendor i's in
        ``days[starts[i]:ends[i]]``. A vendor is active on the days strictly between its first
        and last award, and awarded on its award dates strictly between them (the ones the null
        redraws). With ``a`` the vendors active on a day, ``c`` those awarded and ``a_max`` the
        most vendors active on any day of the file, the weight is ``c / a + 0.1 / a_max``, as
        whole slots: ``round(10 a_max c / a) + 1`` (1 on days no vendor is active).

        Why a share and not a count: a count rises and falls with the number of vendors doing
        business, e.g. near the start and end of the file's coverage, and a vendor active
        there would be compared with awards piled towards the busier side of its own period.
        Where as many vendors are active on every day, the weights are the plain counts
        ``10 c + 1`` (0.1 per day). The floor is relative to ``a_max`` so that a period where
        only a stray vendor is "active" (say between a 2005 typo and its real awards) does not
        outweigh the days the rest of the file was awarded on.
        """
        return cls.from_day_counts(*cls.vendor_day_counts(days, starts, ends))

    @staticmethod
    def vendor_day_counts(
        days: np.ndarray, starts: np.ndarray, ends: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """What these vendors add to the all_awards calendar, per day: (day, awarded, change).
        ``awarded``: vendors awarded that day strictly between their first and last award;
        ``change``: +1 the day after a vendor's first award, -1 on its last (the running sum is
        the number of active vendors). Every award day is listed, so the union of two parts'
        days gives the file's first and last day. Integer counts: the parts of a file (the
        vendor buckets of the Spark build) add up to the whole file's counts exactly."""
        days = np.asarray(days, dtype=np.int64)
        starts = np.asarray(starts, dtype=np.int64)
        ends = np.asarray(ends, dtype=np.int64)
        interior = np.ones(days.size, dtype=bool)
        interior[starts] = False
        interior[ends - 1] = False
        first, last = days[starts], days[ends - 1]
        spans = last - first >= 2  # vendors with at least one day strictly between first and last
        at = np.concatenate([days, first[spans] + 1, last[spans]])
        awarded = np.concatenate([interior.astype(np.int64), np.zeros(2 * int(spans.sum()), np.int64)])
        change = np.concatenate([np.zeros(days.size, np.int64), np.ones(int(spans.sum()), np.int64)])
        change = np.concatenate([change, -np.ones(int(spans.sum()), np.int64)])
        day, inverse = np.unique(at, return_inverse=True)
        return (
            day,
            np.bincount(inverse, awarded, day.size).astype(np.int64),
            np.bincount(inverse, change, day.size).astype(np.int64),
        )

    @classmethod
    def from_day_counts(cls, day: np.ndarray, awarded: np.ndarray, change: np.ndarray) -> Calendar:
        """The all_awards calendar from the per-day counts of vendor_day_counts (summed over
        parts of the file, any order, days repeated or not)."""
        day = np.asarray(day, dtype=np.int64)
        if day.size == 0:
            return cls.from_award_days(day)
        base = int(day.min())
        size = int(day.max()) - base + 1
        awarded_on = np.zeros(size, dtype=np.int64)
        np.add.at(awarded_on, day - base, np.asarray(awarded, dtype=np.int64))
        change_on = np.zeros(size, dtype=np.int64)
        np.add.at(change_on, day - base, np.asarray(change, dtype=np.int64))
        active = np.cumsum(change_on)
        most = int(active.max())
        weights = np.ones(size, dtype=np.int64)
        on = active > 0
        weights[on] += (2 * _VENDOR_WEIGHT * most * awarded_on[on] + active[on]) // (2 * active[on])
        return cls._from_weights(base, weights, True)

    def slots_before(self, day: int) -> int:
        """Slots of the days before ``day``."""
        i = min(max(day - self.base, 0), self.cum.size)
        return int(self.cum[i - 1]) if i else 0

    def lookup(self, slots: np.ndarray) -> np.ndarray:
        """Slot numbers to days (int32)."""
        if self.table is not None:
            days: np.ndarray = np.add(np.take(self.table, slots), self.base, dtype=np.int32)
            return days
        return (np.searchsorted(self.cum, slots, "right") + self.base).astype(np.int32)

    def between(self, first: int, last: int, uniform: bool) -> _Slice:
        """The dates strictly between first and last."""
        width = max(0, last - first - 1)
        if uniform:
            return _Slice(first + 1, width, width, 0, None, width)
        offset = self.slots_before(first + 1)
        total = self.slots_before(last) - offset if width else 0
        lo, hi = min(max(first + 1 - self.base, 0), self.weights.size), min(max(last - self.base, 0), self.weights.size)
        n_days = width if self.smoothing else int(np.count_nonzero(self.weights[lo:hi]))
        return _Slice(first + 1, n_days, total, offset, self, width)


@dataclass(frozen=True)
class _Slice:
    """Dates strictly between a vendor's first and last award; draws are int32 days."""

    start: int
    n_days: int  # dates with a positive weight
    total: int  # total weight (slots)
    offset: int  # slots of the calendar before start
    calendar: Calendar | None  # None: every day, weight 1
    width: int  # days strictly between first and last

    def pick(self, rng: Generator, size: int | tuple[int, ...]) -> np.ndarray:
        return self.map(rng.integers(0, self.total, size=size, dtype=np.int32))

    def map(self, u: np.ndarray) -> np.ndarray:
        """Uniform integers in [0, total) to days."""
        if self.calendar is None:
            return u + np.int32(self.start)
        return self.calendar.lookup(u + np.int32(self.offset) if self.offset < (1 << 31) else u + self.offset)

    def _weights(self) -> np.ndarray:
        cal = self.calendar
        assert cal is not None  # uniform slices have no weights
        lo = min(max(self.start - cal.base, 0), cal.weights.size)
        hi = min(max(self.start + self.width - cal.base, 0), cal.weights.size)
        w = np.zeros(self.width, dtype=np.int64)
        w[lo - (self.start - cal.base) : hi - (self.start - cal.base)] = cal.weights[lo:hi]
        return w

    def days(self) -> np.ndarray:
        all_days = np.arange(self.start, self.start + self.width, dtype=np.int32)
        if self.calendar is None or self.calendar.smoothing:
            return all_days
        return all_days[self._weights() > 0]

    def cum(self) -> np.ndarray:
        """Cumulative weights of days() (for exponential keys)."""
        if self.calendar is None:
            return np.arange(1, self.width + 1, dtype=np.int64)
        w = self._weights()
        return np.cumsum(w if self.calendar.smoothing else w[w > 0])

    def uses_rejection(self, k: int) -> bool:
        return 0 < k < self.n_days and k <= _REJECTION_SHARE * self.n_days


def _dup_mask(idx: np.ndarray) -> np.ndarray:
    """True where a row's entry repeats one at an earlier position of the same row.

    Works column by column (elementwise over all rows), so it is fast for any memory layout
    of ``idx``, including the slot-major views the batched path uses.
    """
    rows, k = idx.shape
    if k <= _SMALL_K:
        # slot-major work arrays: every comparison runs over contiguous memory
        mask_t = np.zeros((k, rows), dtype=bool)
        cols = [idx[:, j] for j in range(k)]
        for j in range(1, k):
            m = mask_t[j]
            for i in range(j):
                m |= cols[i] == cols[j]
        return mask_t.T
    mask = np.zeros((rows, k), dtype=bool)
    order = np.argsort(idx, axis=1, kind="stable")
    ranked = np.take_along_axis(idx, order, axis=1)
    later = np.zeros((rows, k), dtype=bool)
    later[:, 1:] = ranked[:, 1:] == ranked[:, :-1]
    np.put_along_axis(mask, order, later, axis=1)
    return mask


def _redraw_repeats(
    rng: Generator,
    sl: _Slice,
    idx: np.ndarray,
    mask: np.ndarray,
    k: int,
    first: tuple[np.ndarray, ...] | None = None,
) -> None:
    """Redraw repeated entries (row-major order) until every row holds k distinct dates.

    Redrawing a repeat is successive sampling without replacement. Rows still holding a
    repeat after _MAX_REDRAW_PASSES passes (only with very uneven weights) are drawn again
    whole with exponential keys. ``first``: the (rows, cols) of ``mask`` when already known.
    """
    for step in range(_MAX_REDRAW_PASSES):
        r, c = first if (step == 0 and first is not None) else np.nonzero(mask)
        if r.size == 0:
            return
        idx[r, c] = sl.pick(rng, r.size)
        touched = np.unique(r)
        mask = np.zeros_like(mask)
        mask[touched] = _dup_mask(idx[touched])
    bad = np.flatnonzero(mask.any(axis=1))
    if bad.size:
        idx[bad] = sl.days()[_keys(rng, sl.cum(), k, bad.size)]


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
            first = sl.start - 1
            flat = np.flatnonzero(_taken_grid(rng, sl, k, rows, first)).reshape(rows, k + 2)
            row_start = np.arange(rows, dtype=np.int64) * grid_stride(first, sl.start + sl.width) - first
            return (flat[:, 1:-1] - row_start[:, None]).astype(np.int32)
        idx = sl.pick(rng, (rows, k))
        _redraw_repeats(rng, sl, idx, _dup_mask(idx), k)
        idx.sort(axis=1)
        return idx
    days: np.ndarray = sl.days()[_keys(rng, sl.cum(), k, rows)]  # sorted: so are days() and each key row
    return days


def _columns(sl: _Slice, u: np.ndarray, first: int) -> tuple[np.ndarray, int]:
    """Uniform integers in [0, total) as (values, shift): the drawn day is first + values + shift.

    The same days as ``sl.map(u)``, without its passes over the whole array: the calendar's
    slot table is read through a view starting at the slice's first slot.
    """
    cal = sl.calendar
    if cal is None:
        return u, 1  # day = start + u = first + 1 + u
    if cal.table is None:
        return sl.map(u), -first
    return np.take(cal.table[sl.offset : sl.offset + sl.total], u), cal.base - first


# Byte, 16-bit and 32-bit lanes of a 64-bit word (for adding up the bytes of a bool grid).
_LANES8 = np.uint64(0x00FF00FF00FF00FF)
_LANES16 = np.uint64(0x0000FFFF0000FFFF)
_LANES32 = np.uint64(0xFFFFFFFF)


def _set_sizes(grid: np.ndarray) -> np.ndarray:
    """Days taken per row of a C-contiguous bool grid whose rows are whole 64-bit words.

    Eight days per word: up to 255 words of a row are added as uint64, each byte lane
    counting its days (at most 255, so no lane carries into the next), and the lanes are
    then folded into one count: about 2.5 times faster than adding the bytes one by one.
    """
    words = grid.view(np.uint64)
    sizes = np.zeros(grid.shape[0], dtype=np.int64)
    for c0 in range(0, words.shape[1], 255):
        s = words[:, c0 : c0 + 255].sum(axis=1, dtype=np.uint64)
        s = (s & _LANES8) + ((s >> np.uint64(8)) & _LANES8)
        s = (s & _LANES16) + ((s >> np.uint64(16)) & _LANES16)
        sizes += ((s & _LANES32) + (s >> np.uint64(32))).astype(np.int64)
    return sizes


def _taken_grid(rng: Generator, sl: _Slice, k: int, rows: int, first: int) -> np.ndarray:
    """Rejection sampling for many awards per set, as a (rows, grid_stride) bool grid whose
    column c is the day first + c: True on the kept first and last award (columns 0 and
    width + 1) and on the set's k drawn days.

    The first draws are made slot by slot (all rows' first award, then all rows' second...);
    a draw landing on a day already taken in its row is rejected and redrawn in the next
    pass, in row order (successive sampling without replacement). Which of two equal draws
    of a row counts as the repeat does not change the set, so repeats of the first pass are
    counted per row (k minus the distinct days) rather than found one by one.
    """
    stride = grid_stride(first, sl.start + sl.width)
    grid = np.zeros((rows, stride), dtype=bool)
    grid[:, 0] = True
    grid[:, sl.width + 1] = True
    taken = grid.reshape(-1)  # a view: grid is contiguous
    row_start = np.arange(rows, dtype=np.int64) * stride  # int64 positions: numpy scatters them fastest
    values, shift = _columns(sl, rng.integers(0, sl.total, size=(k, rows), dtype=np.int32), first)  # slot-major
    taken[np.add(values, row_start + shift, dtype=np.int64)] = True
    missing = (k + 2) - _set_sizes(grid)
    for _ in range(_MAX_REDRAW_PASSES):
        r = np.repeat(row_start, missing)  # row-major order of the repeats
        if r.size == 0:
            return grid
        # A pass's redraws of one row, checked one after the other against the row's days and
        # each other, add exactly the new distinct days: count those instead.
        values, shift = _columns(sl, rng.integers(0, sl.total, size=r.size, dtype=np.int32), first)
        taken[np.add(values, r + shift, dtype=np.int64)] = True
        touched = np.flatnonzero(missing)
        # most rows touched: summing every row beats copying the touched ones out first
        sizes = _set_sizes(grid)[touched] if 2 * touched.size > rows else _set_sizes(grid[touched])
        missing[touched] = (k + 2) - sizes
    bad = np.flatnonzero(missing)
    grid[bad, 1 : sl.width + 1] = False
    days = sl.days()[_keys(rng, sl.cum(), k, bad.size)] - first
    grid[np.repeat(bad, k), days.ravel()] = True
    return grid


def _keys(rng: Generator, cum: np.ndarray, k: int, rows: int) -> np.ndarray:
    """Per row, the sorted indices of the k smallest of Exp(1)/weight keys (int64)."""
    weights = np.diff(cum, prepend=0).astype(np.float64)
    out = np.empty((rows, k), dtype=np.int64)
    step = max(1, _BATCH_ELEMENTS // cum.size)
    for r0 in range(0, rows, step):
        r1 = min(rows, r0 + step)
        out[r0:r1] = _smallest(rng.standard_exponential((r1 - r0, cum.size)) / weights, k)
    return out


def _smallest(keys: np.ndarray, k: int) -> np.ndarray:
    """Sorted column indices of the k smallest keys of each row: the set argpartition picks.

    Where the k-th smallest key of a row is unique, that set is every key at or below it, read
    in column order (no sort needed); a row where it ties with another key (practically never
    with float keys) takes argpartition's own choice, as before.
    """
    rows, n = keys.shape
    kth = np.partition(keys, k - 1, axis=1)[:, k - 1 : k]
    below = keys <= kth
    clear = below.view(np.uint8).sum(axis=1, dtype=np.int64) == k
    out = np.empty((rows, k), dtype=np.int64)
    if clear.all():
        out[:] = np.flatnonzero(below).reshape(rows, k)
        out -= (np.arange(rows, dtype=np.int64) * n)[:, None]
        return out
    tied = np.flatnonzero(~clear)
    part = np.argpartition(keys[tied], k - 1, axis=1)[:, :k]
    part.sort(axis=1)
    out[tied] = part
    good = np.flatnonzero(clear)
    out[good] = np.flatnonzero(below[good]).reshape(good.size, k) - (np.arange(good.size, dtype=np.int64) * n)[:, None]
    return out


def _block_rows(sl: _Slice, n_awards: int) -> int:
    """Null award sets drawn per block: from the vendor's own numbers only, so the draws
    never depend on its pairs or on other vendors' sizes."""
    k = n_awards - 2
    width = n_awards if (sl.uses_rejection(k) or k in (0, sl.n_days)) else max(n_awards, sl.n_days)
    return max(1, _BATCH_ELEMENTS // width)


def _draw_block(rng: Generator, sl: _Slice, k: int, rows: int, first: int, last: int) -> Block:
    if sl.uses_rejection(k) and k > _SMALL_K:
        grid = _taken_grid(rng, sl, k, rows, first)
        return Block(rows, grid.shape[1], k + 2, grid=grid)
    return Block.from_days(draw_interior(rng, sl, k, rows), first, last)


def vendor_null_sums(
    award_days: np.ndarray,
    calendar: Calendar,
    uniform: bool,
    seed: int,
    n_perm: int,
    donation_sets: Sequence[np.ndarray],
) -> list[np.ndarray]:
    """Null sums (n_perm,) for each sorted donation-day array in ``donation_sets``, all
    against the same null award sets of one vendor (sorted distinct ``award_days``, n >= 3).

    The distances are measured once per block for the distinct donation days of all the
    vendor's pairs; each pair adds up its own."""
    first, last = int(award_days[0]), int(award_days[-1])
    sl = calendar.between(first, last, uniform)
    k = award_days.size - 2
    if sl.n_days < k:
        raise ValueError("timing: the calendar misses award dates of the vendor itself")
    rng = Generator(PCG64(seed))
    rows = _block_rows(sl, award_days.size)
    queries = Queries(donation_sets, first, last)
    out = [np.empty(n_perm, dtype=np.int64) for _ in donation_sets]
    for r0 in range(0, n_perm, rows):
        r1 = min(n_perm, r0 + rows)
        queries.sums(_draw_block(rng, sl, k, r1 - r0, first, last), [o[r0:r1] for o in out])
    return out


# long: the timing test's batched inner loop; its draws must follow vendor_null_sums step by step
def batched_null_sums(
    vendors: Sequence[tuple[np.ndarray, int, Sequence[np.ndarray]]], calendar: Calendar, uniform: bool, n_perm: int
) -> list[list[np.ndarray]]:
    """The same sums as vendor_null_sums for many small vendors at once.

    vendors: list of (award_days, seed, donation_sets), all with the same number of award
    dates n (k = n - 2 <= _SMALL_K), drawn by rejection in a single block. Each vendor's
    stream is consumed exactly as vendor_null_sums consumes it (first draw, then repeats in
    row-major order), so the results are identical; only the arithmetic is batched, on
    slot-major arrays (award slot, vendor, permutation) so every numpy pass is elementwise.
    """
    n = vendors[0][0].size
    k = n - 2
    g = len(vendors)
    slices = [calendar.between(int(a[0]), int(a[-1]), uniform) for a, _, _ in vendors]
    rngs = [Generator(PCG64(seed)) for _, seed, _ in vendors]
    # First draws: per vendor stream, as slot numbers (or days for uniform_days), then mapped
    # to calendar dates in one lookup for all vendors.
    wide = not uniform and int(calendar.cum[-1]) >= (1 << 31)
    drawn = np.empty((g, n_perm, k), dtype=np.int64 if wide else np.int32)  # as each stream draws
    for i, (rng, sl) in enumerate(zip(rngs, slices, strict=True)):
        drawn[i] = rng.integers(0, sl.total, size=(n_perm, k), dtype=np.int32)
    add = np.array([sl.start if uniform else sl.offset for sl in slices], dtype=drawn.dtype)[:, None, None]
    drawn += add
    # slot-major (k, g, n_perm): the lookup writes it contiguously
    idx = np.ascontiguousarray(drawn.transpose(2, 0, 1)) if uniform else calendar.lookup(drawn.transpose(2, 0, 1))
    # Repeats: each pass redraws every vendor's repeated slots (row-major, from the vendor's
    # own stream) and re-checks only the touched rows, as _redraw_repeats does per vendor.
    mask = _dup_mask(idx.reshape(k, g * n_perm).T)  # (g * n_perm, k), rows vendor-major
    rows = np.flatnonzero(mask.any(axis=1))
    mask = mask[rows]
    for _ in range(_MAX_REDRAW_PASSES):
        j, ci = np.nonzero(mask)  # by row (vendor, then permutation), then slot
        if j.size == 0:
            break
        vi, ri = rows[j] // n_perm, rows[j] % n_perm
        cuts = np.searchsorted(vi, np.arange(g + 1))
        for i in np.flatnonzero(np.diff(cuts)).tolist():
            part = slice(cuts[i], cuts[i + 1])
            idx[ci[part], i, ri[part]] = slices[i].pick(rngs[i], int(cuts[i + 1] - cuts[i]))
        rows = np.unique(rows[j])
        mask = _dup_mask(idx[:, rows // n_perm, rows % n_perm].T)
        keep = mask.any(axis=1)
        rows, mask = rows[keep], mask[keep]
    else:
        for i in np.unique(rows // n_perm).tolist():
            bad = rows[rows // n_perm == i] % n_perm
            idx[:, i, bad] = slices[i].days()[_keys(rngs[i], slices[i].cum(), k, bad.size)].T
    # Donations outside (first, last) always have an endpoint as nearest award: a constant.
    # Inside ones are measured on offsets from the vendor's first award, which fit int16 when
    # every span does (a quarter of the memory traffic of int64).
    firsts = np.array([int(a[0]) for a, _, _ in vendors], dtype=np.int64)
    spans = np.array([int(a[-1]) - int(a[0]) for a, _, _ in vendors], dtype=np.int64)
    small_t = np.int16 if int(spans.max()) < (1 << 15) else np.int32
    interior = (idx - firsts.astype(np.int32)[None, :, None]).astype(small_t)  # (k, g, n_perm)
    out: list[list[np.ndarray | None]] = [[None] * len(dsets) for _, _, dsets in vendors]
    by_size: dict[int, list[tuple[int, int, np.ndarray, int]]] = {}
    for i, (_, _, dsets) in enumerate(vendors):
        span = int(spans[i])
        for dj, d in enumerate(dsets):
            off = d - int(firsts[i])
            inside = (off > 0) & (off < span)
            const = int(np.where(off <= 0, -off, off - span)[~inside].sum())
            by_size.setdefault(int(inside.sum()), []).append((i, dj, off[inside], const))
    for size, members in sorted(by_size.items()):
        step = max(1, _BATCH_ELEMENTS // (n_perm * max(k, 1)))
        for m0 in range(0, len(members), step):
            chunk = members[m0 : m0 + step]
            acc = np.array([c for _, _, _, c in chunk], dtype=np.int64)[:, None].repeat(n_perm, axis=1)
            if size:
                which = np.array([i for i, _, _, _ in chunk], dtype=np.int64)
                offs = np.array([o for _, _, o, _ in chunk], dtype=np.int64)  # (c, size)
                ends = np.minimum(offs, spans[which][:, None] - offs).astype(small_t)
                offs = offs.astype(small_t)
                block = interior[:, which, :]  # (k, c, n_perm)
                best = np.empty((len(chunk), n_perm), dtype=small_t)
                tmp = np.empty_like(best)
                for s in range(size):
                    col = offs[:, s, None]
                    best[...] = ends[:, s, None]
                    for slot in range(k):
                        np.subtract(block[slot], col, out=tmp)
                        np.abs(tmp, out=tmp)
                        np.minimum(best, tmp, out=best)
                    acc += best
            for row, (vi_, dj, _, _) in enumerate(chunk):
                out[vi_][dj] = acc[row]
    filled = [[a for a in sums if a is not None] for sums in out]
    assert all(len(f) == len(o) for f, o in zip(filled, out, strict=True))
    return filled


def _moments(sums: np.ndarray, bound: int) -> tuple[list[int], list[int], list[int]]:
    """Exact integer moments of each row of null sums.

    Returns (s1, dev1, dev2) with s1 = sum x, and dev = x - s1 // n: sum dev, sum dev^2.
    Centering keeps dev^2 small; the int64 path is used only when it provably cannot
    overflow (bound = largest possible null sum), otherwise Python integers.
    """
    n = sums.shape[1]
    limit = 1 << 62
    if n * bound < limit and n * bound * bound < limit:
        s1 = sums.sum(axis=1)
        dev = sums - (s1 // n)[:, None]
        return s1.tolist(), dev.sum(axis=1).tolist(), (dev * dev).sum(axis=1).tolist()
    s1s, d1s, d2s = [], [], []
    for row in sums.tolist():
        s1 = sum(row)
        centre = s1 // n
        dev = [x - centre for x in row]
        s1s.append(s1)
        d1s.append(sum(dev))
        d2s.append(sum(x * x for x in dev))
    return s1s, d1s, d2s
