"""Share of unrelated pairs with p <= 0.05 by where the vendor is active in the coverage.

    .venv/bin/python tests/benchmarks/bench_timing_edges.py --replicates 20 --seed 11
    .venv/bin/python tests/benchmarks/bench_timing_edges.py --replicates 20 --seed 11 --count-calendar

Runs the null data of the battery's short_active scenario (tests/benchmarks/timing_scenarios.py:
each vendor active in its own 4-12 month stretch of a 3-year coverage, donations uniform over
the coverage) and splits the tested pairs by the vendor's first and last award: first award in
the first --edge days of the coverage, last award in its last --edge days, or neither. Near
the edges of the coverage fewer vendors are active, so a calendar that counts the vendors
awarded each day slopes there. --count-calendar runs the null with that count calendar
(each day weighted by 10 x vendors awarded that day + 1, python_udfs.timing_null.Calendar.
from_award_days) instead of the share of the active vendors awarded that day (the default
all_awards calendar, Calendar.from_vendor_awards), for comparison on the same data.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from python_udfs import timing  # noqa: E402
from python_udfs.timing import Calendar, TimingConfig, run_timing  # noqa: E402
from tests.benchmarks.timing_scenarios import BASE, COVERAGE, SCENARIOS  # noqa: E402


def _count_calendar(days: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> Calendar:
    return Calendar.from_award_days(days)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default="short_active")
    parser.add_argument("--pairs", type=int, default=2000)
    parser.add_argument("--perms", type=int, default=999)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--replicates", type=int, default=20)
    parser.add_argument("--edge", type=int, default=120, help="days at either end of the coverage")
    parser.add_argument("--count-calendar", action="store_true", help="weigh days by vendors awarded (the old null)")
    args = parser.parse_args(argv)
    if args.count_calendar:
        timing.Calendar.from_vendor_awards = _count_calendar  # type: ignore[method-assign,assignment]
    config = TimingConfig(n_permutations=args.perms)
    parts = []
    for s in range(args.seed, args.seed + args.replicates):
        scenario = SCENARIOS[args.scenario](np.random.default_rng(s), args.pairs)
        out = run_timing(*scenario.tables(), config)
        tested = np.array(out.column("status").to_pylist()) == "tested"
        p = np.array([np.nan if x is None else x for x in out.column("p_value").to_pylist()])[tested]
        first = (out.column("first_award_date").to_numpy(zero_copy_only=False).astype("datetime64[D]") - BASE)[tested]
        last = (out.column("last_award_date").to_numpy(zero_copy_only=False).astype("datetime64[D]") - BASE)[tested]
        parts.append(np.c_[p, first.astype(np.int64), last.astype(np.int64)])
    rows = np.concatenate(parts)
    p, first, last = rows[:, 0], rows[:, 1], rows[:, 2]
    calendar = "count of vendors awarded" if args.count_calendar else "share of active vendors awarded"
    print(
        f"scenario={args.scenario} pairs={args.pairs} perms={args.perms} seeds={args.seed}.."
        f"{args.seed + args.replicates - 1} calendar: {calendar}"
    )
    print("| vendors | tested pairs | p<=0.05 | p<=0.01 |")
    print("|---|---:|---:|---:|")
    groups = [
        (f"first award in the first {args.edge} days", first < args.edge),
        (f"last award in the last {args.edge} days", last >= COVERAGE - args.edge),
        ("neither", (first >= args.edge) & (last < COVERAGE - args.edge)),
        ("all", np.ones(p.size, dtype=bool)),
    ]
    for name, mask in groups:
        print(f"| {name} | {int(mask.sum())} | {np.mean(p[mask] <= 0.05):.2%} | {np.mean(p[mask] <= 0.01):.2%} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
