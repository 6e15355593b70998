"""The timing null's units of work (python_udfs/timing.py runs them): one task per vendor, or
per batch of small vendors, each reading only its own seeded stream and returning its pairs'
counts; ``_in_order`` runs them on threads and yields the results in task order, so the counts
are the same whatever the number of workers."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from python_udfs.timing_inputs import _Pairs
from python_udfs.timing_null import Calendar, _moments, batched_null_sums, vendor_null_sums


class _NullCounts:
    """Per tested pair: null sums closer than / equal to the observed one, and their exact moments."""

    def __init__(self, observed: np.ndarray, n: int) -> None:
        self.observed = observed
        self.k_closer = np.zeros(n, dtype=np.int64)
        self.k_tied = np.zeros(n, dtype=np.int64)
        self.moments: list[tuple[int, int, int]] = [(0, 0, 0)] * n

    def count(self, members: list[int], bounds: list[int], sums: list[np.ndarray]) -> _Counted:
        """k and exact moments for pairs ``members`` with null sums ``sums`` (reads only)."""
        rows = np.stack(sums)
        observed = self.observed[np.array(members, dtype=np.int64)][:, None]
        s1, d1, d2 = _moments(rows, max(bounds))
        moments = list(zip(s1, d1, d2, strict=True))
        return members, (rows < observed).sum(axis=1), (rows == observed).sum(axis=1), moments

    def keep(self, counted: _Counted) -> None:
        members, closer, tied, moments = counted
        which = np.array(members, dtype=np.int64)
        self.k_closer[which] = closer
        self.k_tied[which] = tied
        for i, m in zip(members, moments, strict=True):
            self.moments[i] = m


# members, k_closer, k_tied and moments of one task's pairs
_Counted = tuple[list[int], np.ndarray, np.ndarray, list[tuple[int, int, int]]]


def _bound(award_days: np.ndarray, d: np.ndarray) -> int:
    """Every null set keeps the first and last award: no null sum exceeds this."""
    return int(np.minimum(np.abs(d - award_days[0]), np.abs(d - award_days[-1])).sum())


def _donation_sets(pairs: _Pairs, tested: np.ndarray, members: list[int]) -> list[np.ndarray]:
    return [np.sort(pairs.days[pairs.ptr[tested[i]] : pairs.ptr[tested[i] + 1]]) for i in members]


@dataclass(frozen=True)
class _NullJob:
    """What every task of one timing run shares (read only): the pairs, the tested pairs' counts,
    the calendar and the number of permutations."""

    pairs: _Pairs
    tested: np.ndarray
    counts: _NullCounts
    calendar: Calendar
    uniform: bool
    n_perm: int

    def vendor(self, award_days: np.ndarray, seed: int, members: list[int]) -> _Counted:
        """One vendor's null, on its own seeded stream."""
        dsets = _donation_sets(self.pairs, self.tested, members)
        sums = vendor_null_sums(award_days, self.calendar, self.uniform, seed, self.n_perm, dsets)
        return self.counts.count(members, [_bound(award_days, d) for d in dsets], sums)

    def batch(self, group: list[tuple[np.ndarray, int, list[int]]]) -> _Counted:
        """Small vendors' nulls: the same draws, batched arithmetic (identical results)."""
        items = [
            (award_days, seed, _donation_sets(self.pairs, self.tested, members)) for award_days, seed, members in group
        ]
        members_all: list[int] = []
        bounds: list[int] = []
        sums: list[np.ndarray] = []
        for (award_days, _, dsets), (_, _, members), vendor_sums in zip(
            items, group, batched_null_sums(items, self.calendar, self.uniform, self.n_perm), strict=True
        ):
            members_all += members
            bounds += [_bound(award_days, d) for d in dsets]
            sums += vendor_sums
        return self.counts.count(members_all, bounds, sums)


def _in_order(tasks: list[Callable[[], _Counted]], workers: int) -> Iterator[_Counted]:
    """The tasks' results in task order, run on up to ``workers`` threads with at most
    2 x workers results pending (memory stays bounded whatever the number of tasks)."""
    if workers <= 1 or len(tasks) <= 1:
        yield from (task() for task in tasks)
        return
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="timing") as pool:
        pending: deque[Future[_Counted]] = deque()
        for task in tasks:
            pending.append(pool.submit(task))
            if len(pending) >= 2 * workers:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
