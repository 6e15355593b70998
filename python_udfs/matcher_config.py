"""Settings, tiers and the link record of the organisation-name matcher (see ``matcher.py``)."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, fields
from typing import Any

import pyarrow as pa

TIERS: tuple[str, ...] = ("high", "medium", "probable", "low")
MATCH_TYPES: tuple[str, ...] = ("exact", "aggressive", "fuzzy", "token_overlap", "acronym", "unit")
_TIER_RANK = {t: i for i, t in enumerate(TIERS)}


class ConfigError(ValueError):
    """A matcher setting is unknown or has a bad value."""


@dataclass(frozen=True)
class MatchConfig:
    """Matcher settings. The dbt vars of the same names default to the same values."""

    #: rapidfuzz token_set_ratio a pair needs for ``probable`` (0-100).
    fuzzy_threshold: float = 80.0
    #: IDF-weighted share of each name's words found in the other, for ``probable`` (0-1).
    min_coverage: float = 0.6
    #: ``medium`` (fuzzy) needs both coverages, the token_sort_ratio and the IDF of the
    #: rarest shared identity word at these levels.
    medium_min_coverage: float = 0.9
    medium_min_score: float = 95.0
    medium_min_idf: float = 5.0
    #: A ``low`` (token_overlap) link needs this coverage of at least one name (0-1).
    low_min_coverage: float = 0.5
    #: Weight of a generic word relative to a distinctive word of the same IDF (0-1).
    generic_weight: float = 0.3
    #: A word found in more names than this is no blocking key.
    block_max_df: int = 2000
    #: A blocking key whose left x right block has more pairs than this is skipped.
    block_max_pairs: int = 250_000
    #: Length of prefix blocking keys (0 disables them) and the word length they need.
    prefix_len: int = 5
    prefix_min_word_len: int = 6
    #: Which links each right name keeps (at most ``max_links_per_right``, ordered tier,
    #: score desc, left name): ``matches`` -- every link at probable or better, or if it
    #: has none its best low links; ``best`` -- its best tier only; ``all`` -- every link.
    #: ``matches`` and ``best`` keep a low/best-tier link only within ``tie_epsilon`` score
    #: points of the best one.
    per_right: str = "matches"
    tie_epsilon: float = 0.0
    max_links_per_right: int = 5
    #: Emit ``low`` (token_overlap) links.
    include_low: bool = True
    #: Cap at ``low`` a pair where each name has a qualifier word the other lacks (not a
    #: place, direction or legal form): sister units of one brand (DELOITTE TAX / DELOITTE
    #: CONSULTING), not the same organisation.
    sister_units_low: bool = True
    #: Cap at ``low`` the same letters glued differently when one name is made only of
    #: generic words (GLOBAL TECH / GLOBALTECH): nothing in them identifies a firm.
    glued_generic_low: bool = True
    #: Add ``acronym`` links at tier ``low`` (python_udfs/acronyms.py): a one-word name that
    #: spells the initials of the only name in the data that has them. Low because on
    #: labelled pairs most such acronyms were other organisations (review queue material).
    acronyms: bool = True
    #: Make a low pair ``unit`` at ``probable`` when one name is the other plus words after it
    #: and the shorter one is a named organisation (python_udfs/matcher_units.py): a body
    #: and its unit, scope ``family`` (analyses opt in to it).
    unit_links: bool = True
    #: Let a one-word coined brand (no common English word or US surname, four letters or
    #: more: GENSLER, ARAMARK) be the body of a unit link (needs ``unit_links``).
    unit_coined_brands: bool = True
    #: Cap at ``low`` a pair where one name is the other plus a separate body carrying its
    #: name (FOUNDATION, FCU, CREDIT UNION, PAC, ALUMNI, AUXILIARY, RETIREES): another
    #: organisation (python_udfs/matcher_units.py).
    separate_body_low: bool = True
    #: Threads for rapidfuzz scoring (-1 = all cores).
    workers: int = 1
    #: Word lists (None = the module defaults); ``generic_words_extra`` adds weak words.
    generic_words: tuple[str, ...] | None = None
    generic_words_extra: tuple[str, ...] = ()
    stop_words: tuple[str, ...] | None = None
    government_type_words: tuple[str, ...] | None = None
    organisation_type_words: tuple[str, ...] | None = None
    #: Employer non-answers (see ``names.is_non_answer``): extra terms / replacement list.
    non_answers_extra: tuple[str, ...] = ()
    non_answers: tuple[str, ...] | None = None
    #: Candidate pairs held in memory at once (left names are processed in chunks).
    chunk_pairs: int = 4_000_000

    def __post_init__(self) -> None:
        errors = self._problems()
        if errors:
            raise ConfigError("invalid MatchConfig: " + "; ".join(errors))

    def _problems(self, where: str = "") -> list[str]:
        """Each bad value as '<where><key>=<value> (allowed: ...)'."""
        errors = []

        def bad(name: str, allowed: str) -> None:
            errors.append(f"{where}{name}={getattr(self, name)!r} (allowed: {allowed})")

        for name in ("fuzzy_threshold", "medium_min_score"):
            if not 0 <= getattr(self, name) <= 100:
                bad(name, "a number within 0..100")
        for name in ("min_coverage", "medium_min_coverage", "low_min_coverage", "generic_weight"):
            if not 0 <= getattr(self, name) <= 1:
                bad(name, "a number within 0..1")
        for name in ("block_max_df", "block_max_pairs", "max_links_per_right", "chunk_pairs", "prefix_min_word_len"):
            if getattr(self, name) < 1:
                bad(name, "an integer >= 1")
        if self.prefix_len < 0:
            bad("prefix_len", "an integer >= 0 (0 disables prefix keys)")
        for name in ("medium_min_idf", "tie_epsilon"):
            if getattr(self, name) < 0:
                bad(name, "a number >= 0")
        if self.per_right not in PER_RIGHT_MODES:
            bad("per_right", ", ".join(PER_RIGHT_MODES))
        if self.workers == 0 or self.workers < -1:
            bad("workers", "-1 (all cores) or an integer >= 1")
        return errors

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any] | None, where: str = "") -> MatchConfig:
        """Build from a mapping (e.g. dbt vars). Unknown keys and bad values fail closed with
        a message naming ``where``, the key, the value given and the values allowed."""
        prefix = f"{where}." if where else ""
        if values is not None and not isinstance(values, Mapping):
            raise ConfigError(f"{where or 'matcher settings'}={values!r} (allowed: a mapping of matcher settings)")
        values = dict(values or {})
        known = sorted(f.name for f in fields(cls))
        unknown = sorted(k for k in values if k not in known)
        if unknown:
            given = ", ".join(f"{prefix}{k}={values[k]!r}" for k in unknown)
            raise ConfigError(f"unknown matcher setting(s) {given} (allowed settings: {', '.join(known)})")
        defaults = cls()
        kwargs = {k: _coerce(f"{prefix}{k}", v, getattr(defaults, k), k) for k, v in values.items()}
        try:
            return cls(**kwargs)
        except ConfigError:
            errors = object.__new__(cls)
            for f in fields(cls):
                object.__setattr__(errors, f.name, kwargs.get(f.name, getattr(defaults, f.name)))
            raise ConfigError("; ".join(errors._problems(prefix))) from None

    def to_mapping(self) -> dict[str, Any]:
        """Every setting as plain JSON-able values (tuples become lists)."""
        return {k: (list(v) if isinstance(v, tuple) else v) for k, v in asdict(self).items()}


PER_RIGHT_MODES: tuple[str, ...] = ("matches", "best", "all")

_WORD_LISTS = (
    "generic_words",
    "generic_words_extra",
    "stop_words",
    "government_type_words",
    "organisation_type_words",
    "non_answers_extra",
    "non_answers",
)
_NULLABLE_LISTS = ("generic_words", "stop_words", "government_type_words", "organisation_type_words", "non_answers")


def _coerce(label: str, raw: Any, default: Any, key: str) -> Any:
    """Convert a dbt-var value to the type of the field's default, or raise ConfigError."""

    def bad(expected: str) -> ConfigError:
        return ConfigError(f"{label}={raw!r} (allowed: {expected})")

    if key in _WORD_LISTS:
        if raw is None and key in _NULLABLE_LISTS:
            return None
        if isinstance(raw, (str, bytes)) or not isinstance(raw, Iterable):
            raise bad("a list of strings" + (", or null for the defaults" if key in _NULLABLE_LISTS else ""))
        items = list(raw)
        if not all(isinstance(x, str) for x in items):
            raise bad("a list of strings" + (", or null for the defaults" if key in _NULLABLE_LISTS else ""))
        return tuple(items)
    if isinstance(default, str):
        if isinstance(raw, str):
            return raw
        raise bad(", ".join(PER_RIGHT_MODES) if key == "per_right" else "a string")
    if isinstance(default, bool):
        if isinstance(raw, bool):
            return raw
        raise bad("true or false")
    if isinstance(default, int):
        if isinstance(raw, bool) or not isinstance(raw, (int, float)) or not math.isfinite(raw) or raw != int(raw):
            raise bad("an integer")
        return int(raw)
    if isinstance(raw, bool) or not isinstance(raw, (int, float)) or not math.isfinite(raw):
        raise bad("a number")
    return float(raw)


