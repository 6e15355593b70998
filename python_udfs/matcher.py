"""Match distinct normalised organisation names (left = vendors, right = employers/donors).

Works on distinct names, never on rows, and never compares all pairs.

1. ``exact``: the same normalised name on both sides -> tier ``high``.
2. ``aggressive``: the same set of words in another order or with repeats
   (``COUNTY OF KERN`` / ``KERN COUNTY OF``), or the same letters once spaces are dropped
   (``PRICE WATERHOUSE COOPERS`` / ``PRICEWATERHOUSECOOPERS``) -> tier ``medium``.
3. Candidates for everything else come from an inverted index on blocking keys: distinctive
   words (not stop words, not generic words, not bare numbers) in at most ``block_max_df``
   names, a ``prefix_len``-letter prefix of long distinctive words (so a one-letter typo still
   meets its partner), and, for names made only of generic words (``UNIVERSITY OF SOUTHERN
   CALIFORNIA``), their generic words -- usable only by other such names. A key whose
   left x right block exceeds ``block_max_pairs`` pairs is skipped. IDF is computed over the
   union of distinct names of both sides.
4. Each candidate gets numpy features (IDF-weighted coverage of each side, shared identity
   words, number agreement) and rapidfuzz scores from ``process.cpdist`` -- the pairwise form
   of ``cdist``: only candidate pairs are scored, in C++, on ``workers`` threads. Pairs that
   could reach ``probable`` get a word-level alignment in Python that also accepts one-letter
   typos, glued words, truncations and abbreviations, and checks organisation types.
5. Tiers, ordered ``high > medium > probable > low``:

   * ``fuzzy`` -> ``probable``: token-set score >= ``fuzzy_threshold``; IDF-weighted coverage
     of both names >= ``min_coverage`` (generic words count ``generic_weight``, stop words
     nothing); every identity word of at least one name matched; no number disagreement; no
     organisation-type conflict (``CITY OF X`` vs ``COUNTY OF X``, ``SPRINGFIELD`` vs
     ``SPRINGFIELD PUBLIC SCHOOLS``). -> ``medium`` when moreover both coverages reach
     ``medium_min_coverage``, the token-sort score reaches ``medium_min_score`` and a shared
     word is rare (IDF >= ``medium_min_idf``).
   * ``token_overlap`` -> ``low``: a shared distinctive word and one name covered to at least
     ``low_min_coverage``. Number disagreements and type conflicts cap a pair here.
   * Pairs sharing only generic or stop words are never linked (names made only of generic
     words can still reach ``probable`` with each other, never ``low``); non-answers never
     reach the matcher (``names.is_non_answer`` drops them from both sides).

6. Per right name (``per_right``): by default every link at ``probable`` or better is kept,
   or, when there is none, the best ``low`` links (within ``tie_epsilon`` of the best score);
   at most ``max_links_per_right``, ranked tier, score desc, left name asc. Brand families
   thus stay linked to every vendor of the family (``DELOITTE TAX`` to ``DELOITTE`` and to
   ``DELOITTE CONSULTING``); ``per_right="best"`` keeps only the best tier, ``"all"`` keeps
   everything. Output rows are sorted by right name, tier, score desc, token-sort score desc,
   left name, and do not depend on input order (names are de-duplicated and sorted first).

Identity words are a name's distinctive words, or all its non-stop words when it has no
distinctive word at all. Defaults were set on the labelled real pairs in
``tests/fixtures/er`` (see ``tests/benchmarks/bench_matcher_accuracy.py``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, fields
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from rapidfuzz import fuzz, process
from rapidfuzz.distance import Indel

from python_udfs import progress
from python_udfs.names import NonAnswerMatcher

TIERS: tuple[str, ...] = ("high", "medium", "probable", "low")
MATCH_TYPES: tuple[str, ...] = ("exact", "aggressive", "fuzzy", "token_overlap", "acronym")
_TIER_RANK = {t: i for i, t in enumerate(TIERS)}

#: Words that carry no identity at all (weight 0).
DEFAULT_STOP_WORDS: tuple[str, ...] = (
    "A",
    "AN",
    "AND",
    "AT",
    "BY",
    "DBA",
    "DE",
    "DEL",
    "DES",
    "DI",
    "DU",
    "EL",
    "ET",
    "FOR",
    "IN",
    "LA",
    "LE",
    "LOS",
    "OF",
    "ON",
    "OR",
    "THE",
    "TO",
    "Y",
)

#: Direction and position qualifiers: weak as evidence, but a name with one the other lacks
#: names another place (SOUTH ALABAMA, MIDDLE TENNESSEE, SPOKANE VALLEY is not a direction).
_DIRECTIONS = (
    "CENTRAL EAST EASTERN GREATER LOWER MIDDLE MIDWEST NORTH NORTHEAST NORTHEASTERN NORTHERN "
    "NORTHWEST NORTHWESTERN SOUTH SOUTHEAST SOUTHEASTERN SOUTHERN SOUTHWEST SOUTHWESTERN "
    "UPPER WEST WESTERN"
)

#: Places: states (names and postal codes), the country and a few others.
_PLACES = (
    "ALABAMA ALASKA ARIZONA ARKANSAS CALIFORNIA COLORADO CONNECTICUT DELAWARE FLORIDA GEORGIA "
    "HAWAII IDAHO ILLINOIS INDIANA IOWA KANSAS KENTUCKY LOUISIANA MAINE MARYLAND MASSACHUSETTS "
    "MICHIGAN MINNESOTA MISSISSIPPI MISSOURI MONTANA NEBRASKA NEVADA HAMPSHIRE JERSEY MEXICO "
    "YORK CAROLINA DAKOTA OHIO OKLAHOMA OREGON PENNSYLVANIA RHODE TENNESSEE TEXAS UTAH VERMONT "
    "VIRGINIA WASHINGTON WISCONSIN WYOMING "
    "AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ "
    "NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY "
    "AMERICA AMERICAN AMERICAS CANADA CHINA EUROPE GERMANY INDIA JAPAN UK"
)

#: Weak words: shared by countless unrelated organisations. They count in scores and coverage
#: (at ``generic_weight``) but never make a candidate or a link on their own -- except in a
#: name made of nothing else.
DEFAULT_GENERIC_WORDS: tuple[str, ...] = tuple(
    sorted(
        set(
            (
                "ACADEMY ADVANCED ADVISORS ADVISORY AEROSPACE AGENCY ALLIANCE ASSOC ASSOCIATED ASSOCIATES "
                "ASSOCIATION AUTHORITY AVIATION BANK BOARD BROTHERS BUSINESS CABLE CAPITAL CARE CENTER "
                "CENTERS CITY CLINIC COLLEGE COM COMMISSION COMMUNICATION COMMUNICATIONS COMMUNITY "
                "COMPANIES COMPUTER COMPUTERS CONCEPTS CONSTRUCTION CONSULTANTS CONSULTING CONTRACTING "
                "CONTRACTORS CORPORATE COUNCIL COUNTY DATA DEFENSE DEPARTMENT DESIGN DEVELOPMENT DIGITAL "
                "DISTRICT DISTRIBUTION DISTRIBUTORS DIVISION DRUG DRUGS EDUCATION ELECTRIC "
                "ELECTRONICS ENERGY ENGINEERING ENTERPRISE ENTERPRISES ENTERTAINMENT ENVIRONMENTAL "
                "EQUIPMENT FACILITIES FAMILY FEDERAL FINANCIAL FIRM FIRST FOUNDATION FUND GENERAL GLOBAL "
                "GOVERNMENT GROUP GROUPS HEALTH HEALTHCARE HOLDING HOLDINGS HOSPITAL HOSPITALS HOTEL "
                "HOTELS INDUSTRIES INDUSTRY INFORMATION INNOVATION INNOVATIONS INS INSTITUTE INSURANCE "
                "INTEGRATED INTERNATIONAL INVESTMENT INVESTMENTS IT LAB LABORATORIES LABORATORY LABS LAW "
                "LIFE LLC LOCAL LOGISTICS MAINTENANCE MANAGEMENT MANUFACTURING MARKETING MEDIA MEDICAL "
                "MIDWEST MOBILITY NATIONAL NET NETWORK NETWORKS NEW "
                "OFFICE OFFICES ONLINE OPERATIONS PARTNERS PARTNERSHIP "
                "PHARMA PHARMACEUTICAL PHARMACEUTICALS PRODUCTS PROFESSIONAL PROFESSIONALS PROGRAM "
                "PROPERTIES PUBLIC QUALITY REAL REALTY REGIONAL REHABILITATION RESEARCH RESORTS RESOURCES "
                "SAFETY SALES SCHOOL SCHOOLS SCIENCES SCIENTIFIC SECTOR SECURE SECURITY SEGMENT SERVICE "
                "SERVICES SOFTWARE SOLUTIONS "
                "SPECIALISTS SPECIALTY STAFFING STATE STATES STRATEGIC STRATEGIES SUPPLIES SUPPLY SUPPORT "
                "SYSTEM SYSTEMS TAX TECH TECHNICAL TECHNOLOGIES TECHNOLOGY TELECOM TELECOMMUNICATIONS "
                "TRADING TRAINING TRANSPORT TRANSPORTATION TRUST TV UNION UNIT UNITED UNIVERSITY US USA "
                "VENTURES WEB WIRELESS WORLDWIDE "
                # legal forms that survive inside a name (MCKINSEY AND COMPANY INC WASHINGTON DC)
                "COMPANY CORP CORPORATION INC INCORPORATED LIMITED LTD " + _DIRECTIONS + " " + _PLACES
            ).split()
        )
    )
)

#: Organisation-type words of government units: a name with one of these unmatched is another
#: organisation than a name with no type word at all (``COUNTY OF CLARK`` vs ``CLARK``).
DEFAULT_GOVERNMENT_TYPE_WORDS: tuple[str, ...] = (
    "AUTHORITY",
    "BOROUGH",
    "CITY",
    "COMMISSION",
    "COUNTY",
    "DEPARTMENT",
    "DISTRICT",
    "PARISH",
    "PORT",
    "SCHOOL",
    "SCHOOLS",
    "STATE",
    "TOWN",
    "TOWNSHIP",
    "VILLAGE",
)
#: Other organisation-type words: two names that each have a different one unmatched are
#: different organisations (``COUNTY OF SAN DIEGO`` vs ``UNIVERSITY OF SAN DIEGO``).
DEFAULT_ORGANISATION_TYPE_WORDS: tuple[str, ...] = (
    "ACADEMY",
    "AGENCY",
    "AIRPORT",
    "BANK",
    "BOARD",
    "CHURCH",
    "CLINIC",
    "COLLEGE",
    "COUNCIL",
    "FCU",
    "FOUNDATION",
    "HOSPITAL",
    "HOSPITALS",
    "INSTITUTE",
    "LIBRARY",
    "MUSEUM",
    "SOCIETY",
    "UNIVERSITY",
)

DIRECTION_WORDS: frozenset[str] = frozenset(_DIRECTIONS.split())
PLACE_WORDS: frozenset[str] = frozenset(_PLACES.split())

#: Postal codes of US states, so TX matches TEXAS.
STATE_CODES: dict[str, str] = {
    "AL": "ALABAMA",
    "AK": "ALASKA",
    "AZ": "ARIZONA",
    "AR": "ARKANSAS",
    "CA": "CALIFORNIA",
    "CO": "COLORADO",
    "CT": "CONNECTICUT",
    "DE": "DELAWARE",
    "FL": "FLORIDA",
    "GA": "GEORGIA",
    "HI": "HAWAII",
    "ID": "IDAHO",
    "IL": "ILLINOIS",
    "IN": "INDIANA",
    "IA": "IOWA",
    "KS": "KANSAS",
    "KY": "KENTUCKY",
    "LA": "LOUISIANA",
    "ME": "MAINE",
    "MD": "MARYLAND",
    "MA": "MASSACHUSETTS",
    "MI": "MICHIGAN",
    "MN": "MINNESOTA",
    "MS": "MISSISSIPPI",
    "MO": "MISSOURI",
    "MT": "MONTANA",
    "NE": "NEBRASKA",
    "NV": "NEVADA",
    "NH": "HAMPSHIRE",
    "NJ": "JERSEY",
    "NM": "MEXICO",
    "NY": "YORK",
    "NC": "CAROLINA",
    "ND": "DAKOTA",
    "OH": "OHIO",
    "OK": "OKLAHOMA",
    "OR": "OREGON",
    "PA": "PENNSYLVANIA",
    "RI": "RHODE",
    "SC": "CAROLINA",
    "SD": "DAKOTA",
    "TN": "TENNESSEE",
    "TX": "TEXAS",
    "UT": "UTAH",
    "VT": "VERMONT",
    "VA": "VIRGINIA",
    "WA": "WASHINGTON",
    "WV": "VIRGINIA",
    "WI": "WISCONSIN",
    "WY": "WYOMING",
}

_ORDERED_TYPES = frozenset({"UNIVERSITY", "COLLEGE"})

_ROMAN = re.compile(r"^(X{0,3})(IX|IV|V?I{0,3})$")
_ORDINAL_WORDS = {
    "FIRST": 1,
    "SECOND": 2,
    "THIRD": 3,
    "FOURTH": 4,
    "FIFTH": 5,
    "SIXTH": 6,
    "SEVENTH": 7,
    "EIGHTH": 8,
    "NINTH": 9,
    "TENTH": 10,
}
_DIGITS = re.compile(r"[0-9]+")
_ROMAN_VALUES = {"I": 1, "V": 5, "X": 10}
_VOWELS = frozenset("AEIOUY")

# token kinds
_STOP, _WEAK, _GENERIC, _DISTINCT, _KEY = 0, 1, 2, 3, 4


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


# ----------------------------------------------------------------------------- numbers


def _roman_value(tok: str) -> int | None:
    """Value of a roman numeral of two letters or more (single I/V/X are initials)."""
    if len(tok) < 2 or not _ROMAN.match(tok):
        return None
    total, prev = 0, 0
    for ch in reversed(tok):
        v = _ROMAN_VALUES[ch]
        total = total - v if v < prev else total + v
        prev = max(prev, v)
    return total


def name_numbers(name: str) -> frozenset[int]:
    """Numbers a name states: digit runs (``L0012`` -> 12, ``1ST`` -> 1), roman numerals of
    two letters or more (``VIII`` -> 8) and ordinal words (``SECOND`` -> 2)."""
    out: set[int] = set()
    for tok in name.split(" "):
        out.update(int(run) for run in _DIGITS.findall(tok))
        r = _roman_value(tok)
        if r is not None:
            out.add(r)
        o = _ORDINAL_WORDS.get(tok)
        if o is not None:
            out.add(o)
    return frozenset(out)


# ----------------------------------------------------------------------------- corpus


def _unique_int(x: np.ndarray) -> np.ndarray:
    """Sorted distinct values of an int64 array (sort-based: faster than np.unique here)."""
    x = np.sort(x, kind="stable" if x.size < 1024 else None)
    if x.size == 0:
        return x
    return x[np.concatenate([[True], x[1:] != x[:-1]])]


# word classes used by the organisation-type checks
_GOV, _ORG, _DIR, _PLACE, _LEGAL = 1, 2, 4, 8, 16
_QUAL = 32  # pseudo-bit: un_class key of qualifier words
#: legal-form words that survive normalisation inside a name: no qualifier
_LEGAL_WORDS = frozenset("COMPANY CORP CORPORATION INC INCORPORATED LIMITED LTD LLC".split())
_ORDERED_BITS = {"UNIVERSITY": 1, "COLLEGE": 2}


@dataclass
class _Lists:
    stop: frozenset[str]
    generic: frozenset[str]
    gov_types: frozenset[str]
    org_types: frozenset[str]
    #: proper prefixes (6+ letters) of generic words: FEC cuts employers at 38 characters,
    #: so TECHNOLOG or INTERNATIONA are generic words too
    generic_prefixes: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        self.generic_prefixes = frozenset(w[:k] for w in self.generic for k in range(6, len(w))) - self.generic

    @classmethod
    def from_config(cls, cfg: MatchConfig) -> _Lists:
        generic = DEFAULT_GENERIC_WORDS if cfg.generic_words is None else cfg.generic_words
        return cls(
            frozenset(DEFAULT_STOP_WORDS if cfg.stop_words is None else cfg.stop_words),
            frozenset(generic) | frozenset(cfg.generic_words_extra),
            frozenset(
                DEFAULT_GOVERNMENT_TYPE_WORDS if cfg.government_type_words is None else cfg.government_type_words
            ),
            frozenset(
                DEFAULT_ORGANISATION_TYPE_WORDS if cfg.organisation_type_words is None else cfg.organisation_type_words
            ),
        )

    def kind(self, tok: str) -> int:
        if tok[0] in "~#":
            return _KEY
        if tok in self.stop:
            return _STOP
        if tok in self.generic or tok in self.generic_prefixes:
            return _GENERIC
        if len(tok) < 2 or tok.isdigit() or _roman_value(tok) is not None:
            return _WEAK
        return _DISTINCT

    def word_class(self, tok: str) -> int:
        return (
            (_GOV if tok in self.gov_types else 0)
            | (_ORG if tok in self.org_types else 0)
            | (_DIR if tok in DIRECTION_WORDS else 0)
            | (_PLACE if tok in PLACE_WORDS else 0)
            | (_LEGAL if tok in _LEGAL_WORDS else 0)
        )


@dataclass
class _Corpus:
    """Distinct names of both sides with their words as sorted id arrays."""

    names: list[str]  # sorted distinct names
    is_left: np.ndarray  # bool per name
    is_right: np.ndarray
    vocab: list[str]  # sorted words and blocking keys (keys start with ~ or #)
    kind: np.ndarray  # per vocab entry: _STOP.._KEY
    wclass: np.ndarray  # per vocab entry: _GOV | _ORG | _DIR | _PLACE bits
    nt_name: np.ndarray  # unique (name, word) pairs sorted by name, then word id
    nt_tok: np.ndarray
    nt_key: np.ndarray  # nt_name * len(vocab) + nt_tok (sorted)
    name_start: np.ndarray  # offsets of each name in nt_*
    idf: np.ndarray  # per vocab entry, ln(N / df)
    weight: np.ndarray  # per vocab entry, weight in coverage
    blocking: np.ndarray  # per vocab entry
    prefix_key: np.ndarray  # per vocab entry: a prefix blocking key
    long_word: np.ndarray  # per vocab entry: a distinctive word that has a prefix key
    total_weight: np.ndarray  # per name
    n_identity: np.ndarray  # per name: identity words
    all_generic: np.ndarray  # per name: no distinctive word
    number_sig: np.ndarray  # per name: 0 = states no number, else a hash of its numbers
    has_type: np.ndarray  # per name: has a government or organisation type word
    public: np.ndarray  # per name: has a government type word or UNIVERSITY/COLLEGE
    ord_has: np.ndarray  # per name: bits of UNIVERSITY/COLLEGE present
    ord_first: np.ndarray  # per name: bits of UNIVERSITY/COLLEGE as the first word
    last_tok: np.ndarray  # per name: vocab id of the last word
    last_code: np.ndarray  # per name: the last word is a short unit code
    lists: _Lists
    generic_weight: float

    @property
    def tok_id(self) -> dict[str, int]:
        return {t: i for i, t in enumerate(self.vocab)}


def _clean_side(names: Iterable[str | None], nonans: NonAnswerMatcher) -> set[str]:
    out = set()
    for n in names:
        if n is None:
            continue
        n = " ".join(w for w in n.split(" ") if w)
        if n and not nonans(n):
            out.add(n)
    return out


_NUMBER_HINT = "[0-9]|(^| )(" + "|".join(_ORDINAL_WORDS) + "|[IVX][IVX]+)( |$)"


def _number_sig(arr: pa.Array) -> np.ndarray:
    sig = np.zeros(len(arr), dtype=np.uint64)
    hint = np.asarray(pc.match_substring_regex(arr, _NUMBER_HINT))
    for i in np.nonzero(hint)[0].tolist():
        nums = name_numbers(arr[i].as_py())
        if nums:
            # tuples of ints hash the same in every process (no hash randomisation for ints)
            sig[i] = np.uint64((hash(tuple(sorted(nums))) & 0x7FFFFFFFFFFFFFFF) | 1)
    return sig


def _build_corpus(left: set[str], right: set[str], cfg: MatchConfig) -> _Corpus:
    lists = _Lists.from_config(cfg)
    names = sorted(left | right)
    n_names = len(names)
    arr = pa.array(names, type=pa.string())
    is_left = np.asarray(pc.is_in(arr, value_set=pa.array(sorted(left), pa.string())))
    is_right = np.asarray(pc.is_in(arr, value_set=pa.array(sorted(right), pa.string())))

    split = pc.split_pattern(arr, " ")
    flat = pc.list_flatten(split)
    parent = np.asarray(pc.list_parent_indices(split), dtype=np.int64)
    words = pc.unique(flat)
    word_kind = np.array([lists.kind(t) for t in words.to_pylist()], dtype=np.int8)
    flat_word = np.asarray(pc.index_in(flat, value_set=words))
    flat_kind = word_kind[flat_word]
    has_distinct = np.zeros(n_names, dtype=bool)
    has_distinct[parent[flat_kind == _DISTINCT]] = True

    # Extra blocking keys: word prefixes (typos) and generic words of all-generic names.
    extra, extra_parent = [], []
    if cfg.prefix_len > 0:
        lens = np.asarray(pc.utf8_length(flat))
        m = (flat_kind == _DISTINCT) & (lens >= cfg.prefix_min_word_len)
        extra.append(
            pc.binary_join_element_wise(
                "~", pc.utf8_slice_codeunits(pc.filter(flat, pa.array(m)), 0, cfg.prefix_len), ""
            )
        )
        extra_parent.append(parent[m])
    m = (flat_kind == _GENERIC) & ~has_distinct[parent]
    extra.append(pc.binary_join_element_wise("#", pc.filter(flat, pa.array(m)), ""))
    extra_parent.append(parent[m])
    all_flat = pa.concat_arrays([flat] + [e.cast(pa.string()) for e in extra])
    all_parent = np.concatenate([parent] + extra_parent)

    uniq = pc.unique(all_flat)
    vocab_arr = pc.take(uniq, pc.array_sort_indices(uniq))
    vocab = vocab_arr.to_pylist()
    n_vocab = max(len(vocab), 1)
    tok = np.asarray(pc.index_in(all_flat, value_set=vocab_arr), dtype=np.int64)
    key = _unique_int(all_parent * n_vocab + tok)
    nt_name, nt_tok = key // n_vocab, key % n_vocab
    name_start = np.searchsorted(nt_name, np.arange(n_names + 1))

    kind = np.array([lists.kind(t) for t in vocab], dtype=np.int8)
    wclass = np.array([lists.word_class(t) for t in vocab], dtype=np.int8)
    df = np.bincount(nt_tok, minlength=len(vocab)).astype(np.int64)
    idf = np.log(max(n_names, 1) / np.maximum(df, 1))
    weight = idf.copy()
    weight[(kind == _GENERIC) | (kind == _WEAK)] *= cfg.generic_weight
    weight[(kind == _STOP) | (kind == _KEY)] = 0.0
    blocking = ((kind == _DISTINCT) | (kind == _KEY)) & (df <= cfg.block_max_df)
    prefix_key = np.array([v.startswith("~") for v in vocab], dtype=bool)
    vlen = np.array([len(v) for v in vocab], dtype=np.int64)
    long_word = (kind == _DISTINCT) & (vlen >= cfg.prefix_min_word_len) & (cfg.prefix_len > 0)

    total_weight = np.bincount(nt_name, weights=weight[nt_tok], minlength=n_names)
    all_generic = ~has_distinct
    ident_tok = np.where(all_generic[nt_name], kind[nt_tok] == _GENERIC, kind[nt_tok] == _DISTINCT)
    n_identity = np.bincount(nt_name, weights=ident_tok, minlength=n_names).astype(np.int64)

    cls = wclass[nt_tok]
    has_type = np.zeros(n_names, dtype=bool)
    has_type[nt_name[(cls & (_GOV | _ORG)) > 0]] = True
    public = np.zeros(n_names, dtype=bool)
    public[nt_name[(cls & _GOV) > 0]] = True
    ord_has = np.zeros(n_names, dtype=np.int8)
    ord_first = np.zeros(n_names, dtype=np.int8)
    first_pos = np.concatenate([[0], np.cumsum(np.asarray(pc.list_value_length(split)))[:-1]])
    first_word = (
        np.asarray(pc.take(words, pa.array(flat_word[first_pos])).to_pylist()) if n_names else np.zeros(0, dtype=object)
    )
    for w, bit in _ORDERED_BITS.items():
        wid = vocab.index(w) if w in vocab else -1
        if wid >= 0:
            has = np.zeros(n_names, dtype=bool)
            has[nt_name[nt_tok == wid]] = True
            ord_has[has] |= bit
            ord_first[first_word == w] |= bit
    public |= ord_has > 0
    last_pos = np.cumsum(np.asarray(pc.list_value_length(split))) - 1
    last_word = pc.take(flat, pa.array(last_pos))
    last_tok = np.asarray(pc.index_in(last_word, value_set=vocab_arr), dtype=np.int64)
    n_words = np.asarray(pc.list_value_length(split))
    types = lists.gov_types | lists.org_types
    last_code = (
        (n_words > 1)
        & (kind[last_tok] == _DISTINCT)
        & (vlen[last_tok] <= 3)
        & ~np.isin(last_tok, [vocab.index(t) for t in types if t in vocab])
    )
    return _Corpus(
        names,
        is_left,
        is_right,
        vocab,
        kind,
        wclass,
        nt_name,
        nt_tok,
        key,
        name_start,
        idf,
        weight,
        blocking,
        prefix_key,
        long_word,
        total_weight,
        n_identity,
        all_generic,
        _number_sig(arr),
        has_type,
        public,
        ord_has,
        ord_first,
        last_tok,
        last_code,
        lists,
        cfg.generic_weight,
    )


# ----------------------------------------------------------------------------- tiers 1-2


def _set_hash(c: _Corpus) -> np.ndarray:
    """Order-free 64-bit hash of each name's set of words (blocking keys excluded)."""
    h = np.random.default_rng(20240531).integers(1, 2**63 - 1, size=len(c.vocab), dtype=np.int64).astype(np.uint64)
    vals = np.where(c.kind[c.nt_tok] == _KEY, np.uint64(0), h[c.nt_tok])
    return np.add.reduceat(vals, c.name_start[:-1]) if len(c.names) else vals


