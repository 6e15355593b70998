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
        every day, weighted by the share of the vendors in the contracts data active that day
        (with awards before and after it) that were awarded that day, plus a floor of 0.1
        over the most vendors active on any day (the floor keeps every day possible, so a
        file with few vendors still has a calendar; Calendar.from_vendor_awards).
        Fiscal-year-end bunching, month-end dates, weekdays and empty periods of the real
        award calendar are kept by the null, so donations that follow their own seasonal
        calendar (election season, month ends) are compared with awards that follow the real
        one, not with uniformly spread awards. A share, not a count of vendors awarded: the
        count also rises and falls with how many vendors are in business (fewer near the
        start and end of the file's coverage), and a vendor active there was compared with
        awards piled towards the busier side of its own period (5.5-6.0% of unrelated pairs at
        p <= 0.05 for such vendors in the battery's short_active scenario, 4.8-5.3% with the
        share). Where as many vendors are active every day the two are the same.
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
    and last would have fallen on the days the other vendors active in the same period were
    awarded on, as often as they were". A vendor whose own award calendar differs from everyone else's in
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
``min_donations`` donations; no award date; fewer than ``min_awards`` distinct award dates
(at least 3, because with two or fewer there is nothing between the first and last award to
redraw; 4 by default, because with 3 the null moves a single date and every pair of the
vendor asks where that one date fell: a habit of that date which the shared calendar does not
model and the donations share, such as a month-end action date against month-end donations,
makes all the vendor's pairs look significant together; in the battery's real USAspending
calendars with month-end donations the 3-date vendors took the share of unrelated pairs at
p <= 0.05 from about 5.7% to 6.3%);
award dates of month or year precision (every date of the vendor the 1st of a month,
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
results only when the calendar is ``all_awards`` and the two vendors' first-to-last spans
overlap (the added vendor is then active, or awarded, on days between that vendor's first and
last award: the null says that those days are the calendar), or when it raises the most
vendors active on one day in the file (the floor is relative to it). Null draws are made
in blocks whose sizes depend only on the vendor's own award dates and calendar, and the null
summaries are exact integer sums, so outputs are
bit-identical whatever the input row order or the other pairs in the call (the distances of
a vendor's pairs are measured together, python_udfs/timing_sums.py, which moves no value). The tie lottery
(see p-value) draws from no stream: it is a hash of run_seed and the pair, so it moves with
nothing else either (tests: test_unrelated_vendor_and_pairs_change_no_other_pair_on_every_
code_path, test_adding_pairs_leaves_other_pairs_unchanged).
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable
from functools import partial

import numpy as np
import pyarrow as pa

from python_udfs import progress
from python_udfs.stats import bh_qvalues
from python_udfs.timing_config import CALENDARS, MAX_PERMUTATIONS, MIN_AWARDS_FLOOR, TimingConfig, timing_workers
from python_udfs.timing_inputs import (
    PRECISIONS,
    _Awards,
    _awards,
    _date_flags,
    _date_source,
    _day_to_date,
    _declared_precision,
    _observed_sums,
    _Pairs,
    _pairs,
)
from python_udfs.timing_null import _BATCH_ELEMENTS, _SMALL_K, Calendar, _block_rows
from python_udfs.timing_tasks import _Counted, _in_order, _NullCounts, _NullJob

__all__ = [
    "CALENDARS",
    "MAX_PERMUTATIONS",
    "MIN_AWARDS_FLOOR",
    "OUTPUT_SCHEMA",
    "PRECISIONS",
    "STATUSES",
    "Calendar",
    "TimingConfig",
    "finding_id",
    "run_timing",
    "tie_position",
    "vendor_seed",
]

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

# Small vendors share numpy passes (batched_null_sums); results are identical either way.
_BATCH_SMALL = True


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


def _null_sentence(calendar: str, first: int, last: int, n_awards: int) -> str:
    k = n_awards - 2
    where = (
        "days between those two, each day as likely as the share of the vendors in the contracts data active "
        "that day (with awards before and after it) that were awarded that day, plus a floor that keeps every "
        "day possible"
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


def run_timing(
    donations: pa.Table,
    awards: pa.Table,
    config: TimingConfig,
    workers: int | str | None = None,
    calendar: Calendar | None = None,
    sources: tuple[str, str] | None = None,
) -> pa.Table:
    """Timing permutation test for every vendor-recipient pair in ``donations``.

    Returns one row per pair, sorted by (vendor_key, recipient_key), with ``status`` one of
    STATUSES (checked in that order after 'tested') and, for untested pairs, a
    ``status_reason`` sentence starting "not tested:"; statistics are null for untested pairs
    and q-values are computed over tested pairs only. A donation row_ref that reaches the same
    pair through several edges counts once. ``n_awards`` counts distinct award dates;
    ``n_award_rows`` counts award rows. Optional ``date_precision`` columns ('day', 'month',
    'year', e.g. from the declared date format) on either table mark rows the test must refuse.

    ``workers``: threads drawing the vendors' nulls, an integer or "auto" (timing_workers:
    by default the environment variable MONEYTRAIL_TIMING_WORKERS, else "auto"). It changes the
    speed only: the table is the same, byte for byte.

    ``calendar``: the all_awards calendar of the whole file, when ``awards`` holds only some of
    its vendors (the Spark build tests vendor buckets in parallel and builds the calendar from
    every bucket's ``Calendar.vendor_day_counts``); by default it is built from ``awards``.
    The q-values are then the part's own: the Spark build computes them again over all pairs.
    ``sources``: (award date source, donation date source) of the whole file for the refusal
    sentences (timing_inputs.date_source_of), likewise; by default read from the two tables.
    """
    workers = timing_workers(workers)
    if not isinstance(config, TimingConfig):
        raise TypeError(f"run_timing: config must be a TimingConfig, got {type(config).__name__}")
    pairs = _pairs(donations)
    aw = _awards(awards)
    award_declared = _declared_precision(awards, "awards", ["vendor_key"])
    don_declared = _declared_precision(donations, "donations", ["vendor_key", "recipient_key"])
    if sources is None:
        sources = (
            _date_source(awards, "contracts", "award_date"),
            _date_source(donations, "contributions", "donation_date"),
        )
    award_source, donation_source = sources
    n_dons = np.diff(pairs.ptr)
    vendor_state = _vendor_states(aw, award_declared, award_source, config)
    status, reasons = _pair_states(pairs, aw, vendor_state, don_declared, donation_source, config)
    is_tested = np.array([s == "tested" for s in status], dtype=bool)
    tested = np.flatnonzero(is_tested)
    seeds = {v: vendor_seed(config.run_seed, v) for v in set(pairs.vendor)}
    stats: dict[str, list[object]] = {name: [None] * len(pairs.vendor) for name in _STAT_COLUMNS}
    if tested.size:
        observed = _observed_sums(pairs, aw, tested, np.flatnonzero(np.repeat(is_tested, n_dons)))
        counts = _null_counts(pairs, aw, tested, observed, seeds, config, workers, calendar)
        _pair_statistics(pairs, aw, tested, counts, config, status, reasons, stats)
    return _output_table(pairs, aw, status, reasons, stats, seeds, config)


_State = tuple[str, str | None]  # status and, when not tested, the reason sentence


def _vendor_states(
    aw: _Awards, award_declared: dict[tuple[str, ...], str], award_source: str, config: TimingConfig
) -> dict[str, _State]:
    """Per vendor: 'tested', or why its award dates cannot be tested."""
    vendor_state: dict[str, _State] = {}
    # Per vendor: are all its dates the 1st of a month / 1 January (one vectorised pass)?
    month_start, jan_first = _date_flags(aw.days)
    starts = aw.bounds()[0]
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
    return vendor_state


def _pair_states(
    pairs: _Pairs,
    aw: _Awards,
    vendor_state: dict[str, _State],
    don_declared: dict[tuple[str, ...], str],
    donation_source: str,
    config: TimingConfig,
) -> tuple[list[str], list[str | None]]:
    """Per pair: 'tested', or why it is not (its vendor's state first, then its donations)."""
    n_dons = np.diff(pairs.ptr)
    don_month_start = _date_flags(pairs.days)[0]
    status: list[str] = []
    reasons: list[str | None] = []
    for p in range(len(pairs.vendor)):
        v, r, nd = pairs.vendor[p], pairs.recipient[p], int(n_dons[p])
        d = pairs.days[pairs.ptr[p] : pairs.ptr[p + 1]]
        state: _State
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
    return status, reasons


def _null_counts(
    pairs: _Pairs,
    aw: _Awards,
    tested: np.ndarray,
    observed: np.ndarray,
    seeds: dict[str, int],
    config: TimingConfig,
    workers: int,
    calendar: Calendar | None = None,
) -> _NullCounts:
    """Draw every tested vendor's null and count, per tested pair, where the observed sum falls.

    Each task (one vendor, or one batch of small vendors) reads only its own seeded streams
    and writes only its own pairs' counts, so the counts are the same whatever ``workers``
    (threads: numpy releases the GIL in the draws, lookups and scatters that dominate)."""
    n_perm = config.n_permutations
    if calendar is None:
        calendar = Calendar.from_vendor_awards(aw.days, *aw.bounds())
    by_vendor: dict[str, list[int]] = {}
    for i, p in enumerate(tested.tolist()):
        by_vendor.setdefault(pairs.vendor[p], []).append(i)
    counts = _NullCounts(observed, tested.size)
    uniform = config.calendar == "uniform_days"
    job = _NullJob(pairs, tested, counts, calendar, uniform, n_perm)
    small: dict[int, list[str]] = {}
    tasks: list[Callable[[], _Counted]] = []
    for v, members in by_vendor.items():
        a, b = aw.slices[v]
        award_days = aw.days[a:b]
        n = b - a
        sl = calendar.between(int(award_days[0]), int(award_days[-1]), uniform)
        if _BATCH_SMALL and n - 2 <= _SMALL_K and sl.uses_rejection(n - 2) and n_perm <= _block_rows(sl, n):
            small.setdefault(n, []).append(v)
            continue
        tasks.append(partial(job.vendor, award_days, seeds[v], members))
    # Small vendors: the same draws, batched arithmetic (identical results).
    for n, names in sorted(small.items()):
        step = max(1, (4 * _BATCH_ELEMENTS) // (n_perm * n))
        for g0 in range(0, len(names), step):
            group = [(aw.days[slice(*aw.slices[v])], seeds[v], by_vendor[v]) for v in names[g0 : g0 + step]]
            tasks.append(partial(job.batch, group))
    tracker = progress.start("timing test", len(tested), "pairs")  # drawn only under the CLI on a terminal
    for counted in _in_order(tasks, workers):
        counts.keep(counted)
        tracker.advance(len(counted[0]))
    tracker.close()
    return counts


def _pair_statistics(
    pairs: _Pairs,
    aw: _Awards,
    tested: np.ndarray,
    counts: _NullCounts,
    config: TimingConfig,
    status: list[str],
    reasons: list[str | None],
    stats: dict[str, list[object]],
) -> None:
    """Fill ``stats`` for the tested pairs; refuse (in ``status``/``reasons``) those whose null never varies."""
    n_perm = config.n_permutations
    n_dons = np.diff(pairs.ptr)
    observed, k_tied = counts.observed, counts.k_tied
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
    k = counts.k_closer + np.array(
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
        s1, d1, d2 = counts.moments[i]
        null_mean = s1 / (n_perm * nd)
        var_num = n_perm * d2 - d1 * d1
        null_sd = math.sqrt(var_num / (n_perm * (n_perm - 1))) / nd
        a, b = aw.slices[pairs.vendor[p]]
        stats["observed_mean_days"][p] = int(observed[i]) / nd
        stats["null_mean_days"][p] = null_mean
        stats["null_sd_days"][p] = null_sd
        stats["effect_size"][p] = ((s1 - n_perm * int(observed[i])) / (n_perm * nd)) / null_sd if var_num > 0 else None
        stats["k_as_extreme"][p] = int(k[i])
        stats["n_tied"][p] = int(k_tied[i])
        stats["n_permutations"][p] = n_perm
        stats["p_value"][p] = float(p_values[i])
        stats["q_value"][p] = float(q_values[i])
        stats["null_model"][p] = _null_sentence(config.calendar, int(aw.days[a]), int(aw.days[b - 1]), b - a)


def _output_table(
    pairs: _Pairs,
    aw: _Awards,
    status: list[str],
    reasons: list[str | None],
    stats: dict[str, list[object]],
    seeds: dict[str, int],
    config: TimingConfig,
) -> pa.Table:
    n_pairs = len(pairs.vendor)
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
        "n_donations": np.diff(pairs.ptr).tolist(),
        "n_awards": [aw.slices[v][1] - aw.slices[v][0] if v in aw.slices else 0 for v in pairs.vendor],
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
