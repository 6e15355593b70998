"""The timing test's null sums: for one block of a vendor's null award sets, the distance from
every donation of the vendor's pairs to the nearest award of each set (see timing.py).

A block stores set r as bit positions r * stride + (day - first), where first is the vendor's
first award and stride is last - first + 1 rounded up to whole 32-bit words, so that every set
starts on a word of the packed bitmap. Every set holds its first and last award (columns 0
and last - first), so a day strictly between them always has an award on each side within its
own set. Three exact ways find those neighbours; which one runs is a matter of speed only (the
sums are integers, identical whichever way; tests/python/test_timing_fastpath.py):

- scanning the packed 32-bit words outward from the day (dense sets, few query days);
- counting the set bits before the day (popcount of the words) and reading the neighbours
  from the sorted positions (many query days);
- a binary search of the sorted positions (sets drawn as sorted day lists, few query days).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

# (set, query day) pairs measured at once (memory: a few int64 arrays of this size).
_CHUNK_ELEMENTS = 1 << 18
# Query days per set above which counting on the bitmap beats the outward scan / the binary
# search: query days x cost > stride (days per set), tuned on tests/benchmarks/bench_timing.py.
_SCAN_COST = 40
_SEARCH_COST = 50


def grid_stride(first: int, last: int) -> int:
    """Bits per set: the days first..last, rounded up to whole 32-bit words."""
    return -(-(last - first + 1) // 32) * 32


@dataclass
class Block:
    """One block of a vendor's null award sets (``n`` awards per set, first and last included):
    ``flat`` (sorted int64 positions) and/or ``grid`` ((rows, stride) bool); the other is made
    on demand."""

    rows: int
    stride: int
    n: int
    grid: np.ndarray | None = None
    flat: np.ndarray | None = None
    _words: np.ndarray | None = None
    _word_start: np.ndarray | None = None

    @classmethod
    def from_days(cls, interior: np.ndarray, first: int, last: int) -> Block:
        """From sorted (rows, k) drawn days."""
        rows, k = interior.shape
        stride = grid_stride(first, last)
        flat = np.empty((rows, k + 2), dtype=np.int64)
        flat[:, 0] = 0
        flat[:, -1] = last - first
        np.subtract(interior, first, out=flat[:, 1:-1])
        flat += (np.arange(rows, dtype=np.int64) * stride)[:, None]
        return cls(rows, stride, k + 2, flat=flat.reshape(-1))

    def positions(self) -> np.ndarray:
        if self.flat is None:
            assert self.grid is not None
            self.flat = np.flatnonzero(self.grid)
        return self.flat

    def words(self) -> np.ndarray:
        """The bitmap packed in 32-bit words (uint32; bit j of word w is position 32 w + j)."""
        if self._words is None:
            if self.grid is None:
                taken = np.zeros(self.rows * self.stride, dtype=bool)
                taken[self.positions()] = True
                self.grid = taken.reshape(self.rows, self.stride)
            self._words = np.packbits(self.grid.reshape(-1), bitorder="little").view("<u4")
        return self._words

    def word_start(self) -> np.ndarray:
        """Per word: the index in ``positions()`` of its first set bit (set bits before it)."""
        if self._word_start is None:
            counts = np.bitwise_count(self.words())
            small = np.int32 if self.rows * self.n < (1 << 31) else np.int64
            start: np.ndarray = np.cumsum(counts, dtype=small)
            np.subtract(start, counts, out=start)
            self._word_start = start
        return self._word_start

    def method(self, n_cols: int) -> str:
        """How to find the neighbours of n_cols query days per set: 'scan', 'search' or 'count'."""
        if n_cols * _SCAN_COST <= self.stride and self.n * 32 >= self.stride and self.flat is None:
            return "scan"
        if n_cols * _SEARCH_COST <= self.stride and self.grid is None:
            return "search"
        return "count"

    def prepare(self, method: str) -> None:
        """Derive what ``method`` reads, then drop the bitmap (the block's largest array)."""
        if method != "search":
            self.words()
        if method != "scan":
            self.positions()
        self.grid = None
        if method == "count":
            self.word_start()

    def nearest(self, cols: np.ndarray, a: int, b: int, method: str) -> np.ndarray:
        """(b - a, cols.size) int64: for sets a..b-1, the distance from each day first + c
        (cols: sorted distinct c, 0 < c < last - first) to the set's nearest award."""
        row_start = np.arange(a, b, dtype=np.int64) * self.stride
        q = row_start[:, None] + cols[None, :]
        if method == "scan":
            return _scan_nearest(self.words(), q.reshape(-1)).reshape(q.shape)
        flat = self.positions()
        if method == "search":
            after = np.searchsorted(flat, q)
        else:
            # sets start on a word, so a day's word and bit within it are the same in every set
            w = (row_start >> 5)[:, None] + (cols >> 5)[None, :]
            after = self.word_start()[w]
            after += np.bitwise_count(self.words()[w] & ((np.int64(1) << (cols & 31)) - 1))
        # both neighbours are in the query's own set (it holds columns 0 and last - first)
        before = flat[after - 1]
        after = flat[after]
        np.subtract(q, before, out=before)
        np.subtract(after, q, out=after)
        dist: np.ndarray = np.minimum(before, after, out=before)
        return dist


def _scan_nearest(words: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Distance from each bit position q to the nearest set bit, searching words outward."""
    w = q >> 5
    bit = q & 31
    word = words[w].astype(np.int64)
    left = _edge_bit(words, w, word & ((np.int64(2) << bit) - 1), -1)
    right = _edge_bit(words, w, word & -(np.int64(1) << bit), 1)
    dist: np.ndarray = np.minimum(q - left, right - q)
    return dist


def _edge_bit(words: np.ndarray, w: np.ndarray, m: np.ndarray, step: int) -> np.ndarray:
    """Position of the highest (step -1) or lowest (step 1) set bit of the masked words m,
    moving on to words w + step, w + 2 step... while nothing is set. The exponent of a
    float64 is exact here: words hold 32 bits."""
    out = np.empty(w.size, dtype=np.int64)
    todo = np.arange(w.size)
    while todo.size:
        hit = m != 0
        i = np.flatnonzero(hit)
        bits = m[i]
        if step > 0:
            bits &= -bits  # the lowest set bit alone
        out[todo[i]] = (w[i] << 5) + (np.frexp(bits.astype(np.float64))[1] - 1)
        miss = ~hit
        todo, w = todo[miss], w[miss] + step
        m = words[w].astype(np.int64)
    return out


class Queries:
    """The donation days of a vendor's pairs, measured once per block: the days strictly
    between the first and last award (distinct, over all pairs) and, per pair, its days among
    them and the constant distance of its other donations (to the nearer kept award)."""

    def __init__(self, donation_sets: Sequence[np.ndarray], first: int, last: int) -> None:
        span = last - first
        inside = []
        self.const: list[int] = []
        for d in donation_sets:
            off = np.asarray(d, dtype=np.int64) - first
            keep = (off > 0) & (off < span)
            inside.append(off[keep])
            self.const.append(int(np.where(off <= 0, -off, off - span)[~keep].sum()))
        self.cols = np.unique(np.concatenate(inside)) if inside else np.empty(0, dtype=np.int64)
        self.index = [np.searchsorted(self.cols, x) for x in inside]

    def sums(self, block: Block, out: Sequence[np.ndarray] | None = None) -> list[np.ndarray]:
        """Per pair, the null sums of the block's sets (int64, exact), written into ``out``
        (one array of block.rows per pair, e.g. views of the caller's results) when given."""
        sums = [np.empty(block.rows, dtype=np.int64) for _ in self.const] if out is None else list(out)
        for acc, c in zip(sums, self.const, strict=True):
            acc[:] = c
        if self.cols.size == 0:
            return sums
        method = block.method(self.cols.size)
        block.prepare(method)
        step = max(1, _CHUNK_ELEMENTS // self.cols.size)
        for a in range(0, block.rows, step):
            b = min(block.rows, a + step)
            dist = block.nearest(self.cols, a, b, method)
            for acc, idx in zip(sums, self.index, strict=True):
                if idx.size:
                    acc[a:b] += dist[:, idx].sum(axis=1)
        return sums