def _join_keys(keys: np.ndarray | pa.Array, c: _Corpus) -> tuple[np.ndarray, np.ndarray]:
    """(left, right) name pairs with equal keys, left != right."""
    li = np.nonzero(c.is_left)[0]
    ri = np.nonzero(c.is_right)[0]
    k = keys if isinstance(keys, pa.Array) else pa.array(keys)
    lt = pa.table({"k": pc.take(k, pa.array(li)), "l": li})
    rt = pa.table({"k": pc.take(k, pa.array(ri)), "r": ri})
    j = lt.join(rt, "k", join_type="inner")
    a = np.asarray(j.column("l")).astype(np.int64)
    b = np.asarray(j.column("r")).astype(np.int64)
    keep = a != b
    return a[keep], b[keep]


def _exact_and_aggressive(c: _Corpus) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Arrays (left, right, is_exact) of exact and aggressive pairs, sorted and distinct."""
    ex = np.nonzero(c.is_left & c.is_right)[0].astype(np.int64)
    arr = pa.array(c.names, pa.string())
    a1, b1 = _join_keys(_set_hash(c), c)
    # a hash collision must not make a match: check the word sets themselves
    ok = np.fromiter(
        (
            set(c.names[i].split(" ")) == set(c.names[j].split(" "))
            for i, j in zip(a1.tolist(), b1.tolist(), strict=False)
        ),
        dtype=bool,
        count=a1.size,
    )
    a2, b2 = _join_keys(pc.replace_substring(arr, " ", ""), c)
    n = max(len(c.names), 1)
    agg = _unique_int(np.concatenate([a1[ok] * n + b1[ok], a2 * n + b2]))
    left = np.concatenate([ex, agg // n])
    right = np.concatenate([ex, agg % n])
    exact = np.concatenate([np.ones(ex.size, bool), np.zeros(agg.size, bool)])
    return left, right, exact


# ----------------------------------------------------------------------------- candidates


def _candidate_chunks(c: _Corpus, cfg: MatchConfig) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Yield (left, right) arrays of distinct candidate pairs, chunked by left name."""
    n_vocab = len(c.vocab)
    on_key = c.blocking[c.nt_tok]
    r_mask = on_key & c.is_right[c.nt_name]
    r_tok, r_nm = c.nt_tok[r_mask], c.nt_name[r_mask]
    order = np.lexsort((r_nm, r_tok))
    r_tok, r_nm = r_tok[order], r_nm[order]
    r_count = np.bincount(r_tok, minlength=n_vocab).astype(np.int64)
    r_start = np.concatenate([[0], np.cumsum(r_count)[:-1]])
    l_mask = on_key & c.is_left[c.nt_name]
    l_count = np.bincount(c.nt_tok[l_mask], minlength=n_vocab).astype(np.int64)
    usable = (r_count > 0) & (l_count > 0) & (l_count * r_count <= cfg.block_max_pairs)
    m = l_mask & usable[c.nt_tok]
    l_nm, l_tok = c.nt_name[m], c.nt_tok[m]  # sorted by name
    if l_nm.size == 0:
        return
    per_occ = r_count[l_tok]
    cum = np.cumsum(per_occ)
    # Chunk on name boundaries so a pair never spans two chunks.
    bounds, base = [0], 0
    for b in (np.nonzero(np.diff(l_nm))[0] + 1).tolist():
        if cum[b - 1] - base > cfg.chunk_pairs:
            bounds.append(b)
            base = int(cum[b - 1])
    bounds.append(l_nm.size)
    n = len(c.names)
    tracker = progress.start("matching names", int(cum[-1]), "pairs")  # drawn only under the CLI on a terminal
    for lo, hi in zip(bounds[:-1], bounds[1:], strict=False):
        nm, tk, cnt = l_nm[lo:hi], l_tok[lo:hi], per_occ[lo:hi]
        total = int(cnt.sum())
        if total == 0:
            continue
        left = np.repeat(nm, cnt)
        offs = np.repeat(r_start[tk] - (np.cumsum(cnt) - cnt), cnt) + np.arange(total)
        right = r_nm[offs]
        keep = left != right
        pairs = _unique_int(left[keep] * n + right[keep])
        yield pairs // n, pairs % n
        tracker.advance(total)
    tracker.close()


