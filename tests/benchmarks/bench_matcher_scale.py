"""Scale benchmark: distinct synthetic employer strings against distinct synthetic vendors.

    .venv/bin/python tests/benchmarks/bench_matcher_scale.py --employers 1000000 --vendors 50000

Names are generated deterministically (numpy, fixed seed): invented brand words with a
Zipf-like frequency, surnames, generic business words, places, legal forms, numbered union
locals and government units, punctuation and case noise, employer non-answers, and
employer-side variants of vendor names (typos, cut-off words, extra unit words, reordering).
They are normalised with the generated dbt macro executed by DuckDB (the production path),
de-duplicated, and matched with ``match_to_arrow``. Prints seconds per phase, link counts per
tier and the peak RSS of the process.
"""

from __future__ import annotations

import argparse
import random
import resource
import sys
import time
from pathlib import Path
from typing import Any

import duckdb
import jinja2
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from python_udfs.matcher import MatchConfig, match_to_arrow  # noqa: E402
from python_udfs.names import MACRO_PATH  # noqa: E402

SYLLABLES = (
    "al an ar as at ba be bi bo ca ce ci co cu da de di do du el en er es et fa fe fi fo ga "
    "ge gi go ha he hi ho ka ke ki ko la le li lo lu ma me mi mo mu na ne ni no nu or os pa "
    "pe pi po ra re ri ro ru sa se si so ta te ti to tu va ve vi vo xa xe za ze zi zo tri "
    "tra gen tek tron dex lux max nov ply qua rex sol tar ven vox"
).split()
GENERIC = (
    "GROUP SERVICES CONSULTING SOLUTIONS SYSTEMS TECHNOLOGIES INTERNATIONAL ASSOCIATES "
    "HOLDINGS MANAGEMENT ENTERPRISES INDUSTRIES PARTNERS AMERICAN NATIONAL GLOBAL UNITED "
    "GENERAL FEDERAL CAPITAL HEALTH MEDICAL INSURANCE FINANCIAL REALTY CONSTRUCTION "
    "ENGINEERING ENERGY ELECTRIC LOGISTICS SECURITY DEFENSE PRODUCTS SUPPLY RESOURCES "
    "DEVELOPMENT MARKETING MEDIA NETWORKS COMMUNICATIONS DIGITAL DATA SOFTWARE LABORATORIES"
).split()
TYPES = "UNIVERSITY COLLEGE HOSPITAL BANK SCHOOL DISTRICT COUNTY CITY".split()
PLACES = (
    "TEXAS CALIFORNIA FLORIDA OHIO GEORGIA VIRGINIA ARIZONA BOSTON CHICAGO DALLAS DENVER "
    "ATLANTA SEATTLE PHOENIX AUSTIN MIAMI PORTLAND"
).split()
LEGAL = [
    "INC",
    "INC.",
    "LLC",
    "L.L.C.",
    "CORP",
    "CORPORATION",
    "CO.",
    "COMPANY",
    "LTD",
    "LP",
    "LLP",
    "PLLC",
    "P.C.",
    "",
]
NON_ANSWERS = [
    "SELF-EMPLOYED",
    "Self Employed",
    "RETIRED",
    "N/A",
    "NONE",
    "NOT EMPLOYED",
    "INFORMATION REQUESTED",
    "HOMEMAKER",
    "STUDENT",
    "REFUSED",
]


