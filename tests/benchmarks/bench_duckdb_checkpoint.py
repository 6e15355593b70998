"""Benchmark: DuckDB alone, one CHECKPOINT of N new small tables (no moneytrail code).

Why it exists: the dump loader's time per table grows with the table count (README, "many
small tables"). This script takes the loader out of the picture. Each size runs in a fresh
child process on a fresh database file. The child creates N five-row tables in transactions of
256 tables, never checkpointing on the way, then times the one CHECKPOINT that writes them
all. Creating the tables should cost the same per table at every size. If the CHECKPOINT's
time per table also stayed flat, a loader could make table count linear by choosing when to
checkpoint. If it grows with N, no checkpoint schedule can.

Usage: python tests/benchmarks/bench_duckdb_checkpoint.py --tables 1500 3000 4500 6000 --out /tmp/ckbench
       [--block-size 16384]  (database attached with a smaller block size)
Not a test: run it by hand; it writes only under --out.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path


def child(db: Path, tables: int, block_size: int | None) -> None:
    import duckdb

    for p in (db, Path(f"{db}.wal")):
        p.unlink(missing_ok=True)
    if block_size is None:
        con = duckdb.connect(str(db))
    else:
        con = duckdb.connect()
        con.execute(f"ATTACH '{db}' AS bench (BLOCK_SIZE {int(block_size)})")
        con.execute("USE bench")
    con.execute("SET threads = 1")
    started = time.perf_counter()
    con.execute("BEGIN")
    for i in range(tables):
        con.execute(
            f"CREATE TABLE t{i} (row_index BIGINT NOT NULL, id INTEGER, label VARCHAR, "
            "amount DECIMAL(10, 2), source_offset BIGINT NOT NULL)"
        )
        con.execute(
            f"INSERT INTO t{i} SELECT range, range::INTEGER, 'row ' || range || ' of t{i}', "
            "range + 0.25, range FROM range(5)"
        )
        if (i + 1) % 256 == 0:
            con.execute("COMMIT")
            con.execute("BEGIN")
    con.execute("COMMIT")
    created = time.perf_counter() - started
    started = time.perf_counter()
    con.execute("CHECKPOINT")
    checkpoint = time.perf_counter() - started
    con.close()
    print(f"RESULT {created:.3f} {checkpoint:.3f} {db.stat().st_size}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tables", type=int, nargs="+", default=[1500, 3000, 4500, 6000])
    parser.add_argument("--block-size", type=int, default=None)
    parser.add_argument("--out", type=Path, default=Path("/tmp/ckbench"))
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        size = None if args.child[2] == "-" else int(args.child[2])
        child(Path(args.child[0]), int(args.child[1]), size)
        return
    import duckdb

    args.out.mkdir(parents=True, exist_ok=True)
    print(f"DuckDB {duckdb.__version__}, block size {args.block_size or 'default'}")
    print("tables  create s  create ms/table  CHECKPOINT s  CHECKPOINT ms/table  file MB  peak RSS MiB")
    for n in args.tables:
        db = args.out / f"checkpoint_{n}.duckdb"
        proc = subprocess.Popen(
            [sys.executable, __file__, "--child", str(db), str(n), str(args.block_size or "-")],
            stdout=subprocess.PIPE,
            text=True,
        )
        out = proc.stdout.read() if proc.stdout else ""
        _, status, usage = os.wait4(proc.pid, 0)
        result = [ln for ln in out.splitlines() if ln.startswith("RESULT")]
        if not result:
            print(f"{n}: child failed (exit {os.waitstatus_to_exitcode(status)})")
            continue
        _, created, checkpoint, nbytes = result[0].split()
        print(
            f"{n:6d}  {float(created):8.1f}  {1000 * float(created) / n:15.2f}  {float(checkpoint):12.1f}  "
            f"{1000 * float(checkpoint) / n:19.2f}  {int(nbytes) / 1e6:7.0f}  {usage.ru_maxrss / 1024:12.0f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
