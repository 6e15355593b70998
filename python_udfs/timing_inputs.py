"""The timing test's inputs: donation pairs and vendor award dates read from Arrow tables,
their declared date precision and date flags, and the observed distance sums (see timing.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

PRECISIONS = ("day", "month", "year")
_EPOCH = dt.date(1970, 1, 1)

# ----------------------------------------------------------------------------- tables


def _column(table: pa.Table, table_name: str, name: str, kind: str) -> pa.Array:
    if name not in table.column_names:
        raise ValueError(f"timing: {table_name} is missing column {name!r}; has: {', '.join(table.column_names)}")
    col = table.column(name)
    if col.null_count:
        hint = (
            "; dates must be parsed upstream (unparseable dates belong in the rejects table)" if kind == "date" else ""
        )
        raise ValueError(f"timing: {table_name}.{name} has {col.null_count} null value(s){hint}")
    col = col.combine_chunks()
    if kind == "date":
        if not (pa.types.is_date32(col.type) or pa.types.is_date64(col.type)):
            raise ValueError(f"timing: {table_name}.{name} must be a DATE column; got {col.type}")
        return col.cast(pa.date32()).cast(pa.int32())
    if pa.types.is_dictionary(col.type):
        col = col.dictionary_decode()
    if not (pa.types.is_string(col.type) or pa.types.is_large_string(col.type) or pa.types.is_string_view(col.type)):
        raise ValueError(f"timing: {table_name}.{name} must be a VARCHAR column; got {col.type}")
    return col.cast(pa.string())


def _same_as_previous(*columns: Any) -> np.ndarray:
    """Row i equals row i - 1 on every column (row 0: False); columns are sorted."""
    n = len(columns[0])
    same = np.zeros(n, dtype=bool)
    if n > 1:
        same[1:] = True
        for col in columns:
            equal = pc.equal(col.slice(1), col.slice(0, n - 1))
            same[1:] &= equal.to_numpy(zero_copy_only=False)
    return same


@dataclass
class _Pairs:
    vendor: list[str]
    recipient: list[str]
    ptr: np.ndarray  # pair p's donations are days[ptr[p]:ptr[p+1]]
    days: np.ndarray  # int64 days since 1970-01-01


def _pairs(donations: pa.Table) -> _Pairs:
    table = pa.table(
        {
            "v": _column(donations, "donations", "vendor_key", "string"),
            "r": _column(donations, "donations", "recipient_key", "string"),
            "d": _column(donations, "donations", "donation_date", "date"),
            "ref": _column(donations, "donations", "row_ref", "string"),
        }
    )
    # Sorting on every column of a row makes the result independent of the input order.
    table = table.take(pc.sort_indices(table, [(c, "ascending") for c in ("v", "r", "ref", "d")]))
    same = _same_as_previous(table.column("v"), table.column("r"), table.column("ref"))
    days = table.column("d").to_numpy()
    clash = np.flatnonzero(same[1:] & (days[1:] != days[:-1]))
    if clash.size:
        row = table.slice(int(clash[0]) + 1, 1).to_pylist()[0]
        raise ValueError(
            f"timing: donations row_ref {row['ref']!r} has two donation_date values "
            f"for pair ({row['v']!r}, {row['r']!r})"
        )
    # One donation reached through several edges counts once.
    table = table.filter(pa.array(~same))
    starts = np.flatnonzero(~_same_as_previous(table.column("v"), table.column("r")))
    return _Pairs(
        vendor=table.column("v").take(starts).to_pylist(),
        recipient=table.column("r").take(starts).to_pylist(),
        ptr=np.append(starts, len(table)).astype(np.int64),
        days=table.column("d").to_numpy().astype(np.int64),
    )


@dataclass
class _Awards:
    slices: dict[str, tuple[int, int]]  # vendor -> rows of its distinct dates in `days`
    rows: dict[str, int]  # vendor -> award rows before removing repeated dates
    days: np.ndarray  # int64, sorted by (vendor, day)
    vendor_rank: np.ndarray  # int64 rank of each row's vendor in `slices` order

    def bounds(self) -> tuple[np.ndarray, np.ndarray]:
        """Each vendor's first and one-past-last row in ``days``, in ``slices`` order (int64)."""
        rows = np.array(list(self.slices.values()), dtype=np.int64).reshape(-1, 2)
        return rows[:, 0], rows[:, 1]