@dataclass
class _Side:
    """Features of the pairs seen from one name of each pair."""

    shared_w: np.ndarray  # weight of its words found in the other name
    ident: np.ndarray  # its identity words found in the other name
    distinct: np.ndarray  # its distinctive words (never generic ones) found there
    max_idf: np.ndarray  # largest IDF among them
    extra_prefix: np.ndarray  # shared prefix keys not explained by shared long words
    unmatched: np.ndarray  # its non-stop words not in the other name
    un_class: dict[int, np.ndarray]  # unmatched words per class bit
    last_hit: np.ndarray  # its last word is in the other name


def _side(c: _Corpus, a: np.ndarray, b: np.ndarray) -> _Side:
    starts = c.name_start[a]
    cnt = c.name_start[a + 1] - starts
    total = int(cnt.sum())
    n = a.size
    pair = np.repeat(np.arange(n), cnt)
    pos = np.repeat(starts - (np.cumsum(cnt) - cnt), cnt) + np.arange(total)
    tok = c.nt_tok[pos]
    n_vocab = len(c.vocab)
    probe = b[pair] * n_vocab + tok
    idx = np.minimum(np.searchsorted(c.nt_key, probe), c.nt_key.size - 1)
    hit = c.nt_key[idx] == probe
    kind = c.kind[tok]
    shared_w = np.bincount(pair, weights=np.where(hit, c.weight[tok], 0.0), minlength=n)
    both_generic = c.all_generic[a][pair] & c.all_generic[b][pair]
    ident_hit = hit & ((kind == _DISTINCT) | (both_generic & (kind == _GENERIC)))
    ident = np.bincount(pair, weights=ident_hit, minlength=n).astype(np.int64)
    distinct = np.bincount(pair, weights=hit & (kind == _DISTINCT), minlength=n).astype(np.int64)
    max_idf = np.zeros(n)
    np.maximum.at(max_idf, pair[ident_hit], c.idf[tok[ident_hit]])
    extra_prefix = np.bincount(pair, weights=hit & c.prefix_key[tok], minlength=n) - np.bincount(
        pair, weights=hit & c.long_word[tok], minlength=n
    )
    miss = ~hit & (kind != _KEY)
    unmatched = np.bincount(pair, weights=miss & (kind != _STOP), minlength=n).astype(np.int64)
    cls = c.wclass[tok]
    un_class = {
        bit: np.bincount(pair, weights=miss & ((cls & bit) > 0), minlength=n).astype(np.int64)
        for bit in (_GOV, _ORG, _DIR, _PLACE, _LEGAL)
    }
    # qualifiers: unmatched words that are no place, direction or legal form
    un_class[_QUAL] = np.bincount(
        pair, weights=miss & (kind != _STOP) & ((cls & (_DIR | _PLACE | _LEGAL)) == 0), minlength=n
    ).astype(np.int64)
    lp = b * n_vocab + c.last_tok[a]
    lidx = np.minimum(np.searchsorted(c.nt_key, lp), c.nt_key.size - 1)
    return _Side(
        shared_w, ident, distinct, max_idf, extra_prefix.astype(np.int64), unmatched, un_class, c.nt_key[lidx] == lp
    )