class Gen:
    """Deterministic name generator: numpy draws the Zipf-distributed brand words in one
    batch, ``random.Random`` (seeded) makes the small choices."""

    def __init__(self, seed: int, n_words: int = 80_000, pool: int = 4_000_000) -> None:
        rng = np.random.default_rng(seed)
        words: set[str] = set()
        syl = np.array(SYLLABLES)
        while len(words) < n_words:
            k = rng.integers(2, 5, size=n_words)
            parts = rng.choice(syl, size=(n_words, 4))
            words.update("".join(p[:n]).upper() for p, n in zip(parts.tolist(), k.tolist(), strict=False))
        self.words = sorted(words)[:n_words]
        ranks = np.arange(1, len(self.words) + 1)
        p = 1.0 / ranks**0.9
        order = rng.permutation(len(self.words))
        self.pool = [self.words[i] for i in order[rng.choice(len(self.words), size=pool, p=p / p.sum())].tolist()]
        self.pos = 0
        self.r = random.Random(seed)
        self.surnames = [self.words[i] for i in order[:5000].tolist()]

    def word(self) -> str:
        w = self.pool[self.pos % len(self.pool)]
        self.pos += 1
        return w

    def org(self) -> str:
        r, rnd = self.r.random(), self.r
        if r < 0.55:
            core = " ".join(self.word() for _ in range(rnd.randint(1, 2)))
            gen = " ".join(rnd.choice(GENERIC) for _ in range(rnd.randint(0, 2)))
            name = f"{core} {gen}".strip()
        elif r < 0.70:
            a, b = rnd.choice(self.surnames), rnd.choice(self.surnames)
            name = f"{a} {'&' if rnd.random() < 0.5 else 'AND'} {b}"
        elif r < 0.80:
            t = rnd.choice(TYPES)
            place = rnd.choice(PLACES) if rnd.random() < 0.5 else self.word()
            name = f"{t} OF {place}" if rnd.random() < 0.5 else f"{place} {t}"
        elif r < 0.88:
            union = rnd.choice(["IBEW", "TEAMSTERS", "UFCW", "IUOE", "LABORERS"])
            name = f"{union} LOCAL {rnd.randint(1, 1999)}"
        else:
            name = f"{rnd.choice(PLACES)} {self.word()} {rnd.choice(GENERIC)}"
        legal = rnd.choice(LEGAL)
        if legal:
            name = f"{name}{',' if rnd.random() < 0.5 else ''} {legal}"
        if rnd.random() < 0.1:
            name = "The " + name
        if rnd.random() < 0.3:
            name = name.title()
        return name

    def variant(self, name: str) -> str:
        """An employer-side spelling of a vendor name."""
        toks = name.replace(",", "").split()
        r, rnd = self.r.random(), self.r
        if r < 0.3:
            i = rnd.randrange(len(toks))
            t = toks[i]
            if len(t) > 5:
                j = rnd.randrange(1, len(t) - 1)
                toks[i] = t[:j] + t[j + 1 :]
        elif r < 0.5:
            toks = toks + [rnd.choice(GENERIC)]
        elif r < 0.65:
            toks = toks[:-1] + [toks[-1][:4]] if len(toks) > 1 else toks
        elif r < 0.8:
            toks = list(reversed(toks))
        else:
            toks = toks + [rnd.choice(PLACES)]
        return " ".join(toks)


def generate(n_employers: int, n_vendors: int, seed: int) -> tuple[list[str], list[str]]:
    """Distinct raw vendor and employer strings (deterministic for a seed)."""
    g = Gen(seed)
    vendors: dict[str, None] = {}
    while len(vendors) < n_vendors:
        vendors.setdefault(g.org())
    vendor_list = list(vendors)
    employers: dict[str, None] = {}
    for x in NON_ANSWERS:
        employers.setdefault(x)
    n_variants = min(n_employers // 20, 4 * n_vendors)
    for _ in range(n_variants):
        employers.setdefault(g.variant(g.r.choice(vendor_list)))
        if len(employers) >= n_employers:
            break
    while len(employers) < n_employers:
        employers.setdefault(g.org())
    return vendor_list, list(employers)


class _DuckDBAdapter:
    """What the macros ask of dbt's adapter: its type, and dispatch to the default__ macros."""

    module: Any = None

    def type(self) -> str:
        return "duckdb"

    def dispatch(self, name: str, package: str) -> Any:
        return getattr(self.module, f"default__{name}")


def normalize_with_duckdb(names: list[str], threads: int) -> pa.Array:
    """Normalise with the generated dbt macro, executed by DuckDB (as staging models do)."""
    env = jinja2.Environment(undefined=jinja2.StrictUndefined)
    adapter = _DuckDBAdapter()
    context = {"var": lambda name, default=None: default, "adapter": adapter}
    adapter.module = env.from_string(MACRO_PATH.read_text(encoding="utf-8")).make_module(context)
    sql = "select distinct " + str(adapter.module.normalize_org_name("name")).strip() + " as n from src"
    con = duckdb.connect(config={"threads": threads})
    con.register("src", pa.table({"name": pa.array(names, pa.string())}))
    out = con.execute(sql).fetch_arrow_table().column("n").combine_chunks()
    con.close()
    return pc.drop_null(out)


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--employers", type=int, default=1_000_000)
    ap.add_argument("--vendors", type=int, default=50_000)
    ap.add_argument("--seed", type=int, default=20240531)
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args(argv)

    t0 = time.perf_counter()
    vendors, employers = generate(args.employers, args.vendors, args.seed)
    t1 = time.perf_counter()
    v_norm = normalize_with_duckdb(vendors, args.workers)
    e_norm = normalize_with_duckdb(employers, args.workers)
    t2 = time.perf_counter()
    links = match_to_arrow(v_norm, e_norm, MatchConfig(workers=args.workers))
    t3 = time.perf_counter()

    tiers = {t: 0 for t in ("high", "medium", "probable", "low")}
    for t, n in zip(*np.unique(np.asarray(links.column("tier").to_pylist()), return_counts=True), strict=False):
        tiers[str(t)] = int(n)
    print(f"raw strings: employers={len(employers):,} vendors={len(vendors):,}")
    print(f"distinct normalised: employers={len(e_norm):,} vendors={len(v_norm):,}")
    print(f"generate_s={t1 - t0:.1f} normalize_duckdb_s={t2 - t1:.1f} match_s={t3 - t2:.1f} total_s={t3 - t0:.1f}")
    print(f"links={links.num_rows:,} " + " ".join(f"{k}={v:,}" for k, v in tiers.items()))
    print(f"peak_rss_mib={peak_rss_mib():.0f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
