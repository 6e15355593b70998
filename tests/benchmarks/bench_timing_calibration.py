"""Calibration battery of the timing permutation test: one row per scenario.

    .venv/bin/python tests/benchmarks/bench_timing_calibration.py --pairs 2000 --perms 999

For every scenario of tests/benchmarks/timing_scenarios.py:
- null: --pairs unrelated pairs (donations independent of awards); share of pairs with
  p <= 0.05 (target 4-6%; binomial sd about 0.5 points at 2,000 pairs) and how many pairs
  Benjamini-Hochberg calls at q <= 0.10 (every one of them is a false discovery);
- mixed: the same generator with 10% of pairs given planted clustering (by default half of
  their donations within 0-14 days before one of the vendor's awards; --plant-share,
  --plant-within); BH false-discovery rate at q <= 0.10: one run's false discoveries /
  discoveries (0 when there are none), whose expectation is what BH bounds (at most
  0.9 x 0.10 with 10% planted and valid p-values), printed with both counts; and power (share
  of planted pairs with p <= 0.05, and with q <= 0.10).
Seeds are fixed (--seed), so the table is reproducible. --replicates R pools R independent
runs per row (null data from seeds seed..seed+R-1, mixed data from seed+1..seed+R) and adds the
null's lower tail (pairs with p <= 0.01 and p <= 0.002 against the number expected): one run's
FDR rests on a few dozen discoveries, and the pooled figures say whether an excess is noise.
Pooled, the FDR is the mean of the R runs' ratios with its standard error (± one se), and the
counts are summed over the runs. The ratio of the summed counts (printed in brackets) is not
the FDR: it weighs runs by their discoveries, and where power is low (few discoveries per run)
it exceeds the mean of the ratios that BH bounds.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from python_udfs.timing import TimingConfig, run_timing  # noqa: E402
from tests.benchmarks.timing_scenarios import PLANT, SCENARIOS  # noqa: E402


def evaluate(scenario, config: TimingConfig):
    donations, awards = scenario.tables()
    out = run_timing(donations, awards, config)
    key = {(v, r): i for i, (v, r) in enumerate(zip(scenario.pair_vendor, scenario.pair_recipient, strict=True))}
    planted = np.zeros(out.num_rows, dtype=bool)
    for row, (v, r) in enumerate(
        zip(out.column("vendor_key").to_pylist(), out.column("recipient_key").to_pylist(), strict=True)
    ):
        planted[row] = scenario.planted[key[(v, r)]]
    tested = np.array([s == "tested" for s in out.column("status").to_pylist()])
    p = np.array([np.nan if x is None else x for x in out.column("p_value").to_pylist()])
    q = np.array([np.nan if x is None else x for x in out.column("q_value").to_pylist()])
    return tested, planted, p, q


def row(name, make, pairs, config, seed, q_level=0.10, replicates=1):
    t0 = time.perf_counter()
    null_p, null_bh, mixed = [], 0, []
    for s in range(seed, seed + replicates):
        tested, _, p, q = evaluate(make(np.random.default_rng(s), pairs), config)
        null_p.append(p[tested])
        null_bh += int(np.sum(q[tested] <= q_level))
        mixed.append(evaluate(make(np.random.default_rng(s + 1), pairs, planted_share=0.1), config))
    p_null = np.concatenate(null_p)
    # BH bounds the expectation of each run's false / all discoveries (0 when there are
    # none), so the FDR is the mean of the runs' ratios; the summed counts are printed
    # beside it (their ratio is not what BH bounds: with few discoveries per run it is larger).
    ratios, false, called = [], 0, 0
    for tested_r, planted_r, _, q_r in mixed:
        disc_r = tested_r & (q_r <= q_level)
        false_r = int(np.sum(disc_r & ~planted_r))
        ratios.append(false_r / max(1, int(np.sum(disc_r))))
        false += false_r
        called += int(np.sum(disc_r))
    fdr = float(np.mean(ratios))
    fdr_se = float(np.std(ratios, ddof=1) / np.sqrt(len(ratios))) if len(ratios) > 1 else float("nan")
    tested_m, planted_m, p_m, q_m = (np.concatenate(parts) for parts in zip(*mixed, strict=True))
    power = float(np.mean(p_m[tested_m & planted_m] <= 0.05))
    power_q = float(np.mean(q_m[tested_m & planted_m] <= q_level))
    seconds = time.perf_counter() - t0
    return {
        "scenario": name,
        "tested": int(p_null.size),
        "share_p<=0.05": float(np.mean(p_null <= 0.05)),
        "tail": f"{int(np.sum(p_null <= 0.01))} vs {0.01 * p_null.size:.1f}, "
        f"{int(np.sum(p_null <= 0.002))} vs {0.002 * p_null.size:.1f}",
        "bh_null_discoveries": null_bh,
        "bh_fdr_mixed": fdr,
        "bh_fdr_se": fdr_se,
        "bh_false_of_discoveries": f"{false}/{called}",
        "power_p<=0.05": power,
        "power_q<=0.10": power_q,
        "seconds": seconds,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=2000)
    parser.add_argument("--perms", type=int, default=999)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--calendar", default="all_awards")
    parser.add_argument("--only", nargs="*", default=None, help="scenario keys to run")
    parser.add_argument("--plant-share", type=float, default=0.5, help="share of a planted pair's donations planted")
    parser.add_argument("--plant-within", type=int, default=14, help="planted donations: 0..N days before an award")
    parser.add_argument("--replicates", type=int, default=1, help="independent runs pooled per row")
    parser.add_argument(
        "--min-awards", type=int, default=None, help="vars.timing.min_awards (default: the shipped default)"
    )
    args = parser.parse_args(argv)
    PLANT.update(share=args.plant_share, before=args.plant_within)
    extra = {} if args.min_awards is None else {"min_awards": args.min_awards}
    config = TimingConfig(n_permutations=args.perms, calendar=args.calendar, **extra)
    print(
        f"pairs={args.pairs} perms={args.perms} calendar={args.calendar} min_awards={config.min_awards} "
        f"seed={args.seed} "
        f"planted: {args.plant_share:.0%} of a planted pair's donations "
        f"within 0-{args.plant_within} days before an award; replicates={args.replicates}"
    )
    tail = args.replicates > 1  # pooled runs: the null's lower tail, observed vs expected
    header = (
        "| scenario | tested pairs | share p<=0.05 (null) "
        + ("| p<=0.01, p<=0.002 (null; observed vs expected) " if tail else "")
        + "| BH discoveries q<=0.10 (null) | BH FDR q<=0.10 (10% planted"
        + ("; mean of runs ± se (false/all summed)) " if tail else "; false/all) ")
        + "| power p<=0.05 | power q<=0.10 | s |"
    )
    print(header)
    print("|---|---:|---:|" + ("---:|" if tail else "") + "---:|---:|---:|---:|---:|")
    worst = 0.0
    for key, make in SCENARIOS.items():
        if args.only and key not in args.only:
            continue
        r = row(key, make, args.pairs, config, args.seed, replicates=args.replicates)
        worst = max(worst, r["share_p<=0.05"])
        print(
            f"| {key}: {make(np.random.default_rng(0), 1).name} | {r['tested']} | {r['share_p<=0.05']:.2%} | "
            + (f"{r['tail']} | " if tail else "")
            + f"{r['bh_null_discoveries']} |"
            f" {r['bh_fdr_mixed']:.3f}"
            + (f" ± {r['bh_fdr_se']:.3f}" if tail else "")
            + f" ({r['bh_false_of_discoveries']}) | "
            f"{r['power_p<=0.05']:.2%} | "
            f"{r['power_q<=0.10']:.2%} | {r['seconds']:.1f} |",
            flush=True,
        )
    print(f"worst share p<=0.05: {worst:.2%}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