def _code_only(c: _Corpus, a: np.ndarray, s: _Side) -> np.ndarray:
    """1 where the only unmatched word of name ``a`` is a short code at its end."""
    return (c.last_code[a] & ~s.last_hit & (s.unmatched == 1)).astype(np.int64)


def _coverage(c: _Corpus, a: np.ndarray, s: _Side) -> np.ndarray:
    """Coverage of names ``a``; a short code that alone is unmatched at the end of a name
    (CACI ISS, GEORGETOWN UNIVERSITY SOM) names a unit and weighs as a weak word."""
    total = c.total_weight[a].copy()
    code = _code_only(c, a, s).astype(bool)
    total[code] -= c.weight[c.last_tok[a[code]]] * (1.0 - c.generic_weight)
    return np.divide(s.shared_w, total, out=np.zeros_like(total), where=total > 0).clip(0, 1)


def _conflict(
    c: _Corpus, left: np.ndarray, right: np.ndarray, sl: _Side, sr: _Side, unm_l: np.ndarray, unm_r: np.ndarray
) -> np.ndarray:
    """Vectorised ``_type_conflict`` for exact word matches."""
    gov = (sl.un_class[_GOV] + sr.un_class[_GOV]) > 0
    org = (sl.un_class[_ORG] > 0) & (sr.un_class[_ORG] > 0)
    both = c.ord_has[left] & c.ord_has[right]
    order = (both & (c.ord_first[left] ^ c.ord_first[right])) > 0
    direction = (sl.un_class[_DIR] + sr.un_class[_DIR]) > 0
    public = c.public[left] | c.public[right]
    place = public & ((unm_l + unm_r > 0) | (sl.un_class[_PLACE] + sr.un_class[_PLACE] > 0))
    return gov | org | order | direction | place


