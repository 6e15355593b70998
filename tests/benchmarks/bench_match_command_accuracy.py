"""Precision and recall of ``moneytrail match`` with the shipped defaults on labelled pairs.

    .venv/bin/python tests/benchmarks/bench_match_command_accuracy.py [PAIRS.csv ...]

This is the check of issue 13 as written: the two name columns of a labelled CSV
(``left_name``, ``right_name``, ``label`` 1/0) go through the command exactly as a user runs
it (vendors left, employers right, shipped decisions and aliases, production pruning), and a
labelled pair counts as linked when the command writes a row for those two raw strings at
``probable`` or better. Printed per file: every scope (the command's default output) and
``same_organisation`` only (what the analyses count by default), plus how many links reach
an employer non-answer (``NON_ANSWERS`` join the right names and ``CONTROL_VENDORS``, which
do link to them when the non-answer filter is off, the left names; must be 0). With no
argument it reads the sets of tests/fixtures/er labelled after the thresholds were set.
"""

from __future__ import annotations

import csv
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from moneytrail.match_cli import run  # noqa: E402
from python_udfs.matcher import MatchConfig  # noqa: E402
from tests.benchmarks.bench_matcher_accuracy import FIXTURES, Pair, load_pairs  # noqa: E402

DEFAULT_SETS = (
    "heldout_pairs.csv",
    "fresh_dc_pairs.csv",
    "fresh_ma_pairs.csv",
    "fresh_ice_pairs.csv",
    "fresh_fec_pairs.csv",
)
#: employer non-answers as real FEC, OCPF and DC files write them, added to the right names
#: (the labelled sets leave them out) so the count of links to non-answers means something
NON_ANSWERS = (
    "N/A",
    "NONE",
    "Not Employed",
    "RETIRED",
    "Retired",
    "SELF",
    "SELF EMPLOYED",
    "SELF-EMPLOYED",
    "Self Employed",
    "HOMEMAKER",
    "INFORMATION REQUESTED",
    "INFORMATION REQUESTED PER BEST EFFORTS",
    "Unemployed",
)


def _write_names(path: Path, names: set[str]) -> None:
    """One name per line (the command's plain-list input); a name with a line break cannot be one."""
    if any("\n" in n or "\r" in n for n in names):
        raise ValueError(f"{path.name}: a name holds a line break")
    path.write_text("".join(f"{n}\n" for n in sorted(names)), encoding="utf-8")


#: real vendor names that share a word with a non-answer: with the non-answer filter off they
#: link to HOMEMAKER, SELF EMPLOYED or RETIRED, so a count of 0 with the filter on means something
CONTROL_VENDORS = ("HOMEMAKER SERVICES", "RETIRED SENIOR VOLUNTEER PROGRAM", "SELF HELP ENTERPRISES")


def _links(
    pairs: Sequence[Pair],
    scopes: Sequence[str] | None,
    extra_left: Sequence[str] = (),
    config: MatchConfig | None = None,
) -> list[tuple[str, str]]:
    """(left raw, right raw) of every link at probable or better that the command writes."""
    with tempfile.TemporaryDirectory() as tmp:
        left, right, out = Path(tmp, "left.txt"), Path(tmp, "right.txt"), Path(tmp, "links.csv")
        _write_names(left, {p.left for p in pairs} | set(extra_left))
        _write_names(right, {p.right for p in pairs} | set(NON_ANSWERS))
        run(left, right, out, config=config, min_tier="probable", scopes=scopes)
        with out.open(encoding="utf-8", newline="") as f:
            return [(r["left_raw"], r["right_raw"]) for r in csv.DictReader(f)]


def measure(path: Path, scopes: Sequence[str] | None) -> tuple[int, int, int, int]:
    """(true positives, false positives, false negatives, links to non-answers) at probable;
    the last with ``CONTROL_VENDORS`` added to the left names."""
    pairs = load_pairs(path)
    linked = set(_links(pairs, scopes))
    tp = sum(1 for p in pairs if p.label and (p.left, p.right) in linked)
    fp = sum(1 for p in pairs if not p.label and (p.left, p.right) in linked)
    fn = sum(1 for p in pairs if p.label and (p.left, p.right) not in linked)
    return tp, fp, fn, non_answer_links(pairs, scopes)


def non_answer_links(pairs: Sequence[Pair], scopes: Sequence[str] | None, config: MatchConfig | None = None) -> int:
    """Links to a ``NON_ANSWERS`` name, with ``CONTROL_VENDORS`` among the vendors."""
    return sum(1 for _, b in _links(pairs, scopes, CONTROL_VENDORS, config) if b in NON_ANSWERS)


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    paths = [Path(a) for a in args] or [FIXTURES / n for n in DEFAULT_SETS]
    print(f"{'file':<28} {'scopes':<18} {'precision':>9} {'recall':>7} {'tp':>4} {'fp':>4} {'fn':>4} non-answers")
    for path in paths:
        for label, scopes in (("every scope", None), ("same_organisation", ("same_organisation",))):
            tp, fp, fn, nonans = measure(path, scopes)
            p = tp / (tp + fp) if tp + fp else 1.0
            r = tp / (tp + fn) if tp + fn else 1.0
            print(f"{path.name:<28} {label:<18} {p:>9.3f} {r:>7.3f} {tp:>4} {fp:>4} {fn:>4} {nonans}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
