"""Every matcher setting (vars.entity_resolution key) changes the matcher's output, except the
two performance settings, whose output must stay identical (issue 11 item 3)."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

import pyarrow as pa
import pytest

from python_udfs.matcher import DEFAULT_GENERIC_WORDS, MatchConfig, match_to_arrow
from python_udfs.names import normalize_org_name

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "er"


def _names(name: str, step: int) -> list[str]:
    raw = (FIXTURES / name).read_text(encoding="utf-8").split("\n")[:-1]
    return sorted({n for n in (normalize_org_name(x) for x in raw[::step]) if n})


LEFT = _names("ice_vendor_names.txt", 1)
# made-up names that exercise what the real ones do not: a one-letter typo only a prefix key
# finds, a near-certain fuzzy pair whose coverage is just above medium_min_coverage, and a
# firm's foundation
LEFT = LEFT + ["ACME HOLDINGS", "GLOBAL TECH", "ZANZIBARIAN WIDGETS", "ZORBAXIAN FLUID DYNAMICS INTERNATIONAL"]
RIGHT = _names("fec_employer_names.txt", 1) + [
    "ACME HOLDINGS",
    "ACME HOLDINGS FOUNDATION",
    "ACME LABS",
    "GLOBALTECH",
    "SELF EMPLOYED",
    "ZANZIBARIAM WIDGETS",
    "ZORBAXIAN FLUID DYNAMICS INTERNATIONAL USA",
]

#: a changed value per setting; each must change the links on the real fixture names
CHANGED = {
    "fuzzy_threshold": 95.0,
    "min_coverage": 0.9,
    "medium_min_coverage": 0.99,
    "medium_min_score": 100.0,
    "medium_min_idf": 20.0,
    "low_min_coverage": 0.9,
    "generic_weight": 0.9,
    "block_max_df": 2,
    "block_max_pairs": 2,
    "prefix_len": 0,
    "prefix_min_word_len": 12,
    "per_right": "all",
    "tie_epsilon": 20.0,
    "max_links_per_right": 1,
    "include_low": False,
    "acronyms": False,
    "unit_links": False,
    "unit_coined_brands": False,
    "separate_body_low": False,
    "sister_units_low": False,
    "glued_generic_low": False,
    "generic_words": ["GROUP"],
    "generic_words_extra": ["GEO", "DELOITTE"],
    "stop_words": [],
    "government_type_words": [],
    "organisation_type_words": [],
    "non_answers_extra": ["ACME HOLDINGS"],
    "non_answers": ["NONE"],
}
#: performance only: the output must not change
SAME = {"workers": 2, "chunk_pairs": 500}


def _links(cfg: MatchConfig) -> pa.Table:
    return match_to_arrow(LEFT, RIGHT, cfg)


@pytest.fixture(scope="module")
def baseline() -> pa.Table:
    return _links(MatchConfig())


def test_every_setting_is_covered() -> None:
    assert sorted([*CHANGED, *SAME]) == sorted(f.name for f in fields(MatchConfig))
    assert "GROUP" in DEFAULT_GENERIC_WORDS


@pytest.mark.parametrize("key", sorted(CHANGED))
def test_each_setting_changes_the_output(key: str, baseline: pa.Table) -> None:
    changed = _links(MatchConfig.from_mapping({key: CHANGED[key]}, where="vars.entity_resolution"))
    assert not changed.equals(baseline), f"{key}={CHANGED[key]!r} did not change the links"


@pytest.mark.parametrize("key", sorted(SAME))
def test_performance_settings_keep_the_output(key: str, baseline: pa.Table) -> None:
    assert _links(MatchConfig.from_mapping({key: SAME[key]})).equals(baseline)
