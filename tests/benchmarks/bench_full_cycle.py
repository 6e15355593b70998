"""Benchmark: a synthetic FEC cycle through the whole job (`moneytrail run`: ingest, dbt build,
report), with wall time, peak RSS and the slowest dbt steps.

Generates, deterministically (seeded numpy generator), an FEC-shaped individual-contributions
file in the bulk itcont format (21 pipe-separated columns, no header, MMDDYYYY dates) of N rows:
skewed committee popularity over the real 2023-24 committee master shipped in examples/fec_ice,
a donor pool of N/4 people with US-style surname/first-name frequencies, employers mixing
RETIRED / NOT EMPLOYED / SELF-EMPLOYED, common companies and the contract vendors (in several
spellings), FEC transaction types (15, 15E earmarks with OTHER_ID, 24T, 22Y refunds with
negative amounts), memo rows and amendments. Beside it a contracts file of N/2,000 awards
(at least 500) to 400 vendors with award dates in the same cycle, so the linker, bundles,
limits and the timing test all have work. The real committee (cm), candidate (cn) and linkage
(ccl) files of examples/fec_ice are used as they are.

Then runs ``moneytrail run`` on a run file using the FEC preset in a child process and prints:
wall time of each phase (ingest, role-map check, dbt build, report), the child's peak RSS
(``os.wait4``), the load average, and the slowest dbt nodes from run_results.json.

Usage: python tests/benchmarks/bench_full_cycle.py --rows 1000000 --out /tmp/fullcycle [--top 15]
[--engine spark [--spark-workers 2]] (the same files built on Apache Spark, local[2] or on a
standalone cluster of N workers started on this machine). Besides os.wait4's peak RSS of one process
it prints the peak of the whole process tree's summed RSS (JVMs included), sampled each second.
Not a test: run it by hand; it writes only under --out (the generated files are kept for
reruns at the same size).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
FEC_ICE = ROOT / "examples" / "fec_ice"
SEED = 20260101
CHUNK = 250_000

LAST = (
    "SMITH JOHNSON WILLIAMS BROWN JONES GARCIA MILLER DAVIS RODRIGUEZ MARTINEZ HERNANDEZ LOPEZ "
    "GONZALEZ WILSON ANDERSON THOMAS TAYLOR MOORE JACKSON MARTIN LEE PEREZ THOMPSON WHITE HARRIS "
    "SANCHEZ CLARK RAMIREZ LEWIS ROBINSON WALKER YOUNG ALLEN KING WRIGHT SCOTT TORRES NGUYEN HILL "
    "FLORES GREEN ADAMS NELSON BAKER HALL RIVERA CAMPBELL MITCHELL CARTER ROBERTS GOMEZ PHILLIPS "
    "EVANS TURNER DIAZ PARKER CRUZ EDWARDS COLLINS REYES STEWART MORRIS MORALES MURPHY COOK ROGERS "
    "GUTIERREZ ORTIZ MORGAN COOPER PETERSON BAILEY REED KELLY HOWARD RAMOS KIM COX WARD RICHARDSON "
    "WATSON BROOKS CHAVEZ WOOD JAMES BENNETT GRAY MENDOZA RUIZ HUGHES PRICE ALVAREZ CASTILLO SANDERS "
    "PATEL MYERS LONG ROSS FOSTER JIMENEZ O'BRIEN MCDONALD DE LA CRUZ"
).split(" ")
FIRST = (
    "JAMES MARY ROBERT PATRICIA JOHN JENNIFER MICHAEL LINDA DAVID ELIZABETH WILLIAM BARBARA RICHARD "
    "SUSAN JOSEPH JESSICA THOMAS SARAH CHARLES KAREN CHRISTOPHER LISA DANIEL NANCY MATTHEW BETTY "
    "ANTHONY MARGARET MARK SANDRA DONALD ASHLEY STEVEN KIMBERLY PAUL EMILY ANDREW DONNA JOSHUA MICHELLE "
    "KENNETH CAROL KEVIN AMANDA BRIAN DOROTHY GEORGE MELISSA TIMOTHY DEBORAH JOSE MARIA JUAN ANA"
).split(" ")
OCCUPATIONS = (
    "RETIRED|NOT EMPLOYED|ATTORNEY|PHYSICIAN|CONSULTANT|ENGINEER|TEACHER|CEO|PRESIDENT|OWNER|"
    "EXECUTIVE|SALES|MANAGER|REAL ESTATE|HOMEMAKER|PROFESSOR|NURSE|SOFTWARE ENGINEER|ACCOUNTANT|"
    "INFORMATION REQUESTED|WRITER|DIRECTOR|VICE PRESIDENT|LOBBYIST|FARMER"
).split("|")
GENERIC_EMPLOYERS = (
    "SELF-EMPLOYED|SELF|NONE|N/A|INFORMATION REQUESTED|US GOVERNMENT|STATE OF CALIFORNIA|"
    "UNIVERSITY OF MICHIGAN|KAISER PERMANENTE|GOOGLE|MICROSOFT|AMAZON|APPLE INC.|WALMART|"
    "JPMORGAN CHASE|GOLDMAN SACHS|DELOITTE|MAYO CLINIC|BOEING|LOCKHEED MARTIN|US ARMY|"
    "SCHOOL DISTRICT|CITY OF NEW YORK|HOMEMAKER|STUDENT"
).split("|")
CITIES = [
    ("NEW YORK", "NY", "100"),
    ("LOS ANGELES", "CA", "900"),
    ("CHICAGO", "IL", "606"),
    ("HOUSTON", "TX", "770"),
    ("PHOENIX", "AZ", "850"),
    ("PHILADELPHIA", "PA", "191"),
    ("SAN ANTONIO", "TX", "782"),
    ("SAN DIEGO", "CA", "921"),
    ("DALLAS", "TX", "752"),
    ("AUSTIN", "TX", "787"),
    ("SEATTLE", "WA", "981"),
    ("DENVER", "CO", "802"),
    ("WASHINGTON", "DC", "200"),
    ("BOSTON", "MA", "021"),
    ("ARLINGTON", "VA", "222"),
    ("MIAMI", "FL", "331"),
    ("ATLANTA", "GA", "303"),
    ("PORTLAND", "OR", "972"),
]
VENDOR_STEMS = (
    "ACME|APEX|BEACON|CARDINAL|SUMMIT|IRONWOOD|LIBERTY|PATRIOT|PINNACLE|MERIDIAN|KEYSTONE|"
    "FRONTIER|HORIZON|GRANITE|EAGLE|PIONEER|SENTINEL|VANGUARD|ATLAS|CORNERSTONE"
).split("|")
VENDOR_KINDS = (
    "FACILITIES|LOGISTICS|DEFENSE SYSTEMS|HEALTH SERVICES|CONSTRUCTION|TECHNOLOGIES|SECURITY|"
    "CONSULTING GROUP|ENGINEERING|DETENTION SERVICES|TRANSPORT|LABORATORIES|ENERGY|SUPPLY|ANALYTICS|"
    "MEDICAL|MANAGEMENT|SOLUTIONS|INFRASTRUCTURE|COMMUNICATIONS"
).split("|")
SUFFIXES = ["INC", "INC.", "LLC", "CORP", "CORPORATION", "CO", "GROUP INC"]
AGENCIES = [
    "DEPARTMENT OF DEFENSE",
    "DEPARTMENT OF HOMELAND SECURITY",
    "DEPARTMENT OF HEALTH AND HUMAN SERVICES",
    "DEPARTMENT OF VETERANS AFFAIRS",
    "GENERAL SERVICES ADMINISTRATION",
    "DEPARTMENT OF ENERGY",
]
METHODS = ["FULL AND OPEN COMPETITION"] * 6 + ["NOT COMPETED", "SOLE SOURCE", "SIMPLIFIED ACQUISITION"]
AMOUNTS = np.array([10, 25, 50, 100, 150, 250, 500, 1000, 2000, 2900, 3300, 5000, 6600])
AMOUNT_P = np.array([8, 16, 16, 18, 4, 12, 9, 7, 3, 2, 3, 1, 1], dtype=float)


def _zipf_p(n: int, s: float = 1.1) -> np.ndarray:
    p = 1.0 / np.arange(1, n + 1) ** s
    return p / p.sum()


def _committees() -> list[str]:
    with gzip.open(FEC_ICE / "fec2024_cm.txt.gz", "rt", encoding="utf-8", errors="replace") as f:
        return [line.split("|", 1)[0] for line in f if line.strip()]


def _vendors() -> list[tuple[str, str]]:
    """400 vendors: (name on the awards, a spelling donors write as employer)."""
    out = []
    for i in range(400):
        stem = VENDOR_STEMS[i % len(VENDOR_STEMS)]
        kind = VENDOR_KINDS[(i // len(VENDOR_STEMS)) % len(VENDOR_KINDS)]
        suffix = SUFFIXES[i % len(SUFFIXES)]
        name = f"{stem} {kind} {suffix}"
        spelling = f"{stem} {kind}" if i % 3 else name.title()
        out.append((name, spelling))
    return out


def _dates(rng: np.random.Generator, n: int) -> np.ndarray:
    """Days since 2023-01-01 within the 2023-24 cycle, more towards the election."""
    days = (rng.beta(2.2, 1.2, n) * 730).astype(np.int64)
    return np.datetime64("2023-01-01") + days.astype("timedelta64[D]")


def write_itcont(path: Path, n: int, vendors: list[tuple[str, str]]) -> None:
    rng = np.random.default_rng(SEED)
    committees = np.array(_committees())
    rng.shuffle(committees)
    cmte_p = _zipf_p(len(committees), 1.05)
    donors = max(1000, n // 4)
    donor_last = rng.choice(len(LAST), donors, p=_zipf_p(len(LAST), 0.8))
    donor_first = rng.choice(len(FIRST), donors)
    donor_initial = rng.integers(0, 27, donors)
    donor_city = rng.integers(0, len(CITIES), donors)
    donor_zip = rng.integers(0, 100_000_000, donors)
    employers = GENERIC_EMPLOYERS + [v[1] for v in vendors]
    emp_p = np.concatenate([np.full(len(GENERIC_EMPLOYERS), 3.0), _zipf_p(len(vendors), 1.0) * 15])
    emp_p[[0, 2]] += 10  # SELF-EMPLOYED, NONE
    donor_emp = rng.choice(len(employers), donors, p=emp_p / emp_p.sum())
    donor_retired = rng.random(donors) < 0.25
    donor_occ = rng.integers(2, len(OCCUPATIONS), donors)
    donor_p = _zipf_p(donors, 0.6)
    tx_types = np.array(["15", "15E", "24T", "22Y", "15C"])
    with path.open("w", encoding="utf-8", newline="\n") as out:
        for first in range(0, n, CHUNK):
            m = min(CHUNK, n - first)
            d = rng.choice(donors, m, p=donor_p)
            cm = committees[rng.choice(len(committees), m, p=cmte_p)]
            tt = tx_types[rng.choice(5, m, p=[0.83, 0.12, 0.02, 0.01, 0.02])]
            amounts = rng.choice(AMOUNTS, m, p=AMOUNT_P / AMOUNT_P.sum())
            odd = rng.random(m) < 0.2
            amounts[odd] = rng.integers(1, 3000, int(odd.sum()))
            dates = _dates(rng, m).astype(str)
            memo = rng.random(m) < 0.04
            amend = rng.choice(np.array(["N", "A", "T"]), m, p=[0.97, 0.02, 0.01])
            rpt = rng.choice(np.array(["Q1", "Q2", "Q3", "YE", "M3", "12G", "30G", "Q3"]), m)
            lines = []
            for k in range(m):
                i = int(d[k])
                city, state, zip3 = CITIES[donor_city[i]]
                initial = "" if donor_initial[i] == 26 else f" {chr(65 + int(donor_initial[i]))}"
                name = f"{LAST[donor_last[i]]}, {FIRST[donor_first[i]]}{initial}"
                if donor_retired[i]:
                    emp, occ = "RETIRED", "RETIRED"
                else:
                    emp, occ = employers[donor_emp[i]], OCCUPATIONS[donor_occ[i]]
                t = tt[k]
                amt = int(amounts[k])
                other = ""
                if t == "22Y":
                    amt = -amt
                elif t == "15E":
                    other = "C00401224"  # an earmarking conduit
                y, mo, day = dates[k].split("-")
                sub_id = 4_000_000_000_000_000_000 + first + k
                memo_cd, memo_text = ("X", "EARMARKED CONTRIBUTION: SEE BELOW") if memo[k] else ("", "")
                lines.append(
                    f"{cm[k]}|{amend[k]}|{rpt[k]}|P2024||{t}|IND|{name}|{city}|{state}|"
                    f"{zip3}{int(donor_zip[i]) % 1_000_000:06d}|{emp}|{occ}|{mo}{day}{y}|{amt}|{other}|"
                    f"SA11AI.{first + k}|{1_500_000 + (first + k) // 5000}|{memo_cd}|{memo_text}|{sub_id}\n"
                )
            out.write("".join(lines))


def write_contracts(path: Path, n_awards: int, vendors: list[tuple[str, str]]) -> None:
    rng = np.random.default_rng(SEED + 1)
    v = rng.choice(len(vendors), n_awards, p=_zipf_p(len(vendors), 0.9))
    dates = _dates(rng, n_awards).astype(str)
    values = (rng.lognormal(12, 1.5, n_awards)).round(2)
    with path.open("w", encoding="utf-8", newline="\n") as out:
        out.write("award_id,vendor_name,agency,award_date,contract_value,procurement_method\n")
        for k in range(n_awards):
            out.write(
                f"AWD-{k:08d},{vendors[v[k]][0]},{AGENCIES[k % len(AGENCIES)]},{dates[k]},"
                f"{values[k]:.2f},{METHODS[int(rng.integers(len(METHODS)))]}\n"
            )


RUN_FILE = """\
name: full_cycle_{rows}
source: fec
fec_files:
  contributions: itcont_{rows}.txt
  committees: {fec_ice}/fec2024_cm.txt.gz
  candidates: {fec_ice}/fec2024_cn.txt.gz
  candidate_links: {fec_ice}/fec2024_ccl.txt.gz
