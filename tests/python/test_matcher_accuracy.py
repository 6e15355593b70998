"""Accuracy of the shipped matcher defaults on the labelled real name pairs, asserted exactly.

The figures are those ``tests/benchmarks/bench_matcher_accuracy.py`` prints (and the README
quotes): per set and tier, (true positives, false positives, false negatives) of the pairs
linked at that tier or better. A change that moves any of them fails here and must update
the README figures with it. ``fresh_dc_pairs.csv`` was labelled after the last threshold and
rule change and never tuned on (tests/fixtures/er/SOURCES.md)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("bench_acc", ROOT / "tests" / "benchmarks" / "bench_matcher_accuracy.py")
assert _spec is not None and _spec.loader is not None
bench = importlib.util.module_from_spec(_spec)
sys.modules["bench_acc"] = bench
_spec.loader.exec_module(bench)


def figures(pairs: list, tiers: list) -> dict[str, tuple[int, int, int]]:
    out = {}
    for t in bench.TIERS:
        s = bench.score(pairs, [x is not None and bench.tier_at_least(x, t) for x in tiers])
        out[t] = (s.tp, s.fp, s.fn)
    return out


@pytest.fixture(scope="module")
def sets() -> dict[str, dict[str, tuple[int, int, int]]]:
    labelled = bench.load_pairs(bench.FIXTURES / "labelled_pairs.csv")
    tiers = bench.matcher_tiers(labelled)
    out = {}
    for part in ("tune", "holdout"):
        sub = [(p, t) for p, t in zip(labelled, tiers, strict=True) if bench.split_of(p) == part]
        out[part] = figures([p for p, _ in sub], [t for _, t in sub])
    for name in ("heldout_pairs.csv", "fresh_dc_pairs.csv"):
        pairs = bench.load_pairs(bench.FIXTURES / name)
        out[name] = figures(pairs, bench.matcher_tiers(pairs))
    return out


def test_accuracy_figures(sets: dict[str, dict[str, tuple[int, int, int]]]) -> None:
    assert sets == {
        # labelled_pairs.csv: the thresholds were set on it (its holdout part only nominally unseen)
        "tune": {"high": (41, 0, 135), "medium": (67, 0, 109), "probable": (127, 3, 49), "low": (164, 97, 12)},
        "holdout": {"high": (14, 0, 64), "medium": (29, 0, 49), "probable": (67, 4, 11), "low": (76, 44, 2)},
        # labelled after the thresholds were frozen; its errors were read for the wave-3 rules
        "heldout_pairs.csv": {
            "high": (17, 0, 46),
            "medium": (18, 0, 45),
            "probable": (33, 2, 30),
            "low": (48, 114, 15),
        },
        # labelled after the wave-3 rules, never tuned on
        "fresh_dc_pairs.csv": {
            "high": (29, 0, 56),
            "medium": (35, 0, 50),
            "probable": (53, 4, 32),
            "low": (83, 164, 2),
        },
    }


def test_analysis_tier_precision_and_recall(sets: dict[str, dict[str, tuple[int, int, int]]]) -> None:
    """The issue's bar (precision >= 0.97, recall >= 0.85 at the analysis tier) is NOT met on
    the never-tuned set; this pins where the matcher stands so the README can say it."""
    tp, fp, fn = sets["fresh_dc_pairs.csv"]["probable"]
    assert (round(tp / (tp + fp), 3), round(tp / (tp + fn), 3)) == (0.93, 0.624)
