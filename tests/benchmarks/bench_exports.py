"""Benchmark: the SQL export writer (moneytrail/export_cells.py) against the row-by-row writer.

Builds a warehouse with a cross_links-shaped mart of N rows (text with commas and quotes, DECIMAL,
DOUBLE, dates, booleans, lists; written as CSV and JSONL) and a timing_signals-shaped one (six
DOUBLE columns), exports both with each writer, and prints seconds, rows/s, peak RSS growth and
whether the files are byte-identical (sha256). Everything is generated in SQL from the row
number: the same N gives the same data.

Usage: python tests/benchmarks/bench_exports.py --rows 1000000 --out /tmp/exportbench [--skip-rows-writer]
Not a test: run it by hand; it writes only under --out.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import duckdb  # noqa: E402

from moneytrail import exports  # noqa: E402

CROSS_LINKS = """
create table marts.cross_links as
select
    printf('%016x', hash(i)) as edge_id,
    case i % 3 when 0 then 'vendor_employer' when 1 then 'vendor_business_donor' else 'vendor_self' end as relation,
    case when i % 5 = 0 then 'fuzzy' else 'exact' end as match_type,
    'probable' as confidence_tier,
    printf('v%06d', i % 50000) as vendor_entity_id,
    case when i % 4 = 0 then 'SMITH, JOHN "JACK"|' else 'DOE, JANE|' end || (i % 99999)::varchar as donor_key,
    printf('C%08d', i % 7000) as recipient_id,
    'db://dsv_0123456789abcdef#row_index=' || i::varchar as contribution_row_ref,
    ((i * 7919) % 500000 / 100.0)::decimal(18, 2) as amount,
    (i % 1000) / 997.0 as score,
    (i % 17) / 3.0 as overlap_ratio,
    case when i % 9 = 0 then null else [printf('WORD%d', i % 31), 'ACME, INC'] end as shared,
    date '2017-01-01' + (i % 700)::integer as donation_date,
    i % 2 = 0 as is_memo,
    case when i % 50 = 0 then null else 'Employer ' || (i % 5000)::varchar || ', LLC' end as donor_name
from range({rows}) t(i)
"""

TIMING = """
create table marts.timing_signals as
select
    printf('%016x', hash(i, 'timing')) as signal_id,
    printf('v%06d', i % 50000) as vendor_entity_id,
    printf('C%08d', i % 7000) as recipient_id,
    (i % 400) / 7.0 as observed_mean_days,
    (i % 300) / 3.0 as null_mean_days,
    sqrt(i % 1000) as null_sd_days,
    ((i % 200) - 100) / 13.0 as effect_size,
    (i % 2000 + 1) / 2001.0 as p_value,
    least(1.0, (i % 2000 + 1) / 1500.0) as q_value,
    [date '2018-01-01' + (i % 30)::integer, date '2018-06-01'] as award_dates,
    ['db://dsv_a#row_index=' || i::varchar, 'db://dsv_a#row_index=' || (i + 1)::varchar] as donation_row_refs
from range({timing_rows}) t(i)
"""


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def build(db: Path, rows: int) -> None:
    con = duckdb.connect(str(db))
    con.execute("create schema marts")
    con.execute(CROSS_LINKS.format(rows=rows))
    con.execute(TIMING.format(timing_rows=rows // 4))
    con.close()


def run(db: Path, out: Path, min_rows: int, label: str) -> dict[str, str]:
    exports.FAST_EXPORT_MIN_ROWS = min_rows
    con = duckdb.connect(str(db), read_only=True)
    specs = [s for s in exports.EXPORTS if s.name in ("cross_links", "timing_signals")]
    before = peak_rss_mib()
    start = time.perf_counter()
    cpu = time.process_time()
    result = exports.export_marts(con, out, export_specs=specs)
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    con.close()
    records = sum(f.records for f in result.files if f.path.endswith(".csv"))
    print(
        f"{label}: {wall:.1f} s wall, {cpu:.1f} CPU s, {records / wall:,.0f} rows/s "
        f"({records:,} rows in {len(result.files)} files), peak RSS {peak_rss_mib():.0f} MiB (was {before:.0f})",
        flush=True,
    )
    return {f.path: exports.sha256_file(out / f.path) for f in result.files}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--skip-rows-writer", action="store_true", help="time the SQL writer only")
    args = parser.parse_args()
    shutil.rmtree(args.out, ignore_errors=True)
    args.out.mkdir(parents=True)
    db = args.out / "bench.duckdb"
    start = time.perf_counter()
    build(db, args.rows)
    built = f"{args.rows:,} cross_links + {args.rows // 4:,} timing_signals rows"
    print(f"built {built} in {time.perf_counter() - start:.1f} s")
    sql = run(db, args.out / "sql", 0, "SQL writer")
    if args.skip_rows_writer:
        return
    rows = run(db, args.out / "rows", 10**18, "row writer")
    same = sorted(rows) == sorted(sql) and all(rows[k] == sql[k] for k in rows)
    print("files byte-identical:", "yes" if same else f"NO: {sorted(k for k in rows if rows[k] != sql.get(k))}")
    if not same:
        sys.exit(1)


if __name__ == "__main__":
    main()
