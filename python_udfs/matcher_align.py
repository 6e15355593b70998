"""Word-level alignment of one candidate pair: exact, glued, typo and abbreviated word
matches, coverage, organisation-type conflicts and sister units (see ``matcher.py``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from rapidfuzz.distance import Indel

from python_udfs.matcher_corpus import _Corpus
from python_udfs.matcher_words import (
    _DIR,
    _DISTINCT,
    _GENERIC,
    _GOV,
    _LEGAL,
    _ORDERED_TYPES,
    _ORG,
    _PLACE,
    _STOP,
    _VOWELS,
    DIRECTION_WORDS,
    PLACE_WORDS,
    STATE_CODES,
    _is_initial,
)

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
    initials: bool = False  # a single-letter initial without a partner (J ALLEN / ALLEN)


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


class _Pairing:
    """Word matches of one pair being aligned: ``ma``/``mb`` map a word index of one name to
    its partner's index in the other; ``labels`` describe each match; ``anchors`` counts
    matches that rest on a real shared word."""

    def __init__(self, c: _Corpus, tok_id: Mapping[str, int], li: int, ri: int) -> None:
        self.c = c
        self.a, self.a_ids, self.a_kind = self._side(tok_id, li)
        self.b, self.b_ids, self.b_kind = self._side(tok_id, ri)
        self.ma: dict[int, int] = {}
        self.mb: dict[int, int] = {}
        self.labels: list[str] = []
        self.anchors = 0

    def _side(self, tok_id: Mapping[str, int], ni: int) -> tuple[list[str], list[int], list[int]]:
        words = list(dict.fromkeys(self.c.names[ni].split(" ")))
        ids = [tok_id[w] for w in words]
        kinds = [int(self.c.kind[t]) for t in ids]
        if self.c.all_generic[ni]:
            # a name made only of generic words is identified by them
            kinds = [_DISTINCT if k == _GENERIC else k for k in kinds]
        return words, ids, kinds

    def take(self, i: int, j: int, label: str, anchor: bool) -> None:
        self.ma[i], self.mb[j] = j, i
        self.labels.append(label)
        self.anchors += anchor

    def exact(self) -> None:
        b_pos = {w: j for j, w in enumerate(self.b)}
        for i, w in enumerate(self.a):
            j = b_pos.get(w)
            if j is not None:
                self.take(i, j, w, self.a_kind[i] == _DISTINCT and self.b_kind[j] == _DISTINCT)

    def glue(self, flip: bool) -> None:
        """A word of one name equal to 2-4 adjacent free words of the other glued together."""
        src, msrc, dst, mdst = (self.b, self.mb, self.a, self.ma) if flip else (self.a, self.ma, self.b, self.mb)
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
                    self.labels.append(f"{part}~{w}" if flip else f"{w}~{part}")
                    self.anchors += 1
                    break

    def typos(self) -> None:
        """One-letter typos and long cut-off last words between free words."""
        real_generic = self.c.lists.generic
        a, b, a_kind, b_kind = self.a, self.b, self.a_kind, self.b_kind
        for i, w in enumerate(a):
            if i in self.ma or a_kind[i] < _GENERIC:
                continue
            for j, u in enumerate(b):
                if j in self.mb or b_kind[j] < _GENERIC or (w in real_generic and u in real_generic):
                    continue
                if _near(w, u):
                    self.take(i, j, f"{w}~{u}", a_kind[i] == _DISTINCT and b_kind[j] == _DISTINCT)
                    break
                last_a, last_b = i == len(a) - 1, j == len(b) - 1
                # a long cut-off last word is as good as the word (APPLICATI / APPLICATIONS)
                if (last_a and len(w) >= 6 and u.startswith(w)) or (last_b and len(u) >= 6 and w.startswith(u)):
                    self.take(i, j, f"{w}~{u}", a_kind[i] == _DISTINCT or b_kind[j] == _DISTINCT)
                    break

    def abbreviations(self) -> None:
        """Short abbreviations; they only complete a match that rests on a real shared word."""
        if not self.anchors:
            return
        real_generic = self.c.lists.generic
        for i, w in enumerate(self.a):
            if i in self.ma or self.a_kind[i] == _STOP:
                continue
            for j, u in enumerate(self.b):
                if j in self.mb or self.b_kind[j] == _STOP:
                    continue
                if (
                    w in real_generic
                    and u in real_generic
                    and STATE_CODES.get(w, w) != u
                    and STATE_CODES.get(u, u) != w
                ):
                    continue  # two different generic words (AMERICA / AMERICAN)
                if _abbreviates(w, u, i == len(self.a) - 1) or _abbreviates(u, w, j == len(self.b) - 1):
                    self.take(i, j, f"{w}~{u}", False)
                    break


def _aligned_coverage(c: _Corpus, words: list[str], ids: list[int], matched: Mapping[int, int], total: float) -> float:
    if total <= 0:
        return 0.0
    got = sum(float(c.weight[t]) for k, t in enumerate(ids) if k in matched)
    last = len(words) - 1
    types = c.lists.gov_types | c.lists.org_types
    if last > 0 and last not in matched and len(matched) == last and len(words[last]) <= 3 and words[last] not in types:
        # everything but a short code at the end matched: the code names a unit of the
        # same organisation (CACI ISS, GEORGETOWN UNIVERSITY SOM) and weighs as a weak word
        code = float(c.weight[ids[last]])
        total -= code * (1.0 - c.generic_weight) if c.kind[ids[last]] == _DISTINCT else 0.0
    return min(1.0, got / total) if total > 0 else 0.0


def _qualifiers(c: _Corpus, words: list[str], ids: list[int], matched: Mapping[int, int], code: bool) -> list[str]:
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


def _unmatched_identity(c: _Corpus, p: _Pairing, li: int, ri: int) -> tuple[int, int]:
    """Identity words of each name without a partner; a unit code alone unmatched at the
    end (GEORGETOWN UNIVERSITY SOM) is no other identity."""
    ul = sum(1 for k, kd in enumerate(p.a_kind) if kd == _DISTINCT and k not in p.ma)
    ur = sum(1 for k, kd in enumerate(p.b_kind) if kd == _DISTINCT and k not in p.mb)
    ul -= int(bool(c.last_code[li]) and ul == 1 and len(p.a) - 1 not in p.ma)
    ur -= int(bool(c.last_code[ri]) and ur == 1 and len(p.b) - 1 not in p.mb)
    return ul, ur


def _align(c: _Corpus, tok_id: Mapping[str, int], li: int, ri: int) -> _Alignment:
    """Word-level alignment of one pair: exact, glued, typo and abbreviated matches."""
    p = _Pairing(c, tok_id, li, ri)
    p.exact()
    p.glue(False)
    p.glue(True)
    p.typos()
    p.abbreviations()
    a, b, ma, mb = p.a, p.b, p.ma, p.mb
    ul, ur = _unmatched_identity(c, p, li, ri)
    idfs = [float(c.idf[p.a_ids[i]]) for i, j in ma.items() if p.a_kind[i] == _DISTINCT and p.b_kind[j] == _DISTINCT]
    if not idfs and p.anchors:
        idfs = [float(c.idf[p.a_ids[i]]) for i in ma if p.a_kind[i] == _DISTINCT]
    distinct = sum(1 for i, j in ma.items() if c.kind[p.a_ids[i]] == _DISTINCT and c.kind[p.b_ids[j]] == _DISTINCT)
    qa = _qualifiers(c, a, p.a_ids, ma, bool(c.last_code[li]))
    qb = _qualifiers(c, b, p.b_ids, mb, bool(c.last_code[ri]))
    # variants of one word are no different qualifiers (ASSOC / ASSOCIATES, SERVICE / SERVICES)
    qa2 = [w for w in qa if not any(w[:4] == u[:4] for u in qb)]
    qb2 = [u for u in qb if not any(w[:4] == u[:4] for w in qa)]
    return _Alignment(
        sorted(p.labels),
        _aligned_coverage(c, a, p.a_ids, ma, float(c.total_weight[li])),
        _aligned_coverage(c, b, p.b_ids, mb, float(c.total_weight[ri])),
        ul,
        ur,
        idfs,
        _type_conflict(c, a, b, ma, mb, bool(ul or ur)),
        distinct,
        bool(qa2) and bool(qb2),
        any(_is_initial(w) and k not in ma for k, w in enumerate(a))
        or any(_is_initial(u) and k not in mb for k, u in enumerate(b)),
    )
