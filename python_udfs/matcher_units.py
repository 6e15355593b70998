"""Unit links: a name that is another name plus words after it (``MAYO CLINIC`` / ``MAYO CLINIC
HEALTH SYSTEM SOUTHEAST MINNESOTA REGION``, ``HOWARD UNIVERSITY`` / ``HOWARD UNIVERSITY
LIBRARIES``), where the shorter name is a named organisation of its own.

Such a pair covers the longer name too little to be the same organisation, so the fuzzy rules
leave it at ``low``. Read as a body and one of its units (a school, a hospital, a regional or
state unit, a chapter), it is a link of its own kind: ``match_type = unit``, tier
``probable``, scope ``family`` (python_udfs/er_decisions.py), so analyses leave it out unless
``vars.er_link_scopes`` includes ``family``.

A low pair is a unit link when, on normalised names:

* the shorter name's words are the longer name's first words, in order;
* the shorter name has at least two words that are no stop word or legal form, and one of
  them is distinctive (no generic, place or direction word); ``UNIVERSITY OF MARYLAND`` is
  made of a generic word and a place, the name of a system whose medical system is a
  separate body;
* or (``unit_coined_brands``) it is one distinctive word of four letters or more that is
  neither a common English word nor a common US surname (``python_udfs/data``:
  ``common_name_words.csv``, with its sources): a coined brand such as ``GENSLER``,
  ``ARAMARK`` or ``MEDSTAR``. A bare common word, surname or place (``SALEM`` / ``SALEM
  COMMUNITY HOSPITAL``, ``MASON`` / ``MASON TILLMAN ASSOCIATES``, ``CATALYST``) names a brand as
  often as another firm, and words of three letters are as often another acronym (``SPS``,
  ``TCS``); they stay ``low``. Famous brands that are common words (``XEROX``, ``MAYO``) stay
  ``low`` too: the list cannot tell fame from commonness;
* the words added name no separate body that carries the brand's name: a credit union, a
  foundation, a PAC, an alumni association (``SOUTHWEST AIRLINES FCU``);
* the pair has no number disagreement, unmatched initial or type conflict other than direction
  words (``ST LOUIS`` / ``ST LOUIS COUNTY``, ``CITY OF X`` / ``CITY OF X PUBLIC SCHOOLS`` are
  other kinds of public body; a unit's ``SOUTHEAST`` is not).

Within a tier, a unit link ranks after the same-organisation links of the same name, so a
body with many unit vendors keeps its own spellings under ``max_links_per_right``.

The same separate bodies cap any link at ``low`` (``separate_body_low``): a name that is
another's words followed by words with ``FOUNDATION``, ``FCU``, ``CREDIT UNION``, ``PAC``,
``ALUMNI``, ``AUXILIARY`` or ``RETIREES`` is another organisation that carries its name, however
well the words cover.
"""

from __future__ import annotations

import csv
import functools
from collections.abc import Callable, Mapping
from pathlib import Path

import numpy as np

from python_udfs.er_units import LEGAL_WORDS
from python_udfs.matcher_corpus import _Corpus
from python_udfs.matcher_words import _DIR, _DISTINCT, _LEGAL, _PLACE, _STOP, CREDIT_UNION, SEPARATE_BODY_WORDS

#: at least this many words of the shorter name that are no stop word or legal form
MIN_BRAND_WORDS = 2
#: a one-word brand has at least this many letters
MIN_COINED_LEN = 4
_COMMON_WORDS = Path(__file__).with_name("data") / "common_name_words.csv"


@functools.cache
def common_name_words() -> frozenset[str]:
    """The words of python_udfs/data/common_name_words.csv (common English words and US
    surnames; see the README there)."""
    with _COMMON_WORDS.open(encoding="ascii", newline="") as f:
        return frozenset(row["word"] for row in csv.DictReader(f))