def _awards(awards: pa.Table) -> _Awards:
    table = pa.table(
        {
            "v": _column(awards, "awards", "vendor_key", "string"),
            "d": _column(awards, "awards", "award_date", "date"),
        }
    )
    table = table.take(pc.sort_indices(table, [("v", "ascending"), ("d", "ascending")]))
    starts = np.flatnonzero(~_same_as_previous(table.column("v")))
    counts = np.diff(np.append(starts, len(table))).tolist()
    rows = dict(zip(table.column("v").take(starts).to_pylist(), counts, strict=False))
    table = table.filter(pa.array(~_same_as_previous(table.column("v"), table.column("d"))))
    starts = np.flatnonzero(~_same_as_previous(table.column("v")))
    ends = np.append(starts[1:], len(table))
    names = table.column("v").take(starts).to_pylist()
    return _Awards(
        slices={name: (int(a), int(b)) for name, a, b in zip(names, starts, ends, strict=False)},
        rows=rows,
        days=table.column("d").to_numpy().astype(np.int64),
        vendor_rank=np.repeat(np.arange(len(starts), dtype=np.int64), ends - starts),
    )


def _observed_sums(pairs: _Pairs, awards: _Awards, tested: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Exact sum of nearest-award distances per tested pair.

    All vendors' award dates go on one number line, vendor i shifted by i * stride, so one
    searchsorted finds every donation's neighbours among its own vendor's awards.
    """
    n_dons = np.diff(pairs.ptr)[tested]
    base = int(min(pairs.days.min(), awards.days.min()))
    stride = int(max(pairs.days.max(), awards.days.max())) - base + 1
    keys = awards.vendor_rank * stride + (awards.days - base)
    rank = {name: i for i, name in enumerate(awards.slices)}
    vendors = [pairs.vendor[p] for p in tested.tolist()]
    vendor_rank = np.repeat(np.array([rank[v] for v in vendors], dtype=np.int64), n_dons)
    first = np.repeat(np.array([awards.slices[v][0] for v in vendors], dtype=np.int64), n_dons)
    last = np.repeat(np.array([awards.slices[v][1] - 1 for v in vendors], dtype=np.int64), n_dons)
    queries = vendor_rank * stride + (pairs.days[rows] - base)
    pos = np.searchsorted(keys, queries)
    left = np.clip(pos - 1, first, last)
    right = np.minimum(pos, last)
    dist = np.minimum(np.abs(queries - keys[left]), np.abs(keys[right] - queries))
    return np.add.reduceat(dist, np.concatenate([[0], np.cumsum(n_dons)[:-1]]))


def _day_to_date(day: int) -> dt.date:
    return _EPOCH + dt.timedelta(days=day)


def _declared_precision(table: pa.Table, table_name: str, keys: list[str]) -> dict[tuple[str, ...], str]:
    """Coarsest declared ``date_precision`` per key tuple (optional column; absent = 'day')."""
    if "date_precision" not in table.column_names:
        return {}
    prec = _column(table, table_name, "date_precision", "string")
    bad = sorted(set(prec.to_pylist()) - set(PRECISIONS))
    if bad:
        raise ValueError(f"timing: {table_name}.date_precision has value {bad[0]!r}; allowed: {', '.join(PRECISIONS)}")
    mask = pc.not_equal(prec, "day")
    if not pc.any(mask).as_py():
        return {}
    cols = [_column(table, table_name, k, "string").filter(mask).to_pylist() for k in keys]
    out: dict[tuple[str, ...], str] = {}
    for key, p in zip(zip(*cols, strict=True), prec.filter(mask).to_pylist(), strict=True):
        if out.get(key) != "year":
            out[key] = p
    return out


def _date_source(table: pa.Table, role: str, field: str) -> str:
    """Where the dates come from, for refusals: the mapped column (optional ``date_column``,
    one value per table) and its role-map entry."""
    names = table.column("date_column").to_pylist() if "date_column" in table.column_names else []
    return date_source_of(names, role, field)


def date_source_of(names: Iterable[str | None], role: str, field: str) -> str:
    """_date_source from the ``date_column`` values of the whole table (any order, repeated)."""
    where = f"role_map.{role}.columns.{field}"
    distinct = sorted({n for n in names if n is not None})
    if len(distinct) == 1:
        return f"column {distinct[0]!r}, mapped as {where}"
    return where


def _date_flags(days: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per day number: is it the 1st of a month; is it 1 January."""
    d = days.astype("datetime64[D]")
    month_start = d.astype("datetime64[M]").astype("datetime64[D]") == d
    jan_first = d.astype("datetime64[Y]").astype("datetime64[D]") == d
    return month_start, jan_first