# ----------------------------------------------------------------------------- word alignment


def _near(a: str, b: str) -> bool:
    """A one-letter typo between two words of 5+ letters with the same first letter: one
    letter inserted or deleted, two neighbours swapped, one vowel for another (NORTHRUP /
    NORTHROP) or, in words of 8+ letters, a different last letter (AIRLINED / AIRLINES).
    A consonant for a consonant inside a word is not a typo (NORTHEASTERN / NORTHWESTERN)."""
    if a == b or a[0] != b[0] or min(len(a), len(b)) < 5:
        return False
    if any(ch.isdigit() for ch in a + b):
        return False
    if len(a) != len(b):
        return Indel.distance(a, b, score_cutoff=1) <= 1
    diff = [i for i in range(len(a)) if a[i] != b[i]]
    if len(diff) == 1:
        i = diff[0]
        return (a[i] in _VOWELS and b[i] in _VOWELS) or (i == len(a) - 1 and len(a) >= 8)
    if len(diff) == 2:
        i, j = diff
        return j == i + 1 and a[i] == b[j] and a[j] == b[i]
    return False


def _abbreviates(short: str, full: str, is_last: bool) -> bool:
    """``short`` abbreviates ``full``: a state code (TX / TEXAS), a prefix of 4+ letters
    (CORP / CORPORATION), a prefix of 3 letters ending the name (FEC cuts employers at 38
    characters: ELEC), or a skeleton of 4+ letters with the same first and last letter
    (MCHY / MACHINERY, NTWK / NETWORK)."""
    if STATE_CODES.get(short) == full:
        return True
    if len(short) >= len(full) or short[0] != full[0] or any(ch.isdigit() for ch in short):
        return False
    if full.startswith(short):
        return len(short) >= 4 or (is_last and len(short) >= 3)
    if len(short) >= 4 and short[-1] == full[-1]:
        it = iter(full)
        return all(ch in it for ch in short)
    return False


@dataclass
class _Alignment:
    shared: list[str]
    cov_left: float
    cov_right: float
    unmatched_left: int  # identity words without a partner
    unmatched_right: int
    identity_idf: list[float]
    type_conflict: bool
    distinct_shared: int  # matches between words that are distinctive in both names
    sister: bool = False  # each name has a qualifier the other lacks (DELOITTE TAX / CONSULTING)


def _type_conflict(
    c: _Corpus, a: list[str], b: list[str], ma: Mapping[int, int], mb: Mapping[int, int], unmatched_identity: bool
) -> bool:
    """Do the two names denote different kinds of organisation or different places?

    * an unmatched government-type word (``COUNTY OF ORANGE`` / ``ORANGE COUNTY FIRE
      AUTHORITY``), or another unmatched type word on each side (``COUNTY OF SAN DIEGO`` /
      ``UNIVERSITY OF SAN DIEGO``);
    * UNIVERSITY/COLLEGE before the place in one name and after it in the other
      (``MIAMI UNIVERSITY`` / ``UNIVERSITY OF MIAMI``);
    * an unmatched direction (``UNIVERSITY OF SOUTH ALABAMA``);
    * for public bodies and universities, an unmatched place or identity word
      (``UNIVERSITY OF TEXAS HOUSTON`` / ``UNIVERSITY OF HOUSTON``, ``WICHITA FALLS FIRE
      DEPARTMENT`` / ``WICHITA FIRE DEPARTMENT``).
    """
    gov, org = c.lists.gov_types, c.lists.org_types
    ua = [w for k, w in enumerate(a) if k not in ma]
    ub = [w for k, w in enumerate(b) if k not in mb]
    if any(w in gov for w in ua + ub):
        return True
    if any(w in org for w in ua) and any(w in org for w in ub):
        return True
    for t in _ORDERED_TYPES:
        if t in a and t in b and (a.index(t) == 0) != (b.index(t) == 0):
            return True
    if any(w in DIRECTION_WORDS for w in ua + ub):
        return True
    public = any(w in gov or w in _ORDERED_TYPES for w in a + b)
    return public and (unmatched_identity or any(w in PLACE_WORDS for w in ua + ub))