def coined_brand(word: str, kind: int, wclass: int) -> bool:
    """A one-word name that can stand for a brand: distinctive, no place or direction, four
    letters or more, and no common English word or US surname, nor one of them with an S
    (normalising drops the apostrophe: MURPHY'S is MURPHYS)."""
    common = common_name_words()
    return (
        kind == _DISTINCT
        and not wclass & (_PLACE | _DIR)
        and len(word) >= MIN_COINED_LEN
        and word.isalpha()
        and word not in common
        and not (word.endswith("S") and word[:-1] in common)
    )


def unit_pair(c: _Corpus, tok_id: Mapping[str, int], a: int, b: int, coined: bool = True) -> bool:
    """True when names ``a`` and ``b`` are a body and one of its units (see the module);
    ``coined``: a one-word coined brand may be the body."""
    wa, wb = c.names[a].split(" "), c.names[b].split(" ")
    if len(wa) == len(wb):
        return False
    short, long = (wa, wb) if len(wa) < len(wb) else (wb, wa)
    if long[: len(short)] != short:
        return False
    kinds = [int(c.kind[tok_id[w]]) for w in short]
    classes = [int(c.wclass[tok_id[w]]) for w in short]
    core = [
        k
        for w, k, cl in zip(short, kinds, classes, strict=True)
        if k != _STOP and not cl & _LEGAL and w not in LEGAL_WORDS
    ]
    if len(short) == 1:
        if not (coined and coined_brand(short[0], kinds[0], classes[0])):
            return False
    elif len(core) < MIN_BRAND_WORDS:
        return False
    elif not any(k == _DISTINCT and not cl & (_PLACE | _DIR) for k, cl in zip(kinds, classes, strict=True)):
        return False
    return not _names_a_body(long[len(short) :])


def _names_a_body(extra: list[str]) -> bool:
    """Words added after a name that name a separate body carrying it."""
    pairs = zip(extra, extra[1:], strict=False)
    return bool(SEPARATE_BODY_WORDS.intersection(extra)) or any(p == CREDIT_UNION for p in pairs)


def adds_separate_body(short: list[str], long: list[str]) -> bool:
    """The longer name is the shorter one's words, in order, then a separate body carrying its
    name (``DELTA AIR LINES`` / ``DELTA AIR LINES FEDERAL CREDIT UNION``, ``PEPSICO`` / ``PEPSICO
    FOUNDATION``): another organisation, whatever the scores say. Only the added words count
    (``UNION PACIFIC`` / ``UNION PACIFIC CREDIT UNION`` is a credit union; ``KAISER HOSPITALS``
    / ``KAISER FOUNDATION HOSPITALS`` adds no body after the name)."""
    return len(short) < len(long) and long[: len(short)] == short and _names_a_body(long[len(short) :])


def _pair_mask(
    left: np.ndarray, right: np.ndarray, candidates: np.ndarray, test: Callable[[int, int], bool]
) -> np.ndarray:
    """``test`` of each pair of ``candidates`` (a bool mask over ``left``/``right``), False elsewhere."""
    out = np.zeros(left.size, bool)
    for k in np.nonzero(candidates)[0].tolist():
        out[k] = test(int(left[k]), int(right[k]))
    return out


def separate_body_mask(c: _Corpus, left: np.ndarray, right: np.ndarray, candidates: np.ndarray) -> np.ndarray:
    """Which of the pairs ``candidates`` (a bool mask) add a separate body to the other name."""

    def test(a: int, b: int) -> bool:
        wa, wb = c.names[a].split(" "), c.names[b].split(" ")
        return adds_separate_body(wa, wb) or adds_separate_body(wb, wa)

    return _pair_mask(left, right, candidates, test)


def unit_mask(
    c: _Corpus,
    tok_id: Mapping[str, int],
    left: np.ndarray,
    right: np.ndarray,
    candidates: np.ndarray,
    coined: bool = True,
) -> np.ndarray:
    """Which of the pairs ``candidates`` (a bool mask over ``left``/``right``) are unit pairs."""
    return _pair_mask(left, right, candidates, lambda a, b: unit_pair(c, tok_id, a, b, coined))
