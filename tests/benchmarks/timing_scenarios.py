"""Generators of the timing calibration battery: award and donation calendars with no relation
between donations and awards (null scenarios), and the same calendars with planted clustering.

Each scenario returns a ``Scenario``: the pairs (vendor key, donation days) and every vendor's
award days, some vendors appearing only in the contracts data ("context" vendors, which shape
the award calendar like the rest of a real contracts file). Each tested pair has its own vendor
unless the scenario says otherwise, so the pairs are independent and the share of p <= 0.05 has
a binomial sd of about 0.5 points at 2,000 pairs. Days count from ``BASE`` (the first day of
US federal fiscal year 2020).

Used by tests/benchmarks/bench_timing_calibration.py (full table) and
tests/python/test_timing_calibration.py (reduced battery).
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa

BASE = np.datetime64("2019-10-01", "D")
YEAR = 365
COVERAGE = 3 * YEAR  # FY2020..FY2022
REAL_CALENDARS = (
    Path(__file__).resolve().parents[1] / "fixtures" / "timing" / "usaspending_hospital_covid_action_dates.csv"
)


@dataclass
class Scenario:
    name: str
    pair_vendor: list[str] = field(default_factory=list)
    pair_recipient: list[str] = field(default_factory=list)
    pair_days: list[np.ndarray] = field(default_factory=list)
    vendor_days: dict[str, np.ndarray] = field(default_factory=dict)
    planted: list[bool] = field(default_factory=list)

    def add_pair(self, vendor: str, days, planted: bool = False, recipient: str = "r") -> None:
        self.pair_vendor.append(vendor)
        self.pair_recipient.append(recipient)
        self.pair_days.append(np.asarray(days, dtype=np.int64))
        self.planted.append(planted)

    def tables(self) -> tuple[pa.Table, pa.Table]:
        n = [d.size for d in self.pair_days]
        don_days = np.concatenate(self.pair_days)
        vendors = np.repeat(np.array(self.pair_vendor, dtype=object), n)
        recipients = np.repeat(np.array(self.pair_recipient, dtype=object), n)
        donations = pa.table(
            {
                "vendor_key": pa.array(vendors.tolist(), pa.string()),
                "recipient_key": pa.array(recipients.tolist(), pa.string()),
                "donation_date": pa.array(BASE + don_days.astype("timedelta64[D]"), pa.date32()),
                "row_ref": pa.array([f"cal://don#row_index={i}" for i in range(don_days.size)]),
                "edge_id": pa.array([f"e{i}" for i in range(don_days.size)]),
            }
        )
        names = sorted(self.vendor_days)
        aw_days = np.concatenate([self.vendor_days[v] for v in names])
        aw_vendor = np.repeat(np.array(names, dtype=object), [self.vendor_days[v].size for v in names])
        awards = pa.table(
            {
                "vendor_key": pa.array(aw_vendor.tolist(), pa.string()),
                "award_date": pa.array(BASE + aw_days.astype("timedelta64[D]"), pa.date32()),
                "row_ref": pa.array([f"cal://aw#row_index={i}" for i in range(aw_days.size)]),
            }
        )
        return donations, awards


# ----------------------------------------------------------------------------- calendars


def uniform(rng, n, start=0, end=COVERAGE):
    return rng.integers(start, end, n)


def distinct(rng, sampler, n):
    """n distinct days from repeated calls of sampler(rng, m)."""
    out = np.unique(sampler(rng, n))
    while out.size < n:
        out = np.unique(np.concatenate([out, sampler(rng, n - out.size)]))
    return rng.permutation(out)[:n]


def fiscal_year_end(rng, n, days=COVERAGE, share=0.6):
    """share of the days in the last 45 days of a US fiscal year (Aug 17 - Sep 30), the rest uniform."""
    years = days // YEAR
    fy_end = np.array([YEAR * (y + 1) - 1 for y in range(years)])
    bunched = rng.choice(fy_end, n) - rng.integers(0, 45, n)
    return np.where(rng.random(n) < share, bunched, uniform(rng, n, 0, days))


def election_season(rng, n, days=COVERAGE, share=0.7):
    """share of the days between Sep 1 and election day of the even years, the rest uniform."""
    starts = []
    for year in range(2020, 2020 + days // YEAR + 1, 2):
        s = (np.datetime64(f"{year}-09-01") - BASE).astype(int)
        if s + 66 < days:
            starts.append(s)
    season = rng.choice(np.array(starts), n) + rng.integers(0, 66, n)
    return np.where(rng.random(n) < share, season, uniform(rng, n, 0, days))


def _month_ends(days=COVERAGE) -> np.ndarray:
    months = np.arange(BASE.astype("datetime64[M]"), (BASE + days).astype("datetime64[M]") + 1)
    ends = ((months + 1).astype("datetime64[D]") - 1 - BASE).astype(int)
    return ends[(ends >= 0) & (ends < days)]


def month_end(rng, n, days=COVERAGE):
    return rng.choice(_month_ends(days), n)


def weekdays(rng, n, days=COVERAGE):
    """Monday to Friday only (what award action dates mostly are)."""
    out = uniform(rng, 3 * n, 0, days)
    dow = ((BASE + out.astype("timedelta64[D]")).astype("datetime64[D]").view("int64") - 4) % 7  # 0 = Monday
    out = out[dow < 5]
    while out.size < n:
        out = np.concatenate([out, weekdays(rng, n, days)])
    return out[:n]


def bursts(rng, n, days=COVERAGE, width=14):
    """Donations in one or two bursts of at most `width` days (repeat givers, same-day bundles)."""
    centres = uniform(rng, rng.integers(1, 3), 0, days - width)
    return rng.choice(centres, n) + rng.integers(0, width, n)


def real_award_calendars() -> dict[str, np.ndarray]:
    """Each USAspending recipient's distinct action dates (days from BASE)."""
    out: dict[str, list[int]] = {}
    with REAL_CALENDARS.open(newline="") as handle:
        for row in csv.DictReader(handle):
            day = (np.datetime64(row["action_date"]) - BASE).astype(int)
            out.setdefault(row["recipient"], []).append(int(day))
    return {k: np.array(sorted(v), dtype=np.int64) for k, v in out.items()}


