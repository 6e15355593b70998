"""Benchmark: a SQL dump of many small tables (table-count scaling of the dump loader).

Generates a deterministic mysqldump-style file with N tables of R rows each (DROP TABLE IF
EXISTS, CREATE TABLE, LOCK TABLES, one extended INSERT, UNLOCK TABLES per table), loads it
with ``load_dump`` in a child process per size, and prints seconds, tables/s, rows/s and the
child's peak RSS. Loading time should grow linearly with the table count.

Usage: python tests/benchmarks/bench_dump_tables.py --tables 1250 2500 5000 10000 --out /tmp/tblbench
       [--profile]  (cProfile of the largest size, top 25 by cumulative time)
Not a test: run it by hand; it writes only under --out.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path


def write_dump(path: Path, tables: int, rows: int) -> None:
    with path.open("w", encoding="utf-8") as out:
        out.write("-- MySQL dump 10.13\n/*!40101 SET NAMES utf8mb4 */;\n")
        for t in range(tables):
            name = f"tbl_{t:06d}"
            out.write(f"DROP TABLE IF EXISTS `{name}`;\n")
            out.write(
                f"CREATE TABLE `{name}` (\n  `id` int NOT NULL,\n  `label` varchar(40) DEFAULT NULL,\n"
                "  `amount` decimal(10,2) DEFAULT NULL,\n  PRIMARY KEY (`id`)\n"
                ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;\n"
            )
            out.write(f"LOCK TABLES `{name}` WRITE;\n")
            values = ",".join(f"({i},'row {i} of {name}',{i}.25)" for i in range(rows))
            out.write(f"INSERT INTO `{name}` VALUES {values};\nUNLOCK TABLES;\n")


def child(dump: str, profile: bool) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    from ingest.sqldump import load_dump
    from ingest.warehouse import connect

    warehouse = Path(dump).with_suffix(".duckdb")
    for p in (warehouse, Path(str(warehouse) + ".wal")):
        p.unlink(missing_ok=True)
    con = connect(str(warehouse))
    started = time.perf_counter()
    if profile:
        import cProfile
        import pstats

        prof = cProfile.Profile()
        prof.enable()
        entries = load_dump(con, dump)
        prof.disable()
        pstats.Stats(prof).sort_stats("cumulative").print_stats(25)
    else:
        entries = load_dump(con, dump)
    elapsed = time.perf_counter() - started
    print(f"RESULT {len(entries)} {sum(e.row_count for e in entries)} {elapsed:.3f}", flush=True)
    con.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tables", type=int, nargs="+", default=[1250, 2500, 5000, 10000])
    parser.add_argument("--rows", type=int, default=5, help="rows per table")
    parser.add_argument("--out", type=Path, default=Path("/tmp/tblbench"))
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], args.child[1] == "1")
        return
    args.out.mkdir(parents=True, exist_ok=True)
    print("tables  rows      seconds  tables/s  rows/s    peak RSS MiB")
    for n in args.tables:
        dump = args.out / f"tables_{n}.sql"
        if not dump.exists():
            write_dump(dump, n, args.rows)
        profile = args.profile and n == max(args.tables)
        proc = subprocess.Popen(
            [sys.executable, __file__, "--child", str(dump), "1" if profile else "0"],
            stdout=subprocess.PIPE,
            text=True,
        )
        out = proc.stdout.read() if proc.stdout else ""
        _, status, usage = os.wait4(proc.pid, 0)
        result = [ln for ln in out.splitlines() if ln.startswith("RESULT")]
        if profile:
            print("\n".join(ln for ln in out.splitlines() if not ln.startswith("RESULT")))
        if not result:
            print(f"{n}: child failed (exit {os.waitstatus_to_exitcode(status)})")
            continue
        _, ntab, nrows, secs = result[0].split()
        secs_f = float(secs)
        rss = usage.ru_maxrss / 1024
        print(
            f"{int(ntab):6d}  {int(nrows):8d}  {secs_f:7.1f}  {int(ntab) / secs_f:8.0f}  "
            f"{int(nrows) / secs_f:8.0f}  {rss:8.0f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