def _align(c: _Corpus, tok_id: Mapping[str, int], li: int, ri: int) -> _Alignment:
    """Word-level alignment of one pair: exact, glued, typo and abbreviated matches."""
    sides = []
    for ni in (li, ri):
        words = list(dict.fromkeys(c.names[ni].split(" ")))
        ids = [tok_id[w] for w in words]
        kinds = [int(c.kind[t]) for t in ids]
        if c.all_generic[ni]:
            # a name made only of generic words is identified by them
            kinds = [_DISTINCT if k == _GENERIC else k for k in kinds]
        sides.append((words, ids, kinds))
    (a, a_ids, a_kind), (b, b_ids, b_kind) = sides
    ma: dict[int, int] = {}  # word index in a -> partner index in b
    mb: dict[int, int] = {}
    labels: list[str] = []
    anchors = 0

    def take(i: int, j: int, label: str, anchor: bool) -> None:
        nonlocal anchors
        ma[i], mb[j] = j, i
        labels.append(label)
        anchors += anchor

    b_pos = {w: j for j, w in enumerate(b)}
    for i, w in enumerate(a):
        j = b_pos.get(w)
        if j is not None:
            take(i, j, w, a_kind[i] == _DISTINCT and b_kind[j] == _DISTINCT)

    def glue(src: list[str], msrc: dict[int, int], dst: list[str], mdst: dict[int, int], flip: bool) -> None:
        nonlocal anchors
        for i, w in enumerate(src):
            if i in msrc or len(w) < 4:
                continue
            free = [j for j in range(len(dst)) if j not in mdst]
            for size in (2, 3, 4):
                hit = next(
                    (
                        free[k : k + size]
                        for k in range(len(free) - size + 1)
                        if free[k + size - 1] - free[k] == size - 1 and "".join(dst[j] for j in free[k : k + size]) == w
                    ),
                    None,
                )
                if hit:
                    msrc[i] = hit[0]
                    for j in hit:
                        mdst[j] = i
                    part = " ".join(dst[j] for j in hit)
                    labels.append(f"{part}~{w}" if flip else f"{w}~{part}")
                    anchors += 1
                    break

    glue(a, ma, b, mb, False)
    glue(b, mb, a, ma, True)
    real_generic = c.lists.generic
    for i, w in enumerate(a):
        if i in ma or a_kind[i] < _GENERIC:
            continue
        for j, u in enumerate(b):
            if j in mb or b_kind[j] < _GENERIC or (w in real_generic and u in real_generic):
                continue
            if _near(w, u):
                take(i, j, f"{w}~{u}", a_kind[i] == _DISTINCT and b_kind[j] == _DISTINCT)
                break
            last_a, last_b = i == len(a) - 1, j == len(b) - 1
            # a long cut-off last word is as good as the word (APPLICATI / APPLICATIONS)
            if (last_a and len(w) >= 6 and u.startswith(w)) or (last_b and len(u) >= 6 and w.startswith(u)):
                take(i, j, f"{w}~{u}", a_kind[i] == _DISTINCT or b_kind[j] == _DISTINCT)
                break
    if anchors:
        # short abbreviations only complete a match that rests on a real shared word
        for i, w in enumerate(a):
            if i in ma or a_kind[i] == _STOP:
                continue
            for j, u in enumerate(b):
                if j in mb or b_kind[j] == _STOP:
                    continue
                if (
                    w in real_generic
                    and u in real_generic
                    and STATE_CODES.get(w, w) != u
                    and STATE_CODES.get(u, u) != w
                ):
                    continue  # two different generic words (AMERICA / AMERICAN)
                if _abbreviates(w, u, i == len(a) - 1) or _abbreviates(u, w, j == len(b) - 1):
                    take(i, j, f"{w}~{u}", False)
                    break

    def coverage(words: list[str], ids: list[int], matched: Mapping[int, int], total: float) -> float:
        if total <= 0:
            return 0.0
        got = sum(float(c.weight[t]) for k, t in enumerate(ids) if k in matched)
        last = len(words) - 1
        types = c.lists.gov_types | c.lists.org_types
        if (
            last > 0
            and last not in matched
            and len(matched) == last
            and len(words[last]) <= 3
            and words[last] not in types
        ):
            # everything but a short code at the end matched: the code names a unit of the
            # same organisation (CACI ISS, GEORGETOWN UNIVERSITY SOM) and weighs as a weak word
            code = float(c.weight[ids[last]])
            total -= code * (1.0 - c.generic_weight) if c.kind[ids[last]] == _DISTINCT else 0.0
        return min(1.0, got / total) if total > 0 else 0.0

    def unmatched(kinds: list[int], matched: Mapping[int, int]) -> int:
        return sum(1 for k, kd in enumerate(kinds) if kd == _DISTINCT and k not in matched)

    ul, ur = unmatched(a_kind, ma), unmatched(b_kind, mb)
    # a unit code alone unmatched at the end (GEORGETOWN UNIVERSITY SOM) is no other identity
    ul -= int(bool(c.last_code[li]) and ul == 1 and len(a) - 1 not in ma)
    ur -= int(bool(c.last_code[ri]) and ur == 1 and len(b) - 1 not in mb)
    idfs = [float(c.idf[a_ids[i]]) for i, j in ma.items() if a_kind[i] == _DISTINCT and b_kind[j] == _DISTINCT]
    if not idfs and anchors:
        idfs = [float(c.idf[a_ids[i]]) for i in ma if a_kind[i] == _DISTINCT]
    distinct = sum(1 for i, j in ma.items() if c.kind[a_ids[i]] == _DISTINCT and c.kind[b_ids[j]] == _DISTINCT)

    def qualifiers(words: list[str], ids: list[int], matched: Mapping[int, int], code: bool) -> list[str]:
        """Unmatched generic words naming a line of business (TAX, CONSULTING, LIFE): no
        place, direction, legal form or organisation type, no unit code at the end."""
        skip = _DIR | _PLACE | _LEGAL | _GOV | _ORG
        last = len(words) - 1
        return [
            w
            for k, w in enumerate(words)
            if k not in matched
            and c.kind[ids[k]] == _GENERIC
            and not (c.lists.word_class(w) & skip)
            and not (code and k == last)
        ]

    qa = qualifiers(a, a_ids, ma, bool(c.last_code[li]))
    qb = qualifiers(b, b_ids, mb, bool(c.last_code[ri]))
    # variants of one word are no different qualifiers (ASSOC / ASSOCIATES, SERVICE / SERVICES)
    qa2 = [w for w in qa if not any(w[:4] == u[:4] for u in qb)]
    qb2 = [u for u in qb if not any(w[:4] == u[:4] for w in qa)]
    sister = bool(qa2) and bool(qb2)
    return _Alignment(
        sorted(labels),
        coverage(a, a_ids, ma, float(c.total_weight[li])),
        coverage(b, b_ids, mb, float(c.total_weight[ri])),
        ul,
        ur,
        idfs,
        _type_conflict(c, a, b, ma, mb, bool(ul or ur)),
        distinct,
        sister,
    )


# ----------------------------------------------------------------------------- tiers 3-4


def _fuzzy_tier(cfg: MatchConfig, score: float, sort_score: float, al: _Alignment, number_mismatch: bool) -> int:
    """Tier rank (0-3) of an aligned pair, -1 for no link."""
    if not al.identity_idf:
        return -1
    if (
        not number_mismatch
        and not al.type_conflict
        and not (cfg.sister_units_low and al.sister)
        and score >= cfg.fuzzy_threshold
        and min(al.cov_left, al.cov_right) >= cfg.min_coverage
        and (al.unmatched_left == 0 or al.unmatched_right == 0)
    ):
        if (
            min(al.cov_left, al.cov_right) >= cfg.medium_min_coverage
            and sort_score >= cfg.medium_min_score
            and max(al.identity_idf) >= cfg.medium_min_idf
        ):
            return _TIER_RANK["medium"]
        return _TIER_RANK["probable"]
    if al.distinct_shared and max(al.cov_left, al.cov_right) >= cfg.low_min_coverage:
        return _TIER_RANK["low"]
    return -1


def _cpdist(c: _Corpus, left: np.ndarray, right: np.ndarray, scorer: Any, cfg: MatchConfig) -> np.ndarray:
    if left.size == 0:
        return np.zeros(0, np.float32)
    names = c.names
    return np.asarray(
        process.cpdist(
            [names[i] for i in left.tolist()],
            [names[i] for i in right.tolist()],
            scorer=scorer,
            workers=cfg.workers,
            dtype=np.float32,
        )
    )


_MT_EXACT, _MT_AGGRESSIVE, _MT_FUZZY, _MT_OVERLAP, _MT_ACRONYM = range(5)


@dataclass
class _Rows:
    """Links as parallel arrays; ``align`` indexes the kept word alignments (-1: none)."""

    left: np.ndarray
    right: np.ndarray
    tier: np.ndarray
    mtype: np.ndarray
    score: np.ndarray
    cov_l: np.ndarray
    cov_r: np.ndarray
    num_mis: np.ndarray
    conflict: np.ndarray
    align: np.ndarray

    def take(self, idx: np.ndarray) -> _Rows:
        return _Rows(*(getattr(self, f.name)[idx] for f in fields(self)))

    @staticmethod
    def concat(parts: Sequence[_Rows]) -> _Rows:
        return _Rows(*(np.concatenate([getattr(p, f.name) for p in parts]) for f in fields(_Rows)))

    @staticmethod
    def empty() -> _Rows:
        i, f, b = np.zeros(0, np.int64), np.zeros(0, np.float32), np.zeros(0, bool)
        return _Rows(i, i, np.zeros(0, np.int8), np.zeros(0, np.int8), f, f, f, b, b, np.zeros(0, np.int64))


