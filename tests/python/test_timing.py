"""Timing permutation test: exact small cases, refusals, contracts of run_timing, determinism."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

import numpy as np
import pyarrow as pa
import pytest
from numpy.random import PCG64, Generator

from python_udfs import timing, timing_null, timing_sums
from python_udfs.stats import bh_qvalues
from python_udfs.timing import OUTPUT_SCHEMA, Calendar, TimingConfig, run_timing, vendor_seed

DAY0 = dt.date(2020, 1, 1)


def day(n: int) -> dt.date:
    return DAY0 + dt.timedelta(days=n)


def tables(donations, awards, award_precision=None, donation_precision=None):
    """donations: (vendor, recipient, day[, row_ref]); awards: (vendor, day)."""
    refs = [r[3] if len(r) > 3 else f"db://don#row_index={i}" for i, r in enumerate(donations)]
    don = pa.table(
        {
            "vendor_key": pa.array([r[0] for r in donations], pa.string()),
            "recipient_key": pa.array([r[1] for r in donations], pa.string()),
            "donation_date": pa.array([day(r[2]) for r in donations], pa.date32()),
            "row_ref": pa.array(refs, pa.string()),
            "edge_id": pa.array([f"e{i}" for i in range(len(donations))], pa.string()),
        }
    )
    aw = pa.table(
        {
            "vendor_key": pa.array([a[0] for a in awards], pa.string()),
            "award_date": pa.array([day(a[1]) for a in awards], pa.date32()),
            "row_ref": pa.array([f"db://aw#row_index={i}" for i in range(len(awards))], pa.string()),
        }
    )
    if award_precision is not None:
        aw = aw.append_column("date_precision", pa.array(award_precision, pa.string()))
    if donation_precision is not None:
        don = don.append_column("date_precision", pa.array(donation_precision, pa.string()))
    return don, aw


def rows_by_pair(table):
    return {(r["vendor_key"], r["recipient_key"]): r for r in table.to_pylist()}


def mixed_data():
    """Pairs of several shapes, one with too few donations, one vendor without awards."""
    rng = np.random.default_rng(11)
    donations, awards = [], []
    for v in range(6):
        for a in rng.choice(np.arange(1, 899), size=3 + 4 * v, replace=False):
            awards.append((f"v{v}", int(a)))
        for r in range(3):
            for d in rng.integers(0, 900, size=3 + 2 * r + v):
                donations.append((f"v{v}", f"r{r}", int(d)))
    donations += [("v0", "rsmall", 450), ("v0", "rsmall", 460)]
    donations += [("vnone", "r0", 1), ("vnone", "r0", 2), ("vnone", "r0", 3)]
    return donations, awards


# ----------------------------------------------------------------------------- ids


def test_vendor_seed_is_first_8_bytes_of_sha256_with_top_bit_cleared():
    digest = hashlib.sha256(b"timing:v2:20240101:v1").digest()
    assert vendor_seed(20240101, "v1") == int.from_bytes(digest[:8], "big") & (2**63 - 1)
    assert vendor_seed(20240102, "v1") != vendor_seed(20240101, "v1")


def test_finding_id_format():
    assert timing.finding_id(20240101, "v1", "r1") == hashlib.sha256(b"timing:v1:v1:r1:20240101").hexdigest()[:16]
    assert timing.finding_id(20240101, "v1", "r1") == "dbb273e6428c16de"


# ----------------------------------------------------------------------------- config


ALLOWED = "run_seed, n_permutations, min_donations, min_awards, calendar"


def test_config_defaults_and_json():
    c = TimingConfig()
    assert (c.run_seed, c.n_permutations, c.min_donations, c.min_awards, c.calendar) == (
        20240101,
        2000,
        3,
        4,
        "all_awards",
    )
    assert TimingConfig.from_mapping(None) == c
    assert TimingConfig.from_mapping({}) == c
    assert json.loads(c.as_json()) == {
        "calendar": "all_awards",
        "min_awards": 4,
        "min_donations": 3,
        "n_permutations": 2000,
        "run_seed": 20240101,
    }


@pytest.mark.parametrize(
    "mapping, message",
    [
        ({"bogus_key": 1}, f"timing config: unknown key 'bogus_key' (value 1); allowed keys: {ALLOWED}"),
        ({"zeta": 1, "alpha": 2}, f"timing config: unknown key 'alpha' (value 2); allowed keys: {ALLOWED}"),
        (
            {"window": "study_span"},
            "timing config: key 'window' (value 'study_span') is no longer a setting: the null keeps each "
            "vendor's first and last award dates and redraws the others from the award calendar between them, "
            f"so there is no window to set; remove it (allowed keys: {ALLOWED})",
        ),
        ({"n_permutations": 1}, "timing config: n_permutations must be an integer between 2 and 1000000; got 1"),
        (
            {"n_permutations": "2000"},
            "timing config: n_permutations must be an integer between 2 and 1000000; got '2000'",
        ),
        ({"n_permutations": True}, "timing config: n_permutations must be an integer between 2 and 1000000; got True"),
        ({"min_donations": 0}, "timing config: min_donations must be an integer >= 1; got 0"),
        ({"min_awards": 2}, "timing config: min_awards must be an integer >= 3; got 2"),
        ({"run_seed": -1}, "timing config: run_seed must be an integer between 0 and 9223372036854775807; got -1"),
        (
            {"calendar": "uniform"},
            "timing config: calendar must be one of all_awards, uniform_days; got 'uniform'",
        ),
        ([("run_seed", 1)], "timing config: expected a mapping, got list"),
    ],
)
def test_config_fails_closed(mapping, message):
    with pytest.raises(ValueError) as err:
        TimingConfig.from_mapping(mapping)
    assert str(err.value) == message


def test_config_constructor_validates_too():
    with pytest.raises(ValueError, match="^timing config: n_permutations must be"):
        TimingConfig(n_permutations=0)


# ----------------------------------------------------------------------------- null draws


def test_calendar_between_is_strict_and_weighted():
    cal = Calendar.from_award_days(np.array([5, 5, 5, 7, 9, 9, 12]), smoothing=False)
    sl = cal.between(5, 12, uniform=False)
    assert (sl.days().tolist(), sl.cum().tolist(), sl.total) == ([7, 9], [1, 3], 3)
    sl = cal.between(4, 13, uniform=False)
    assert (sl.days().tolist(), sl.cum().tolist(), sl.total) == ([5, 7, 9, 12], [3, 4, 6, 7], 7)
    sl = cal.between(5, 9, uniform=True)
    assert (sl.days().tolist(), sl.cum().tolist(), sl.total) == ([6, 7, 8], [1, 2, 3], 3)
    # default: 10 per vendor, 1 per day from the file's first to last award
    sl = Calendar.from_award_days(np.array([5, 5, 5, 7, 9, 9, 12])).between(5, 12, uniform=False)
    assert (sl.days().tolist(), np.diff(sl.cum(), prepend=0).tolist()) == (
        [6, 7, 8, 9, 10, 11],
        [1, 11, 1, 21, 1, 1],
    )


def test_all_awards_calendar_weighs_a_day_by_the_share_of_active_vendors_awarded():
    # a: 0, 10, 20 (active 1..19, awarded 10); b: 5, 6, 15 (active 6..14, awarded 6);
    # c: 8, 30 (active 9..29, nothing between). Active per day: 1 on 1..5, 2 on 6..8, 3 on
    # 9..14, 2 on 15..19, 1 on 20..29, at most 3: weight round(30 x awarded / active) + 1.
    days = np.array([0, 10, 20, 5, 6, 15, 8, 30])
    cal = Calendar.from_vendor_awards(days, np.array([0, 3, 6]), np.array([3, 6, 8]))
    want = [1] * 31
    want[6] = 1 + 15  # 1 of 2 active
    want[10] = 1 + 10  # 1 of 3 active
    assert (cal.base, cal.weights.tolist(), cal.cum[-1]) == (0, want, 31 + 15 + 10)
    assert cal.table is not None and np.bincount(cal.table).tolist() == want
    # As many vendors active on every day: the plain counts, 10 per vendor awarded + 1.
    same = np.array([0, 4, 9, 0, 4, 5, 9])
    flat = Calendar.from_vendor_awards(same, np.array([0, 3]), np.array([3, 7]))
    assert flat.weights[1:9].tolist() == [1, 1, 1, 21, 11, 1, 1, 1]
    # A vendor alone between a stray early date and its real awards: the lonely days keep
    # the floor (1), the busy days weigh 10 x (most vendors active) x share + 1.
    busy = [np.array([100, 100 + i, 200]) for i in range(1, 21)]
    stray = np.array([0, 150, 160, 200])
    all_days = np.concatenate([stray, *busy])
    starts = np.array([0] + [4 + 3 * i for i in range(20)])
    cal = Calendar.from_vendor_awards(all_days, starts, starts + np.array([4] + [3] * 20))
    assert cal.weights[1:100].tolist() == [1] * 99  # only the stray vendor active
    assert cal.weights[[101, 150, 160, 199]].tolist() == [1 + round(210 / 21), 1 + 10, 1 + 10, 1]


def test_all_awards_calendar_does_not_slope_where_vendors_enter():
    # Ten vendors awarded every second day up to day 200, the i-th from day 10 i on: more and
    # more vendors are in business, but each is as likely to be awarded on any even day. The
    # count of vendors awarded climbs from 1 to 10; the share of active vendors is flat.
    vendors = [np.arange(10 * i, 201, 2) for i in range(10)]
    days = np.concatenate(vendors)
    ends = np.cumsum([v.size for v in vendors])
    share = Calendar.from_vendor_awards(days, ends - np.array([v.size for v in vendors]), ends)
    assert share.weights[2:200:2].tolist() == [1 + 10 * 10] * 99
    assert share.weights[1:200:2].tolist() == [1] * 100
    count = Calendar.from_award_days(days)
    assert count.weights[[2, 12, 92, 198]].tolist() == [11, 21, 101, 101]


def weighted_slice():
    """Days 0..39 with weights 1, 2, 3, 4, 1, 2, ... (day d has d % 4 + 1 vendors)."""
    entries = np.repeat(np.arange(40), np.tile([1, 2, 3, 4], 10))
    days = np.concatenate([[-1, 40], entries])
    return Calendar.from_award_days(days, smoothing=False).between(-1, 40, uniform=False)


@pytest.mark.parametrize("k", [1, 3, 9, 30])
def test_draw_interior_gives_distinct_sorted_days_in_proportion_to_weight(k):
    sl = weighted_slice()
    days = timing_null.draw_interior(Generator(PCG64(5)), sl, k, 4000)
    assert days.shape == (4000, k)
    assert np.all(np.diff(days, axis=1) > 0) and days.min() >= 0 and days.max() <= 39
    if k == 1:
        # one draw: exactly proportional to the weight (binomial sd about 0.7 points)
        share = np.bincount(days[:, 0] % 4, minlength=4) / 4000
        assert np.all(np.abs(share - np.array([0.1, 0.2, 0.3, 0.4])) < 0.03)
    else:
        # heavier dates are picked more often, whichever sampling path ran
        counts = np.bincount(days.ravel() % 4, minlength=4)
        assert counts[0] < counts[1] < counts[2] < counts[3]


def test_draw_interior_edge_cases():
    sl = Calendar.from_award_days(np.arange(7), smoothing=False).between(0, 6, uniform=False)
    assert timing_null.draw_interior(Generator(PCG64(1)), sl, 5, 3).tolist() == [[1, 2, 3, 4, 5]] * 3
    assert timing_null.draw_interior(Generator(PCG64(1)), sl, 0, 2).shape == (2, 0)


def test_rejection_and_key_paths_agree_in_distribution(monkeypatch):
    sl = weighted_slice()
    a = timing_null.draw_interior(Generator(PCG64(2)), sl, 6, 20000)
    monkeypatch.setattr(timing_null, "_REJECTION_SHARE", 0.0)
    b = timing_null.draw_interior(Generator(PCG64(2)), sl, 6, 20000)
    assert not np.array_equal(a, b)
    fa = np.bincount(a.ravel(), minlength=40) / a.size
    fb = np.bincount(b.ravel(), minlength=40) / b.size
    assert np.max(np.abs(fa - fb)) < 0.006


def test_dup_mask_pairwise_and_sorted_paths_agree(monkeypatch):
    idx = np.random.default_rng(4).integers(0, 12, size=(500, 9))
    a = timing_null._dup_mask(idx)
    monkeypatch.setattr(timing_null, "_SMALL_K", 0)
    assert np.array_equal(a, timing_null._dup_mask(idx))
    first = [len(set(row[: j + 1])) == len(set(row[:j])) for row in idx.tolist() for j in range(9)]
    assert a.ravel().tolist() == first


@pytest.mark.parametrize("calendar", ["all_awards", "uniform_days"])
def test_batched_and_per_vendor_paths_give_identical_results(monkeypatch, calendar):
    # Many small vendors with several pairs each, plus large ones, on a short calendar so
    # that repeats are frequent and the redraw passes run.
    rng = np.random.default_rng(8)
    donations, awards = [], []
    for v in range(40):
        n = int(rng.integers(3, 12)) if v < 36 else int(rng.integers(30, 60))
        awards += [(f"v{v}", int(a)) for a in rng.choice(np.arange(300), size=n, replace=False)]
        for r in range(int(rng.integers(1, 4))):
            donations += [(f"v{v}", f"r{r}", int(d)) for d in rng.integers(0, 300, size=int(rng.integers(3, 9)))]
    data = tables(donations, awards)
    config = TimingConfig(n_permutations=301, calendar=calendar)
    batched = run_timing(*data, config)
    monkeypatch.setattr(timing, "_BATCH_SMALL", False)  # every vendor on the per-vendor path
    assert run_timing(*data, config).equals(batched)


@pytest.mark.parametrize("n_awards, n_dons", [(3, 2), (8, 40), (40, 3), (60, 25)])
def test_null_sums_match_brute_force(n_awards, n_dons):
    rng = np.random.default_rng(n_awards)
    interior = np.sort([rng.choice(np.arange(1, 400), size=n_awards - 2, replace=False) for _ in range(50)], axis=1)
    awards = np.hstack([np.zeros((50, 1), dtype=np.int64), interior, np.full((50, 1), 400)])
    d = np.sort(rng.integers(-50, 450, size=n_dons))
    brute = np.abs(awards[:, None, :] - d[None, :, None]).min(axis=2).sum(axis=1)
    block = timing_sums.Block.from_days(interior.reshape(50, n_awards - 2), 0, 400)
    assert timing_sums.Queries([d], 0, 400).sums(block)[0].tolist() == brute.tolist()


def test_exact_null_distribution_with_one_free_award():
    # Awards on days 0, 4 and 10; uniform_days redraws the middle one uniformly over days
    # 1..9. Donations on days 3, 4, 5: the statistic for a middle award on day j is
    # enumerated below, and the permutation p-value converges to the exact one.
    don, aw = tables([("v", "r", 3), ("v", "r", 4), ("v", "r", 5)], [("v", 0), ("v", 4), ("v", 10)])
    out = run_timing(don, aw, TimingConfig(min_awards=3, n_permutations=40000, calendar="uniform_days")).to_pylist()[0]
    assert out["observed_mean_days"] == 2 / 3

    def stat(j):
        return sum(min(abs(x - a) for a in (0, j, 10)) for x in (3, 4, 5))

    assert [stat(j) for j in range(1, 10)].count(2) == 1 and min(stat(j) for j in range(1, 10)) == 2
    # No redraw gets closer; a middle award on day 4 (1 in 9) ties. The observed takes the
    # seeded place tie_position(...) among the ties, so p = (that place + 1) / (n + 1).
    assert abs(out["n_tied"] / 40000 - 1 / 9) < 0.01
    place = timing.tie_position(20240101, "v", "r", out["n_tied"])
    assert out["k_as_extreme"] == place and out["p_value"] == (place + 1) / 40001
    exact_mean = sum(stat(j) for j in range(1, 10)) / 9 / 3
    assert abs(out["null_mean_days"] - exact_mean) < 0.02


def test_null_without_variation_is_refused_not_given_a_lottery_p():
    # Awards on three consecutive days: the only day between the first and last is the middle one.
    don, aw = tables([("v", "r", 1, "a"), ("v", "r", 1, "b"), ("v", "r", 1, "c")], [("v", 0), ("v", 1), ("v", 2)])
    out = run_timing(don, aw, TimingConfig(min_awards=3, n_permutations=99)).to_pylist()[0]
    assert (out["status"], out["status_reason"]) == (
        "null_without_variation",
        "not tested: all 99 redrawn award calendars put the donations exactly as close to the awards as the "
        "real one (there is no other way to place the vendor's awards between its first and last award that "
        "changes the distances), so the test could say nothing",
    )
    for column in ["k_as_extreme", "n_tied", "p_value", "q_value", "null_sd_days", "effect_size", "null_model"]:
        assert out[column] is None


def test_tie_position_is_uniform_and_fixed_by_seed_and_pair():
    assert timing.tie_position(20240101, "v", "r", 0) == 0
    places = [timing.tie_position(20240101, "v", f"r{i}", 4) for i in range(5000)]
    assert np.bincount(places).tolist() == [1044, 996, 966, 1000, 994]  # 1000 each expected (sd 28)
    assert timing.tie_position(20240101, "v", "r", 1000) == timing.tie_position(20240101, "v", "r", 1000)
    assert timing.tie_position(7, "v", "r", 1000) != timing.tie_position(20240101, "v", "r", 1000)
    digest = hashlib.sha256(b"timing:tie:v1:20240101:1:v:r").digest()
    assert timing.tie_position(20240101, "v", "r", 9) == (int.from_bytes(digest[:8], "big") * 10) >> 64


def test_other_vendors_awards_form_the_calendar():
    # Twenty other vendors awarded on days 20..29, 70 and 80 make days 21..29 and 70 heavy in
    # the calendar of v, whose awards are on days 0, 50 and 100; v's donations on days 24..26.
    # Their first and last awards (20, 80) are not counted: the null never redraws those.
    others = [(f"w{i}", d) for i in range(20) for d in [*range(20, 30), 70, 80]]
    don, aw = tables([("v", "r", 24), ("v", "r", 25), ("v", "r", 26)], [("v", 0), ("v", 50), ("v", 100)] + others)
    out = run_timing(don, aw, TimingConfig(min_awards=3, n_permutations=1999)).to_pylist()[0]
    assert out["observed_mean_days"] == 73 / 3

    def stat(j):
        return sum(min(abs(x - a) for a in (0, j, 100)) for x in (24, 25, 26))

    # Days 21..79: 21 vendors active (v and the w's), 20 awarded on 21..29 and 70, v on 50;
    # elsewhere only v is active. Weight round(10 x 21 x awarded / active) + 1.
    weight = {j: 1 + 10 * (j == 50) + 200 * (j in [*range(21, 30), 70]) for j in range(1, 100)}
    exact = sum(w for j, w in weight.items() if stat(j) <= 73) / sum(weight.values())
    assert abs(exact - 620 / 703) < 1e-12
    assert abs(out["p_value"] - exact) < 0.04
    # Uniform over days 1..99: a middle award on days 1..50 gives <= 73 (50 of 99 days).
    uniform = run_timing(don, aw, TimingConfig(min_awards=3, n_permutations=1999, calendar="uniform_days")).to_pylist()[
        0
    ]
    assert abs(uniform["p_value"] - 50 / 99) < 0.04
    assert uniform["null_model"].endswith(
        "from the days between those two, every day equally likely; the donation dates are kept as they are, and "
        "redrawn sets that put the donations exactly as close to the awards as the real ones are ranked before "
        "or after them by a fixed lottery seeded from the run seed and the pair."
    )


def test_a_file_with_one_vendor_still_has_a_null():
    # Without the 0.1 per day, the calendar between v's first and last award would be v's own
    # dates and every permutation would return them.
    don, aw = tables([("v", "r", d) for d in (10, 40, 70, 95)], [("v", d) for d in (0, 30, 60, 90, 120)])
    out = run_timing(don, aw, TimingConfig(n_permutations=999)).to_pylist()[0]
    assert out["null_sd_days"] > 0 and out["p_value"] < 1


# ----------------------------------------------------------------------------- refusals


def test_statuses_sorting_and_bh_over_tested_only():
    out = run_timing(*tables(*mixed_data()), TimingConfig(min_awards=3, n_permutations=99))
    assert out.schema == OUTPUT_SCHEMA
    keys = list(zip(out.column("vendor_key").to_pylist(), out.column("recipient_key").to_pylist(), strict=False))
    assert keys == sorted(keys)
    rows = rows_by_pair(out)
    assert rows[("v0", "rsmall")]["status"] == "too_few_donations"
    assert rows[("v0", "rsmall")]["status_reason"] == ("not tested: 2 linked donation(s), fewer than min_donations = 3")
    assert rows[("vnone", "r0")]["status"] == "no_award_dates"
    assert rows[("vnone", "r0")]["status_reason"] == "not tested: the vendor has no award date in the contracts data"
    assert rows[("vnone", "r0")]["n_awards"] == 0
    for key in [("v0", "rsmall"), ("vnone", "r0")]:
        for column in ["observed_mean_days", "p_value", "q_value", "k_as_extreme", "n_permutations", "null_model"]:
            assert rows[key][column] is None
        assert rows[key]["finding_id"] == timing.finding_id(20240101, *key)
    tested = [r for r in out.to_pylist() if r["status"] == "tested"]
    assert len(tested) == 18
    assert [r["q_value"] for r in tested] == bh_qvalues([r["p_value"] for r in tested]).tolist()
    for r in tested:
        assert r["p_value"] == (r["k_as_extreme"] + 1) / 100
        assert r["status_reason"] is None
        assert r["seed"] == vendor_seed(20240101, r["vendor_key"])
        assert r["timing_settings"] == TimingConfig(min_awards=3, n_permutations=99).as_json()


def test_too_few_donations_takes_precedence_over_no_awards():
    out = run_timing(*tables([("v", "r", 1)], []), TimingConfig()).to_pylist()
    assert [(r["status"], r["first_award_date"]) for r in out] == [("too_few_donations", None)]


def test_min_donations_and_min_awards_boundaries():
    dons = [("v", "r", 1), ("v", "r", 2), ("v", "r", 3)]
    three = tables(dons, [("v", 2), ("v", 20), ("v", 50)])
    assert run_timing(*three, TimingConfig(n_permutations=999, min_awards=3)).column("status").to_pylist() == ["tested"]
    assert run_timing(*three, TimingConfig(n_permutations=9, min_donations=4, min_awards=3)).column(
        "status"
    ).to_pylist() == ["too_few_donations"]
    # the default (4) refuses a vendor whose null would move a single date
    out = run_timing(*three, TimingConfig(n_permutations=9)).to_pylist()[0]
    assert (out["status"], out["status_reason"]) == (
        "too_few_awards",
        "not tested: the vendor has 3 distinct award dates, fewer than min_awards = 4 (vars.timing.min_awards); "
        "the null keeps the first and last award dates and would redraw only the 1 between them",
    )
    two = tables(dons, [("v", 2), ("v", 2), ("v", 50)])
    out = run_timing(*two, TimingConfig(n_permutations=9)).to_pylist()[0]
    assert (out["status"], out["n_awards"], out["n_award_rows"]) == ("too_few_awards", 2, 3)
    assert out["status_reason"] == (
        "not tested: the vendor has 2 distinct award date(s); the null keeps the first and last award dates and "
        "redraws the ones between them, so it needs at least 3 and with 2 there is nothing to redraw"
    )


@pytest.mark.parametrize(
    "award_days, reason",
    [
        (
            [day(0), day(31), day(60), day(366)],  # 2020-01-01, 02-01, 03-01, 2021-01-01
            "not tested: every one of the vendor's 4 award dates (role_map.contracts.columns.award_date) is the "
            "1st of a month, which looks like month precision; distances in days would be artefacts of the "
            "recording",
        ),
        (
            [day(0), day(366), day(731)],  # 1 January 2020, 2021, 2022
            "not tested: every one of the vendor's 3 award dates (role_map.contracts.columns.award_date) is "
            "1 January, which looks like year precision; distances in days would be artefacts of the recording",
        ),
    ],
)
def test_award_dates_of_month_or_year_precision_are_refused(award_days, reason):
    dons = [("v", "r", 10), ("v", "r", 40), ("v", "r", 70)]
    awards = [("v", (d - DAY0).days) for d in award_days]
    out = run_timing(*tables(dons, awards), TimingConfig(n_permutations=9)).to_pylist()[0]
    assert (out["status"], out["status_reason"], out["p_value"]) == ("imprecise_award_dates", reason, None)
    # one award on another day of the month and the vendor is tested
    out = run_timing(*tables(dons, awards + [("v", 45)]), TimingConfig(n_permutations=9)).to_pylist()[0]
    assert out["status"] == "tested"


def test_declared_precision_is_refused_before_looking_at_the_dates():
    dons = [("v", "r", 10), ("v", "r", 40), ("v", "r", 70), ("w", "r", 10), ("w", "r", 11), ("w", "r", 12)]
    awards = [("v", 3), ("v", 45), ("v", 90), ("w", 3), ("w", 45), ("w", 90)]
    out = rows_by_pair(
        run_timing(
            *tables(dons, awards, award_precision=["year", "day", "day", "day", "day", "day"]),
            TimingConfig(min_awards=3, n_permutations=9),
        )
    )
    assert out[("v", "r")]["status_reason"] == (
        "not tested: the award dates (role_map.contracts.columns.award_date) are declared with year precision "
        "(the format has no day), so distances in days would be artefacts of the format"
    )
    assert out[("w", "r")]["status"] == "tested"
    out = rows_by_pair(
        run_timing(
            *tables(dons, awards, donation_precision=["day"] * 3 + ["month"] * 3),
            TimingConfig(min_awards=3, n_permutations=9),
        )
    )
    assert (out[("v", "r")]["status"], out[("w", "r")]["status"]) == ("tested", "imprecise_donation_dates")
    assert out[("w", "r")]["status_reason"] == (
        "not tested: the donation dates (role_map.contributions.columns.donation_date) are declared with month "
        "precision (the format has no day), so distances in days would be artefacts of the format"
    )
    with pytest.raises(ValueError) as err:
        run_timing(*tables(dons, awards, award_precision=["days"] * 6), TimingConfig(min_awards=3))
    assert str(err.value) == "timing: awards.date_precision has value 'days'; allowed: day, month, year"


def test_refusals_name_the_mapped_date_column():
    dons = [("v", "r", 10), ("v", "r", 40), ("v", "r", 70), ("w", "r", 10), ("w", "r", 11), ("w", "r", 12)]
    awards = [("v", 3), ("v", 45), ("v", 90), ("w", 3), ("w", 45), ("w", 90)]
    don, aw = tables(
        dons, awards, award_precision=["month"] * 3 + ["day"] * 3, donation_precision=["day"] * 3 + ["year"] * 3
    )
    don = don.append_column("date_column", pa.array(["CONTRIB DATE"] * 6))
    aw = aw.append_column("date_column", pa.array(["action_month"] * 6))
    out = rows_by_pair(run_timing(don, aw, TimingConfig(min_awards=3, n_permutations=9)))
    assert out[("v", "r")]["status_reason"] == (
        "not tested: the award dates (column 'action_month', mapped as role_map.contracts.columns.award_date) are "
        "declared with month precision (the format has no day), so distances in days would be artefacts of the "
        "format"
    )
    assert out[("w", "r")]["status_reason"] == (
        "not tested: the donation dates (column 'CONTRIB DATE', mapped as role_map.contributions.columns."
        "donation_date) are declared with year precision (the format has no day), so distances in days would be "
        "artefacts of the format"
    )


def test_donation_dates_all_on_the_first_of_a_month_are_refused():
    awards = [("v", 3), ("v", 45), ("v", 90)]
    firsts = [("v", "r", 0), ("v", "r", 31), ("v", "r", 60)]  # 1 Jan, 1 Feb, 1 Mar 2020
    out = run_timing(*tables(firsts, awards), TimingConfig(min_awards=3, n_permutations=9)).to_pylist()[0]
    assert out["status"] == "imprecise_donation_dates"
    # a same-day bundle on the 1st is not evidence of month precision
    bundle = [("v", "r", 31, "a"), ("v", "r", 31, "b"), ("v", "r", 31, "c")]
    assert run_timing(*tables(bundle, awards), TimingConfig(min_awards=3, n_permutations=9)).column(
        "status"
    ).to_pylist() == ["tested"]


# ----------------------------------------------------------------------------- contract


def test_same_row_ref_through_two_edges_counts_once():
    don, aw = tables(
        [("v", "r", 1, "x"), ("v", "r", 1, "x"), ("v", "r", 2, "y"), ("v", "r", 3, "z")],
        [("v", 2), ("v", 20), ("v", 50)],
    )
    assert run_timing(don, aw, TimingConfig(n_permutations=9)).column("n_donations").to_pylist() == [3]


def test_same_row_ref_with_two_dates_is_an_error():
    don, aw = tables([("v", "r", 1, "x"), ("v", "r", 2, "x"), ("v", "r", 3, "y")], [("v", 2)])
    with pytest.raises(ValueError) as err:
        run_timing(don, aw, TimingConfig())
    assert str(err.value) == "timing: donations row_ref 'x' has two donation_date values for pair ('v', 'r')"


def test_empty_inputs_return_empty_table_with_schema():
    don, aw = tables([], [])
    out = run_timing(don, aw, TimingConfig())
    assert out.num_rows == 0 and out.schema == OUTPUT_SCHEMA
    out = run_timing(don, tables([], [("v", 3)])[1], TimingConfig())
    assert out.num_rows == 0 and out.schema == OUTPUT_SCHEMA


def with_null(table, column):
    values = table.column(column).to_pylist()
    values[1] = None
    return table.set_column(table.column_names.index(column), column, pa.array(values, table.schema.field(column).type))


@pytest.mark.parametrize(
    "which, column, message",
    [
        (
            "donations",
            "donation_date",
            "timing: donations.donation_date has 1 null value(s); dates must be parsed "
            "upstream (unparseable dates belong in the rejects table)",
        ),
        (
            "awards",
            "award_date",
            "timing: awards.award_date has 1 null value(s); dates must be parsed "
            "upstream (unparseable dates belong in the rejects table)",
        ),
        ("donations", "vendor_key", "timing: donations.vendor_key has 1 null value(s)"),
        ("donations", "recipient_key", "timing: donations.recipient_key has 1 null value(s)"),
        ("awards", "vendor_key", "timing: awards.vendor_key has 1 null value(s)"),
    ],
)
def test_null_values_are_errors_naming_the_column(which, column, message):
    don, aw = tables([("v", "r", 1), ("v", "r", 2), ("v", "r", 3)], [("v", 2), ("v", 9)])
    if which == "donations":
        don = with_null(don, column)
    else:
        aw = with_null(aw, column)
    with pytest.raises(ValueError) as err:
        run_timing(don, aw, TimingConfig())
    assert str(err.value) == message


def test_missing_column_and_wrong_type_are_errors():
    don, aw = tables([("v", "r", 1)], [("v", 2)])
    with pytest.raises(ValueError) as err:
        run_timing(don.drop_columns(["row_ref"]), aw, TimingConfig())
    assert str(err.value) == (
        "timing: donations is missing column 'row_ref'; has: vendor_key, recipient_key, donation_date, edge_id"
    )
    stamped = aw.set_column(1, "award_date", aw.column("award_date").cast(pa.timestamp("us")))
    with pytest.raises(ValueError) as err:
        run_timing(don, stamped, TimingConfig())
    assert str(err.value) == "timing: awards.award_date must be a DATE column; got timestamp[us]"
    with pytest.raises(TypeError):
        run_timing(don, aw, {"run_seed": 1})


def test_keys_that_collide_in_the_finding_id_text_are_an_error():
    don, aw = tables([("a:b", "c", 1), ("a", "b:c", 1)], [("a", 1)])
    with pytest.raises(ValueError) as err:
        run_timing(don, aw, TimingConfig())
    assert str(err.value) == "timing: two pairs share a finding_id (keys containing ':' collide)"


def test_accepts_large_string_string_view_and_dictionary_keys():
    don, aw = tables([("v", "r", 1), ("v", "r", 2), ("v", "r", 3)], [("v", 2), ("v", 40), ("v", 90)])
    config = TimingConfig(n_permutations=9)
    expected = run_timing(don, aw, config)
    don2 = don.set_column(0, "vendor_key", don.column("vendor_key").cast(pa.large_string()))
    don2 = don2.set_column(1, "recipient_key", don.column("recipient_key").cast(pa.string_view()))
    aw2 = aw.set_column(0, "vendor_key", aw.column("vendor_key").dictionary_encode())
    assert run_timing(don2, aw2, config).equals(expected)


def test_round_trip_through_duckdb():
    duckdb = pytest.importorskip("duckdb")
    con = duckdb.connect()
    don = con.sql(
        "select 'v' as vendor_key, 'r' as recipient_key, date '2020-01-01' + i::int as donation_date,"
        " 'ref' || i as row_ref, 'e' || i as edge_id from range(4) t(i)"
    ).fetch_arrow_table()
    aw = con.sql(
        "select 'v' as vendor_key, date '2020-01-02' + (i * 30)::int as award_date,"
        " 'a' || i as row_ref, 'day' as date_precision from range(5) t(i)"
    ).fetch_arrow_table()
    out = run_timing(don, aw, TimingConfig(n_permutations=99))
    con.register("timing_out", out)
    assert con.sql(
        "select status, n_donations, n_awards, observed_mean_days, first_award_date, last_award_date from timing_out"
    ).fetchall() == [("tested", 4, 5, 1.0, day(1), day(121))]
    types = {name: kind for name, kind, *_ in con.sql("describe timing_out").fetchall()}
    assert types["seed"] == "BIGINT" and types["first_award_date"] == "DATE"
    assert types["p_value"] == "DOUBLE" and types["finding_id"] == "VARCHAR"


# ----------------------------------------------------------------------------- settings


def test_every_setting_changes_the_output():
    data = tables(*mixed_data())
    base = TimingConfig(min_awards=3, n_permutations=99)
    ref = rows_by_pair(run_timing(*data, base))

    def changed(**kw):
        return rows_by_pair(run_timing(*data, TimingConfig(**{**base.__dict__, **kw})))

    out = changed(n_permutations=49)
    assert {r["n_permutations"] for r in out.values() if r["status"] == "tested"} == {49}
    out = changed(min_donations=2)
    assert (ref[("v0", "rsmall")]["status"], out[("v0", "rsmall")]["status"]) == ("too_few_donations", "tested")
    out = changed(min_awards=8)
    assert (ref[("v0", "r0")]["status"], out[("v0", "r0")]["status"]) == ("tested", "too_few_awards")
    assert (out[("v1", "r0")]["status"], out[("v2", "r0")]["status"]) == ("too_few_awards", "tested")  # 7, 11 awards
    out = changed(calendar="uniform_days")
    assert [out[k]["p_value"] for k in ref] != [ref[k]["p_value"] for k in ref]
    assert {r["calendar"] for r in out.values()} == {"uniform_days"}
    out = changed(run_seed=7)
    assert [out[k]["p_value"] for k in ref] != [ref[k]["p_value"] for k in ref]
    assert json.loads(out[("v0", "r0")]["timing_settings"])["run_seed"] == 7


# ----------------------------------------------------------------------------- determinism


def test_same_inputs_and_seed_give_bit_identical_output():
    data = tables(*mixed_data())
    config = TimingConfig(n_permutations=199)
    a, b = run_timing(*data, config), run_timing(*data, config)
    assert a.equals(b)
    p = np.array(a.column("null_sd_days").to_pylist(), dtype=float)
    q = np.array(b.column("null_sd_days").to_pylist(), dtype=float)
    assert p.tobytes() == q.tobytes()
    other = run_timing(*data, TimingConfig(n_permutations=199, run_seed=1))
    assert other.column("seed").to_pylist() != a.column("seed").to_pylist()


def test_shuffled_input_rows_give_identical_output():
    don, aw = tables(*mixed_data())
    config = TimingConfig(n_permutations=199)
    rng = np.random.default_rng(3)
    shuffled_don = don.take(pa.array(rng.permutation(don.num_rows)))
    shuffled_aw = aw.take(pa.array(rng.permutation(aw.num_rows)))
    assert run_timing(shuffled_don, shuffled_aw, config).equals(run_timing(don, aw, config))


def _same_except_q(before, after, keys):
    for key in keys:
        for column in before[key]:
            if column != "q_value":  # BH depends on the number of tested pairs, by design
                assert after[key][column] == before[key][column], (key, column)


def test_adding_pairs_leaves_other_pairs_unchanged():
    donations, awards = mixed_data()
    config = TimingConfig(n_permutations=199)
    before = rows_by_pair(run_timing(*tables(donations, awards), config))
    # a new recipient of an existing vendor: the vendor's null draws do not depend on its pairs
    extra = donations + [("v3", "rnew", d) for d in (100, 200, 300, 400)]
    after = rows_by_pair(run_timing(*tables(extra, awards), config))
    assert set(after) - set(before) == {("v3", "rnew")}
    _same_except_q(before, after, before)


def test_adding_a_vendor_changes_others_only_through_the_calendar():
    donations, awards = mixed_data()
    config = TimingConfig(n_permutations=199)
    before = rows_by_pair(run_timing(*tables(donations, awards), config))
    # awards outside every vendor's first-to-last span change no calendar slice
    outside = awards + [("vnew", 950), ("vnew", 960), ("vnew", 990)]
    extra_d = donations + [("vnew", "rnew", d) for d in (951, 961, 970)]
    after = rows_by_pair(run_timing(*tables(extra_d, outside), config))
    _same_except_q(before, after, before)
    # awards inside the spans change the all_awards calendar and so the others' nulls ...
    inside = awards + [("vnew", d) for d in range(300, 340)]
    after = rows_by_pair(run_timing(*tables(extra_d, inside), config))
    assert any(after[k]["p_value"] != before[k]["p_value"] for k in before if before[k]["status"] == "tested")
    # ... but not the uniform_days null, which uses no other vendor's awards
    uni = TimingConfig(n_permutations=199, calendar="uniform_days")
    before = rows_by_pair(run_timing(*tables(donations, awards), uni))
    after = rows_by_pair(run_timing(*tables(extra_d, inside), uni))
    _same_except_q(before, after, before)


def test_pairs_with_no_donation_between_first_and_last_award_are_refused():
    awards = [("v", 100), ("v", 150), ("v", 200)]
    outside = [("v", "r", 10), ("v", "r", 100), ("v", "r", 250)]  # on or outside the endpoints
    out = run_timing(*tables(outside, awards), TimingConfig(min_awards=3, n_permutations=9)).to_pylist()[0]
    assert (out["status"], out["status_reason"], out["p_value"]) == (
        "no_donation_between_awards",
        "not tested: no donation of the pair falls strictly between the vendor's first and last award, the "
        "only period where the null moves awards, so every permutation gives the same statistic and the test "
        "could say nothing",
        None,
    )
    one_inside = outside + [("v", "r", 101)]
    assert run_timing(*tables(one_inside, awards), TimingConfig(min_awards=3, n_permutations=999)).column(
        "status"
    ).to_pylist() == ["tested"]


@pytest.mark.parametrize("calendar", ["all_awards", "uniform_days"])
def test_unrelated_vendor_and_pairs_change_no_other_pair_on_every_code_path(calendar):
    # Vendors of 3..12 award dates (batched path), 40..60 (per-vendor rejection: bitmap) and
    # 200 on a 300-day span (exponential keys), several recipients each. Adding a vendor whose
    # awards all fall after every other vendor's last award, pairs of that vendor, and a new
    # recipient of an existing vendor changes no other pair's row except its q-value.
    rng = np.random.default_rng(21)
    donations, awards = [], []
    sizes = [int(rng.integers(3, 13)) for _ in range(30)] + [40, 55, 60] + [200, 200]
    for v, n in enumerate(sizes):
        span = 300 if n == 200 else 900
        awards += [(f"v{v:02d}", int(a)) for a in rng.choice(np.arange(span), size=n, replace=False)]
        for r in range(int(rng.integers(1, 4))):
            donations += [(f"v{v:02d}", f"r{r}", int(d)) for d in rng.integers(0, 900, size=int(rng.integers(3, 9)))]
    config = TimingConfig(n_permutations=499, calendar=calendar)
    before = rows_by_pair(run_timing(*tables(donations, awards), config))
    assert sum(r["status"] == "tested" for r in before.values()) > 50
    extra_awards = awards + [("vnew", d) for d in (1000, 1003, 1010, 1020)]
    extra_dons = donations + [("vnew", f"r{i}", d) for i in range(3) for d in (1001, 1005, 1015)]
    extra_dons += [("v05", "rnew", d) for d in (100, 300, 500)]
    after = rows_by_pair(run_timing(*tables(extra_dons, extra_awards), config))
    assert set(after) - set(before) == {("vnew", "r0"), ("vnew", "r1"), ("vnew", "r2"), ("v05", "rnew")}
    _same_except_q(before, after, before)
    # and the same inputs give the same output, whatever the row order
    don, aw = tables(extra_dons, extra_awards)
    order = np.random.default_rng(5)
    shuffled = run_timing(don.take(order.permutation(don.num_rows)), aw.take(order.permutation(aw.num_rows)), config)
    assert shuffled.equals(run_timing(don, aw, config))
