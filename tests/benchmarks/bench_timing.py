"""Benchmark of the timing permutation test on synthetic pairs.

    .venv/bin/python tests/benchmarks/bench_timing.py --pairs 10000 --perms 2000 \
        --donations 5 --awards 10
    .venv/bin/python tests/benchmarks/bench_timing.py --suite

Prints wall and CPU seconds of run_timing (data generation excluded), pairs per second and
the process's peak RSS. CPU seconds are the figure to compare on a shared machine (wall time
grows with the load of other processes); with --workers above 1 (threads, see
python_udfs.timing_config.timing_workers) wall seconds are the figure the threads improve and
CPU seconds add up every thread's. --suite runs the standard set: 10,000 pairs x 2,000
permutations, and vendors with 100 and 300 award dates x 20 donations, one pair per vendor and
20 pairs (recipients) per vendor (the null draws are the vendor's and shared by its pairs).
Every vendor gets --recipients recipients (one pair each), so
--pairs / --recipients vendors with --awards award dates each. --mixed instead draws
heavy-tailed sizes (donations per pair 3 + geometric, 1% of pairs with 100-500; award dates
per vendor log-normal around --awards, up to 5,000) to exercise every code path.
"""

from __future__ import annotations

import argparse
import datetime as dt
import resource
import sys
import time
from pathlib import Path

import numpy as np
import pyarrow as pa

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from python_udfs.timing import TimingConfig, run_timing  # noqa: E402
from python_udfs.timing_config import timing_workers  # noqa: E402

START = dt.date(2015, 1, 1)


def synthetic(pairs: int, donations: int, awards: int, recipients: int, days: int, seed: int, mixed: bool):
    """Donations and awards drawn independently and uniformly over `days` days."""
    rng = np.random.default_rng(seed)
    n_vendors = -(-pairs // recipients)
    pair_ids = np.arange(pairs)
    vendor_of_pair = pair_ids // recipients
    if mixed:
        per_pair = 2 + rng.geometric(1 / max(donations - 2, 1), size=pairs)
        big = rng.random(pairs) < 0.01
        per_pair[big] = rng.integers(100, 501, size=int(big.sum()))
        per_vendor = np.clip(rng.lognormal(np.log(awards), 1.2, size=n_vendors), 1, 5000)
        per_vendor = per_vendor.astype(np.int64)
    else:
        per_pair = np.full(pairs, donations)
        per_vendor = np.full(n_vendors, awards)
    don_pair = np.repeat(pair_ids, per_pair)
    base = np.datetime64(START.isoformat(), "D")
    don_days = rng.integers(0, days, size=don_pair.size)
    award_vendor = np.repeat(np.arange(n_vendors), per_vendor)
    award_days = rng.integers(0, days, size=award_vendor.size)
    vendor_names = np.char.add("v", np.arange(n_vendors).astype(str))
    donations_table = pa.table(
        {
            "vendor_key": pa.array(vendor_names[vendor_of_pair[don_pair]]),
            "recipient_key": pa.array(np.char.add("r", (don_pair % recipients).astype(str))),
            "donation_date": pa.array(base + don_days.astype("timedelta64[D]"), pa.date32()),
            "row_ref": pa.array(np.char.add("db://bench#row_index=", np.arange(don_pair.size).astype(str))),
            "edge_id": pa.array(np.char.add("e", np.arange(don_pair.size).astype(str))),
        }
    )
    awards_table = pa.table(
        {
            "vendor_key": pa.array(vendor_names[award_vendor]),
            "award_date": pa.array(base + award_days.astype("timedelta64[D]"), pa.date32()),
            "row_ref": pa.array(np.char.add("db://awards#row_index=", np.arange(award_vendor.size).astype(str))),
        }
    )
    return donations_table, awards_table


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=10000)
    parser.add_argument("--perms", type=int, default=2000)
    parser.add_argument("--donations", type=int, default=5, help="donations per pair")
    parser.add_argument("--awards", type=int, default=10, help="award dates per vendor")
    parser.add_argument("--recipients", type=int, default=1, help="recipients per vendor")
    parser.add_argument("--days", type=int, default=4 * 365, help="length of the study period")
    parser.add_argument("--seed", type=int, default=7, help="seed of the synthetic data")
    parser.add_argument("--mixed", action="store_true", help="heavy-tailed pair and vendor sizes")
    parser.add_argument("--calendar", default="all_awards", help="vars.timing.calendar")
    parser.add_argument("--suite", action="store_true", help="run the standard set of cases")
    parser.add_argument("--workers", default=None, help="threads, an integer or auto (default: timing_workers())")
    args = parser.parse_args(argv)
    if args.suite:
        cases = [
            ["--pairs", "10000", "--perms", "2000", "--donations", "5", "--awards", "10"],
            ["--pairs", "200", "--perms", "2000", "--donations", "20", "--awards", "100", "--days", "1095"],
            ["--pairs", "1000", "--perms", "2000", "--donations", "20", "--awards", "100", "--days", "1095"]
            + ["--recipients", "20"],
            ["--pairs", "100", "--perms", "2000", "--donations", "20", "--awards", "300", "--days", "1095"],
            ["--pairs", "1000", "--perms", "2000", "--donations", "20", "--awards", "300", "--days", "1095"]
            + ["--recipients", "20"],
        ]
        for case in cases:
            main(
                case
                + ["--calendar", args.calendar]
                + ([] if args.workers is None else ["--workers", str(args.workers)])
            )
            print()
        return 0

    donations, awards = synthetic(
        args.pairs, args.donations, args.awards, args.recipients, args.days, args.seed, args.mixed
    )
    config = TimingConfig(n_permutations=args.perms, calendar=args.calendar)
    peak_before_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    start, cpu_start = time.perf_counter(), time.process_time()
    workers = timing_workers(args.workers)
    result = run_timing(donations, awards, config, workers)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    tested = result.filter(pa.compute.equal(result.column("status"), "tested"))
    p = np.asarray(tested.column("p_value").to_numpy(zero_copy_only=False))
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"pairs={args.pairs} perms={args.perms} donations={args.donations} awards={args.awards} "
        f"recipients={args.recipients} mixed={args.mixed} calendar={args.calendar} workers={workers} "
        f"donation_rows={donations.num_rows} award_rows={awards.num_rows} "
        f"distinct_award_dates_per_vendor={int(np.mean(result.column('n_awards').to_numpy())):d}"
    )
    print(
        f"seconds={seconds:.2f} cpu_seconds={cpu:.2f} pairs_per_s={args.pairs / seconds:.0f} "
        f"pairs_per_cpu_s={args.pairs / cpu:.0f} peak_rss_mib={peak_mib:.0f} "
        f"(peak before run_timing, i.e. after generating the data: {peak_before_mib:.0f})"
    )
    print(f"tested={tested.num_rows} share_p_le_0.05={np.mean(p <= 0.05):.4f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