def _classify(
    c: _Corpus,
    cfg: MatchConfig,
    tok_id: Mapping[str, int],
    left: np.ndarray,
    right: np.ndarray,
    alignments: list[_Alignment],
) -> _Rows:
    """Tier the candidate pairs of one chunk (numpy, with Python only for alignments)."""
    sl, sr = _side(c, left, right), _side(c, right, left)
    cov_l, cov_r = _coverage(c, left, sl), _coverage(c, right, sr)
    sig_l, sig_r = c.number_sig[left], c.number_sig[right]
    num_mis = (sig_l != 0) & (sig_r != 0) & (sig_l != sig_r)
    overlap = (sl.ident > 0) & (np.maximum(cov_l, cov_r) >= cfg.low_min_coverage)
    # names made only of generic words link at probable or better, never as mere overlap
    low_ok = overlap & (sl.distinct > 0)
    # a shared prefix key beyond shared long words may hide a typo or a glued word
    typo = (sl.extra_prefix > 0) & ~num_mis
    keep = np.nonzero(overlap | typo)[0]
    if keep.size == 0:
        return _Rows.empty()
    left, right, cov_l, cov_r, num_mis, low_ok, typo = (
        x[keep] for x in (left, right, cov_l, cov_r, num_mis, low_ok, typo)
    )
    sl = _Side(
        *(
            getattr(sl, f.name)[keep] if f.name != "un_class" else {k: v[keep] for k, v in sl.un_class.items()}
            for f in fields(_Side)
        )
    )
    sr = _Side(
        *(
            getattr(sr, f.name)[keep] if f.name != "un_class" else {k: v[keep] for k, v in sr.un_class.items()}
            for f in fields(_Side)
        )
    )
    score = _cpdist(c, left, right, fuzz.token_set_ratio, cfg)
    # a unit code alone unmatched at the end (GEORGETOWN UNIVERSITY SOM) is no other identity
    unm_l = c.n_identity[left] - sl.ident - (_code_only(c, left, sl))
    unm_r = c.n_identity[right] - sr.ident - (_code_only(c, right, sr))
    conflict = _conflict(c, left, right, sl, sr, unm_l, unm_r)
    if cfg.sister_units_low:
        # each name has a qualifier the other lacks: sister units of one brand, not one unit
        sister = ((sl.un_class[_QUAL] - _code_only(c, left, sl)) > 0) & (
            (sr.un_class[_QUAL] - _code_only(c, right, sr)) > 0
        )
    else:
        sister = np.zeros(left.size, bool)
    scored = ~num_mis & (score >= cfg.fuzzy_threshold)
    fast = (
        scored
        & (sl.ident > 0)
        & (np.minimum(cov_l, cov_r) >= cfg.min_coverage)
        & ((unm_l == 0) | (unm_r == 0))
        & ~conflict
        & ~sister
    )
    # Typos, glued words and abbreviations can only add matches where both names still
    # have unmatched words; only those pairs get the word-level alignment.
    need = scored & ~fast & (typo | ((sl.unmatched > 0) & (sr.unmatched > 0) & (sl.ident > 0)))

    tier = np.full(left.size, -1, dtype=np.int8)
    tier[low_ok] = _TIER_RANK["low"]
    tier[fast] = _TIER_RANK["probable"]
    maybe_medium = np.nonzero(
        fast & (np.minimum(cov_l, cov_r) >= cfg.medium_min_coverage) & (sl.max_idf >= cfg.medium_min_idf)
    )[0]
    if maybe_medium.size:
        so = _cpdist(c, left[maybe_medium], right[maybe_medium], fuzz.token_sort_ratio, cfg)
        tier[maybe_medium[so >= cfg.medium_min_score]] = _TIER_RANK["medium"]
    align = np.full(left.size, -1, dtype=np.int64)
    idx = np.nonzero(need)[0]
    if idx.size:
        sort_scores = _cpdist(c, left[idx], right[idx], fuzz.token_sort_ratio, cfg)
        for k, so in zip(idx.tolist(), sort_scores.tolist(), strict=False):
            al = _align(c, tok_id, int(left[k]), int(right[k]))
            t = _fuzzy_tier(cfg, float(score[k]), so, al, bool(num_mis[k]))
            tier[k] = t
            if t >= 0:
                cov_l[k], cov_r[k], conflict[k] = al.cov_left, al.cov_right, al.type_conflict
                align[k] = len(alignments)
                alignments.append(al)
    mtype = np.where(tier == _TIER_RANK["low"], _MT_OVERLAP, _MT_FUZZY).astype(np.int8)
    sel = np.nonzero(tier >= 0)[0]
    conflict = conflict & (tier == _TIER_RANK["low"])
    return _Rows(
        left, right, tier, mtype, score, cov_l.astype(np.float32), cov_r.astype(np.float32), num_mis, conflict, align
    ).take(sel)


def _prune(rows: _Rows, cfg: MatchConfig) -> _Rows:
    """Keep each right name's links per ``cfg.per_right`` (see MatchConfig), ordered tier,
    score desc, left name asc (names are sorted, so left id order is name order)."""
    if rows.left.size == 0 or cfg.per_right == "all":
        return rows
    order = np.lexsort((rows.left, -rows.score, rows.tier, rows.right))
    r = rows.take(order)
    new = np.concatenate([[True], r.right[1:] != r.right[:-1]])
    first = np.nonzero(new)[0][np.cumsum(new) - 1]
    near_best = (r.tier == r.tier[first]) & (r.score >= r.score[first] - cfg.tie_epsilon)
    if cfg.per_right == "matches":
        near_best |= (r.tier <= _TIER_RANK["probable"]) & (r.tier[first] <= _TIER_RANK["probable"])
    # rows that pass are contiguous at the start of each group (sorted by tier, then score)
    keep = near_best & (np.arange(r.left.size) - first < cfg.max_links_per_right)
    return r.take(np.nonzero(keep)[0])


# ----------------------------------------------------------------------------- driver


def _match(
    left: Iterable[str | None], right: Iterable[str | None], cfg: MatchConfig
) -> tuple[_Corpus | None, _Rows, list[_Alignment]]:
    nonans = NonAnswerMatcher(cfg.non_answers_extra, cfg.non_answers)
    lset, rset = _clean_side(left, nonans), _clean_side(right, nonans)
    if not lset or not rset:
        return None, _Rows.empty(), []
    c = _build_corpus(lset, rset, cfg)
    tok_id = c.tok_id
    alignments: list[_Alignment] = []
    el, er, exact = _exact_and_aggressive(c)
    escore = np.full(el.size, 100.0, np.float32)
    agg = np.nonzero(~exact)[0]
    escore[agg] = _cpdist(c, el[agg], er[agg], fuzz.token_set_ratio, cfg)
    ones = np.ones(el.size, np.float32)
    no = np.zeros(el.size, bool)
    # the same letters glued differently, where one name is made only of generic words that
    # name no place and no kind of organisation (GLOBAL TECH / GLOBALTECH, but not INDIANA
    # UNIVERSITY / INDIANAUNIVERSITY): nothing identifies either firm, so only a low link
    glued_generic = np.zeros(el.size, bool)
    if cfg.glued_generic_low and agg.size:
        glued_generic[agg] = np.fromiter(
            (
                c.names[i].count(" ") != c.names[j].count(" ")
                and any(
                    c.all_generic[k]
                    and not any(c.lists.word_class(w) & (_PLACE | _GOV | _ORG) for w in c.names[k].split(" "))
                    for k in (i, j)
                )
                for i, j in zip(el[agg].tolist(), er[agg].tolist(), strict=True)
            ),
            dtype=bool,
            count=agg.size,
        )
    parts = [
        _Rows(
            el,
            er,
            np.where(exact, 0, np.where(glued_generic, _TIER_RANK["low"], 1)).astype(np.int8),
            np.where(exact, _MT_EXACT, _MT_AGGRESSIVE).astype(np.int8),
            escore,
            ones,
            ones,
            no,
            no,
            np.full(el.size, -1, np.int64),
        )
    ]
    n = max(len(c.names), 1)
    done = np.sort(el * n + er)
    for lc, rc in _candidate_chunks(c, cfg):
        probe = lc * n + rc
        pos = np.minimum(np.searchsorted(done, probe), max(done.size - 1, 0))
        fresh = ~(done[pos] == probe) if done.size else np.ones(probe.size, bool)
        rows = _classify(c, cfg, tok_id, lc[fresh], rc[fresh], alignments)
        if not cfg.include_low:
            rows = rows.take(np.nonzero(rows.tier != _TIER_RANK["low"])[0])
        parts.append(_prune(rows, cfg))
    rows = _Rows.concat(parts)
    if not cfg.include_low:
        rows = rows.take(np.nonzero(rows.tier != _TIER_RANK["low"])[0])
    rows = _prune(rows, cfg)
    if cfg.acronyms and cfg.include_low:
        rows = _Rows.concat([rows, _acronym_rows(c, cfg, rows)])
    return c, rows, alignments


