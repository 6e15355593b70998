"""Acronym links: a one-word name that spells the initials of a longer name on the other side
(``BIDMC`` / ``BETH ISRAEL DEACONESS MEDICAL CENTER``, ``SAIC`` / ``SCIENCE APPLICATIONS
INTERNATIONAL``), kept only when the expansion is unique in the data.

Rules, all on normalised names:

* the short name is one word of ``min_len``..``max_len`` letters (no digits);
* the long name has as many words as the acronym has letters once stop words (``OF``,
  ``AND``, ``THE``...) and legal forms (``INC``, ``CORP``, ``LLC``...) are dropped, and their
  first letters spell it;
* among the distinct names of BOTH sides exactly one long name spells it (two expansions:
  no link), and the acronym occurs as a word in at most ``max_word_df`` names (a common word
  such as ``CARE`` is no acronym).

Such a link is ``match_type = acronym`` at tier ``probable``: analyses use it by default;
the review queue shows it first among equals. Measured on held-out labelled pairs by
``tests/benchmarks/bench_matcher_accuracy.py``.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable

_LEGAL = frozenset("COMPANY CORP CORPORATION INC INCORPORATED LIMITED LTD LLC LLP LP PLLC PC".split())
#: An acronym has MIN_LEN..MAX_LEN letters and occurs as a word in at most MAX_WORD_DF names.
MIN_LEN, MAX_LEN, MAX_WORD_DF = 3, 6, 2


def expansion_initials(name: str, stop_words: frozenset[str]) -> str | None:
    words = [w for w in name.split(" ") if w and w not in stop_words and w not in _LEGAL]
    if len(words) < 2 or not all(w[0].isalpha() for w in words):
        return None
    return "".join(w[0] for w in words)


def acronym_shaped(name: str, min_len: int = MIN_LEN, max_len: int = MAX_LEN) -> bool:
    """One word of min_len..max_len letters (no digits): a name that can be an acronym."""
    return " " not in name and min_len <= len(name) <= max_len and name.isalpha()


def acronym_pairs(
    left: Iterable[str],
    right: Iterable[str],
    stop_words: Iterable[str],
    min_len: int = MIN_LEN,
    max_len: int = MAX_LEN,
    max_word_df: int = MAX_WORD_DF,
) -> list[tuple[str, str, str]]:
    """(left name, right name, acronym) for every unique acronym-expansion pair across sides,
    sorted."""
    lset, rset = sorted(set(left)), sorted(set(right))
    stops = frozenset(stop_words)
    every = sorted(set(lset) | set(rset))
    word_df: Counter[str] = Counter(w for n in every for w in set(n.split(" ")))
    expansions: dict[str, set[str]] = defaultdict(set)
    for n in every:
        ini = expansion_initials(n, stops)
        if ini is not None and min_len <= len(ini) <= max_len:
            expansions[ini].add(n)

    def short(n: str) -> bool:
        return acronym_shaped(n, min_len, max_len) and word_df[n] <= max_word_df

    out = []
    for shorts, longs, short_is_left in ((lset, rset, True), (rset, lset, False)):
        long_set = set(longs)
        for s in shorts:
            if not short(s):
                continue
            exp = expansions.get(s, set())
            if len(exp) != 1:
                continue
            (full,) = exp
            if full in long_set:
                out.append((s, full, s) if short_is_left else (full, s, s))
    return sorted(set(out))
