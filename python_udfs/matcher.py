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
   * ``unit`` -> ``probable``: a low pair where one name is the other plus words after it and
     the shorter one names an organisation of two or more words (``MAYO CLINIC`` / ``MAYO
     CLINIC COLLEGE OF MEDICINE``): a body and its unit, scope ``family``
     (``python_udfs/matcher_units.py``). A name that is another plus a separate body carrying
     its name (``FOUNDATION``, ``CREDIT UNION``, ...) is capped at ``low`` instead.
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

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from rapidfuzz import fuzz

from python_udfs.matcher_align import _Alignment
from python_udfs.matcher_config import (
    _TIER_RANK,
    LINK_SCHEMA,
    MATCH_TYPES,
    PER_RIGHT_MODES,
    TIERS,
    ConfigError,
    Link,
    MatchConfig,
    tier_at_least,
)
from python_udfs.matcher_corpus import _build_corpus, _candidate_chunks, _clean_side, _Corpus, _exact_and_aggressive
from python_udfs.matcher_features import (
    _MT_ACRONYM,
    _MT_AGGRESSIVE,
    _MT_EXACT,
    _classify,
    _cpdist,
    _prune,
    _Rows,
)
from python_udfs.matcher_words import (
    _DISTINCT,
    _GENERIC,
    _GOV,
    _ORG,
    _PLACE,
    DEFAULT_GENERIC_WORDS,
    DEFAULT_GOVERNMENT_TYPE_WORDS,
    DEFAULT_ORGANISATION_TYPE_WORDS,
    DEFAULT_STOP_WORDS,
    DIRECTION_WORDS,
    PLACE_WORDS,
    STATE_CODES,
    name_numbers,
)
from python_udfs.names import NonAnswerMatcher

__all__ = [
    "DEFAULT_GENERIC_WORDS",
    "DEFAULT_GOVERNMENT_TYPE_WORDS",
    "DEFAULT_ORGANISATION_TYPE_WORDS",
    "DEFAULT_STOP_WORDS",
    "DIRECTION_WORDS",
    "LINK_SCHEMA",
    "MATCH_TYPES",
    "PER_RIGHT_MODES",
    "PLACE_WORDS",
    "STATE_CODES",
    "TIERS",
    "ConfigError",
    "Link",
    "MatchConfig",
    "links_to_arrow",
    "match_names",
    "match_to_arrow",
    "name_numbers",
    "tier_at_least",
]


# ----------------------------------------------------------------------------- driver

#: Name pairs of tiers 1-2 as (left ids, right ids, is exact), sorted and distinct.
_Pairs = tuple[np.ndarray, np.ndarray, np.ndarray]


def _glued_generic(c: _Corpus, el: np.ndarray, er: np.ndarray) -> np.ndarray:
    """The same letters glued differently, where one name is made only of generic words that
    name no place and no kind of organisation (GLOBAL TECH / GLOBALTECH, but not INDIANA
    UNIVERSITY / INDIANAUNIVERSITY): nothing identifies either firm, so only a low link."""
    return np.fromiter(
        (
            c.names[i].count(" ") != c.names[j].count(" ")
            and any(
                c.all_generic[k]
                and not any(c.lists.word_class(w) & (_PLACE | _GOV | _ORG) for w in c.names[k].split(" "))
                for k in (i, j)
            )
            for i, j in zip(el.tolist(), er.tolist(), strict=True)
        ),
        dtype=bool,
        count=el.size,
    )


def _exact_rows(c: _Corpus, cfg: MatchConfig, given: _Pairs | None = None) -> _Rows:
    """Links of tiers 1-2: exact and aggressive (``given``: the pairs found elsewhere, as
    (left ids, right ids, is exact))."""
    el, er, exact = _exact_and_aggressive(c) if given is None else given
    escore = np.full(el.size, 100.0, np.float32)
    agg = np.nonzero(~exact)[0]
    escore[agg] = _cpdist(c, el[agg], er[agg], fuzz.token_set_ratio, cfg)
    ones = np.ones(el.size, np.float32)
    no = np.zeros(el.size, bool)
    glued_generic = np.zeros(el.size, bool)
    if cfg.glued_generic_low and agg.size:
        glued_generic[agg] = _glued_generic(c, el[agg], er[agg])
    return _Rows(
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


def _drop_low(rows: _Rows, cfg: MatchConfig) -> _Rows:
    return rows if cfg.include_low else rows.take(np.nonzero(rows.tier != _TIER_RANK["low"])[0])


def _match(
    left: Iterable[str | None], right: Iterable[str | None], cfg: MatchConfig
) -> tuple[_Corpus | None, _Rows, list[_Alignment]]:
    nonans = NonAnswerMatcher(cfg.non_answers_extra, cfg.non_answers)
    lset, rset = _clean_side(left, nonans), _clean_side(right, nonans)
    if not lset or not rset:
        return None, _Rows.empty(), []
    c = _build_corpus(lset, rset, cfg)
    rows, alignments = _score(c, cfg, None, _candidate_chunks(c, cfg), None)
    return c, rows, alignments


def _score(
    c: _Corpus,
    cfg: MatchConfig,
    exact: _Pairs | None,
    chunks: Iterable[tuple[np.ndarray, np.ndarray]],
    acronyms: list[tuple[int, int]] | None,
) -> tuple[_Rows, list[_Alignment]]:
    """Tiers 1-2 (``exact``, or found here), the candidate pairs of ``chunks`` classified and
    pruned per right name, then the acronym links (``acronyms``, or found here)."""
    tok_id = c.tok_id
    alignments: list[_Alignment] = []
    parts = [_exact_rows(c, cfg, exact)]
    n = max(len(c.names), 1)
    done = np.sort(parts[0].left * n + parts[0].right)
    for lc, rc in chunks:
        probe = lc * n + rc
        pos = np.minimum(np.searchsorted(done, probe), max(done.size - 1, 0))
        fresh = ~(done[pos] == probe) if done.size else np.ones(probe.size, bool)
        rows = _classify(c, cfg, tok_id, lc[fresh], rc[fresh], alignments)
        parts.append(_prune(_drop_low(rows, cfg), cfg))
    rows = _prune(_drop_low(_Rows.concat(parts), cfg), cfg)
    if cfg.acronyms and cfg.include_low:
        rows = _Rows.concat([rows, _acronym_rows(c, cfg, rows, acronyms)])
    return rows, alignments


def _acronym_rows(c: _Corpus, cfg: MatchConfig, rows: _Rows, given: list[tuple[int, int]] | None) -> _Rows:
    """Low-tier ``acronym`` links (python_udfs/acronyms.py) for pairs not linked otherwise
    (``given``: the acronym pairs found elsewhere, as (left id, right id))."""
    from python_udfs.acronyms import acronym_pairs

    names = c.names
    n = max(len(names), 1)
    have = set((rows.left * n + rows.right).tolist())
    if given is None:
        left = [n for i, n in enumerate(names) if c.is_left[i]]
        right = [n for i, n in enumerate(names) if c.is_right[i]]
        ids = {n: i for i, n in enumerate(names)}
        found = [(ids[a], ids[b]) for a, b, _ in acronym_pairs(left, right, c.lists.stop)]
    else:
        found = given
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
    return _links_table(c, cfg, rows, alignments)


def _links_table(c: _Corpus, cfg: MatchConfig, rows: _Rows, alignments: list[_Alignment]) -> pa.Table:
    """The scored rows as ``LINK_SCHEMA`` rows, sorted by right name, tier, score desc,
    token-sort score desc, left name."""
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