def _acronym_rows(c: _Corpus, cfg: MatchConfig, rows: _Rows) -> _Rows:
    """Low-tier ``acronym`` links (python_udfs/acronyms.py) for pairs not linked otherwise."""
    from python_udfs.acronyms import acronym_pairs

    names = c.names
    left = [n for i, n in enumerate(names) if c.is_left[i]]
    right = [n for i, n in enumerate(names) if c.is_right[i]]
    ids = {n: i for i, n in enumerate(names)}
    n = max(len(names), 1)
    have = set((rows.left * n + rows.right).tolist())
    found = [(ids[a], ids[b]) for a, b, _ in acronym_pairs(left, right, c.lists.stop)]
    found = [(a, b) for a, b in found if a * n + b not in have]
    if not found:
        return _Rows.empty()
    la = np.array([a for a, _ in found], np.int64)
    ra = np.array([b for _, b in found], np.int64)
    k = la.size
    ones = np.ones(k, np.float32)
    no = np.zeros(k, bool)
    return _Rows(
        la,
        ra,
        np.full(k, _TIER_RANK["low"], np.int8),
        np.full(k, _MT_ACRONYM, np.int8),
        _cpdist(c, la, ra, fuzz.token_set_ratio, cfg),
        ones,
        ones,
        no,
        no,
        np.full(k, -1, np.int64),
    )


def _evidence(
    c: _Corpus, tok_id: Mapping[str, int], li: int, ri: int, al: _Alignment | None
) -> tuple[str, float, float]:
    """Matched words and the IDF max/mean of the matched identity words."""
    if al is not None:
        shared, idfs = " ".join(al.shared), al.identity_idf
    else:
        a, b = c.names[li].split(" "), set(c.names[ri].split(" "))
        common = sorted(set(w for w in a if w in b))
        shared = " ".join(common) if common else c.names[li].replace(" ", "")
        both_generic = bool(c.all_generic[li] and c.all_generic[ri])
        idfs = [
            float(c.idf[tok_id[w]])
            for w in common
            if c.kind[tok_id[w]] == _DISTINCT or (both_generic and c.kind[tok_id[w]] == _GENERIC)
        ]
    if not idfs:
        return shared, 0.0, 0.0
    return shared, max(idfs), sum(idfs) / len(idfs)


def match_to_arrow(
    left: Iterable[str | None] | pa.Array | pa.ChunkedArray,
    right: Iterable[str | None] | pa.Array | pa.ChunkedArray,
    config: MatchConfig | None = None,
) -> pa.Table:
    """Links between normalised names as an Arrow table (``LINK_SCHEMA``), for the dbt
    Python model: distinct names in (Arrow arrays or sequences), links out. Nulls, blanks
    and employer non-answers are dropped. Sorted by right name, tier, score desc,
    token-sort score desc, left name."""
    cfg = config or MatchConfig()

    def as_list(x: Any) -> list[str | None]:
        return x.to_pylist() if isinstance(x, (pa.Array, pa.ChunkedArray)) else list(x)

    c, rows, alignments = _match(as_list(left), as_list(right), cfg)
    if c is None or rows.left.size == 0:
        return LINK_SCHEMA.empty_table()
    sort_score = _cpdist(c, rows.left, rows.right, fuzz.token_sort_ratio, cfg)
    exact = rows.mtype == _MT_EXACT
    sort_score[exact] = 100.0
    name_rank = np.arange(len(c.names))  # names are sorted: id order is name order
    order = np.lexsort((name_rank[rows.left], -sort_score, -rows.score, rows.tier, name_rank[rows.right]))
    rows = rows.take(order)
    sort_score = sort_score[order]
    tok_id = c.tok_id
    ev = [
        (f"{c.names[li] if ' ' not in c.names[li] else c.names[ri]}~INITIALS", 0.0, 0.0)
        if m == _MT_ACRONYM
        else _evidence(c, tok_id, li, ri, alignments[a] if a >= 0 else None)
        for li, ri, a, m in zip(
            rows.left.tolist(), rows.right.tolist(), rows.align.tolist(), rows.mtype.tolist(), strict=False
        )
    ]
    cov_l = np.round(rows.cov_l.astype(np.float64), 6)
    cov_r = np.round(rows.cov_r.astype(np.float64), 6)
    names = pa.array(c.names, pa.string())
    return pa.table(
        {
            "left_name": pc.take(names, pa.array(rows.left)),
            "right_name": pc.take(names, pa.array(rows.right)),
            "tier": pa.array([TIERS[t] for t in rows.tier.tolist()], pa.string()),
            "tier_rank": pa.array(rows.tier, pa.int8()),
            "match_type": pa.array([MATCH_TYPES[m] for m in rows.mtype.tolist()], pa.string()),
            "score": pa.array(np.round(rows.score.astype(np.float64), 4)),
            "token_sort_score": pa.array(np.round(sort_score.astype(np.float64), 4)),
            "coverage_left": pa.array(cov_l),
            "coverage_right": pa.array(cov_r),
            "overlap": pa.array(np.minimum(cov_l, cov_r)),
            "shared_tokens": pa.array([e[0] for e in ev], pa.string()),
            "max_idf": pa.array([round(e[1], 6) for e in ev], pa.float64()),
            "mean_idf": pa.array([round(e[2], 6) for e in ev], pa.float64()),
            "number_mismatch": pa.array(rows.num_mis, pa.bool_()),
            "type_conflict": pa.array(rows.conflict, pa.bool_()),
        },
        schema=LINK_SCHEMA,
    )


def match_names(
    left: Iterable[str | None], right: Iterable[str | None], config: MatchConfig | None = None
) -> list[Link]:
    """Links between normalised names (nulls, blanks and non-answers are dropped), sorted by
    right name, tier, score desc, token-sort score desc, left name."""
    t = match_to_arrow(left, right, config)
    return [
        Link(
            r["left_name"],
            r["right_name"],
            r["tier"],
            r["match_type"],
            r["score"],
            r["token_sort_score"],
            r["coverage_left"],
            r["coverage_right"],
            r["shared_tokens"],
            r["max_idf"],
            r["mean_idf"],
            r["number_mismatch"],
            r["type_conflict"],
        )
        for r in t.to_pylist()
    ]


def links_to_arrow(links: Sequence[Link]) -> pa.Table:
    """Arrow table with the ``LINK_SCHEMA`` columns from ``Link`` objects."""
    return pa.table(
        {
            "left_name": [k.left for k in links],
            "right_name": [k.right for k in links],
            "tier": [k.tier for k in links],
            "tier_rank": [_TIER_RANK[k.tier] for k in links],
            "match_type": [k.match_type for k in links],
            "score": [k.score for k in links],
            "token_sort_score": [k.token_sort_score for k in links],
            "coverage_left": [k.coverage_left for k in links],
            "coverage_right": [k.coverage_right for k in links],
            "overlap": [k.overlap for k in links],
            "shared_tokens": [k.shared_tokens for k in links],
            "max_idf": [k.max_idf for k in links],
            "mean_idf": [k.mean_idf for k in links],
            "number_mismatch": [k.number_mismatch for k in links],
            "type_conflict": [k.type_conflict for k in links],
        },
        schema=LINK_SCHEMA,
    )
