"""The matcher's corpus: distinct names of both sides as word-id arrays, IDF and per-name
flags; the exact and aggressive tiers; candidate pairs from the blocking index."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from python_udfs import progress
from python_udfs.matcher_config import MatchConfig
from python_udfs.matcher_words import (
    _DIR,
    _DISTINCT,
    _GENERIC,
    _GOV,
    _KEY,
    _LEGAL,
    _LEGAL_WORDS,
    _ORDERED_BITS,
    _ORDINAL_WORDS,
    _ORG,
    _PLACE,
    _STOP,
    _WEAK,
    CREDIT_UNION,
    DEFAULT_GENERIC_WORDS,
    DEFAULT_GOVERNMENT_TYPE_WORDS,
    DEFAULT_ORGANISATION_TYPE_WORDS,
    DEFAULT_STOP_WORDS,
    DIRECTION_WORDS,
    PLACE_WORDS,
    SEPARATE_BODY_WORDS,
    _is_initial,
    _roman_value,
    name_numbers,
)
from python_udfs.names import NonAnswerMatcher

# ----------------------------------------------------------------------------- corpus


@dataclass(frozen=True)
class WordStats:
    """Document frequencies (distinct names holding a word or blocking key) over all names."""

    n_names: int
    df: dict[str, int]

    def of(self, vocab: list[str]) -> np.ndarray:
        missing = [v for v in vocab if v not in self.df]
        if missing:
            raise ValueError(
                f"matcher: no document frequency for {len(missing)} word(s) or key(s) of these names, "
                f"e.g. {missing[0]!r}; the word statistics must cover every word and key of the names scored"
            )
        return np.array([self.df[v] for v in vocab], dtype=np.int64)


def _unique_int(x: np.ndarray) -> np.ndarray:
    """Sorted distinct values of an int64 array (sort-based: faster than np.unique here)."""
    x = np.sort(x, kind="stable" if x.size < 1024 else None)
    if x.size == 0:
        return x
    return np.asarray(x[np.concatenate([[True], x[1:] != x[:-1]])])


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
    initial: np.ndarray  # per vocab entry: a single letter (a person's initial: J ALLEN)
    total_weight: np.ndarray  # per name
    n_identity: np.ndarray  # per name: identity words
    all_generic: np.ndarray  # per name: no distinctive word
    number_sig: np.ndarray  # per name: 0 = states no number, else a hash of its numbers
    has_type: np.ndarray  # per name: has a government or organisation type word
    public: np.ndarray  # per name: has a government type word or UNIVERSITY/COLLEGE
    has_gov: np.ndarray  # per name: has a government type word
    ord_has: np.ndarray  # per name: bits of UNIVERSITY/COLLEGE present
    ord_first: np.ndarray  # per name: bits of UNIVERSITY/COLLEGE as the first word
    last_tok: np.ndarray  # per name: vocab id of the last word
    last_code: np.ndarray  # per name: the last word is a short unit code
    separate_body: np.ndarray  # per name: has a word of a separate body (matcher_units)
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


@dataclass
class _Words:
    """Every word occurrence of the sorted names, flat, with its name and kind."""

    arr: pa.Array  # the names
    split: pa.Array  # list of words per name
    flat: pa.Array  # every word occurrence
    parent: np.ndarray  # name id of each occurrence
    words: pa.Array  # distinct words
    flat_word: np.ndarray  # index of each occurrence in ``words``
    flat_kind: np.ndarray  # kind of each occurrence
    has_distinct: np.ndarray  # per name


def _words(names: list[str], lists: _Lists) -> _Words:
    arr = pa.array(names, type=pa.string())
    split = pc.split_pattern(arr, " ")
    flat = pc.list_flatten(split)
    parent = np.asarray(pc.list_parent_indices(split), dtype=np.int64)
    words = pc.unique(flat)
    word_kind = np.array([lists.kind(t) for t in words.to_pylist()], dtype=np.int8)
    flat_word = np.asarray(pc.index_in(flat, value_set=words))
    flat_kind = word_kind[flat_word]
    has_distinct = np.zeros(len(names), dtype=bool)
    has_distinct[parent[flat_kind == _DISTINCT]] = True
    return _Words(arr, split, flat, parent, words, flat_word, flat_kind, has_distinct)


def _with_keys(w: _Words, cfg: MatchConfig) -> tuple[pa.Array, np.ndarray]:
    """Word occurrences plus the extra blocking keys: word prefixes (typos) and the generic
    words of all-generic names; with the name id of each."""
    extra, extra_parent = [], []
    if cfg.prefix_len > 0:
        lens = np.asarray(pc.utf8_length(w.flat))
        m = (w.flat_kind == _DISTINCT) & (lens >= cfg.prefix_min_word_len)
        extra.append(
            pc.binary_join_element_wise(
                "~", pc.utf8_slice_codeunits(pc.filter(w.flat, pa.array(m)), 0, cfg.prefix_len), ""
            )
        )
        extra_parent.append(w.parent[m])
    m = (w.flat_kind == _GENERIC) & ~w.has_distinct[w.parent]
    extra.append(pc.binary_join_element_wise("#", pc.filter(w.flat, pa.array(m)), ""))
    extra_parent.append(w.parent[m])
    all_flat = pa.concat_arrays([w.flat] + [e.cast(pa.string()) for e in extra])
    return all_flat, np.concatenate([w.parent] + extra_parent)


def _ordered_flags(
    w: _Words, vocab: list[str], nt_name: np.ndarray, nt_tok: np.ndarray, n_names: int
) -> tuple[np.ndarray, np.ndarray]:
    """Per name: bits of UNIVERSITY/COLLEGE present, and of UNIVERSITY/COLLEGE first."""
    ord_has = np.zeros(n_names, dtype=np.int8)
    ord_first = np.zeros(n_names, dtype=np.int8)
    first_pos = np.concatenate([[0], np.cumsum(np.asarray(pc.list_value_length(w.split)))[:-1]])
    first_word = (
        np.asarray(pc.take(w.words, pa.array(w.flat_word[first_pos])).to_pylist())
        if n_names
        else np.zeros(0, dtype=object)
    )
    for word, bit in _ORDERED_BITS.items():
        wid = vocab.index(word) if word in vocab else -1
        if wid >= 0:
            has = np.zeros(n_names, dtype=bool)
            has[nt_name[nt_tok == wid]] = True
            ord_has[has] |= bit
            ord_first[first_word == word] |= bit
    return ord_has, ord_first


def _last_word(
    w: _Words, vocab: list[str], vocab_arr: pa.Array, kind: np.ndarray, vlen: np.ndarray, lists: _Lists
) -> tuple[np.ndarray, np.ndarray]:
    """Per name: vocab id of the last word, and whether it is a short unit code."""
    last_pos = np.cumsum(np.asarray(pc.list_value_length(w.split))) - 1
    last_word = pc.take(w.flat, pa.array(last_pos))
    last_tok = np.asarray(pc.index_in(last_word, value_set=vocab_arr), dtype=np.int64)
    n_words = np.asarray(pc.list_value_length(w.split))
    types = lists.gov_types | lists.org_types
    last_code = (
        (n_words > 1)
        & (kind[last_tok] == _DISTINCT)
        & (vlen[last_tok] <= 3)
        & ~np.isin(last_tok, [vocab.index(t) for t in types if t in vocab])
    )
    return last_tok, last_code


# long: one vectorised pass computing the corpus arrays; the constructor call with its 29 fields is half of it
def _build_corpus(left: set[str], right: set[str], cfg: MatchConfig, stats: WordStats | None = None) -> _Corpus:
    """The corpus of these names. ``stats`` (the parallel form, python_udfs/matcher_parallel.py)
    gives the document frequency of every word and key and the number of names of the whole
    data, so a part of the names gets the IDF, weights and blocking flags of the whole."""
    lists = _Lists.from_config(cfg)
    names = sorted(left | right)
    n_names = len(names)
    w = _words(names, lists)
    is_left = np.asarray(pc.is_in(w.arr, value_set=pa.array(sorted(left), pa.string())))
    is_right = np.asarray(pc.is_in(w.arr, value_set=pa.array(sorted(right), pa.string())))
    all_flat, all_parent = _with_keys(w, cfg)

    uniq = pc.unique(all_flat)
    vocab_arr = pc.take(uniq, pc.array_sort_indices(uniq))
    vocab = vocab_arr.to_pylist()
    n_vocab = max(len(vocab), 1)
    tok = np.asarray(pc.index_in(all_flat, value_set=vocab_arr), dtype=np.int64)
    key = _unique_int(all_parent * n_vocab + tok)
    nt_name, nt_tok = key // n_vocab, key % n_vocab

    kind = np.array([lists.kind(t) for t in vocab], dtype=np.int8)
    wclass = np.array([lists.word_class(t) for t in vocab], dtype=np.int8)
    if stats is None:
        df, n_all = np.bincount(nt_tok, minlength=len(vocab)).astype(np.int64), n_names
    else:
        df, n_all = stats.of(vocab), stats.n_names
    idf = np.log(max(n_all, 1) / np.maximum(df, 1))
    weight = idf.copy()
    weight[(kind == _GENERIC) | (kind == _WEAK)] *= cfg.generic_weight
    weight[(kind == _STOP) | (kind == _KEY)] = 0.0
    vlen = np.array([len(v) for v in vocab], dtype=np.int64)

    all_generic = ~w.has_distinct
    ident_tok = np.where(all_generic[nt_name], kind[nt_tok] == _GENERIC, kind[nt_tok] == _DISTINCT)
    cls = wclass[nt_tok]
    has_type = np.zeros(n_names, dtype=bool)
    has_type[nt_name[(cls & (_GOV | _ORG)) > 0]] = True
    public = np.zeros(n_names, dtype=bool)
    public[nt_name[(cls & _GOV) > 0]] = True
    ord_has, ord_first = _ordered_flags(w, vocab, nt_name, nt_tok, n_names)
    last_tok, last_code = _last_word(w, vocab, vocab_arr, kind, vlen, lists)
    separate_body = np.zeros(n_names, dtype=bool)
    sep_words = np.array([v in SEPARATE_BODY_WORDS or v == CREDIT_UNION[0] for v in vocab], dtype=bool)
    separate_body[nt_name[sep_words[nt_tok]]] = True
    return _Corpus(
        names=names,
        is_left=is_left,
        is_right=is_right,
        vocab=vocab,
        kind=kind,
        wclass=wclass,
        nt_name=nt_name,
        nt_tok=nt_tok,
        nt_key=key,
        name_start=np.searchsorted(nt_name, np.arange(n_names + 1)),
        idf=idf,
        weight=weight,
        blocking=((kind == _DISTINCT) | (kind == _KEY)) & (df <= cfg.block_max_df),
        prefix_key=np.array([v.startswith("~") for v in vocab], dtype=bool),
        long_word=(kind == _DISTINCT) & (vlen >= cfg.prefix_min_word_len) & (cfg.prefix_len > 0),
        initial=np.array([_is_initial(v) for v in vocab], dtype=bool),
        total_weight=np.bincount(nt_name, weights=weight[nt_tok], minlength=n_names),
        n_identity=np.bincount(nt_name, weights=ident_tok, minlength=n_names).astype(np.int64),
        all_generic=all_generic,
        number_sig=_number_sig(w.arr),
        has_type=has_type,
        public=public | (ord_has > 0),
        has_gov=public,
        ord_has=ord_has,
        ord_first=ord_first,
        last_tok=last_tok,
        last_code=last_code,
        separate_body=separate_body,
        lists=lists,
        generic_weight=cfg.generic_weight,
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