# ----------------------------------------------------------------------------- scenarios


# Planted clustering: this share of a planted pair's donations sit within 0..before days
# before a random award of the vendor (the rest follow the scenario's donation calendar).
PLANT = {"share": 0.5, "before": 14}


def _n_planted(nd: int) -> int:
    return max(1, int(nd * PLANT["share"]))


def _plant(rng, awards, n):
    """n donations within 0..PLANT['before'] days before a random award of the vendor."""
    return rng.choice(awards, n) - rng.integers(0, PLANT["before"] + 1, n)


def _standard(
    name,
    rng,
    n_pairs,
    award_sampler: Callable,
    donation_sampler: Callable,
    n_awards=(5, 31),
    n_donations=(3, 13),
    context: int = 0,
    context_sampler: Callable | None = None,
    planted_share: float = 0.0,
) -> Scenario:
    sc = Scenario(name)
    for i in range(n_pairs):
        v = f"v{i:05d}"
        awards = distinct(rng, award_sampler, int(rng.integers(*n_awards)))
        sc.vendor_days[v] = awards
        nd = int(rng.integers(*n_donations))
        dons = donation_sampler(rng, nd)
        planted = rng.random() < planted_share
        if planted:
            k = _n_planted(nd)
            dons = np.concatenate([_plant(rng, awards, k), dons[: nd - k]])
        sc.add_pair(v, dons, planted)
    for j in range(context):
        sc.vendor_days[f"c{j:05d}"] = distinct(rng, context_sampler or award_sampler, int(rng.integers(*n_awards)))
    return sc


def s_uniform(rng, n, planted_share=0.0):
    return _standard("uniform (control)", rng, n, uniform, uniform, planted_share=planted_share)


def s_late_active(rng, n, planted_share=0.0):
    def late(r, m):
        return uniform(r, m, COVERAGE - 640, COVERAGE)

    return _standard(
        "vendor active only in the last 21 of 36 months",
        rng,
        n,
        late,
        uniform,
        context=500,
        context_sampler=uniform,
        planted_share=planted_share,
    )


def s_early_short(rng, n, planted_share=0.0):
    """Each vendor active in its own random 4-12 month stretch; donations over the whole coverage."""
    sc = Scenario("each vendor active in its own 4-12 month stretch")
    for i in range(n):
        length = int(rng.integers(120, 366))
        start = int(rng.integers(0, COVERAGE - length))
        awards = distinct(rng, lambda r, m, s=start, L=length: uniform(r, m, s, s + L), int(rng.integers(4, 16)))
        v = f"v{i:05d}"
        sc.vendor_days[v] = awards
        nd = int(rng.integers(3, 13))
        dons = uniform(rng, nd)
        planted = rng.random() < planted_share
        if planted:
            dons[: _n_planted(nd)] = _plant(rng, awards, _n_planted(nd))
        sc.add_pair(v, dons, planted)
    return sc


def s_stray_other(rng, n, planted_share=0.0):
    sc = _standard(
        "one stray award date (2005-01-01) in the file", rng, n, uniform, uniform, planted_share=planted_share
    )
    sc.vendor_days["stray"] = np.array([(np.datetime64("2005-01-01") - BASE).astype(int), 40, 400])
    return sc


