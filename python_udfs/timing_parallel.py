"""The timing test in parts, for an engine that tests vendors in parallel (the Spark target).

``python_udfs/timing.py`` tests every vendor-recipient pair in one process. Each vendor's null
reads only its own seeded stream, so vendors can be tested apart; two things are shared by the
whole file, and models/spark/int_timing_tests.sql computes them across the parts:

1. the all_awards calendar: each bucket of vendors gives its per-day counts
   (:func:`day_counts`, ``Calendar.vendor_day_counts``); SQL adds them up per day (integers:
   exact), and every bucket builds the same calendar from the sums (``Calendar.from_day_counts``);
2. the Benjamini-Hochberg q-values, over every tested pair: SQL ranks the distinct p-values
   (at most n_permutations + 1 of them) and each pair takes the q-value of its p-value's tie
   block, ``min over later blocks of (p * m) / last rank``, the value ``stats.bh_qvalues``
   gives it.

:func:`bucket_tests` runs ``timing.run_timing`` on one bucket's vendors with that calendar.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pyarrow as pa

from python_udfs.timing import run_timing
from python_udfs.timing_config import NO_AWARD_DATES, config_from_model
from python_udfs.timing_inputs import _awards, date_source_of
from python_udfs.timing_null import Calendar


def day_counts(awards: pa.Table) -> list[tuple[int, int, int]]:
    """(day since 1970-01-01, awarded, change) of these vendors' award dates, per day."""
    if not awards.num_rows:
        return []
    aw = _awards(awards)
    day, awarded, change = Calendar.vendor_day_counts(aw.days, *aw.bounds())
    return list(zip(day.tolist(), awarded.tolist(), change.tolist(), strict=True))


def bucket_tests(
    raw_settings: Any,
    raw_seed: Any,
    donations: pa.Table,
    awards: pa.Table,
    days: Sequence[tuple[int, int, int]],
    award_columns: Sequence[str | None],
    donation_columns: Sequence[str | None],
    n_award_rows: int,
) -> pa.Table:
    """``run_timing`` on one bucket's vendors (their donations and award rows), with what the
    whole file shares: the calendar from its summed per-day counts ``days``, and the date
    sources named in refusals from the ``date_column`` values of all award and donation rows,
    and the number of award rows (none at all, with donations, is the single-process model's
    error). One thread: the engine's tasks are the parallelism. The q-values are the bucket's own; the
    SQL replaces them with the whole file's."""
    config = config_from_model(raw_settings, raw_seed)
    if donations.num_rows and not n_award_rows:
        raise ValueError(NO_AWARD_DATES)
    calendar = None
    if days:
        day, awarded, change = (np.array(c, dtype=np.int64) for c in zip(*days, strict=True))
        calendar = Calendar.from_day_counts(day, awarded, change)
    sources = (
        date_source_of(award_columns, "contracts", "award_date"),
        date_source_of(donation_columns, "contributions", "donation_date"),
    )
    return run_timing(donations, awards, config, workers=1, calendar=calendar, sources=sources)
