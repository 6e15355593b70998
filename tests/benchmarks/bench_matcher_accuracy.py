"""Precision and recall of the matcher on labelled real name pairs, per tier, with baselines.

    .venv/bin/python tests/benchmarks/bench_matcher_accuracy.py [--golden more_pairs.csv] [--errors]

Sets of labelled pairs (tests/fixtures/er/SOURCES.md):

* ``labelled_pairs.csv`` split deterministically by ``split_of`` (sha256 of the two names):
  ``tune`` (about 70%) and ``holdout`` (the rest). The thresholds were set on the whole file
  before the split existed, so its holdout part is only nominally unseen;
* ``LATER_SETS``, each labelled after the rules of its time were frozen: ``heldout_pairs.csv``
  (USAspending hospital recipients x FEC and Massachusetts OCPF employers; its errors were
  read for the wave-3 rules and the unit rule), ``fresh_dc_pairs.csv`` (DC vendors x DC
  employers; read for the unit rule), ``fresh_ma_pairs.csv`` (Massachusetts contract
  vendors x Boston employers; read for the coined-brand rule), and ``fresh_ice_pairs.csv``
  (ICE vendors x Boston, California and DC employers) and ``fresh_fec_pairs.csv`` (DC and
  USAspending hospital vendors x FEC and CAL-ACCESS employers), never read to change a
  rule -- the honest figures. For these, a second "probable" line counts only the
  same-organisation links the analyses use by default (no ``unit`` links, scope family).

A pair (left_name, right_name, label) counts as linked at tier T when the matcher links the
normalised names at T or better. The matcher runs once over every fixture name (ICE vendors
on the left, FEC employers on the right, plus each pair's names on its side) so IDF and
blocking see a realistic corpus, with ``per_right="all"`` because a labelled pair is a
question about that pair. The last table repeats the vendor-employer pairs with the
production default (``per_right="matches"``: each employer keeps up to 5 links at probable
or better, or its best low links) and with ``per_right="best"`` (best tier only).

Baselines: exact equality of normalised names, and rapidfuzz ``token_sort_ratio >= 85`` on
the normalised names.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from rapidfuzz import fuzz

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from python_udfs.matcher import TIERS, MatchConfig, match_names, tier_at_least  # noqa: E402
from python_udfs.names import normalize_org_name  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures" / "er"


@dataclass(frozen=True)
class Pair:
    left: str
    right: str
    label: bool
    note: str


@dataclass(frozen=True)
class Score:
    tp: int
    fp: int
    fn: int
    tn: int

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0


def split_of(p: Pair) -> str:
    """``tune`` or ``holdout``: a fixed function of the two names, so the split never moves."""
    digest = hashlib.sha256(f"er-split:v1:{p.left}|{p.right}".encode()).digest()
    return "holdout" if digest[0] < 77 else "tune"  # 77/256 = 30%


def load_pairs(path: Path) -> list[Pair]:
    with path.open(encoding="utf-8", newline="") as f:
        return [Pair(r["left_name"], r["right_name"], r["label"] == "1", r.get("note", "")) for r in csv.DictReader(f)]


#: the sets labelled after the thresholds were set, oldest first, with what they have seen
LATER_SETS = (
    ("heldout_pairs.csv", "labelled after the thresholds were frozen; read for the wave-3 and unit rules"),
    ("fresh_dc_pairs.csv", "labelled after the wave-3 rules; read for the unit rule"),
    ("fresh_ma_pairs.csv", "labelled after the unit rule; read for the coined-brand rule"),
    ("fresh_ice_pairs.csv", "labelled after the coined-brand rule, never read to change a rule"),
    ("fresh_fec_pairs.csv", "labelled after the review of the unit rules, never read to change a rule"),
)


def load_names(name: str) -> list[str]:
    return (FIXTURES / name).read_text(encoding="utf-8").split("\n")[:-1]


def score(pairs: Sequence[Pair], predicted: Sequence[bool]) -> Score:
    tp = sum(p.label and y for p, y in zip(pairs, predicted, strict=False))
    fp = sum(not p.label and y for p, y in zip(pairs, predicted, strict=False))
    fn = sum(p.label and not y for p, y in zip(pairs, predicted, strict=False))
    return Score(tp, fp, fn, len(pairs) - tp - fp - fn)


def matcher_tiers(
    pairs: Sequence[Pair], config: MatchConfig | None = None, background: bool = True, same_organisation: bool = False
) -> list[str | None]:
    """Best tier the matcher gives each pair (None: not linked); ``same_organisation``: only
    the links the analyses use by default (not ``unit`` links, which are scope family)."""
    cfg = config or MatchConfig(per_right="all")
    left = {normalize_org_name(p.left) for p in pairs}
    right = {normalize_org_name(p.right) for p in pairs}
    if background:
        left |= {normalize_org_name(n) for n in load_names("ice_vendor_names.txt")}
        right |= {normalize_org_name(n) for n in load_names("fec_employer_names.txt")}
    left.discard(None)
    right.discard(None)
    best: dict[tuple[str, str], str] = {}
    for k in match_names(sorted(left), sorted(right), cfg):
        if same_organisation and k.match_type == "unit":
            continue
        prev = best.get((k.left, k.right))
        if prev is None or tier_at_least(k.tier, prev):
            best[(k.left, k.right)] = k.tier
    return [best.get((normalize_org_name(p.left), normalize_org_name(p.right))) for p in pairs]


def baseline_exact(pairs: Sequence[Pair]) -> list[bool]:
    return [
        normalize_org_name(p.left) is not None and normalize_org_name(p.left) == normalize_org_name(p.right)
        for p in pairs
    ]


def baseline_token_sort(pairs: Sequence[Pair], threshold: float = 85.0) -> list[bool]:
    out = []
    for p in pairs:
        a, b = normalize_org_name(p.left), normalize_org_name(p.right)
        out.append(a is not None and b is not None and fuzz.token_sort_ratio(a, b) >= threshold)
    return out


def report(
    title: str, pairs: Sequence[Pair], tiers: Sequence[str | None], same_org: Sequence[str | None] | None = None
) -> dict[str, Score]:
    """Print cumulative precision/recall per tier with the baselines (and, given the tiers of
    the same-organisation links, the analyses' default); return the scores."""
    n_pos = sum(p.label for p in pairs)
    print(f"\n{title}: {len(pairs)} pairs ({n_pos} matches, {len(pairs) - n_pos} non-matches)")
    print(f"  {'method':<34} {'precision':>9} {'recall':>7} {'tp':>4} {'fp':>4} {'fn':>4}")
    out = {}
    rows = [(f">= {t}", [x is not None and tier_at_least(x, t) for x in tiers], t) for t in TIERS]
    if same_org is not None:
        rows.append(
            (
                ">= probable, same organisation",
                [x is not None and tier_at_least(x, "probable") for x in same_org],
                "same_organisation",
            )
        )
    rows += [
        ("baseline: exact normalised", baseline_exact(pairs), "exact"),
        ("baseline: token_sort_ratio >= 85", baseline_token_sort(pairs), "token_sort"),
    ]
    for label, pred, key in rows:
        s = score(pairs, pred)
        out[key] = s
        print(f"  {label:<34} {s.precision:>9.3f} {s.recall:>7.3f} {s.tp:>4} {s.fp:>4} {s.fn:>4}")
    return out


def errors(pairs: Sequence[Pair], tiers: Sequence[str | None], minimum: str = "probable") -> list[str]:
    lines = []
    for p, t in zip(pairs, tiers, strict=False):
        linked = t is not None and tier_at_least(t, minimum)
        if linked != p.label:
            kind = "FP" if linked else "FN"
            lines.append(f"  {kind} [{t or '-'}] {p.left!r} ~ {p.right!r}  ({p.note})")
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--pairs", type=Path, default=FIXTURES / "labelled_pairs.csv")
    ap.add_argument("--golden", type=Path, help="another labelled CSV (same columns)")
    ap.add_argument("--errors", action="store_true", help="list the wrong decisions")
    ap.add_argument("--errors-low", action="store_true", help="list the wrong decisions at tier low")
    args = ap.parse_args(argv)

    labelled = load_pairs(args.pairs)
    sets = [("labelled pairs", labelled)]
    held = FIXTURES / "heldout_pairs.csv"
    if args.pairs == FIXTURES / "labelled_pairs.csv" and held.is_file():
        tiers = matcher_tiers(labelled)
        for part in ("tune", "holdout"):
            sub = [(p, t) for p, t in zip(labelled, tiers, strict=True) if split_of(p) == part]
            report(f"labelled_pairs.csv, {part} part", [p for p, _ in sub], [t for _, t in sub])
        for name, title in LATER_SETS:
            pairs = load_pairs(FIXTURES / name)
            tiers = matcher_tiers(pairs)
            report(f"{name} ({title})", pairs, tiers, matcher_tiers(pairs, same_organisation=True))
            if args.errors:
                print("\n".join(errors(pairs, tiers, "low" if args.errors_low else "probable")))
    if args.golden:
        sets.append((f"golden set {args.golden.name}", load_pairs(args.golden)))
    for title, pairs in sets:
        tiers = matcher_tiers(pairs)
        report(title, pairs, tiers)
        for kind in ("vendor-employer", "vendor-vendor", "employer-employer"):
            sub = [(p, t) for p, t in zip(pairs, tiers, strict=False) if p.note.startswith(kind)]
            if sub:
                report(f"  {kind}", [p for p, _ in sub], [t for _, t in sub])
        if args.errors:
            print("\n".join(errors(pairs, tiers, "low" if args.errors_low else "probable")))
    ve = [p for p in sets[0][1] if p.note.startswith("vendor-employer")]
    for mode in ("matches", "best"):
        pruned = matcher_tiers(ve, MatchConfig(per_right=mode))
        report(f"vendor-employer pairs, production output per_right={mode!r}", ve, pruned)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
