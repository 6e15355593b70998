"""Features and tiers of candidate pairs (numpy over a chunk, word alignment only where it
can change the tier) and the per-right-name pruning (see ``matcher.py``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Any

import numpy as np
from rapidfuzz import fuzz, process

from python_udfs.matcher_align import _align, _Alignment
from python_udfs.matcher_config import _TIER_RANK, MatchConfig
from python_udfs.matcher_corpus import _Corpus
from python_udfs.matcher_units import separate_body_mask, unit_mask
from python_udfs.matcher_words import _DIR, _DISTINCT, _GENERIC, _GOV, _INIT, _KEY, _LEGAL, _ORG, _PLACE, _QUAL, _STOP


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

    def take(self, idx: np.ndarray) -> _Side:
        arrays = {f.name: getattr(self, f.name)[idx] for f in fields(self) if f.name != "un_class"}
        return _Side(**arrays, un_class={k: v[idx] for k, v in self.un_class.items()})


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
    un_class[_INIT] = np.bincount(pair, weights=miss & c.initial[tok], minlength=n).astype(np.int64)
    lp = b * n_vocab + c.last_tok[a]
    lidx = np.minimum(np.searchsorted(c.nt_key, lp), c.nt_key.size - 1)
    return _Side(
        shared_w, ident, distinct, max_idf, extra_prefix.astype(np.int64), unmatched, un_class, c.nt_key[lidx] == lp
    )


def _code_only(c: _Corpus, a: np.ndarray, s: _Side) -> np.ndarray:
    """1 where the only unmatched word of name ``a`` is a short code at its end."""
    return np.asarray((c.last_code[a] & ~s.last_hit & (s.unmatched == 1)).astype(np.int64))


def _coverage(c: _Corpus, a: np.ndarray, s: _Side) -> np.ndarray:
    """Coverage of names ``a``; a short code that alone is unmatched at the end of a name
    (CACI ISS, GEORGETOWN UNIVERSITY SOM) names a unit and weighs as a weak word."""
    total = c.total_weight[a].copy()
    code = _code_only(c, a, s).astype(bool)
    total[code] -= c.weight[c.last_tok[a[code]]] * (1.0 - c.generic_weight)
    return np.asarray(np.divide(s.shared_w, total, out=np.zeros_like(total), where=total > 0).clip(0, 1))


def _conflict(
    c: _Corpus,
    left: np.ndarray,
    right: np.ndarray,
    sl: _Side,
    sr: _Side,
    unm_l: np.ndarray,
    unm_r: np.ndarray,
    units: bool = False,
) -> np.ndarray:
    """Vectorised ``_type_conflict`` for exact word matches. ``units``: the conflicts that make
    a unit pair two kinds of body (python_udfs/matcher_units.py) -- not a unit's direction
    words (MAYO CLINIC ... SOUTHEAST), and other words only where a government word is
    involved and the names are not a university's or college's (its school, department or
    laboratory is its unit; CITY OF X PUBLIC SCHOOLS is not the city's)."""
    gov = (sl.un_class[_GOV] + sr.un_class[_GOV]) > 0
    org = (sl.un_class[_ORG] > 0) & (sr.un_class[_ORG] > 0)
    both = c.ord_has[left] & c.ord_has[right]
    order = (both & (c.ord_first[left] ^ c.ord_first[right])) > 0
    direction = ((sl.un_class[_DIR] + sr.un_class[_DIR]) > 0) & (not units)
    public = (c.has_gov[left] | c.has_gov[right]) if units else (c.public[left] | c.public[right])
    place = public & ((unm_l + unm_r > 0) | (sl.un_class[_PLACE] + sr.un_class[_PLACE] > 0))
    if units:
        # inside a university or college, a SCHOOL or DEPARTMENT is its own unit
        academic = both > 0
        gov, place = gov & ~academic, place & ~academic
    return np.asarray(gov | org | order | direction | place)


# ----------------------------------------------------------------------------- tiers 3-4


def _fuzzy_tier(cfg: MatchConfig, score: float, sort_score: float, al: _Alignment, number_mismatch: bool) -> int:
    """Tier rank (0-3) of an aligned pair, -1 for no link."""
    if not al.identity_idf:
        return -1
    if (
        not number_mismatch
        and not al.type_conflict
        and not (cfg.sister_units_low and al.sister)
        and not al.initials
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


_MT_EXACT, _MT_AGGRESSIVE, _MT_FUZZY, _MT_OVERLAP, _MT_ACRONYM, _MT_UNIT = range(6)


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


def _sister(c: _Corpus, cfg: MatchConfig, left: np.ndarray, right: np.ndarray, sl: _Side, sr: _Side) -> np.ndarray:
    """Each name has a qualifier the other lacks: sister units of one brand, not one unit."""
    if not cfg.sister_units_low:
        return np.zeros(left.size, bool)
    return np.asarray(
        ((sl.un_class[_QUAL] - _code_only(c, left, sl)) > 0) & ((sr.un_class[_QUAL] - _code_only(c, right, sr)) > 0)
    )


@dataclass
class _Chunk:
    """Candidate pairs of one chunk that may link, with their features."""

    left: np.ndarray
    right: np.ndarray
    sl: _Side
    sr: _Side
    cov_l: np.ndarray
    cov_r: np.ndarray
    num_mis: np.ndarray
    low_ok: np.ndarray  # may link at ``low``
    typo: np.ndarray  # a shared prefix key may hide a typo or glued word


def _candidates(c: _Corpus, cfg: MatchConfig, left: np.ndarray, right: np.ndarray) -> _Chunk | None:
    """Features of the pairs; only pairs with some overlap or a possible typo are kept."""
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
        return None
    return _Chunk(
        left[keep],
        right[keep],
        sl.take(keep),
        sr.take(keep),
        cov_l[keep],
        cov_r[keep],
        num_mis[keep],
        low_ok[keep],
        typo[keep],
    )


def _classify(
    c: _Corpus,
    cfg: MatchConfig,
    tok_id: Mapping[str, int],
    left: np.ndarray,
    right: np.ndarray,
    alignments: list[_Alignment],
) -> _Rows:
    """Tier the candidate pairs of one chunk (numpy, with Python only for alignments)."""
    k = _candidates(c, cfg, left, right)
    if k is None:
        return _Rows.empty()
    left, right, sl, sr, cov_l, cov_r, num_mis = k.left, k.right, k.sl, k.sr, k.cov_l, k.cov_r, k.num_mis
    score = _cpdist(c, left, right, fuzz.token_set_ratio, cfg)
    # a unit code alone unmatched at the end (GEORGETOWN UNIVERSITY SOM) is no other identity
    unm_l = c.n_identity[left] - sl.ident - (_code_only(c, left, sl))
    unm_r = c.n_identity[right] - sr.ident - (_code_only(c, right, sr))
    conflict = _conflict(c, left, right, sl, sr, unm_l, unm_r)
    scored = ~num_mis & (score >= cfg.fuzzy_threshold)
    fast = (
        scored
        & (sl.ident > 0)
        & (np.minimum(cov_l, cov_r) >= cfg.min_coverage)
        & ((unm_l == 0) | (unm_r == 0))
        & ~conflict
        & ~_sister(c, cfg, left, right, sl, sr)
        # an initial without a partner names another person's firm (J ALLEN AND ASSOCIATES /
        # ALLEN ASSOCIATES): the pair can still link at ``low``
        & ((sl.un_class[_INIT] + sr.un_class[_INIT]) == 0)
    )
    tier = np.full(left.size, -1, dtype=np.int8)
    tier[k.low_ok] = _TIER_RANK["low"]
    tier[fast] = _TIER_RANK["probable"]
    maybe_medium = np.nonzero(
        fast & (np.minimum(cov_l, cov_r) >= cfg.medium_min_coverage) & (sl.max_idf >= cfg.medium_min_idf)
    )[0]
    if maybe_medium.size:
        so = _cpdist(c, left[maybe_medium], right[maybe_medium], fuzz.token_sort_ratio, cfg)
        tier[maybe_medium[so >= cfg.medium_min_score]] = _TIER_RANK["medium"]
    # Typos, glued words and abbreviations can only add matches where both names still
    # have unmatched words; only those pairs get the word-level alignment.
    need = scored & ~fast & (k.typo | ((sl.unmatched > 0) & (sr.unmatched > 0) & (sl.ident > 0)))
    rows = _Rows(
        left, right, tier, np.zeros_like(tier), score, cov_l, cov_r, num_mis, conflict, np.full(left.size, -1, np.int64)
    )
    _align_needed(c, cfg, tok_id, rows, np.nonzero(need)[0], alignments)
    rows.mtype = np.where(rows.tier == _TIER_RANK["low"], _MT_OVERLAP, _MT_FUZZY).astype(np.int8)
    if cfg.separate_body_low:
        _cap_separate_bodies(c, rows)
    if cfg.unit_links:
        other_kind = _conflict(c, left, right, sl, sr, unm_l, unm_r, units=True)
        _promote_units(c, tok_id, rows, sl, sr, cfg.unit_coined_brands, other_kind)
    # the flag stays on low links and on unit links (a unit's direction words)
    rows.conflict = rows.conflict & ((rows.tier == _TIER_RANK["low"]) | (rows.mtype == _MT_UNIT))
    rows.cov_l, rows.cov_r = rows.cov_l.astype(np.float32), rows.cov_r.astype(np.float32)
    return rows.take(np.nonzero(rows.tier >= 0)[0])


def _cap_separate_bodies(c: _Corpus, rows: _Rows) -> None:
    """Links where one name is the other plus a separate body carrying its name (a credit
    union, a foundation: python_udfs/matcher_units.py) drop to ``low``, in place."""
    maybe = (
        (rows.tier >= 0) & (rows.tier < _TIER_RANK["low"]) & (c.separate_body[rows.left] | c.separate_body[rows.right])
    )
    capped = separate_body_mask(c, rows.left, rows.right, maybe)
    rows.tier[capped] = _TIER_RANK["low"]
    rows.mtype[capped] = _MT_OVERLAP


def _promote_units(
    c: _Corpus,
    tok_id: Mapping[str, int],
    rows: _Rows,
    sl: _Side,
    sr: _Side,
    coined: bool,
    other_kind: np.ndarray,
) -> None:
    """Low pairs that are a body and one of its units (python_udfs/matcher_units.py) become
    ``unit`` links at ``probable``, in place. ``other_kind``: a type conflict other than
    direction words (ST LOUIS / ST LOUIS COUNTY, CITY OF X / CITY OF X PUBLIC SCHOOLS: another
    kind of public body, not a unit)."""
    maybe = (
        (rows.tier == _TIER_RANK["low"])
        & ~rows.num_mis
        & ~other_kind
        & ((sl.un_class[_INIT] + sr.un_class[_INIT]) == 0)
        & (np.maximum(sl.unmatched == 0, sr.unmatched == 0))
    )
    unit = unit_mask(c, tok_id, rows.left, rows.right, maybe, coined)
    rows.tier[unit] = _TIER_RANK["probable"]
    rows.mtype[unit] = _MT_UNIT


def _align_needed(
    c: _Corpus,
    cfg: MatchConfig,
    tok_id: Mapping[str, int],
    rows: _Rows,
    idx: np.ndarray,
    alignments: list[_Alignment],
) -> None:
    """Tier the pairs ``idx`` of ``rows`` by word alignment, in place; keep the alignments
    of linked pairs in ``alignments`` (``rows.align`` indexes them)."""
    if not idx.size:
        return
    sort_scores = _cpdist(c, rows.left[idx], rows.right[idx], fuzz.token_sort_ratio, cfg)
    for k, so in zip(idx.tolist(), sort_scores.tolist(), strict=False):
        al = _align(c, tok_id, int(rows.left[k]), int(rows.right[k]))
        t = _fuzzy_tier(cfg, float(rows.score[k]), so, al, bool(rows.num_mis[k]))
        rows.tier[k] = t
        if t >= 0:
            rows.cov_l[k], rows.cov_r[k], rows.conflict[k] = al.cov_left, al.cov_right, al.type_conflict
            rows.align[k] = len(alignments)
            alignments.append(al)


def _prune(rows: _Rows, cfg: MatchConfig) -> _Rows:
    """Keep each right name's links per ``cfg.per_right`` (see MatchConfig), ordered tier,
    same organisation before unit, score desc, left name asc (names are sorted, so left id
    order is name order)."""
    if rows.left.size == 0 or cfg.per_right == "all":
        return rows
    # within a tier, a unit link (scope family) ranks after the same-organisation links, so a
    # body with many unit vendors cannot push its own spellings out of max_links_per_right
    order = np.lexsort((rows.left, -rows.score, rows.mtype == _MT_UNIT, rows.tier, rows.right))
    r = rows.take(order)
    new = np.concatenate([[True], r.right[1:] != r.right[:-1]])
    first = np.nonzero(new)[0][np.cumsum(new) - 1]
    near_best = (r.tier == r.tier[first]) & (r.score >= r.score[first] - cfg.tie_epsilon)
    if cfg.per_right == "matches":
        near_best |= (r.tier <= _TIER_RANK["probable"]) & (r.tier[first] <= _TIER_RANK["probable"])
    # rows that pass are contiguous at the start of each group (sorted by tier, then score)
    keep = near_best & (np.arange(r.left.size) - first < cfg.max_links_per_right)
    return r.take(np.nonzero(keep)[0])
