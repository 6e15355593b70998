"""Timing permutation test: do a vendor's linked donations sit unusually close to its awards?

Per vendor-recipient pair with at least ``min_donations`` linked donations and a vendor with
at least ``min_awards`` distinct award dates (all of day precision):

statistic
    mean over the pair's donations of the absolute number of days from the donation date to
    the nearest award date of the vendor. Clustering of donations around awards makes it
    small. It is computed exactly as an integer sum of day distances; the mean is reported.
null model (the "calendar" null)
    the donation dates are held fixed, and so are the vendor's first and last award dates;
    the vendor's other distinct award dates (n_awards - 2 of them) are redrawn, without
    repeats, from the award calendar strictly between its first and last award:

    ``calendar: all_awards`` (default)
        every day, weighted by the number of vendors with an award that day in the contracts
        data plus 0.1 (the 0.1 keeps every day possible, so a file with few vendors still has
        a calendar). Fiscal-year-end bunching, month-end dates, busy and empty periods of the
        real award calendar are kept by the null, so donations that follow their own seasonal
        calendar (election season, month ends) are compared with awards that follow the real
        one, not with uniformly spread awards.
    ``calendar: uniform_days``
        every day strictly between the first and last award equally likely. It uses no other
        vendor's awards (results do not move when other vendors are loaded) but assumes the
        vendor's awards carry no seasonality.

    Why keep the first and last award: for independent draws, given the smallest and the
    largest, the others are independent draws from the same calendar restricted to the
    interval between them. The null is therefore exact for a vendor active in only part of
    the coverage, whatever that part is, without estimating where its activity starts or ends
    (a vendor's own first-to-last span used as a uniform window puts the redrawn awards in
    its middle, away from its real extremes, and inflated false positives to about 22%); and a
    stray date elsewhere in the contracts file (say 2005-01-01) stretches nothing. Drawing
    without repeats keeps the number of distinct award dates: with replacement a vendor with
    300 award dates got fewer distinct null dates, larger null distances and p <= 0.05 for
    13.5% of unrelated pairs.

    Assumption a journalist can repeat (the ``null_model`` column says it per finding): "if
    the donations had nothing to do with the awards, the vendor's awards between its first
    and last would have fallen on dates like those of the other awards in the contracts data
    in the same period". A vendor whose own award calendar differs from everyone else's in
    a way that follows the donations is not covered (see the README, timing section).
p-value
    p = (k + 1) / (n + 1), one-sided (only clustering, i.e. smaller distances, counts as
    extreme), with k = (null statistics < the observed one) + the observed one's place among
    the ``n_tied`` null statistics equal to it, a number 0..n_tied drawn by ``tie_position``
    from sha256 of the run seed and the pair (a fixed lottery: same seed, same place; nothing
    else in the data moves it). In words: the share of the redrawn award sets, counting the
    real one, at least as close as the real one, ties ranked by the lottery. Why: distances are
    whole days and tie often (month ends, weekdays, real calendars); counting every tie as
    extreme left 2.9-3.5% of unrelated pairs below 0.05 on those calendars. With the tie at a
    uniformly random place the real set's rank among the n + 1 is exactly uniform under the
    null, so P(p <= a) = floor(a (n + 1)) / (n + 1). p is never 0. A pair whose n null
    statistics all equal the observed one is refused (``null_without_variation``) rather than
    given a p that would only be the lottery.
effect size
    (null mean - observed) / null sd, with the sample sd (ddof=1) of the n null statistics,
    in days. Null when the null sd is 0 (e.g. no freedom left: as many calendar dates
    between first and last as awards to place).
q-value
    Benjamini-Hochberg across all tested pairs of one call (see ``python_udfs.stats``).

Not tested (``status`` and a ``status_reason`` sentence starting "not tested:"): fewer than
``min_donations`` donations; no award date; fewer than ``min_awards`` (at least 3) distinct
award dates, because with two or fewer there is nothing between the first and last award to
redraw; award dates of month or year precision (every date of the vendor the 1st of a month,
or 1 January, or a declared ``date_precision`` other than 'day'): day distances would then
measure the recording convention; a pair whose donation dates (3 or more distinct) are all
the 1st of a month, for the same reason; a pair with no donation strictly between the
vendor's first and last award (those donations are at the same distance from the kept
endpoints in every permutation, so the test could only return p = 1); every null statistic
equal to the observed one (``null_without_variation``, found after drawing). The precision
refusals name the mapped column (optional ``date_column`` of either table) and its role-map
entry.

Calibration: tests/benchmarks/bench_timing_calibration.py (scenario table) and
tests/python/test_timing_calibration.py (reduced battery with failing bounds).

Randomness: one ``run_seed``. The null draws belong to the vendor: each vendor's stream is
``Generator(PCG64(vendor_seed(run_seed, vendor_key)))`` (reported in the ``seed`` column) and
every pair of the vendor is compared with the same null award sets. Adding or removing a pair
never changes another pair's result. Adding or removing a vendor changes another vendor's
results only when the calendar is ``all_awards`` and one of the added award dates falls
strictly between that vendor's first and last award: the null says that those dates are the
calendar. Null draws are made in blocks whose sizes depend only on the vendor's own award
dates and calendar, and the null summaries are exact integer sums, so outputs are
bit-identical whatever the input row order or the other pairs in the call. The tie lottery
(see p-value) draws from no stream: it is a hash of run_seed and the pair, so it moves with
nothing else either (tests: test_unrelated_vendor_and_pairs_change_no_other_pair_on_every_
code_path, test_adding_pairs_leaves_other_pairs_unchanged).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from numpy.random import PCG64, Generator

from python_udfs import progress
from python_udfs.stats import bh_qvalues

CALENDARS = ("all_awards", "uniform_days")
STATUSES = (
    "tested",
    "too_few_donations",
    "no_award_dates",
    "imprecise_award_dates",
    "too_few_awards",
    "imprecise_donation_dates",
    "no_donation_between_awards",
    "null_without_variation",
)
PRECISIONS = ("day", "month", "year")
MAX_PERMUTATIONS = 1_000_000
MIN_AWARDS_FLOOR = 3
# Settings of the uniform-window null this module replaced: refused with a pointer.
_REMOVED_KEYS = ("window", "window_start", "window_end")

OUTPUT_SCHEMA = pa.schema(
    [
        pa.field("vendor_key", pa.string(), nullable=False),
        pa.field("recipient_key", pa.string(), nullable=False),
        pa.field("status", pa.string(), nullable=False),
        pa.field("status_reason", pa.string()),
        pa.field("n_donations", pa.int64(), nullable=False),
        pa.field("n_awards", pa.int64(), nullable=False),
        pa.field("n_award_rows", pa.int64(), nullable=False),
        pa.field("observed_mean_days", pa.float64()),
        pa.field("null_mean_days", pa.float64()),
        pa.field("null_sd_days", pa.float64()),
        pa.field("effect_size", pa.float64()),
        pa.field("k_as_extreme", pa.int64()),
        pa.field("n_tied", pa.int64()),
        pa.field("n_permutations", pa.int64()),
        pa.field("p_value", pa.float64()),
        pa.field("q_value", pa.float64()),
        pa.field("seed", pa.int64(), nullable=False),
        pa.field("calendar", pa.string(), nullable=False),
        pa.field("first_award_date", pa.date32()),
        pa.field("last_award_date", pa.date32()),
        pa.field("null_model", pa.string()),
        pa.field("timing_settings", pa.string(), nullable=False),
        pa.field("finding_id", pa.string(), nullable=False),
    ]
)

# Memory budget (array elements) of one block of null draws or distances.
_BATCH_ELEMENTS = 1 << 20
# Rejection sampling of distinct dates is used while the awards to place are at most this
# share of the calendar dates available; above it, exponential keys (Efraimidis-Spirakis).
_REJECTION_SHARE = 0.5
_MAX_REDRAW_PASSES = 64
# Awards to redraw per set up to which repeats are found by pairwise comparison (above: by sorting).
_SMALL_K = 32
# Calendar weight of one vendor's award on a day, against 1 for every day of the file's span.
_VENDOR_WEIGHT = 10
# Largest calendar (in slots: 10 per vendor and award date, 1 per day) given a slot -> day table.
_MAX_TABLE_SLOTS = 1 << 24
# Small vendors share numpy passes (batched_null_sums); results are identical either way.
_BATCH_SMALL = True
_EPOCH = dt.date(1970, 1, 1)


# ----------------------------------------------------------------------------- config


@dataclass(frozen=True)
class TimingConfig:
    """Settings of one timing run; invalid values raise ValueError on construction."""

    run_seed: int = 20240101
    n_permutations: int = 2000
    min_donations: int = 3
    min_awards: int = 3
    calendar: str = "all_awards"

    def __post_init__(self) -> None:
        _check_int("run_seed", self.run_seed, 0, (1 << 63) - 1)
        _check_int("n_permutations", self.n_permutations, 2, MAX_PERMUTATIONS)
        _check_int("min_donations", self.min_donations, 1, None)
        _check_int("min_awards", self.min_awards, MIN_AWARDS_FLOOR, None)
        if not isinstance(self.calendar, str) or self.calendar not in CALENDARS:
            raise ValueError(f"timing config: calendar must be one of {', '.join(CALENDARS)}; got {self.calendar!r}")

    @classmethod
    def from_mapping(cls, mapping: Mapping | None) -> TimingConfig:
        """Build from a dbt var / YAML mapping. None means "all defaults".

        Unknown keys and bad values raise ValueError naming the key, the value and what is allowed.
        """
        if mapping is None:
            return cls()
        if not isinstance(mapping, Mapping):
            raise ValueError(f"timing config: expected a mapping, got {type(mapping).__name__}")
        allowed = [f.name for f in fields(cls)]
        removed = sorted(str(k) for k in mapping if k in _REMOVED_KEYS)
        if removed:
            key = removed[0]
            raise ValueError(
                f"timing config: key {key!r} (value {mapping[key]!r}) is no longer a setting: the null "
                "keeps each vendor's first and last award dates and redraws the others from the award "
                "calendar between them, so there is no window to set; remove it (allowed keys: "
                f"{', '.join(allowed)})"
            )
        unknown = sorted(str(k) for k in mapping if k not in allowed)
        if unknown:
            key = unknown[0]
            original = next(k for k in mapping if str(k) == key)
            raise ValueError(
                f"timing config: unknown key {key!r} (value {mapping[original]!r}); allowed keys: {', '.join(allowed)}"
            )
        return cls(**dict(mapping))

    def as_json(self) -> str:
        """The applied settings, as recorded beside every result row."""
        return json.dumps(asdict(self), sort_keys=True, separators=(",", ":"))


def _check_int(name: str, value, low: int, high: int | None) -> None:
    # bool is an int subclass; `n_permutations: true` in YAML is a mistake, not 1.
    ok = isinstance(value, int) and not isinstance(value, bool) and value >= low
    if ok and high is not None:
        ok = value <= high
    if not ok:
        bound = f">= {low}" if high is None else f"between {low} and {high}"
        raise ValueError(f"timing config: {name} must be an integer {bound}; got {value!r}")


# ----------------------------------------------------------------------------- ids


def vendor_seed(run_seed: int, vendor_key: str) -> int:
    """Seed of one vendor's null stream: first 8 bytes of a sha256, big-endian, top bit
    cleared so it fits a signed BIGINT column."""
    digest = hashlib.sha256(f"timing:v2:{run_seed}:{vendor_key}".encode()).digest()
    return int.from_bytes(digest[:8], "big") & ((1 << 63) - 1)


def finding_id(run_seed: int, vendor_key: str, recipient_key: str) -> str:
    text = "timing:v1:" + vendor_key + ":" + recipient_key + ":" + str(run_seed)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def tie_position(run_seed: int, vendor_key: str, recipient_key: str, n_tied: int) -> int:
    """The observed statistic's place (0..n_tied) among the null statistics equal to it.

    h = first 8 bytes (big-endian) of sha256("timing:tie:v1:<run_seed>:<len(vendor)>:<vendor>:
    <recipient>"), and the place is (h * (n_tied + 1)) >> 64: every place equally likely
    (to within (n_tied + 1) / 2**64), fixed by the seed and the pair alone.
    """
    text = f"timing:tie:v1:{run_seed}:{len(vendor_key)}:{vendor_key}:{recipient_key}"
    h = int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")
    return (h * (n_tied + 1)) >> 64


# ----------------------------------------------------------------------------- null draws


@dataclass(frozen=True)
class Calendar:
    """Dates a null award may fall on, with integer weights.

    Every day from the file's first to its last award date (``base`` .. ``base + span - 1``)
    has a weight: with ``smoothing``, _VENDOR_WEIGHT per vendor awarded that day plus 1;
    without, its number of vendors. The weights are laid out as consecutive "slots", day by
    day (day d owns slots ``cum[d - base - 1]`` .. ``cum[d - base] - 1``), so the days strictly
    between two dates own one contiguous run of slots and a uniform integer over that run is
    a day drawn in proportion to its weight. ``table`` (slot -> day) makes that one lookup;
    above _MAX_TABLE_SLOTS slots it is not built and the same mapping is made by a binary
    search of ``cum`` (identical draws, less memory, slower).
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
        weights = _VENDOR_WEIGHT * counts + 1 if smoothing else counts
        cum = np.cumsum(weights)
        table = None
        if int(cum[-1]) <= _MAX_TABLE_SLOTS:
            # days as offsets from base: int16 whenever the file spans under 89 years (half
            # the memory traffic of the random lookups, which dominate the small vendors' draws)
            small = np.int16 if counts.size < (1 << 15) else np.int32
            table = np.repeat(np.arange(counts.size, dtype=small), weights)
        return cls(base, weights, cum, table, smoothing)

    def slots_before(self, day: int) -> int:
        """Slots of the days before ``day``."""
        i = min(max(day - self.base, 0), self.cum.size)
        return int(self.cum[i - 1]) if i else 0

    def lookup(self, slots: np.ndarray) -> np.ndarray:
        """Slot numbers to days (int32)."""
        if self.table is not None:
            return np.add(np.take(self.table, slots), self.base, dtype=np.int32)
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

    def pick(self, rng: Generator, size) -> np.ndarray:
        return self.map(rng.integers(0, self.total, size=size, dtype=np.int32))

    def map(self, u: np.ndarray) -> np.ndarray:
        """Uniform integers in [0, total) to days."""
        if self.calendar is None:
            return u + np.int32(self.start)
        return self.calendar.lookup(u + np.int32(self.offset) if self.offset < (1 << 31) else u + self.offset)

    def _weights(self) -> np.ndarray:
        cal = self.calendar
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


def _redraw_repeats(rng: Generator, sl: _Slice, idx: np.ndarray, mask: np.ndarray, k: int, first=None) -> None:
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
            return _draw_distinct_bitmap(rng, sl, k, rows)  # sorted already
        idx = sl.pick(rng, (rows, k))
        _redraw_repeats(rng, sl, idx, _dup_mask(idx), k)
    else:
        idx = sl.days()[_keys(rng, sl.cum(), k, rows)]
    idx.sort(axis=1)
    return idx


def _draw_distinct_bitmap(rng: Generator, sl: _Slice, k: int, rows: int) -> np.ndarray:
    """The sets of _taken_bitmap as sorted (rows, k) int32 days."""
    taken = _taken_bitmap(rng, sl, k, rows)
    # flat positions, row by row in day order; minus each row's start gives the day offsets
    flat = np.flatnonzero(taken).reshape(rows, k)
    flat -= (np.arange(rows, dtype=np.int64) * sl.width - sl.start)[:, None]
    return flat.astype(np.int32)


def _taken_bitmap(rng: Generator, sl: _Slice, k: int, rows: int) -> np.ndarray:
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


def _keys(rng: Generator, cum: np.ndarray, k: int, rows: int) -> np.ndarray:
    weights = np.diff(cum, prepend=0).astype(np.float64)
    out = np.empty((rows, k), dtype=np.int64)
    step = max(1, _BATCH_ELEMENTS // cum.size)
    for r0 in range(0, rows, step):
        r1 = min(rows, r0 + step)
        keys = rng.standard_exponential((r1 - r0, cum.size)) / weights
        part = np.argpartition(keys, k - 1, axis=1)[:, :k]
        part.sort(axis=1)
        out[r0:r1] = part
    return out


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
    return dist.sum(axis=1)


def _block_rows(sl: _Slice, n_awards: int) -> int:
    """Null award sets drawn per block: from the vendor's own numbers only, so the draws
    never depend on its pairs or on other vendors' sizes."""
    k = n_awards - 2
    width = n_awards if (sl.uses_rejection(k) or k in (0, sl.n_days)) else max(n_awards, sl.n_days)
    return max(1, _BATCH_ELEMENTS // width)


def vendor_null_sums(
    award_days: np.ndarray, calendar: Calendar, uniform: bool, seed: int, n_perm: int, donation_sets
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


def batched_null_sums(vendors, calendar: Calendar, uniform: bool, n_perm: int) -> list[list[np.ndarray]]:
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
        for j, d in enumerate(dsets):
            off = d - int(firsts[i])
            inside = (off > 0) & (off < span)
            const = int(np.where(off <= 0, -off, off - span)[~inside].sum())
            by_size.setdefault(int(inside.sum()), []).append((i, j, off[inside], const))
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
                    for j in range(k):
                        np.subtract(block[j], col, out=tmp)
                        np.abs(tmp, out=tmp)
                        np.minimum(best, tmp, out=best)
                    acc += best
            for row, (i, j, _, _) in enumerate(chunk):
                out[i][j] = acc[row]
    return out


def _moments(sums: np.ndarray, bound: int):
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


# ----------------------------------------------------------------------------- tables


def _column(table: pa.Table, table_name: str, name: str, kind: str) -> pa.Array:
    if name not in table.column_names:
        raise ValueError(f"timing: {table_name} is missing column {name!r}; has: {', '.join(table.column_names)}")
    col = table.column(name)
    if col.null_count:
        hint = (
            "; dates must be parsed upstream (unparseable dates belong in the rejects table)" if kind == "date" else ""
        )
        raise ValueError(f"timing: {table_name}.{name} has {col.null_count} null value(s){hint}")
    col = col.combine_chunks()
    if kind == "date":
        if not (pa.types.is_date32(col.type) or pa.types.is_date64(col.type)):
            raise ValueError(f"timing: {table_name}.{name} must be a DATE column; got {col.type}")
        return col.cast(pa.date32()).cast(pa.int32())
    if pa.types.is_dictionary(col.type):
        col = col.dictionary_decode()
    if not (pa.types.is_string(col.type) or pa.types.is_large_string(col.type) or pa.types.is_string_view(col.type)):
        raise ValueError(f"timing: {table_name}.{name} must be a VARCHAR column; got {col.type}")
    return col.cast(pa.string())


def _same_as_previous(*columns) -> np.ndarray:
    """Row i equals row i - 1 on every column (row 0: False); columns are sorted."""
    n = len(columns[0])
    same = np.zeros(n, dtype=bool)
    if n > 1:
        same[1:] = True
        for col in columns:
            equal = pc.equal(col.slice(1), col.slice(0, n - 1))
            same[1:] &= equal.to_numpy(zero_copy_only=False)
    return same


@dataclass
class _Pairs:
    vendor: list[str]
    recipient: list[str]
    ptr: np.ndarray  # pair p's donations are days[ptr[p]:ptr[p+1]]
    days: np.ndarray  # int64 days since 1970-01-01


def _pairs(donations: pa.Table) -> _Pairs:
    table = pa.table(
        {
            "v": _column(donations, "donations", "vendor_key", "string"),
            "r": _column(donations, "donations", "recipient_key", "string"),
            "d": _column(donations, "donations", "donation_date", "date"),
            "ref": _column(donations, "donations", "row_ref", "string"),
        }
    )
    # Sorting on every column of a row makes the result independent of the input order.
    table = table.take(pc.sort_indices(table, [(c, "ascending") for c in ("v", "r", "ref", "d")]))
    same = _same_as_previous(table.column("v"), table.column("r"), table.column("ref"))
    days = table.column("d").to_numpy()
    clash = np.flatnonzero(same[1:] & (days[1:] != days[:-1]))
    if clash.size:
        row = table.slice(int(clash[0]) + 1, 1).to_pylist()[0]
        raise ValueError(
            f"timing: donations row_ref {row['ref']!r} has two donation_date values "
            f"for pair ({row['v']!r}, {row['r']!r})"
        )
    # One donation reached through several edges counts once.
    table = table.filter(pa.array(~same))
    starts = np.flatnonzero(~_same_as_previous(table.column("v"), table.column("r")))
    return _Pairs(
        vendor=table.column("v").take(starts).to_pylist(),
        recipient=table.column("r").take(starts).to_pylist(),
        ptr=np.append(starts, len(table)).astype(np.int64),
        days=table.column("d").to_numpy().astype(np.int64),
    )


@dataclass
class _Awards:
    slices: dict[str, tuple[int, int]]  # vendor -> rows of its distinct dates in `days`
    rows: dict[str, int]  # vendor -> award rows before removing repeated dates
    days: np.ndarray  # int64, sorted by (vendor, day)
    vendor_rank: np.ndarray  # int64 rank of each row's vendor in `slices` order


def _awards(awards: pa.Table) -> _Awards:
    table = pa.table(
        {
            "v": _column(awards, "awards", "vendor_key", "string"),
            "d": _column(awards, "awards", "award_date", "date"),
        }
    )
    table = table.take(pc.sort_indices(table, [("v", "ascending"), ("d", "ascending")]))
    starts = np.flatnonzero(~_same_as_previous(table.column("v")))
    counts = np.diff(np.append(starts, len(table))).tolist()
    rows = dict(zip(table.column("v").take(starts).to_pylist(), counts, strict=False))
    table = table.filter(pa.array(~_same_as_previous(table.column("v"), table.column("d"))))
    starts = np.flatnonzero(~_same_as_previous(table.column("v")))
    ends = np.append(starts[1:], len(table))
    names = table.column("v").take(starts).to_pylist()
    return _Awards(
        slices={name: (int(a), int(b)) for name, a, b in zip(names, starts, ends, strict=False)},
        rows=rows,
        days=table.column("d").to_numpy().astype(np.int64),
        vendor_rank=np.repeat(np.arange(len(starts), dtype=np.int64), ends - starts),
    )


def _observed_sums(pairs: _Pairs, awards: _Awards, tested: np.ndarray, rows: np.ndarray):
    """Exact sum of nearest-award distances per tested pair.

    All vendors' award dates go on one number line, vendor i shifted by i * stride, so one
    searchsorted finds every donation's neighbours among its own vendor's awards.
    """
    n_dons = np.diff(pairs.ptr)[tested]
    base = int(min(pairs.days.min(), awards.days.min()))
    stride = int(max(pairs.days.max(), awards.days.max())) - base + 1
    keys = awards.vendor_rank * stride + (awards.days - base)
    rank = {name: i for i, name in enumerate(awards.slices)}
    vendors = [pairs.vendor[p] for p in tested.tolist()]
    vendor_rank = np.repeat(np.array([rank[v] for v in vendors], dtype=np.int64), n_dons)
    first = np.repeat(np.array([awards.slices[v][0] for v in vendors], dtype=np.int64), n_dons)
    last = np.repeat(np.array([awards.slices[v][1] - 1 for v in vendors], dtype=np.int64), n_dons)
    queries = vendor_rank * stride + (pairs.days[rows] - base)
    pos = np.searchsorted(keys, queries)
    left = np.clip(pos - 1, first, last)
    right = np.minimum(pos, last)
    dist = np.minimum(np.abs(queries - keys[left]), np.abs(keys[right] - queries))
    return np.add.reduceat(dist, np.concatenate([[0], np.cumsum(n_dons)[:-1]]))


def _day_to_date(day: int) -> dt.date:
    return _EPOCH + dt.timedelta(days=day)


def _declared_precision(table: pa.Table, table_name: str, keys: list[str]) -> dict:
    """Coarsest declared ``date_precision`` per key tuple (optional column; absent = 'day')."""
    if "date_precision" not in table.column_names:
        return {}
    prec = _column(table, table_name, "date_precision", "string")
    bad = sorted(set(prec.to_pylist()) - set(PRECISIONS))
    if bad:
        raise ValueError(f"timing: {table_name}.date_precision has value {bad[0]!r}; allowed: {', '.join(PRECISIONS)}")
    mask = pc.not_equal(prec, "day")
    if not pc.any(mask).as_py():
        return {}
    cols = [_column(table, table_name, k, "string").filter(mask).to_pylist() for k in keys]
    out: dict = {}
    for key, p in zip(zip(*cols, strict=True), prec.filter(mask).to_pylist(), strict=True):
        if out.get(key) != "year":
            out[key] = p
    return out


def _date_source(table: pa.Table, role: str, field: str) -> str:
    """Where the dates come from, for refusals: the mapped column (optional ``date_column``,
    one value per table) and its role-map entry."""
    where = f"role_map.{role}.columns.{field}"
    if "date_column" in table.column_names and table.num_rows:
        names = sorted({n for n in table.column("date_column").to_pylist() if n is not None})
        if len(names) == 1:
            return f"column {names[0]!r}, mapped as {where}"
    return where


def _date_flags(days: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per day number: is it the 1st of a month; is it 1 January."""
    d = days.astype("datetime64[D]")
    month_start = d.astype("datetime64[M]").astype("datetime64[D]") == d
    jan_first = d.astype("datetime64[Y]").astype("datetime64[D]") == d
    return month_start, jan_first


def _null_sentence(calendar: str, first: int, last: int, n_awards: int) -> str:
    k = n_awards - 2
    where = (
        "days between those two, each day as likely as the number of vendors in the contracts data "
        "awarded that day plus 0.1"
        if calendar == "all_awards"
        else "days between those two, every day equally likely"
    )
    return (
        f"Compared with {k} of the vendor's award dates redrawn at random (first award "
        f"{_day_to_date(first).isoformat()} and last award {_day_to_date(last).isoformat()} kept) "
        f"from the {where}; the donation dates are kept as they are, and redrawn sets that put the donations "
        "exactly as close to the awards as the real ones are ranked before or after them by a fixed lottery "
        "seeded from the run seed and the pair."
    )


_STAT_COLUMNS = (
    "observed_mean_days",
    "null_mean_days",
    "null_sd_days",
    "effect_size",
    "k_as_extreme",
    "n_tied",
    "n_permutations",
    "p_value",
    "q_value",
    "null_model",
)


def run_timing(donations: pa.Table, awards: pa.Table, config: TimingConfig) -> pa.Table:
    """Timing permutation test for every vendor-recipient pair in ``donations``.

    Returns one row per pair, sorted by (vendor_key, recipient_key), with ``status`` one of
    STATUSES (checked in that order after 'tested') and, for untested pairs, a
    ``status_reason`` sentence starting "not tested:"; statistics are null for untested pairs
    and q-values are computed over tested pairs only. A donation row_ref that reaches the same
    pair through several edges counts once. ``n_awards`` counts distinct award dates;
    ``n_award_rows`` counts award rows. Optional ``date_precision`` columns ('day', 'month',
    'year', e.g. from the declared date format) on either table mark rows the test must refuse.
    """
    if not isinstance(config, TimingConfig):
        raise TypeError(f"run_timing: config must be a TimingConfig, got {type(config).__name__}")
    pairs = _pairs(donations)
    aw = _awards(awards)
    award_declared = _declared_precision(awards, "awards", ["vendor_key"])
    don_declared = _declared_precision(donations, "donations", ["vendor_key", "recipient_key"])
    award_source = _date_source(awards, "contracts", "award_date")
    donation_source = _date_source(donations, "contributions", "donation_date")
    n_pairs = len(pairs.vendor)
    n_perm = config.n_permutations
    n_dons = np.diff(pairs.ptr)

    vendor_state: dict[str, tuple[str, str | None]] = {}
    # Per vendor: are all its dates the 1st of a month / 1 January (one vectorised pass)?
    month_start, jan_first = _date_flags(aw.days)
    starts = np.array([a for a, _ in aw.slices.values()], dtype=np.int64)
    all_month = np.logical_and.reduceat(month_start, starts).tolist() if starts.size else []
    all_jan = np.logical_and.reduceat(jan_first, starts).tolist() if starts.size else []
    for vi, (v, (a, b)) in enumerate(aw.slices.items()):
        n = b - a
        declared = award_declared.get((v,))
        inferred = "year" if all_jan[vi] else "month" if all_month[vi] else "day"
        if declared is not None:
            vendor_state[v] = (
                "imprecise_award_dates",
                f"not tested: the award dates ({award_source}) are declared with {declared} precision (the "
                "format has no day), so distances in days would be artefacts of the format",
            )
        elif n >= 2 and inferred != "day":
            what = "1 January" if inferred == "year" else "the 1st of a month"
            vendor_state[v] = (
                "imprecise_award_dates",
                f"not tested: every one of the vendor's {n} award dates ({award_source}) is {what}, which "
                f"looks like {inferred} precision; distances in days would be artefacts of the recording",
            )
        elif n < MIN_AWARDS_FLOOR:
            vendor_state[v] = (
                "too_few_awards",
                f"not tested: the vendor has {n} distinct award date(s); the null keeps the first and last "
                f"award dates and redraws the ones between them, so it needs at least {MIN_AWARDS_FLOOR} and "
                f"with {n} there is nothing to redraw",
            )
        elif n < config.min_awards:
            vendor_state[v] = (
                "too_few_awards",
                f"not tested: the vendor has {n} distinct award dates, fewer than min_awards = "
                f"{config.min_awards} (vars.timing.min_awards); the null keeps the first and last award "
                f"dates and would redraw only the {n - 2} between them",
            )
        else:
            vendor_state[v] = ("tested", None)

    don_month_start = _date_flags(pairs.days)[0]
    status: list[str] = []
    reasons: list[str | None] = []
    for p in range(n_pairs):
        v, r, nd = pairs.vendor[p], pairs.recipient[p], int(n_dons[p])
        d = pairs.days[pairs.ptr[p] : pairs.ptr[p + 1]]
        if nd < config.min_donations:
            state = (
                "too_few_donations",
                f"not tested: {nd} linked donation(s), fewer than min_donations = {config.min_donations}",
            )
        elif v not in aw.slices:
            state = ("no_award_dates", "not tested: the vendor has no award date in the contracts data")
        elif vendor_state[v][0] != "tested":
            state = vendor_state[v]
        elif (v, r) in don_declared:
            state = (
                "imprecise_donation_dates",
                f"not tested: the donation dates ({donation_source}) are declared with "
                f"{don_declared[(v, r)]} precision (the format has no day), so distances in days would be "
                "artefacts of the format",
            )
        elif don_month_start[pairs.ptr[p] : pairs.ptr[p + 1]].all() and np.unique(d).size >= 3:
            state = (
                "imprecise_donation_dates",
                f"not tested: every donation date of the pair ({donation_source}) is the 1st of a month or "
                "1 January, which looks like month or year precision; distances in days would be artefacts "
                "of the recording",
            )
        elif not np.any((d > aw.days[aw.slices[v][0]]) & (d < aw.days[aw.slices[v][1] - 1])):
            state = (
                "no_donation_between_awards",
                "not tested: no donation of the pair falls strictly between the vendor's first and last "
                "award, the only period where the null moves awards, so every permutation gives the same "
                "statistic and the test could say nothing",
            )
        else:
            state = ("tested", None)
        status.append(state[0])
        reasons.append(state[1])

    n_awards = [aw.slices[v][1] - aw.slices[v][0] if v in aw.slices else 0 for v in pairs.vendor]
    is_tested = np.array([s == "tested" for s in status], dtype=bool)
    tested = np.flatnonzero(is_tested)
    seeds = {v: vendor_seed(config.run_seed, v) for v in set(pairs.vendor)}
    stats = {name: [None] * n_pairs for name in _STAT_COLUMNS}
    if tested.size:
        rows = np.flatnonzero(np.repeat(is_tested, n_dons))
        observed = _observed_sums(pairs, aw, tested, rows)
        calendar = Calendar.from_award_days(aw.days)
        by_vendor: dict[str, list[int]] = {}
        for i, p in enumerate(tested.tolist()):
            by_vendor.setdefault(pairs.vendor[p], []).append(i)
        k_closer = np.zeros(tested.size, dtype=np.int64)
        k_tied = np.zeros(tested.size, dtype=np.int64)
        moments = [None] * tested.size
        uniform = config.calendar == "uniform_days"

        def keep(members, bounds, sums):
            """k and exact moments for pairs ``members`` with null sums ``sums``."""
            rows = np.stack(sums)
            which = np.array(members, dtype=np.int64)
            k_closer[which] = (rows < observed[which][:, None]).sum(axis=1)
            k_tied[which] = (rows == observed[which][:, None]).sum(axis=1)
            s1, d1, d2 = _moments(rows, max(bounds))
            for j, i in enumerate(members):
                moments[i] = (s1[j], d1[j], d2[j])
            tracker.advance(len(members))

        def bound(award_days, d):
            # Every null set keeps the first and last award: no null sum exceeds this.
            return int(np.minimum(np.abs(d - award_days[0]), np.abs(d - award_days[-1])).sum())

        small: dict[int, list[str]] = {}
        tracker = progress.start("timing test", len(tested), "pairs")  # drawn only under the CLI on a terminal
        for v, members in by_vendor.items():
            a, b = aw.slices[v]
            award_days = aw.days[a:b]
            dsets = [np.sort(pairs.days[pairs.ptr[tested[i]] : pairs.ptr[tested[i] + 1]]) for i in members]
            n = b - a
            sl = calendar.between(int(award_days[0]), int(award_days[-1]), uniform)
            if _BATCH_SMALL and n - 2 <= _SMALL_K and sl.uses_rejection(n - 2) and n_perm <= _block_rows(sl, n):
                small.setdefault(n, []).append(v)
                continue
            sums = vendor_null_sums(award_days, calendar, uniform, seeds[v], n_perm, dsets)
            keep(members, [bound(award_days, d) for d in dsets], sums)
        # Small vendors: the same draws, batched arithmetic (identical results).
        for n, names in sorted(small.items()):
            step = max(1, (4 * _BATCH_ELEMENTS) // (n_perm * n))
            for g0 in range(0, len(names), step):
                group = names[g0 : g0 + step]
                items = []
                for v in group:
                    a, b = aw.slices[v]
                    members = by_vendor[v]
                    dsets = [np.sort(pairs.days[pairs.ptr[tested[i]] : pairs.ptr[tested[i] + 1]]) for i in members]
                    items.append((aw.days[a:b], seeds[v], dsets))
                members, bounds, sums = [], [], []
                for (award_days, _, dsets), v, vendor_sums in zip(
                    items, group, batched_null_sums(items, calendar, uniform, n_perm), strict=True
                ):
                    members += by_vendor[v]
                    bounds += [bound(award_days, d) for d in dsets]
                    sums += vendor_sums
                keep(members, bounds, sums)
        tracker.close()
        # Every null statistic equal to the observed: the test can say nothing (with the
        # tie-break below, p would be a lottery), so the pair is refused after the fact.
        constant = k_tied == n_perm
        for p in tested[constant].tolist():
            status[p] = "null_without_variation"
            reasons[p] = (
                f"not tested: all {n_perm} redrawn award calendars put the donations exactly as close to the "
                "awards as the real one (there is no other way to place the vendor's awards between its first "
                "and last award that changes the distances), so the test could say nothing"
            )
        # Ties: the observed statistic takes a seeded place among the null statistics equal to it.
        k = k_closer + np.array(
            [
                tie_position(config.run_seed, pairs.vendor[p], pairs.recipient[p], int(k_tied[i]))
                for i, p in enumerate(tested.tolist())
            ],
            dtype=np.int64,
        )
        p_values = (k + 1) / (n_perm + 1)
        q_values = np.full(tested.size, np.nan)
        q_values[~constant] = bh_qvalues(p_values[~constant])
        for i, p in enumerate(tested.tolist()):
            if constant[i]:
                continue
            nd = int(n_dons[p])
            s1, d1, d2 = moments[i]
            null_mean = s1 / (n_perm * nd)
            var_num = n_perm * d2 - d1 * d1
            null_sd = math.sqrt(var_num / (n_perm * (n_perm - 1))) / nd
            a, b = aw.slices[pairs.vendor[p]]
            stats["observed_mean_days"][p] = int(observed[i]) / nd
            stats["null_mean_days"][p] = null_mean
            stats["null_sd_days"][p] = null_sd
            stats["effect_size"][p] = (
                ((s1 - n_perm * int(observed[i])) / (n_perm * nd)) / null_sd if var_num > 0 else None
            )
            stats["k_as_extreme"][p] = int(k[i])
            stats["n_tied"][p] = int(k_tied[i])
            stats["n_permutations"][p] = n_perm
            stats["p_value"][p] = float(p_values[i])
            stats["q_value"][p] = float(q_values[i])
            stats["null_model"][p] = _null_sentence(config.calendar, int(aw.days[a]), int(aw.days[b - 1]), b - a)

    finding_ids = [finding_id(config.run_seed, v, r) for v, r in zip(pairs.vendor, pairs.recipient, strict=False)]
    if len(set(finding_ids)) != len(finding_ids):
        # The id text joins keys with ':', so keys containing ':' could make two pairs collide.
        raise ValueError("timing: two pairs share a finding_id (keys containing ':' collide)")
    first_award = [_day_to_date(int(aw.days[aw.slices[v][0]])) if v in aw.slices else None for v in pairs.vendor]
    last_award = [_day_to_date(int(aw.days[aw.slices[v][1] - 1])) if v in aw.slices else None for v in pairs.vendor]
    data = {
        "vendor_key": pairs.vendor,
        "recipient_key": pairs.recipient,
        "status": status,
        "status_reason": reasons,
        "n_donations": n_dons.tolist(),
        "n_awards": n_awards,
        "n_award_rows": [aw.rows.get(v, 0) for v in pairs.vendor],
        **stats,
        "seed": [seeds[v] for v in pairs.vendor],
        "calendar": [config.calendar] * n_pairs,
        "first_award_date": first_award,
        "last_award_date": last_award,
        "timing_settings": [config.as_json()] * n_pairs,
        "finding_id": finding_ids,
    }
    return pa.table({name: data[name] for name in OUTPUT_SCHEMA.names}, schema=OUTPUT_SCHEMA)
