"""Reduced calibration battery of the timing permutation test (seconds, not minutes).

The scenarios are the generators of tests/benchmarks/timing_scenarios.py (the full table:
tests/benchmarks/bench_timing_calibration.py, 2,000 pairs per scenario). Here each scenario
runs on fewer pairs and permutations with bounds wide enough for that size (binomial sd of a
5% share at 600 pairs: 0.9 points) but narrow enough to catch the failures the battery was
built for: the uniform-window null measured 9-81% on these calendars, and the uniform_days
calendar, which ignores the award calendar, measures 9% and 18% on two of them
(test_battery_catches_a_null_that_ignores_the_award_calendar).
"""

from __future__ import annotations

import numpy as np
import pytest

from python_udfs.timing import TimingConfig, run_timing
from tests.benchmarks.timing_scenarios import SCENARIOS

PAIRS = 600
PERMS = 199
SEED = 23


def shares(key, pairs=PAIRS, planted_share=0.0, calendar="all_awards"):
    scenario = SCENARIOS[key](np.random.default_rng(SEED), pairs, planted_share=planted_share)
    out = run_timing(*scenario.tables(), TimingConfig(n_permutations=PERMS, calendar=calendar))
    index = {k: i for i, k in enumerate(zip(scenario.pair_vendor, scenario.pair_recipient, strict=True))}
    planted = np.array(
        [
            scenario.planted[index[(v, r)]]
            for v, r in zip(out.column("vendor_key").to_pylist(), out.column("recipient_key").to_pylist(), strict=True)
        ]
    )
    tested = np.array([s == "tested" for s in out.column("status").to_pylist()])
    p = np.array([np.nan if x is None else x for x in out.column("p_value").to_pylist()])
    q = np.array([np.nan if x is None else x for x in out.column("q_value").to_pylist()])
    return tested, planted, p, q


# Scenarios whose share of p <= 0.05 must stay within [2.5%, 8.5%] at 600 pairs (2.8 binomial
# sd either side of 5%, wider above for shared vendors). Ties are ordered by the seeded lottery,
# so whole-day and month-end distances no longer make the test conservative (counting ties
# against the finding gave 2.9-3.5% on the full battery); the full battery prints the figures.
FAST = [
    "uniform",
    "late_active",
    "short_active",
    "stray_other",
    "stray_own",
    "fy_end_election",
    "month_end",
    "bursty_donations",
    "weekday_awards",
    "real_calendars",
    "real_calendars_month_end",
    "few_vendors",
]


@pytest.mark.parametrize("key", FAST)
def test_null_share_of_small_p_stays_near_five_percent(key):
    tested, _, p, q = shares(key)
    assert tested.sum() >= PAIRS // 2  # the rest refused with a reason (e.g. no donation between awards)
    share = float(np.mean(p[tested] <= 0.05))
    assert 0.025 <= share <= 0.085, share
    # No relation at all: Benjamini-Hochberg at q <= 0.10 should call (almost) nothing.
    assert int(np.sum(q[tested] <= 0.10)) <= 2


def test_many_award_dates_without_replacement():
    # 20 donations and 300 distinct award dates per vendor: drawing with replacement gave
    # 13.5% here; fewer pairs because each vendor's draws are large.
    tested, _, p, _ = shares("many_awards", pairs=200)
    assert tested.sum() == 200
    assert float(np.mean(p <= 0.05)) <= 0.09


def test_uniform_control_is_not_conservative_into_uselessness():
    tested, _, p, _ = shares("uniform", pairs=1000)
    assert 0.03 <= float(np.mean(p[tested] <= 0.05)) <= 0.07


@pytest.mark.parametrize("key, minimum", [("fy_end_election", 0.08), ("month_end", 0.12)])
def test_battery_catches_a_null_that_ignores_the_award_calendar(key, minimum):
    # uniform_days redraws awards uniformly between the vendor's first and last award: it
    # ignores fiscal-year-end and month-end bunching, and the battery must see that.
    tested, _, p, _ = shares(key, calendar="uniform_days")
    assert float(np.mean(p[tested] <= 0.05)) >= minimum


@pytest.mark.parametrize("key", ["uniform", "fy_end_election", "month_end"])
def test_planted_clustering_is_found_and_bh_controls_false_discoveries(key):
    tested, planted, p, q = shares(key, planted_share=0.2)
    power = float(np.mean(p[tested & planted] <= 0.05))
    null_share = float(np.mean(p[tested & ~planted] <= 0.05))
    assert power >= 0.10 and power >= 2 * null_share, (power, null_share)
    called = tested & (q <= 0.10)
    if called.sum():
        assert float(np.sum(called & ~planted) / np.sum(called)) <= 0.25


def test_three_date_vendors_are_refused_by_default_because_one_redrawn_date_misleads():
    # Why vars.timing.min_awards defaults to 4: a vendor with 3 distinct award dates has one
    # date for the null to move, so every pair of the vendor asks where that single date fell.
    # On real USAspending calendars with month-end donations (independent of the awards) the
    # pairs of such vendors, tested anyway, land at p <= 0.05 far more often than 5%.
    scenario = SCENARIOS["real_calendars_month_end"](np.random.default_rng(SEED), PAIRS)
    forced = run_timing(*scenario.tables(), TimingConfig(n_permutations=PERMS, min_awards=3)).to_pylist()
    three = [r["p_value"] for r in forced if r["status"] == "tested" and r["n_awards"] == 3]
    assert len(three) >= 50
    assert float(np.mean(np.array(three) <= 0.05)) >= 0.10
    default = run_timing(*scenario.tables(), TimingConfig(n_permutations=PERMS)).to_pylist()
    refused = [r for r in default if r["n_awards"] == 3]
    assert len(refused) >= 50 and {r["status"] for r in refused} == {"too_few_awards"}
    assert refused[0]["status_reason"] == (
        "not tested: the vendor has 3 distinct award dates, fewer than min_awards = 4 (vars.timing.min_awards); "
        "the null keeps the first and last award dates and would redraw only the 1 between them"
    )
