"""Accuracy of the shipped matcher defaults on the labelled real name pairs, asserted exactly.

The figures are those ``tests/benchmarks/bench_matcher_accuracy.py`` prints (and the README
quotes): per set and tier, (true positives, false positives, false negatives) of the pairs
linked at that tier or better. A change that moves any of them fails here and must update
the README figures with it. ``fresh_ice_pairs.csv`` was labelled after the last rule change
and never read to change anything (tests/fixtures/er/SOURCES.md)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from python_udfs.matcher import MatchConfig

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
    for name, _ in bench.LATER_SETS:
        pairs = bench.load_pairs(bench.FIXTURES / name)
        out[name] = figures(pairs, bench.matcher_tiers(pairs))
        same = figures(pairs, bench.matcher_tiers(pairs, same_organisation=True))
        out[name]["probable, same organisation"] = same["probable"]
    return out


def test_accuracy_figures(sets: dict[str, dict[str, tuple[int, int, int]]]) -> None:
    assert sets == {
        # labelled_pairs.csv: the thresholds were set on it (its holdout part only nominally unseen)
        "tune": {"high": (41, 0, 135), "medium": (67, 0, 109), "probable": (135, 4, 41), "low": (164, 97, 12)},
        "holdout": {"high": (14, 0, 64), "medium": (29, 0, 49), "probable": (68, 4, 10), "low": (76, 44, 2)},
        # labelled after the thresholds were frozen; its errors were read for the wave-3 and unit rules
        "heldout_pairs.csv": {
            "high": (17, 0, 46),
            "medium": (18, 0, 45),
            "probable": (41, 4, 22),
            "low": (48, 114, 15),
            "probable, same organisation": (33, 2, 30),
        },
        # labelled after the wave-3 rules; its errors were read for the unit rule
        "fresh_dc_pairs.csv": {
            "high": (29, 0, 56),
            "medium": (35, 0, 50),
            "probable": (66, 4, 19),
            "low": (83, 164, 2),
            "probable, same organisation": (53, 4, 32),
        },
        # labelled after the unit rule; its errors were read for the coined-brand rule
        "fresh_ma_pairs.csv": {
            "high": (85, 0, 82),
            "medium": (87, 0, 80),
            "probable": (135, 1, 32),
            "low": (157, 146, 10),
            "probable, same organisation": (122, 1, 45),
        },
        # labelled after the coined-brand rule, never read to change anything
        "fresh_ice_pairs.csv": {
            "high": (46, 0, 119),
            "medium": (51, 0, 114),
            "probable": (100, 2, 65),
            "low": (116, 131, 49),
            "probable, same organisation": (92, 2, 73),
        },
        # labelled after the review of the unit rules, never read to change a rule
        "fresh_fec_pairs.csv": {
            "high": (58, 0, 166),
            "medium": (63, 0, 161),
            "probable": (121, 11, 103),
            "low": (197, 238, 27),
            "probable, same organisation": (105, 11, 119),
        },
    }


def test_analysis_tier_precision_and_recall(sets: dict[str, dict[str, tuple[int, int, int]]]) -> None:
    """The issue's bar (precision >= 0.97, recall >= 0.85 at the analysis tier) is NOT met on
    the two never-read sets; this pins where the matcher stands so the README can say it."""
    got = {}
    for name in ("fresh_ice_pairs.csv", "fresh_fec_pairs.csv"):
        tp, fp, fn = sets[name]["probable"]
        got[name] = (round(tp / (tp + fp), 3), round(tp / (tp + fn), 3))
    assert got == {"fresh_ice_pairs.csv": (0.98, 0.606), "fresh_fec_pairs.csv": (0.917, 0.54)}


_cmd_spec = importlib.util.spec_from_file_location(
    "bench_cmd_acc", ROOT / "tests" / "benchmarks" / "bench_match_command_accuracy.py"
)
assert _cmd_spec is not None and _cmd_spec.loader is not None
command = importlib.util.module_from_spec(_cmd_spec)
_cmd_spec.loader.exec_module(command)


def test_the_command_figures() -> None:
    """Issue 13's check as written: ``moneytrail match`` with the shipped defaults and knowledge
    on the two name columns, (tp, fp, fn, links to non-answers) at probable or better, every
    scope and same organisation only (bench_match_command_accuracy.py prints them)."""
    got = {
        (name, scopes): command.measure(bench.FIXTURES / name, None if scopes == "all" else (scopes,))
        for name in command.DEFAULT_SETS
        for scopes in ("all", "same_organisation")
    }
    # the non-answer column can fail: with the filter off a control vendor links to a non-answer
    ice = bench.load_pairs(bench.FIXTURES / "fresh_ice_pairs.csv")
    assert command.non_answer_links(ice, None, MatchConfig(non_answers=())) == 1
    assert got == {
        ("heldout_pairs.csv", "all"): (41, 4, 22, 0),
        ("heldout_pairs.csv", "same_organisation"): (32, 2, 31, 0),
        ("fresh_dc_pairs.csv", "all"): (66, 4, 19, 0),
        ("fresh_dc_pairs.csv", "same_organisation"): (50, 4, 35, 0),
        ("fresh_ma_pairs.csv", "all"): (135, 1, 32, 0),
        ("fresh_ma_pairs.csv", "same_organisation"): (111, 1, 56, 0),
        ("fresh_ice_pairs.csv", "all"): (100, 2, 65, 0),
        ("fresh_ice_pairs.csv", "same_organisation"): (77, 2, 88, 0),
        ("fresh_fec_pairs.csv", "all"): (121, 10, 103, 0),
        ("fresh_fec_pairs.csv", "same_organisation"): (95, 9, 129, 0),
    }