@dataclass(frozen=True)
class Link:
    """One left-right link and the evidence it rests on."""

    left: str
    right: str
    tier: str
    match_type: str
    #: rapidfuzz token_set_ratio (the ranking score) and token_sort_ratio, 0-100
    score: float
    token_sort_score: float
    #: IDF-weighted share of each name's words found in the other, 0-1
    coverage_left: float
    coverage_right: float
    #: matched words, sorted, space-joined; typo/glued/abbreviated matches as LEFT~RIGHT
    shared_tokens: str
    #: IDF of the matched identity words: max and mean (0 when none)
    max_idf: float
    mean_idf: float
    number_mismatch: bool
    type_conflict: bool

    @property
    def overlap(self) -> float:
        """The smaller of the two coverages."""
        return min(self.coverage_left, self.coverage_right)


LINK_SCHEMA = pa.schema(
    [
        ("left_name", pa.string()),
        ("right_name", pa.string()),
        ("tier", pa.string()),
        ("tier_rank", pa.int8()),
        ("match_type", pa.string()),
        ("score", pa.float64()),
        ("token_sort_score", pa.float64()),
        ("coverage_left", pa.float64()),
        ("coverage_right", pa.float64()),
        ("overlap", pa.float64()),
        ("shared_tokens", pa.string()),
        ("max_idf", pa.float64()),
        ("mean_idf", pa.float64()),
        ("number_mismatch", pa.bool_()),
        ("type_conflict", pa.bool_()),
    ]
)


def tier_at_least(tier: str, minimum: str) -> bool:
    """True when ``tier`` is ``minimum`` or better (high > medium > probable > low)."""
    return _TIER_RANK[tier] <= _TIER_RANK[minimum]
