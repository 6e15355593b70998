"""Benchmark: the SQL dump ingester against DuckDB's own CSV reader and a naive parser.

Generates a deterministic synthetic mysqldump of N contribution rows (13 columns, extended
INSERTs of 1000 rows, strings with commas, quotes, backslash escapes and non-ASCII text) plus
the same rows as CSV, then runs each contender in its own subprocess and reports rows/s, MB/s
and the child's peak RSS (``os.wait4`` rusage of that child):

- ``ingest``: ``load_dump`` into a fresh warehouse file;
- ``duckdb_csv``: ``CREATE TABLE ... AS SELECT * FROM read_csv(...)`` on the CSV into a
  warehouse file (the ceiling: DuckDB's C++ reader on the same rows);
- ``naive``: a character-by-character Python loader (statement splitting and VALUES parsing
  in plain Python, values typed in Python, Arrow batches into DuckDB), on the first
  min(N, 200k) rows: the baseline a straightforward implementation reaches.

Usage: python tests/benchmarks/bench_dump_ingest.py --rows 1000000 --out /tmp/dumpbench
       [--repeat K]  (memory at scale: load a dump of K x rows made by writing the rows-row
                      dump's INSERT statements K times -- quick to build at 50M+ rows; only
                      the ingest contender runs, and the load is checked to hold K x rows)
       [--runs K]    (run ingest and read_csv K times each, alternately, and report the median
                      of each and the ratio of the medians: a shared machine's load moves
                      single runs by +-10%)
Not a test: run it by hand; it writes only under --out.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROWS_PER_INSERT = 1000
NAIVE_ROWS = 200_000
SEED = 20240501

COLUMNS = [
    ("contribution_id", "bigint unsigned NOT NULL", "UBIGINT"),
    ("committee_id", "varchar(9) NOT NULL", "VARCHAR"),
    ("donor_name", "varchar(200) NOT NULL", "VARCHAR"),
    ("employer", "varchar(200) DEFAULT NULL", "VARCHAR"),
    ("occupation", "varchar(100) DEFAULT NULL", "VARCHAR"),
    ("city", "varchar(60) DEFAULT NULL", "VARCHAR"),
    ("state", "char(2) DEFAULT NULL", "VARCHAR"),
    ("zip", "varchar(10) DEFAULT NULL", "VARCHAR"),
    ("contribution_date", "date NOT NULL", "DATE"),
    ("amount", "decimal(14,2) NOT NULL", "DECIMAL(14,2)"),
    ("memo", "text", "VARCHAR"),
    ("report_year", "smallint NOT NULL", "SMALLINT"),
    ("is_memo", "tinyint(1) NOT NULL DEFAULT '0'", "TINYINT"),
]

LAST = [
    "SMITH",
    "JOHNSON",
    "WILLIAMS",
    "BROWN",
    "JONES",
    "GARCIA",
    "MILLER",
    "DAVIS",
    "RODRIGUEZ",
    "MARTINEZ",
    "HERNANDEZ",
    "LOPEZ",
    "GONZALEZ",
    "WILSON",
    "ANDERSON",
    "THOMAS",
    "TAYLOR",
    "MOORE",
    "JACKSON",
    "MARTIN",
    "LEE",
    "PEREZ",
    "THOMPSON",
    "WHITE",
    "HARRIS",
    "SANCHEZ",
    "CLARK",
    "RAMIREZ",
    "LEWIS",
    "ROBINSON",
    "O'BRIEN",
    "MÜLLER",
    "GARCÍA",
    "NGUYEN",
    "D'ANGELO",
    "李",
    "ØSTERGÅRD",
    "O'NEIL",
]
FIRST = [
    "JOHN",
    "MARY",
    "JOSÉ",
    "ANNA",
    "WEI",
    "ZOË",
    "PETER",
    "LINDA",
    "JAMES",
    "PATRICIA",
    "ROBERT",
    "JENNIFER",
    "MICHAEL",
    "ELIZABETH",
    "DAVID",
    "BARBARA",
    "RICHARD",
    "SUSAN",
]
EMPLOYERS = [
    "ACME & SONS, INC.",
    "SELF-EMPLOYED",
    "RETIRED",
    "GOOGLE LLC",
    "NOT EMPLOYED",
    "DELOITTE",
    "ERNST & YOUNG",
    "UNIVERSITY OF X; DEPT. Y",
    'THE "BEST" CORP',
    "KAISER PERMANENTE",
    "MICROSOFT",
    "N/A",
    "HOMEMAKER",
    "STATE OF CALIFORNIA",
    "BANK OF AMERICA, N.A.",
    "SELF",
    "MCKINSEY & COMPANY",
    "GEO GROUP, INC., THE",
]
OCCUPATIONS = [
    "ENGINEER",
    "ATTORNEY",
    "TEACHER",
    "CEO",
    "NOT EMPLOYED",
    "PHYSICIAN",
    "RETIRED",
    "CONSULTANT",
    "SALES",
    "HOMEMAKER",
    "NURSE",
    "PROFESSOR",
    "WRITER",
]
CITIES = [
    ("BOSTON", "MA"),
    ("NEW YORK", "NY"),
    ("SAN JOSÉ", "CA"),
    ("ST. LOUIS", "MO"),
    ("COEUR D'ALENE", "ID"),
    ("CHICAGO", "IL"),
    ("HOUSTON", "TX"),
    ("SEATTLE", "WA"),
    ("MIAMI", "FL"),
    ("DENVER", "CO"),
    ("ATLANTA", "GA"),
    ("PORTLAND", "OR"),
]
MEMOS = [None] * 14 + [
    'EARMARKED; SEE "NOTE" -- /* not a comment */',
    "LINE1\nLINE2\tTAB",
    "REFUND (PARTIAL), 50%",
    "semi;colon', 'tricky'), (",
    "back\\slash",
]


def rows(n: int, seed: int = SEED):
    """Deterministic contribution rows (Python values)."""
    rnd = random.Random(seed)
    for i in range(n):
        city, state = rnd.choice(CITIES)
        cents = rnd.randrange(-50_000, 500_000)
        sign = "-" if cents < 0 else ""
        amount = f"{sign}{abs(cents) // 100}.{abs(cents) % 100:02d}"
        yield (
            i + 1,
            f"C{rnd.randrange(10**8):08d}",
            f"{rnd.choice(LAST)}, {rnd.choice(FIRST)}",
            rnd.choice(EMPLOYERS),
            rnd.choice(OCCUPATIONS),
            city,
            state,
            f"{rnd.randrange(100000):05d}",
            f"2024-{rnd.randrange(1, 13):02d}-{rnd.randrange(1, 29):02d}",
            amount,
            rnd.choice(MEMOS),
            2024,
            rnd.randrange(2),
        )


_ESC = str.maketrans(
    {"\\": "\\\\", "'": "\\'", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\x00": "\\0", "\x1a": "\\Z", '"': '\\"'}
)


def sql_literal(v: object) -> str:
    if v is None:
        return "NULL"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, str) and v[:1].isdigit() and v.count(".") == 1 and v.replace(".", "").isdigit():
        return v
    if isinstance(v, str) and v.startswith("-") and v[1:].replace(".", "").isdigit():
        return v
    return "'" + str(v).translate(_ESC) + "'"


def repeated(sql_path: Path, times: int) -> Path:
    """The dump at ``sql_path`` with its INSERT statements written ``times`` times over."""
    target = sql_path.with_name(f"{sql_path.stem}_x{times}.sql")
    if target.exists():
        return target
    text = sql_path.read_bytes()
    first = text.index(b"INSERT INTO")
    last = text.index(b"\n", text.rindex(b"INSERT INTO")) + 1
    partial = target.with_suffix(".partial")
    with partial.open("wb") as out:
        out.write(text[:first])
        for _ in range(times):
            out.write(text[first:last])
        out.write(text[last:])
    partial.rename(target)
    return target


def generate(n: int, out: Path) -> tuple[Path, Path]:
    out.mkdir(parents=True, exist_ok=True)
    sql_path, csv_path = out / f"contributions_{n}.sql", out / f"contributions_{n}.csv"
    if sql_path.exists() and csv_path.exists():
        return sql_path, csv_path
    cols = ",\n".join(f"  `{name}` {decl}" for name, decl, _ in COLUMNS)
    with (
        open(sql_path, "w", encoding="utf-8", newline="\n") as sql,
        open(csv_path, "w", encoding="utf-8", newline="") as csvf,
    ):
        sql.write(
            "-- MySQL dump 10.13  Distrib 8.0.36, for Linux (x86_64)\n--\n"
            "-- Host: localhost    Database: fec\n"
            "-- ------------------------------------------------------\n\n"
            "/*!40101 SET @OLD_CHARACTER_SET_CLIENT=@@CHARACTER_SET_CLIENT */;\n"
            "/*!50503 SET NAMES utf8mb4 */;\n"
            "/*!40103 SET @OLD_TIME_ZONE=@@TIME_ZONE */;\n/*!40103 SET TIME_ZONE='+00:00' */;\n"
            "/*!40101 SET @OLD_SQL_MODE=@@SQL_MODE, SQL_MODE='NO_AUTO_VALUE_ON_ZERO' */;\n\n"
            "DROP TABLE IF EXISTS `contributions`;\n"
            "/*!40101 SET @saved_cs_client     = @@character_set_client */;\n"
            f"CREATE TABLE `contributions` (\n{cols},\n  PRIMARY KEY (`contribution_id`)\n"
            ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;\n"
            "/*!40101 SET character_set_client = @saved_cs_client */;\n\n"
            "LOCK TABLES `contributions` WRITE;\n"
            "/*!40000 ALTER TABLE `contributions` DISABLE KEYS */;\n"
        )
        writer = csv.writer(csvf, lineterminator="\n")
        writer.writerow([c[0] for c in COLUMNS])
        batch: list[str] = []
        for row in rows(n):
            batch.append("(" + ",".join(sql_literal(v) for v in row) + ")")
            writer.writerow(["" if v is None else v for v in row])
            if len(batch) == ROWS_PER_INSERT:
                sql.write("INSERT INTO `contributions` VALUES " + ",".join(batch) + ";\n")
                batch = []
        if batch:
            sql.write("INSERT INTO `contributions` VALUES " + ",".join(batch) + ";\n")
        sql.write(
            "/*!40000 ALTER TABLE `contributions` ENABLE KEYS */;\nUNLOCK TABLES;\n"
            "/*!40101 SET SQL_MODE=@OLD_SQL_MODE */;\n/*!40103 SET TIME_ZONE=@OLD_TIME_ZONE */;\n"
            "-- Dump completed\n"
        )
    return sql_path, csv_path


# ---------------------------------------------------------------------------------------------
# Contenders (each runs in a child process: `--child NAME FILE DB`)


def child_ingest(sql_path: Path, db: Path) -> dict:
    from ingest import warehouse
    from ingest.sqldump import load_dump

    con = warehouse.connect(db)
    started = time.perf_counter()
    entries = load_dump(con, sql_path)
    elapsed = time.perf_counter() - started
    con.close()
    return {"rows": sum(e.row_count for e in entries), "seconds": elapsed}


def child_duckdb_csv(csv_path: Path, db: Path) -> dict:
    import duckdb

    con = duckdb.connect(str(db))
    spec = ", ".join(f"'{name}': '{duck}'" for name, _, duck in COLUMNS)
    started = time.perf_counter()
    con.execute(
        "CREATE TABLE contributions AS SELECT * FROM read_csv(?, header=true, quote='\"', "
        f"escape='\"', columns={{{spec}}})",
        [str(csv_path)],
    )
    elapsed = time.perf_counter() - started
    n = con.execute("SELECT count(*) FROM contributions").fetchone()[0]
    con.close()
    return {"rows": n, "seconds": elapsed}


def child_naive(sql_path: Path, limit: int, db: Path) -> dict:
    """The obvious loader: one character at a time, statement splitting and VALUES parsing
    in plain Python, values typed with int()/Decimal()/date.fromisoformat(), appended to
    DuckDB in Arrow batches. Runs on the first ``limit`` rows."""
    import datetime as dt
    from decimal import Decimal

    import duckdb
    import pyarrow as pa

    escapes = {"n": "\n", "t": "\t", "r": "\r", "0": "\0", "Z": "\x1a", "b": "\b"}
    converters = [int, str, str, str, str, str, str, str, dt.date.fromisoformat, Decimal, str, int, int]
    con = duckdb.connect(str(db))
    spec = ", ".join(f"{name} {duck}" for name, _, duck in COLUMNS)
    con.execute(f"CREATE TABLE contributions ({spec})")
    started = time.perf_counter()
    parsed = nbytes = 0
    batch: list[list[object]] = []

    def flush() -> None:
        names = [c[0] for c in COLUMNS]
        con.from_arrow(pa.Table.from_pylist([dict(zip(names, r, strict=False)) for r in batch])).insert_into(
            "contributions"
        )
        batch.clear()

    def values(stmt: str) -> None:
        nonlocal parsed
        i = stmt.index("VALUES") + 6
        n = len(stmt)
        row: list[object] = []
        while i < n and parsed < limit:
            c = stmt[i]
            if c == "(":
                row = []
                i += 1
            elif c == "'":
                i += 1
                buf = []
                while True:
                    c = stmt[i]
                    if c == "\\":
                        buf.append(escapes.get(stmt[i + 1], stmt[i + 1]))
                        i += 2
                    elif c == "'" and stmt[i + 1 : i + 2] == "'":
                        buf.append("'")
                        i += 2
                    elif c == "'":
                        i += 1
                        break
                    else:
                        buf.append(c)
                        i += 1
                row.append("".join(buf))
            elif c in ", \n\t;":
                i += 1
            elif c == ")":
                batch.append([None if v is None else conv(v) for conv, v in zip(converters, row, strict=False)])
                parsed += 1
                if len(batch) >= 50_000:
                    flush()
                i += 1
            else:
                j = i
                while stmt[j] not in ",)":
                    j += 1
                tok = stmt[i:j]
                row.append(None if tok == "NULL" else tok)
                i = j

    with open(sql_path, encoding="utf-8") as fh:
        stmt: list[str] = []
        quote = False
        while parsed < limit:
            block = fh.read(1 << 20)
            if not block:
                break
            nbytes += len(block.encode("utf-8"))
            i = 0
            while i < len(block):
                c = block[i]
                stmt.append(c)
                if quote:
                    if c == "\\":
                        i += 1
                        stmt.append(block[i] if i < len(block) else fh.read(1))
                    elif c == "'":
                        quote = False
                elif c == "'":
                    quote = True
                elif c == ";":
                    text = "".join(stmt).strip()
                    stmt = []
                    if text.startswith("INSERT INTO"):
                        values(text)
                        if parsed >= limit:
                            break
                i += 1
    if batch:
        flush()
    elapsed = time.perf_counter() - started
    con.close()
    return {"rows": parsed, "seconds": elapsed, "bytes": nbytes}


def run_child(args: list[str]) -> tuple[dict, int]:
    """Run one contender; returns its JSON result and its own peak RSS in bytes."""
    proc = subprocess.Popen([sys.executable, __file__, "--child", *args], stdout=subprocess.PIPE, text=True)
    out = proc.stdout.read() if proc.stdout else ""
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"contender {args[0]} failed (exit {proc.returncode})")
    return json.loads(out.strip().splitlines()[-1]), usage.ru_maxrss * 1024


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--out", type=Path, default=Path("/tmp/dumpbench"))
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    parser.add_argument("--skip", nargs="*", default=[], help="contenders to leave out")
    parser.add_argument("--repeat", type=int, default=1, help="load the dump's INSERTs this many times over")
    parser.add_argument("--runs", type=int, default=1, help="runs of ingest and read_csv, alternately (median)")
    args = parser.parse_args(argv)
    if args.child:
        name, *rest = args.child
        if name == "ingest":
            result = child_ingest(Path(rest[0]), Path(rest[1]))
        elif name == "duckdb_csv":
            result = child_duckdb_csv(Path(rest[0]), Path(rest[1]))
        else:
            result = child_naive(Path(rest[0]), int(rest[1]), Path(rest[2]))
        print(json.dumps(result))
        return 0

    started = time.perf_counter()
    sql_path, csv_path = generate(args.rows, args.out)
    print(
        f"generated {args.rows:,} rows in {time.perf_counter() - started:.0f}s: "
        f"{sql_path} ({sql_path.stat().st_size / 1e6:,.0f} MB), "
        f"{csv_path} ({csv_path.stat().st_size / 1e6:,.0f} MB)",
        file=sys.stderr,
    )
    results = []
    if args.repeat > 1:
        sql_path = repeated(sql_path, args.repeat)
        args.skip = [*args.skip, "duckdb_csv", "naive"]
    plan = [
        ("ingest (load_dump)", ["ingest", str(sql_path), str(args.out / "ingest.duckdb")], sql_path.stat().st_size),
        (
            "DuckDB read_csv CTAS (ceiling)",
            ["duckdb_csv", str(csv_path), str(args.out / "csv.duckdb")],
            csv_path.stat().st_size,
        ),
        (
            f"naive char-by-char Python loader (first {min(args.rows, NAIVE_ROWS):,} rows)",
            ["naive", str(sql_path), str(min(args.rows, NAIVE_ROWS)), str(args.out / "naive.duckdb")],
            None,
        ),
    ]
    runs: dict[str, list[float]] = {}
    for run in range(args.runs):
        for label, child_args, nbytes in plan:
            if child_args[0] in args.skip or (run and child_args[0] == "naive"):
                continue
            for stale in args.out.glob("*.duckdb*"):
                stale.unlink()
            result, rss = run_child(child_args)
            size = nbytes if nbytes is not None else result["bytes"]
            if child_args[0] == "ingest" and result["rows"] != args.rows * args.repeat:
                raise SystemExit(f"ingest loaded {result['rows']:,} rows, not {args.rows * args.repeat:,}")
            runs.setdefault(label, []).append(result["seconds"])
            if run == 0:
                results.append((label, result["rows"], result["seconds"], size, rss))
            print(f"  {label}: {result['rows']:,} rows in {result['seconds']:.2f}s", file=sys.stderr)
    if args.runs > 1:
        # The table shows each contender's median run (peak RSS: its first run's).
        results = [(label, n, statistics.median(runs[label]), size, rss) for label, n, _, size, rss in results]
        for label, times in runs.items():
            print(f"  {label}: runs {', '.join(f'{t:.2f}' for t in times)} s", file=sys.stderr)
    print(
        f"\n{args.rows * args.repeat:,}-row synthetic mysqldump, {os.cpu_count()} CPUs, "
        f"load average {os.getloadavg()[0]:.1f}"
        + (f", median of {args.runs} alternating runs" if args.runs > 1 else "")
        + "\n"
    )
    print("| contender | rows | seconds | rows/s | MB/s | peak RSS (MiB) |")
    print("|---|---:|---:|---:|---:|---:|")
    for label, n, secs, size, rss in results:
        print(f"| {label} | {n:,} | {secs:.1f} | {n / secs:,.0f} | {size / 1e6 / secs:,.1f} | {rss / 2**20:,.0f} |")
    by = {r[0].split()[0]: r for r in results}
    if "ingest" in by and "DuckDB" in by:
        ratio = (by["ingest"][1] / by["ingest"][2]) / (by["DuckDB"][1] / by["DuckDB"][2])
        print(f"\ningest throughput = {ratio:.0%} of the DuckDB read_csv ceiling")
    if "ingest" in by and "naive" in by:
        ratio = (by["ingest"][1] / by["ingest"][2]) / (by["naive"][1] / by["naive"][2])
        print(f"ingest throughput = {ratio:.1f}x the naive parser")
    for stale in args.out.glob("*.duckdb*"):
        stale.unlink()
    return 0


if __name__ == "__main__":
    sys.exit(main())
