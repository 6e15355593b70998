"""Benchmark: the tabular loader on an FEC itcont file (unquoted, pipe-separated, header file).

Loads the first --lines lines of an itcont file (for example the one bench_full_cycle.py
generates) into an in-memory DuckDB with ``load_tabular`` and the FEC individual-contributions
options, --repeat times, and prints process CPU and wall seconds per run, with a cProfile of the
last run's top 8 functions by own time when --profile is given.

Usage: python tests/benchmarks/bench_itcont_load.py --itcont /tmp/fullcycle1m/itcont_1000000.txt
       --lines 300000 --out /tmp/itcontbench [--repeat 2] [--profile]
Not a test: run it by hand; it writes only under --out.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import itertools
import pstats
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from ingest.tabular import TabularOptions, load_tabular  # noqa: E402
from ingest.warehouse import connect  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--itcont", type=Path, required=True)
    parser.add_argument("--lines", type=int, default=300_000)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    part = args.out / f"itcont_{args.lines}.txt"
    with args.itcont.open("rb") as src, part.open("wb") as dst:
        dst.writelines(itertools.islice(src, args.lines))
    header = ROOT / "ingest" / "presets" / "fec" / "indiv_header_file.csv"
    options = TabularOptions(delimiter="|", quote=None, header=False, header_file=header)
    profiler = cProfile.Profile() if args.profile else None
    for run in range(args.repeat):
        con = connect(":memory:")
        cpu, wall = time.process_time(), time.perf_counter()
        if profiler is not None and run == args.repeat - 1:
            profiler.enable()
        load_tabular(con, part, "itcont", options, progress=None)
        if profiler is not None:
            profiler.disable()
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        rows = con.execute("select count(*) from raw.itcont").fetchone()
        con.close()
        print(f"run {run + 1}: {rows[0] if rows else 0:,} rows, {cpu:.2f} CPU s, {wall:.2f} s wall", flush=True)
    if profiler is not None:
        text = io.StringIO()
        pstats.Stats(profiler, stream=text).sort_stats("tottime").print_stats(8)
        print(text.getvalue())


if __name__ == "__main__":
    main()
