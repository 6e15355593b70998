"""Benchmark: the whole dbt build (staging, entity resolution, every analysis) on N synthetic
contribution rows. Not a test: it prints figures.

    .venv/bin/python tests/benchmarks/bench_analyses.py --rows 11000000 --out /tmp/bench_analyses

The raw tables are generated inside DuckDB (deterministic hash-based values, realistic shapes:
a donor pool, a long tail of employers, non-answers, payroll bundles, vendors whose staff give,
refunds and memo rows), registered in the ingest manifest, then `dbt build` runs in a child
process so its peak RSS can be measured. Per-model times come from target/run_results.json.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from ingest import manifest  # noqa: E402
from ingest.warehouse import connect  # noqa: E402


def generate(db: Path, rows: int, vendors: int, employers: int) -> None:
    con = connect(db)
    manifest.ensure_raw_schema(con)
    h = "hash(i * 2654435761 + {salt})"
    con.execute(f"""
        create or replace table raw.demo_contributions as
        with base as (select i, {h.format(salt=1)} as h1, {h.format(salt=2)} as h2,
                             {h.format(salt=3)} as h3 from range({rows}) t(i))
        select
            i as row_index,
            'SA' || i as contribution_id,
            case when h1 % 200 = 0 then 'ORG' else 'IND' end as contributor_type,
            case when h1 % 200 = 0 then 'VENDOR ' || (h2 % {vendors}) || ' HOLDINGS LLC'
                 else 'DONOR ' || (h2 % {rows // 4 + 1}) || ', PAT' end as donor_name,
            lpad(cast(h2 % 99999 as varchar), 5, '0') as donor_zip,
            case when h3 % 10 = 0 then 'RETIRED'
                 when h3 % 10 = 1 then 'SELF-EMPLOYED'
                 when h3 % 50 = 2 then 'VENDOR ' || (h2 % {vendors}) || ' HOLDINGS'
                 else 'EMPLOYER ' || (h3 % {employers}) || ' WORKS' end as employer,
            'ANALYST' as occupation,
            'C' || lpad(cast(h1 % 5000 as varchar), 5, '0') as committee_id,
            strftime(date '2021-01-01' + cast(h2 % 1095 as integer), '%m/%d/%Y') as contribution_date,
            case when h1 % 97 = 0 then '-' else '' end || cast(h3 % 900 + 1 as varchar) || '.00' as amount,
            case when h1 % 31 = 0 then 'X' else '' end as memo_code,
            '15' as transaction_type
        from base
    """)
    con.execute(f"""
        create or replace table raw.demo_contracts as
        select i as row_index, 'AWD' || i as award_id,
               'Vendor ' || (i % {vendors}) || ' Holdings, LLC' as vendor_name,
               'Agency ' || (i % 40) as agency,
               strftime(date '2021-01-01' + cast(hash(i) % 1095 as integer), '%Y-%m-%d') as award_date,
               cast(hash(i + 7) % 9000000 + 1000 as varchar) || '.00' as contract_value,
               case when i % 9 = 0 then 'SOLE SOURCE' else 'FULL AND OPEN COMPETITION' end as procurement_method
        from range({vendors * 3}) t(i)
    """)
    con.execute("""
        create or replace table raw.demo_candidates as
        select i as row_index, 'CAND' || i as candidate_id, 'Candidate ' || i as candidate_name,
               'C' || lpad(cast(i as varchar), 5, '0') as committee_id, 'Office' as office,
               'P' as party, 'MA' as state, '2022' as election_year
        from range(5000) t(i)
    """)
    for table in ["demo_contributions", "demo_contracts", "demo_candidates"]:
        n = con.execute(f"select count(*) from raw.{table}").fetchone()[0]
        digest = f"synthetic-{table}-{rows}"
        manifest.record(
            con,
            manifest.ManifestEntry(
                table, manifest.dataset_version_id(digest, table), "synthetic", "synthetic", digest, 0, n, {}
            ),
        )
    con.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--vendors", type=int, default=20_000)
    parser.add_argument("--employers", type=int, default=100_000)
    parser.add_argument("--out", type=Path, default=Path("/tmp/bench_analyses"))
    parser.add_argument("--memory-limit", default="4GB", help="DuckDB memory_limit for the build")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    db = args.out / "bench.duckdb"
    if db.exists():
        db.unlink()

    started = time.monotonic()
    generate(db, args.rows, args.vendors, args.employers)
    generated = time.monotonic() - started

    env = dict(
        os.environ,
        MONEYTRAIL_DB=str(db),
        DBT_SEND_ANONYMOUS_USAGE_STATS="false",
        DO_NOT_TRACK="1",
        MONEYTRAIL_MEMORY_LIMIT=args.memory_limit,
    )
    target = args.out / "target"
    cmd = [
        str(Path(sys.executable).parent / "dbt"),
        "build",
        "--project-dir",
        str(REPO),
        "--profiles-dir",
        str(REPO),
        "--target-path",
        str(target),
        "--log-path",
        str(args.out / "logs"),
        "--vars",
        json.dumps({"role_map": _demo_role_map_without_tolerance(), "timing": {"n_permutations": 2000}}),
    ]
    started = time.monotonic()
    proc = subprocess.run(cmd, env=env, cwd=REPO, capture_output=True, text=True)
    build_seconds = time.monotonic() - started
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    if proc.returncode != 0:
        print(proc.stdout[-4000:], proc.stderr[-2000:])

    results = json.loads((target / "run_results.json").read_text())["results"]
    timings = sorted(
        (
            (r["unique_id"].split(".")[-1], r["execution_time"], r["status"])
            for r in results
            if r["unique_id"].startswith("model.")
        ),
        key=lambda t: -t[1],
    )
    sql_models = [t for t in timings if t[0] not in {"int_name_matches", "int_timing_tests"}]
    print(f"rows: {args.rows:,}  vendors: {args.vendors:,}  employer pool: {args.employers:,}")
    print(f"generate raw tables: {generated:.1f} s")
    print(
        f"dbt build (all models and tests): {build_seconds:.1f} s, exit {proc.returncode}, "
        f"peak RSS {peak_mb:,.0f} MB (memory_limit {args.memory_limit})"
    )
    print(
        f"SQL models total: {sum(t[1] for t in sql_models):.1f} s; "
        f"Python models: " + ", ".join(f"{n} {s:.1f} s" for n, s, _ in timings if (n, s, _) not in sql_models)
    )
    print("| model | seconds | status |\n|---|---|---|")
    for name, seconds, status in timings:
        print(f"| {name} | {seconds:.1f} | {status} |")
    return proc.returncode


def _demo_role_map_without_tolerance() -> dict:
    import yaml

    role_map = yaml.safe_load((REPO / "dbt_project.yml").read_text())["vars"]["role_map"]
    # synthetic rows all parse; keep the release-gate default of zero tolerated rejects
    role_map["contributions"].pop("reject_tolerance", None)
    return role_map


if __name__ == "__main__":
    sys.exit(main())
