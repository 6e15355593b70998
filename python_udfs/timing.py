"""Timing permutation test: do a vendor's linked donations sit unusually close to its awards?

Per vendor-recipient pair with at least ``min_donations`` linked donations and at least one
award date of that vendor:

statistic
    mean over the pair's donations of the absolute number of days from the donation date to
    the nearest award date of the vendor. Clustering of donations around awards makes it
    small. It is computed exactly as an integer sum of day distances; the mean is reported.
null model
    the donation dates are held fixed; the vendor's distinct award dates are replaced by the
    same number of dates drawn independently and uniformly over the integer days of the window
    (with replacement). This is what the test assumes when it says "no relation": award timing
    is uniform over the window and independent of the donations. Donations may follow any
    calendar at all (election seasons, year ends): the test conditions on them, so a
    non-uniform donation calendar does not bias it (tested). What does bias it is an award
    calendar that is itself non-uniform in the same way as the donations (for example awards
    piling up at the fiscal year end while giving peaks before elections in the same months):
    a small p then says "closer than uniformly timed awards", not "closer than this vendor's
    awards would be by chance" (documented by a test).
p-value
    p = (k + 1) / (n + 1), where k counts null statistics <= the observed one (one-sided:
    only clustering, i.e. smaller distances, counts as extreme). Ties count as
    at least as extreme, which keeps the test conservative (distances are whole days, so ties
    happen). p is never 0.
effect size
    (null mean - observed) / null sd, with the sample sd (ddof=1) of the n null statistics, in
    days. Positive means donations sit closer to awards than the null expects. It cannot
    exceed null mean / null sd (distances are never negative), so with the right-skewed null
    of a nearest distance, values around 2 are already extreme. When the null sd is exactly 0
    (every permutation gives the same statistic, e.g. a one-day window) the effect size is
    null.
q-value
    Benjamini-Hochberg across all tested pairs of one call (see ``python_udfs.stats``).

Window (``TimingConfig.window``):
``award_span`` (default)
    from the earliest to the latest award date in the whole awards input, over every vendor.
    The null draws award dates, so its support should be where awards could have happened:
    the coverage of the contracts data. With many vendors the extremes of all award dates
    estimate that coverage closely. A vendor's own first-to-last span is far too narrow (its
    real awards always include both endpoints while the redrawn ones crowd the middle; a peer
    implementation gave p <= 0.05 to about 22% of unrelated pairs, and a test here reproduces
    the inflation). Donations outside the window are kept: their distances are measured to
    awards inside it, under the null and in the data alike. With only a handful of award
    dates in the whole input, the extremes understate the coverage: configure the window.
``study_span``
    from the earliest to the latest date of either input. Equal to ``award_span`` when both
    datasets cover the same period; when contributions cover a longer period than contracts
    it spreads null awards over days on which no award could have been recorded.
``configured``
    ``[window_start, window_end]`` as given, e.g. the documented coverage of the contracts
    data. Every award date must fall inside it (an award outside contradicts the null).

The two data-driven windows depend on the whole awards input: awards that move its first or
last date change every pair's null. Configure the window when results must not depend on
what else was loaded.

Calibration (tests/python/test_timing_calibration.py, 2,000 independent unrelated pairs, 499
permutations): p < 0.05 for 4.75% of pairs with uniform donations, 4.95% with election-season
donations, 4.15% with two-week donation bursts, 5.25% when donations span three times the
award period; the vendor's own award span gives 17.0%.

Randomness: one ``run_seed``. Each pair's stream is ``Generator(PCG64(pair_seed(...)))``,
seeded from run_seed and a hash of the pair key only (and reported in the ``seed`` column),
so adding or removing a pair never changes another pair's draws; nothing else draws random
numbers. Permutation r uses the
stream's values r*n_awards .. (r+1)*n_awards - 1 of ``integers(0, span + 1, dtype=int32)``;
numpy's int32 bounded draws consume the bit generator's 32-bit outputs in order whatever the
call sizes, so the code may draw in blocks of any size and get the same permutations.
Null summaries are reduced from exact integer sums, so outputs are bit-identical whatever
the batching, the input row order or the other pairs in the call.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from collections.abc import Mapping
from dataclasses import dataclass, fields

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from numpy.random import PCG64, Generator

from python_udfs.stats import bh_qvalues

WINDOWS = ("award_span", "study_span", "configured")
STATUSES = ("tested", "too_few_donations", "no_award_dates")
MAX_PERMUTATIONS = 1_000_000

OUTPUT_SCHEMA = pa.schema(
    [
        pa.field("vendor_key", pa.string(), nullable=False),
        pa.field("recipient_key", pa.string(), nullable=False),
        pa.field("status", pa.string(), nullable=False),
        pa.field("n_donations", pa.int64(), nullable=False),
        pa.field("n_awards", pa.int64(), nullable=False),
        pa.field("n_award_rows", pa.int64(), nullable=False),
        pa.field("observed_mean_days", pa.float64()),
        pa.field("null_mean_days", pa.float64()),
        pa.field("null_sd_days", pa.float64()),
        pa.field("effect_size", pa.float64()),
        pa.field("k_as_extreme", pa.int64()),
        pa.field("n_permutations", pa.int64()),
        pa.field("p_value", pa.float64()),
        pa.field("q_value", pa.float64()),
        pa.field("seed", pa.int64(), nullable=False),
        pa.field("window_kind", pa.string(), nullable=False),
        pa.field("window_start", pa.date32()),
        pa.field("window_end", pa.date32()),
        pa.field("finding_id", pa.string(), nullable=False),
    ]
)

# Memory budget (elements of int32) for one batch of null award draws; keeps peak memory
# in the tens of MB whatever the number of pairs or permutations.
_BATCH_ELEMENTS = 1 << 21
# Pairs whose padded shape fits these bounds are batched across pairs (one numpy pass per
# award slot over the whole batch); larger pairs are cheaper one at a time.
_SMALL_AWARDS = 32
_SMALL_DONATIONS = 64
_EPOCH = dt.date(1970, 1, 1)


# ----------------------------------------------------------------------------- config


@dataclass(frozen=True)
class TimingConfig:
    """Settings of one timing run; invalid values raise ValueError on construction."""

    run_seed: int = 20240101
    n_permutations: int = 2000
    min_donations: int = 3
    window: str = "award_span"
    window_start: dt.date | None = None
    window_end: dt.date | None = None

    def __post_init__(self) -> None:
        _check_int("run_seed", self.run_seed, 0, (1 << 63) - 1)
        _check_int("n_permutations", self.n_permutations, 2, MAX_PERMUTATIONS)
        _check_int("min_donations", self.min_donations, 1, None)
        if not isinstance(self.window, str) or self.window not in WINDOWS:
            raise ValueError(f"timing config: window must be one of {', '.join(WINDOWS)}; got {self.window!r}")
        for name in ("window_start", "window_end"):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, dt.date) or isinstance(value, dt.datetime)):
                raise ValueError(f"timing config: {name} must be a date; got {value!r}")
        if self.window == "configured":
            if self.window_start is None or self.window_end is None:
                raise ValueError("timing config: window 'configured' needs both window_start and window_end")
            if self.window_start > self.window_end:
                raise ValueError(
                    f"timing config: window_start {self.window_start.isoformat()} is after "
                    f"window_end {self.window_end.isoformat()}"
                )
        elif self.window_start is not None or self.window_end is not None:
            # Silently ignoring given dates would hide a config that does not do what its
            # author thinks.
            raise ValueError(
                f"timing config: window_start/window_end are only used with window "
                f"'configured'; window is {self.window!r}"
            )

    @classmethod
    def from_mapping(cls, mapping: Mapping | None) -> TimingConfig:
        """Build from a dbt var / YAML mapping; dates may be ISO strings ('2020-01-31').

        None means "all defaults". Unknown keys and bad values raise ValueError.
        """
        if mapping is None:
            return cls()
        if not isinstance(mapping, Mapping):
            raise ValueError(f"timing config: expected a mapping, got {type(mapping).__name__}")
        allowed = [f.name for f in fields(cls)]
        unknown = sorted(str(k) for k in mapping if k not in allowed)
        if unknown:
            noun = "key" if len(unknown) == 1 else "keys"
            raise ValueError(
                f"timing config: unknown {noun} {', '.join(repr(k) for k in unknown)}; allowed: {', '.join(allowed)}"
            )
        values = dict(mapping)
        for name in ("window_start", "window_end"):
            if name in values:
                values[name] = _parse_date(name, values[name])
        return cls(**values)


def _check_int(name: str, value, low: int, high: int | None) -> None:
    # bool is an int subclass; `n_permutations: true` in YAML is a mistake, not 1.
    ok = isinstance(value, int) and not isinstance(value, bool) and value >= low
    if ok and high is not None:
        ok = value <= high
    if not ok:
        bound = f">= {low}" if high is None else f"between {low} and {high}"
        raise ValueError(f"timing config: {name} must be an integer {bound}; got {value!r}")


def _parse_date(name: str, value):
    if value is None or (isinstance(value, dt.date) and not isinstance(value, dt.datetime)):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise ValueError(f"timing config: {name} must be a date as YYYY-MM-DD; got {value!r}")


# ----------------------------------------------------------------------------- ids


def pair_seed(run_seed: int, vendor_key: str, recipient_key: str) -> int:
    """Seed of one pair's random stream: first 8 bytes of a sha256, big-endian, top bit
    cleared so it fits a signed BIGINT column."""
    digest = hashlib.sha256(f"timing:v1:{run_seed}:{vendor_key}:{recipient_key}".encode()).digest()
    return int.from_bytes(digest[:8], "big") & ((1 << 63) - 1)


def finding_id(run_seed: int, vendor_key: str, recipient_key: str) -> str:
    text = "timing:v1:" + vendor_key + ":" + recipient_key + ":" + str(run_seed)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


# ----------------------------------------------------------------------------- core


def _bucket(n: int) -> int:
    """Round up so that batches of similar shapes share one padded shape (<= 25% padding)."""
    if n <= 8:
        return n
    step = 1 << (n.bit_length() - 3)
    return -(-n // step) * step


def _draw(rng: Generator, span: int, rows: int, n_awards: int) -> np.ndarray:
    return rng.integers(0, span + 1, size=(rows, n_awards), dtype=np.int32)


def _sums_broadcast(d: np.ndarray, awards: np.ndarray) -> np.ndarray:
    """Sum over donations of the distance to the nearest award, per permutation row.

    awards: (rows, n_awards). The Python loop runs over the shorter of the two axes, so
    every numpy pass covers a whole block of permutations.
    """
    rows, n_awards = awards.shape
    if d.size <= n_awards:
        acc = np.zeros(rows, dtype=np.int64)
        tmp = np.empty_like(awards)
        for day in d.tolist():
            np.subtract(awards, day, out=tmp)
            np.abs(tmp, out=tmp)
            acc += tmp.min(axis=1)
        return acc
    d_row = d[None, :]
    best = np.abs(d_row - awards[:, 0, None])
    tmp = np.empty_like(best)
    for j in range(1, n_awards):
        np.subtract(d_row, awards[:, j, None], out=tmp)
        np.abs(tmp, out=tmp)
        np.minimum(best, tmp, out=best)
    return best.sum(axis=1, dtype=np.int64)


def _sums_sorted(d: np.ndarray, awards: np.ndarray, span: int) -> np.ndarray:
    """Same result as _sums_broadcast via sort + one searchsorted over the whole block.

    Rows are laid end to end on one number line (row r shifted by r * stride) so a single
    searchsorted finds, for every (row, donation), its neighbours within that row.
    """
    rows, n_awards = awards.shape
    awards = np.sort(awards, axis=1).astype(np.int64)
    lo = min(0, int(d.min()))
    stride = max(span, int(d.max())) - lo + 1
    base = (np.arange(rows, dtype=np.int64) * stride)[:, None]
    flat = (awards - lo + base).ravel()
    queries = (d.astype(np.int64) - lo)[None, :] + base
    idx = np.searchsorted(flat, queries.ravel()).reshape(queries.shape)
    first = (np.arange(rows, dtype=np.int64) * n_awards)[:, None]
    last = first + (n_awards - 1)
    left = np.clip(idx - 1, first, last)
    right = np.minimum(idx, last)
    dist = np.minimum(np.abs(queries - flat[left]), np.abs(flat[right] - queries))
    return dist.sum(axis=1)


def _prefer_sorted(n_donations: int, n_awards: int) -> bool:
    # Per permutation, broadcasting costs ~0.6 ns per (donation, award) pair; sorting costs
    # ~1.2 ns * n_a log2 n_a plus ~35 ns per donation lookup (measured on the 2-core
    # benchmark machine). Both paths give identical sums, so this only affects speed.
    log_a = math.log2(max(n_awards, 2))
    return 0.6 * n_donations * n_awards > 1.2 * n_awards * log_a + 35.0 * n_donations


def _large_pair_sums(d: np.ndarray, n_awards: int, span: int, seed: int, n_perm: int) -> np.ndarray:
    rng = Generator(PCG64(seed))
    use_sorted = _prefer_sorted(d.size, n_awards)
    per_row = n_awards * (2 if use_sorted else 1) + 2 * d.size
    rows = max(1, _BATCH_ELEMENTS // per_row)
    sums = np.empty(n_perm, dtype=np.int64)
    for r0 in range(0, n_perm, rows):
        block = _draw(rng, span, min(rows, n_perm - r0), n_awards)
        if use_sorted:
            sums[r0 : r0 + block.shape[0]] = _sums_sorted(d, block, span)
        else:
            sums[r0 : r0 + block.shape[0]] = _sums_broadcast(d, block)
    return sums


def _small_batch_sums(batch, offsets, ptr, n_awards, span, seeds, n_perm, a_pad, d_pad):
    """Null sums for a batch of small pairs, padded to one shape (g, a_pad | d_pad, n_perm).

    Padding awards repeats the pair's last drawn award (a duplicate cannot change a minimum);
    padded donation slots are zeroed before summing.
    """
    g = len(batch)
    awards = np.empty((g, a_pad, n_perm), dtype=np.int32)
    dons = np.empty((g, d_pad), dtype=np.int32)
    pad = np.zeros((g, d_pad), dtype=bool)
    for row, p in enumerate(batch):
        na = int(n_awards[p])
        d = offsets[ptr[p] : ptr[p + 1]]
        draws = _draw(Generator(PCG64(seeds[p])), span, n_perm, na)
        awards[row, :na] = draws.T
        if na < a_pad:
            awards[row, na:] = draws[:, na - 1]
        dons[row, : d.size] = d
        dons[row, d.size :] = d[0]
        pad[row, d.size :] = True
    d3 = dons[:, :, None]
    best = np.empty((g, d_pad, n_perm), dtype=np.int32)
    tmp = np.empty_like(best)
    np.subtract(awards[:, 0, None, :], d3, out=best)
    np.abs(best, out=best)
    for j in range(1, a_pad):
        np.subtract(awards[:, j, None, :], d3, out=tmp)
        np.abs(tmp, out=tmp)
        np.minimum(best, tmp, out=best)
    best[pad] = 0
    return best.sum(axis=1, dtype=np.int64)


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


def null_statistics(offsets, ptr, n_awards, span: int, seeds, observed_sums, n_perm: int):
    """Permutation summaries for many pairs.

    offsets: int32 donation days relative to the window start, pair p's at
    offsets[ptr[p]:ptr[p+1]]; n_awards: distinct award dates per pair; span: window length in
    days minus one (null awards are drawn in [0, span]); seeds: pair seeds; observed_sums:
    exact integer sums of observed nearest-award distances.
    Returns arrays k, null_mean_days, null_sd_days, effect_size (NaN when the null sd is 0).
    """
    offsets = np.asarray(offsets, dtype=np.int32)
    ptr = np.asarray(ptr, dtype=np.int64)
    n_awards = np.asarray(n_awards, dtype=np.int64)
    observed_sums = np.asarray(observed_sums, dtype=np.int64)
    n_pairs = n_awards.size
    n_dons = np.diff(ptr)
    if n_pairs and (n_dons.min() < 1 or n_awards.min() < 1):
        raise ValueError("null_statistics: every pair needs >= 1 donation and >= 1 award")
    k = np.zeros(n_pairs, dtype=np.int64)
    s1 = [0] * n_pairs
    d1 = [0] * n_pairs
    d2 = [0] * n_pairs

    if n_pairs:
        dmin = np.minimum.reduceat(offsets, ptr[:-1]).tolist()
        dmax = np.maximum.reduceat(offsets, ptr[:-1]).tolist()
    # Largest null sum a pair can reach: every donation at the farthest point of the window.
    bounds = [
        int(n_dons[p]) * max(abs(dmin[p]), abs(dmax[p] - span), abs(dmax[p]), abs(dmin[p] - span))
        for p in range(n_pairs)
    ]

    def keep(batch, sums):
        k[batch] = (sums <= observed_sums[batch][:, None]).sum(axis=1)
        a, b, c = _moments(sums, max(bounds[p] for p in batch))
        for i, p in enumerate(batch):
            s1[p], d1[p], d2[p] = a[i], b[i], c[i]

    groups: dict[tuple[int, int], list[int]] = {}
    large: list[int] = []
    for p in range(n_pairs):
        a_pad, d_pad = _bucket(int(n_awards[p])), _bucket(int(n_dons[p]))
        # The batched path holds all permutations of a pair at once, so it also needs the
        # pair to fit the memory budget; the per-pair path draws permutations in blocks.
        fits = (a_pad + 2 * d_pad) * n_perm <= _BATCH_ELEMENTS
        if a_pad <= _SMALL_AWARDS and d_pad <= _SMALL_DONATIONS and fits:
            groups.setdefault((a_pad, d_pad), []).append(p)
        else:
            large.append(p)
    for (a_pad, d_pad), members in sorted(groups.items()):
        per_pair = (a_pad + 2 * d_pad) * n_perm
        size = max(1, _BATCH_ELEMENTS // per_pair)
        for i in range(0, len(members), size):
            batch = members[i : i + size]
            keep(
                batch,
                _small_batch_sums(batch, offsets, ptr, n_awards, span, seeds, n_perm, a_pad, d_pad),
            )
    for p in large:
        d = offsets[ptr[p] : ptr[p + 1]]
        sums = _large_pair_sums(d, int(n_awards[p]), span, seeds[p], n_perm)
        keep([p], sums[None, :])

    null_mean = np.empty(n_pairs)
    null_sd = np.empty(n_pairs)
    effect = np.empty(n_pairs)
    for p in range(n_pairs):
        nd = int(n_dons[p])
        # Python int true division rounds correctly, so these floats depend only on the
        # exact integer moments.
        null_mean[p] = s1[p] / (n_perm * nd)
        var_num = n_perm * d2[p] - d1[p] * d1[p]
        null_sd[p] = math.sqrt(var_num / (n_perm * (n_perm - 1))) / nd
        if var_num > 0:
            gap = (s1[p] - n_perm * int(observed_sums[p])) / (n_perm * nd)  # null mean - observed
            effect[p] = gap / null_sd[p]
        else:
            effect[p] = math.nan
    return k, null_mean, null_sd, effect


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


def _window(config: TimingConfig, don_days: np.ndarray, award_days: np.ndarray):
    """(start_day, end_day) as days since 1970-01-01, or None when it cannot be defined."""
    if config.window == "configured":
        start = (config.window_start - _EPOCH).days
        end = (config.window_end - _EPOCH).days
        outside = int(((award_days < start) | (award_days > end)).sum())
        if outside:
            raise ValueError(
                f"timing: {outside} award_date value(s) fall outside the configured window "
                f"{config.window_start.isoformat()}..{config.window_end.isoformat()}; the "
                "null draws awards inside it, so filter awards upstream or widen the window"
            )
        return start, end
    days = award_days if config.window == "award_span" else np.concatenate([don_days, award_days])
    if days.size == 0:
        return None
    return int(days.min()), int(days.max())


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


_STAT_COLUMNS = (
    "observed_mean_days",
    "null_mean_days",
    "null_sd_days",
    "effect_size",
    "k_as_extreme",
    "n_permutations",
    "p_value",
    "q_value",
)


def run_timing(donations: pa.Table, awards: pa.Table, config: TimingConfig) -> pa.Table:
    """Timing permutation test for every vendor-recipient pair in ``donations``.

    Returns one row per pair, sorted by (vendor_key, recipient_key), with ``status``
    'tested', 'too_few_donations' (checked first) or 'no_award_dates'; statistics are null
    for untested pairs and q-values are computed over tested pairs only. A donation row_ref
    that reaches the same pair through several edges counts once. ``n_awards`` counts
    distinct award dates (what the null redraws); ``n_award_rows`` counts award rows.
    """
    if not isinstance(config, TimingConfig):
        raise TypeError(f"run_timing: config must be a TimingConfig, got {type(config).__name__}")
    pairs = _pairs(donations)
    aw = _awards(awards)
    window = _window(config, pairs.days, aw.days)
    n_pairs = len(pairs.vendor)
    n_perm = config.n_permutations

    n_dons = np.diff(pairs.ptr)
    n_awards = np.array(
        [aw.slices[v][1] - aw.slices[v][0] if v in aw.slices else 0 for v in pairs.vendor],
        dtype=np.int64,
    )
    status = np.full(n_pairs, "tested", dtype=object)
    status[n_awards == 0] = "no_award_dates"
    status[n_dons < config.min_donations] = "too_few_donations"
    is_tested = status == "tested"
    tested = np.flatnonzero(is_tested)
    seeds = [pair_seed(config.run_seed, v, r) for v, r in zip(pairs.vendor, pairs.recipient, strict=False)]

    stats = {name: [None] * n_pairs for name in _STAT_COLUMNS}
    if tested.size:
        rows = np.flatnonzero(np.repeat(is_tested, n_dons))
        observed = _observed_sums(pairs, aw, tested, rows)
        start_day, end_day = window
        offsets = (pairs.days[rows] - start_day).astype(np.int32)
        # Day order within each pair makes the sorted path's searchsorted queries monotone.
        pair_of_row = np.repeat(np.arange(tested.size), n_dons[tested])
        offsets = offsets[np.lexsort((offsets, pair_of_row))]
        k, null_mean, null_sd, effect = null_statistics(
            offsets,
            np.concatenate([[0], np.cumsum(n_dons[tested])]),
            n_awards[tested],
            end_day - start_day,
            [seeds[p] for p in tested.tolist()],
            observed,
            n_perm,
        )
        p_values = (k + 1) / (n_perm + 1)
        q_values = bh_qvalues(p_values)
        for i, p in enumerate(tested.tolist()):
            nd = int(n_dons[p])
            stats["observed_mean_days"][p] = int(observed[i]) / nd
            stats["null_mean_days"][p] = float(null_mean[i])
            stats["null_sd_days"][p] = float(null_sd[i])
            stats["effect_size"][p] = None if math.isnan(effect[i]) else float(effect[i])
            stats["k_as_extreme"][p] = int(k[i])
            stats["n_permutations"][p] = n_perm
            stats["p_value"][p] = float(p_values[i])
            stats["q_value"][p] = float(q_values[i])

    finding_ids = [finding_id(config.run_seed, v, r) for v, r in zip(pairs.vendor, pairs.recipient, strict=False)]
    if len(set(finding_ids)) != len(finding_ids):
        # The id text joins keys with ':', so keys containing ':' could make two pairs collide.
        raise ValueError("timing: two pairs share a finding_id (keys containing ':' collide)")
    w_start, w_end = (_day_to_date(window[0]), _day_to_date(window[1])) if window else (None, None)
    data = {
        "vendor_key": pairs.vendor,
        "recipient_key": pairs.recipient,
        "status": status.tolist(),
        "n_donations": n_dons.tolist(),
        "n_awards": n_awards.tolist(),
        "n_award_rows": [aw.rows.get(v, 0) for v in pairs.vendor],
        **stats,
        "seed": seeds,
        "window_kind": [config.window] * n_pairs,
        "window_start": [w_start] * n_pairs,
        "window_end": [w_end] * n_pairs,
        "finding_id": finding_ids,
    }
    return pa.table({name: data[name] for name in OUTPUT_SCHEMA.names}, schema=OUTPUT_SCHEMA)
