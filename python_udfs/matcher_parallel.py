"""The matcher in parts, for an engine that scores name pairs in parallel (the Spark target).

``python_udfs/matcher.py`` matches all names in one process: it counts word frequencies,
builds the blocking index, scores the candidate pairs and prunes each right name's links.
On Spark (models/spark/int_name_matches.sql) the whole-data steps are SQL and the rest runs
per bucket of right names, one task per bucket:

1. per name, :func:`clean_name` (blanks and employer non-answers out), per word,
   :func:`word_facts` (its kind and its prefix blocking key), per name, :func:`acronym_facts`;
2. in SQL: the document frequency of every word and key over all names of a relation, the
   blocking keys within ``block_max_df`` and ``block_max_pairs``, the candidate pairs, the
   exact and aggressive pairs (the same words, or the same letters without spaces) and the
   acronym pairs whose expansion is unique;
3. per bucket, :func:`bucket_links`: the bucket's pairs scored with the frequencies of the
   whole data (:func:`score_pairs`), pruned per right name, then the reviewed decisions,
   aliases and the unit rule applied (``er_decisions.apply_knowledge``).

Every right name's candidates are in one bucket, so each bucket's links are exactly the
single-process matcher's links of those right names; the Spark equivalence test compares
the two builds row for row.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from functools import lru_cache

import numpy as np
import pyarrow as pa

from python_udfs.acronyms import MAX_LEN, MAX_WORD_DF, MIN_LEN, acronym_shaped, expansion_initials
from python_udfs.er_decisions import Alias, Decision, apply_knowledge
from python_udfs.matcher import _links_table, _score
from python_udfs.matcher_config import LINK_SCHEMA, MatchConfig
from python_udfs.matcher_corpus import WordStats, _build_corpus, _clean_side, _Lists, _unique_int
from python_udfs.matcher_words import _DISTINCT
from python_udfs.names import NonAnswerMatcher

#: Pair kinds in the ``pairs`` a bucket receives.
EXACT, AGGRESSIVE, CANDIDATE, ACRONYM = 0, 1, 2, 3


@lru_cache(maxsize=8)
def config(settings: str | None) -> MatchConfig:
    """The matcher settings of vars.entity_resolution (a JSON text), validated."""
    return MatchConfig.from_mapping(json.loads(settings or "{}"), where="vars.entity_resolution")


@lru_cache(maxsize=8)
def _lists(settings: str | None) -> _Lists:
    return _Lists.from_config(config(settings))


@lru_cache(maxsize=8)
def _non_answers(settings: str | None) -> NonAnswerMatcher:
    cfg = config(settings)
    return NonAnswerMatcher(cfg.non_answers_extra, cfg.non_answers)


def limits(settings: str | None) -> tuple[int, int, int]:
    """(block_max_df, block_max_pairs, the acronym rule's MAX_WORD_DF): the limits the SQL applies."""
    cfg = config(settings)
    return cfg.block_max_df, cfg.block_max_pairs, MAX_WORD_DF


def clean_name(settings: str | None, name: str | None) -> str | None:
    """The name as the matcher takes it (single spaces), or None for a blank or a non-answer."""
    kept = _clean_side([name], _non_answers(settings))
    return next(iter(kept)) if kept else None


def word_facts(settings: str | None, word: str) -> tuple[int, str | None]:
    """(kind, prefix blocking key or None) of one word, as the corpus gives them."""
    cfg, lists = config(settings), _lists(settings)
    kind = lists.kind(word)
    long_word = kind == _DISTINCT and cfg.prefix_len > 0 and len(word) >= cfg.prefix_min_word_len
    return kind, ("~" + word[: cfg.prefix_len]) if long_word else None


def acronym_facts(settings: str | None, name: str) -> tuple[str | None, bool]:
    """(the initials the name spells when they can be an acronym, whether the name itself is
    shaped like one): python_udfs/acronyms.acronym_pairs without its whole-data counts."""
    initials = expansion_initials(name, _lists(settings).stop)
    if initials is not None and not MIN_LEN <= len(initials) <= MAX_LEN:
        initials = None
    return initials, acronym_shaped(name)


def score_pairs(
    settings: str | None, pairs: Iterable[tuple[str, str, int]], df: dict[str, int], n_names: int
) -> pa.Table:
    """The matcher's links (``LINK_SCHEMA``) among these (left, right, kind) pairs, with the
    document frequencies ``df`` of every word and key of their names over ``n_names`` names.
    The right names' candidate pairs must all be here: links are pruned per right name."""
    cfg = config(settings)
    pairs = sorted(set(pairs))
    if not pairs:
        return LINK_SCHEMA.empty_table()
    c = _build_corpus({p[0] for p in pairs}, {p[1] for p in pairs}, cfg, WordStats(n_names, df))
    ids = {name: i for i, name in enumerate(c.names)}
    n = max(len(c.names), 1)

    def ids_of(kinds: tuple[int, ...]) -> np.ndarray:
        return _unique_int(np.array([ids[a] * n + ids[b] for a, b, k in pairs if k in kinds], np.int64))

    tier12 = ids_of((EXACT, AGGRESSIVE))
    exact_keys = ids_of((EXACT,))
    exact = (tier12 // n, tier12 % n, np.isin(tier12, exact_keys))
    cand = ids_of((CANDIDATE,))
    step = max(cfg.chunk_pairs, 1)
    chunks = ((cand[i : i + step] // n, cand[i : i + step] % n) for i in range(0, cand.size, step))
    acronyms = [(ids[a], ids[b]) for a, b, k in pairs if k == ACRONYM]
    rows, alignments = _score(c, cfg, exact, chunks, acronyms)
    if rows.left.size == 0:
        return LINK_SCHEMA.empty_table()
    return _links_table(c, cfg, rows, alignments)


def bucket_links(
    settings: str | None,
    relation: str,
    n_names: int,
    pairs: Iterable[tuple[str, str, int]],
    df: dict[str, int],
    left_known: Sequence[str],
    right_known: Sequence[str],
    decisions: Sequence[Decision],
    aliases: Sequence[Alias],
) -> pa.Table:
    """One bucket's links with the knowledge applied. ``left_known``/``right_known``: the names
    of each side that an alias or decision of ``decisions``/``aliases`` can touch (every right
    name of the bucket that one can, and every left name it can reach)."""
    links = score_pairs(settings, pairs, df, n_names)
    return apply_knowledge(links, relation, sorted(set(left_known)), sorted(set(right_known)), decisions, aliases)