def s_stray_own(rng, n, planted_share=0.0):
    sc = _standard(
        "a quarter of vendors with a stray 2005-01-01 award", rng, n, uniform, uniform, planted_share=planted_share
    )
    stray = (np.datetime64("2005-01-01") - BASE).astype(int)
    for v in list(sc.vendor_days)[::4]:
        sc.vendor_days[v] = np.append(sc.vendor_days[v], stray)
    return sc


def s_fy_end_election(rng, n, planted_share=0.0):
    days = 4 * YEAR

    def aw(r, m):
        return fiscal_year_end(r, m, days)

    def don(r, m):
        return election_season(r, m, days)

    return _standard(
        "awards bunched at fiscal-year end, donations in election season",
        rng,
        n,
        aw,
        don,
        planted_share=planted_share,
    )


def s_month_end(rng, n, planted_share=0.0):
    return _standard(
        "donations and awards both on month-end dates",
        rng,
        n,
        month_end,
        month_end,
        n_awards=(5, 21),
        planted_share=planted_share,
    )


def s_many_awards(rng, n, planted_share=0.0):
    return _standard(
        "20 donations, 300 distinct award dates",
        rng,
        n,
        uniform,
        uniform,
        n_awards=(300, 301),
        n_donations=(20, 21),
        planted_share=planted_share,
    )


def s_bursty(rng, n, planted_share=0.0):
    return _standard("donations in one or two two-week bursts", rng, n, uniform, bursts, planted_share=planted_share)


def s_weekday(rng, n, planted_share=0.0):
    return _standard("awards on weekdays only", rng, n, weekdays, uniform, planted_share=planted_share)


def s_real_calendars(rng, n, planted_share=0.0, donation_sampler=None):
    """Real USAspending award calendars (recipients with >= 3 action dates), independent
    synthetic donations uniform over the data's coverage; several pairs per vendor."""
    cal = real_award_calendars()
    sc = Scenario("real USAspending award calendars, uniform donations")
    for v, days in cal.items():
        sc.vendor_days[v] = days
    vendors = [v for v, d in cal.items() if d.size >= 3]
    lo = min(int(d.min()) for d in cal.values())
    hi = max(int(d.max()) for d in cal.values()) + 1
    for i in range(n):
        v = vendors[i % len(vendors)]
        nd = int(rng.integers(3, 13))
        dons = donation_sampler(rng, nd, lo, hi) if donation_sampler else uniform(rng, nd, lo, hi)
        planted = rng.random() < planted_share
        if planted:
            dons[: _n_planted(nd)] = _plant(rng, cal[v], _n_planted(nd))
        sc.add_pair(v, dons, planted, recipient=f"r{i // len(vendors):03d}")
    return sc


def s_real_calendars_month_end(rng, n, planted_share=0.0):
    def month_ends(r, m, lo, hi):
        ends = _month_ends(hi)
        return r.choice(ends[ends >= lo], m)

    sc = s_real_calendars(rng, n, planted_share, month_ends)
    sc.name = "real USAspending award calendars, month-end donations"
    return sc


def s_few_vendors(rng, n, planted_share=0.0):
    """Only 10 vendors in the whole contracts file, each linked to n / 10 recipients."""
    sc = Scenario("10 vendors in the file, many recipients each")
    for v in range(10):
        sc.vendor_days[f"v{v:05d}"] = distinct(rng, uniform, int(rng.integers(5, 31)))
    for i in range(n):
        v = f"v{i % 10:05d}"
        nd = int(rng.integers(3, 13))
        dons = uniform(rng, nd)
        planted = rng.random() < planted_share
        if planted:
            dons[: _n_planted(nd)] = _plant(rng, sc.vendor_days[v], _n_planted(nd))
        sc.add_pair(v, dons, planted, recipient=f"r{i // 10:05d}")
    return sc


SCENARIOS: dict[str, Callable] = {
    "uniform": s_uniform,
    "late_active": s_late_active,
    "short_active": s_early_short,
    "stray_other": s_stray_other,
    "stray_own": s_stray_own,
    "fy_end_election": s_fy_end_election,
    "month_end": s_month_end,
    "many_awards": s_many_awards,
    "bursty_donations": s_bursty,
    "weekday_awards": s_weekday,
    "real_calendars": s_real_calendars,
    "real_calendars_month_end": s_real_calendars_month_end,
    "few_vendors": s_few_vendors,
}


def day(d: dt.date) -> int:
    return (np.datetime64(d.isoformat()) - BASE).astype(int)