inputs:
  - path: contracts_{rows}.csv
    table: bench_contracts
vars:
  role_map:
    contracts:
      table: bench_contracts
      columns:
        award_id: award_id
        vendor_name: vendor_name
        agency: agency
        award_date: {{column: award_date, format: "%Y-%m-%d"}}
        contract_value: contract_value
        procurement_method: procurement_method
"""


def generate(rows: int, out: Path) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    itcont, contracts = out / f"itcont_{rows}.txt", out / f"contracts_{rows}.csv"
    vendors = _vendors()
    if not itcont.exists():
        started = time.perf_counter()
        partial = itcont.with_suffix(".partial")
        write_itcont(partial, rows, vendors)
        partial.rename(itcont)
        print(
            f"generated {itcont.name} ({itcont.stat().st_size / 1e6:,.0f} MB) in {time.perf_counter() - started:.0f}s"
        )
    if not contracts.exists():
        write_contracts(contracts, max(500, rows // 2000), vendors)
    run_file = out / f"run_{rows}.yml"
    run_file.write_text(RUN_FILE.format(rows=rows, fec_ice=FEC_ICE.as_posix()), encoding="utf-8")
    return run_file


class TreeMemory:
    """The largest sum of resident memory over a process and all its descendants, sampled every
    second from /proc on a thread of its own (os.wait4's figure is one process's peak: a Spark
    driver, master, workers and executors are separate processes)."""

    def __init__(self, pid: int):
        self.pid, self.peak, self._done = pid, 0, threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        while not self._done.wait(1.0):
            self.peak = max(self.peak, self._rss(self.pid))

    @staticmethod
    def _rss(root: int) -> int:
        parents, rss = {}, {}
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                parents[int(entry.name)] = int(fields[1])
                rss[int(entry.name)] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
            except (OSError, IndexError, ValueError):
                continue  # the process ended meanwhile
        total, stack = 0, [root]
        while stack:
            pid = stack.pop()
            total += rss.get(pid, 0)
            stack.extend(child for child, parent in parents.items() if parent == pid)
        return total

    def stop(self) -> None:
        self._done.set()
        self._thread.join()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--out", type=Path, default=Path("/tmp/fullcycle"))
    parser.add_argument("--top", type=int, default=15, help="slowest dbt nodes to list")
    parser.add_argument(
        "--engine",
        choices=("duckdb", "spark"),
        default="duckdb",
        help="where dbt builds (moneytrail run --engine): spark needs the spark extra and Java 17",
    )
    parser.add_argument(
        "--spark-workers",
        type=int,
        default=None,
        help="with --engine spark: build on a standalone cluster of N one-core workers started on this machine",
    )
    parser.add_argument("--spark-worker-memory", default="4g", help="each worker's executor memory (default 4g)")
    args = parser.parse_args(argv)
    out = args.out.resolve()
    run_file = generate(args.rows, out)
    label = args.engine if args.spark_workers is None else f"{args.engine}_{args.spark_workers}w"
    work = out / f"work_{args.rows}" if args.engine == "duckdb" else out / f"work_{args.rows}_{label}"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir()
    env = dict(os.environ, PYTHONUNBUFFERED="1", DBT_TARGET_PATH=str(work / "target"), DBT_LOG_PATH=str(work / "logs"))
    moneytrail = Path(sys.executable).with_name("moneytrail")
    command = [
        str(moneytrail),
        "run",
        str(run_file),
        "--db",
        str(work / "warehouse.duckdb"),
        "--out",
        str(work / "output"),
        "--engine",
        args.engine,
    ]
    if args.spark_workers is not None:
        command += ["--spark-workers", str(args.spark_workers), "--spark-worker-memory", args.spark_worker_memory]
    load_before = os.getloadavg()
    started = time.perf_counter()
    marks: list[tuple[str, float]] = []
    loads: list[float] = []  # 1-minute load average at each line the child prints
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env, cwd=out)
    assert proc.stdout is not None
    tree = TreeMemory(proc.pid)
    with (work / "moneytrail.log").open("w", encoding="utf-8") as log:
        for line in proc.stdout:
            log.write(line)
            loads.append(os.getloadavg()[0])
            if line.startswith("[") and "/4]" in line[:6]:
                marks.append((line.strip(), time.perf_counter() - started))
    _, status, usage = os.wait4(proc.pid, 0)
    tree.stop()
    wall = time.perf_counter() - started
    load_after = os.getloadavg()
    code = os.waitstatus_to_exitcode(status)
    print(f"\nfull cycle: {args.rows:,} synthetic itcont rows, {os.cpu_count()} CPUs")
    print(f"command: {' '.join(command)}")
    print(f"exit code {code}; log {work / 'moneytrail.log'}")
    during = f", {min(loads):.1f}-{max(loads):.1f} during" if loads else ""
    print(f"load average before {load_before[0]:.1f}{during}, after {load_after[0]:.1f} (1-minute)")
    # CPU time of the child (user + system, all threads): less sensitive to other load than wall time
    cpu = usage.ru_utime + usage.ru_stime
    print(f"wall time {wall:,.0f} s; CPU time {cpu:,.0f} s; peak RSS {usage.ru_maxrss / 2**20:,.2f} GiB")
    print(
        f"peak RSS of the whole process tree (the process and every descendant, JVMs included, summed; "
        f"sampled each second): {tree.peak / 2**30:,.2f} GiB"
    )
    # a Spark build keeps its dbt artifacts beside its tables, in <warehouse>.spark/dbt-target
    results = work / ("target" if args.engine == "duckdb" else "warehouse.spark/dbt-target") / "run_results.json"
    # `moneytrail run` prints [4/4] after the report and exports: the [3/4] phase holds both the
    # dbt build (dbt's own elapsed_time in run_results.json) and the report, shown apart
    dbt_elapsed = json.loads(results.read_text(encoding="utf-8")).get("elapsed_time") if results.exists() else None
    print("\n| phase | seconds |\n|---|---:|")
    ends = [t for _, t in marks[1:]] + [wall]
    for (label, t0), t1 in zip(marks, ends, strict=True):
        if label.startswith("[3/4]") and dbt_elapsed is not None:
            print(f"| {label}: dbt's elapsed_time | {dbt_elapsed:,.0f} |")
            print(f"| {label}: the rest (report and exports) | {t1 - t0 - dbt_elapsed:,.0f} |")
        else:
            print(f"| {label} | {t1 - t0:,.0f} |")
    if results.exists():
        nodes = json.loads(results.read_text(encoding="utf-8"))["results"]
        nodes.sort(key=lambda r: r.get("execution_time") or 0, reverse=True)
        total = sum(r.get("execution_time") or 0 for r in nodes)
        print(f"\ndbt build: {len(nodes)} nodes, {total:,.0f} s summed node time; slowest {args.top}:")
        print("| node | status | seconds |\n|---|---|---:|")
        for r in nodes[: args.top]:
            print(f"| {r['unique_id']} | {r['status']} | {r.get('execution_time') or 0:,.1f} |")
    return code


if __name__ == "__main__":
    sys.exit(main())
