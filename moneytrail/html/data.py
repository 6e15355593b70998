"""What the HTML report reads from the warehouse, always bounded and in a total order.

- the rows of each mart, in the report's own ranking (report.ANALYSES' order_by), at most
  TABLE_ROWS per analysis;
- the raw input rows behind a finding's row refs: ``db://<dataset_version_id>#row_index=<n>``
  is looked up in the raw table that raw.ingest_manifest names for that dataset version, one
  query per raw table for the whole report;
- the parsed contributions (date, amount) behind row refs, from staging.stg_contributions,
  for the charts;
- the cross_links edges behind findings (by edge id, or by contribution row ref).

Every value goes through exports.json_value, so the HTML shows exactly what the exports and
report.json show.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import duckdb
import pyarrow as pa

from ingest.sqlquote import quote_ident
from moneytrail.exports import attach_columns, json_value, relation_columns
from moneytrail.registry import Attach

ROW_REF = re.compile(r"^db://(dsv_[0-9A-Za-z]+)#row_index=([0-9]+)$")


@dataclass(frozen=True)
class MartRows:
    columns: list[str]
    rows: list[dict[str, Any]]
    total: int


def mart_rows(
    con: duckdb.DuckDBPyConnection,
    schema: str,
    name: str,
    order_by: str,
    limit: int,
    total: int,
    where: str | None = None,
    attach: Attach | None = None,
) -> MartRows:
    """The mart's first `limit` rows in the report's ranking; `where` is the analysis's scope
    (report.Analysis.where, e.g. links at the analysis tier), the same rows report.json counts and
    quotes; `total` is their number as report.json gives it (from the report model), never counted here.
    `attach`: another mart's columns beside each row (registry: report.attach), as report.json quotes them."""
    columns = relation_columns(con, schema, name)
    relation = f"{quote_ident(schema)}.{quote_ident(name)}"
    if where:
        relation = f"(select * from {relation} where {where}) as scoped"
    cur = con.execute(f"select * from {relation} order by {order_by} limit {int(limit)}")
    names = [d[0] for d in cur.description]
    rows = [{n: json_value(v) for n, v in zip(names, row, strict=True)} for row in cur.fetchall()]
    if attach is not None:
        attach_columns(con, schema, rows, attach)
        columns = [*columns, *attach.columns]
    return MartRows(columns, rows, int(total))


@contextmanager
def _values(con: duckdb.DuckDBPyConnection, name: str, values: Sequence[Any], kind: pa.DataType) -> Iterator[str]:
    """A list of values as a one-column relation `name(v)` for `in (select v from name)`.

    An Arrow table, not a list parameter: DuckDB converts a Python list parameter item by item,
    which takes seconds for a few thousand row refs."""
    con.register(name, pa.table({"v": pa.array(list(values), type=kind)}))
    try:
        yield name
    finally:
        con.unregister(name)


def parse_ref(ref: str) -> tuple[str, int] | None:
    m = ROW_REF.match(ref)
    return (m.group(1), int(m.group(2))) if m else None


@dataclass(frozen=True)
class RawRow:
    table: str
    columns: tuple[str, ...]
    values: tuple[Any, ...]


@dataclass
class RawLookup:
    rows: dict[str, RawRow]  # row ref -> raw row
    problems: dict[str, str]  # row ref -> why it has no raw row


def raw_rows(con: duckdb.DuckDBPyConnection, refs: Iterable[str]) -> RawLookup:
    """The raw rows behind row refs: one query per raw table."""
    wanted: dict[str, dict[int, str]] = {}
    problems: dict[str, str] = {}
    for ref in sorted(set(refs)):
        parsed = parse_ref(ref)
        if parsed is None:
            problems[ref] = "not a row reference of the form db://<dataset_version_id>#row_index=<n>"
            continue
        wanted.setdefault(parsed[0], {})[parsed[1]] = ref
    found: dict[str, RawRow] = {}
    if not wanted:
        return RawLookup(found, problems)
    if not relation_columns(con, "raw", "ingest_manifest"):
        for by_index in wanted.values():
            for ref in by_index.values():
                problems[ref] = "raw.ingest_manifest does not exist"
        return RawLookup(found, problems)
    with _values(con, "html_wanted_dsv", sorted(wanted), pa.string()) as rel:
        tables = dict(
            con.execute(
                "select dataset_version_id, table_name from raw.ingest_manifest where dataset_version_id in "
                f"(select v from {rel})"
            ).fetchall()
        )
    for dsv in sorted(wanted):
        by_index = wanted[dsv]
        table = tables.get(dsv)
        if table is None:
            for ref in by_index.values():
                problems[ref] = f"dataset version {dsv} is not in raw.ingest_manifest"
            continue
        columns = relation_columns(con, "raw", table)
        if "row_index" not in columns:
            for ref in by_index.values():
                problems[ref] = f"raw.{table} has no row_index column"
            continue
        with _values(con, "html_wanted_rows", sorted(by_index), pa.int64()) as rel:
            cur = con.execute(
                f"select * from raw.{quote_ident(table)} where row_index in (select v from {rel}) order by row_index"
            )
            names = tuple(d[0] for d in cur.description)
            fetched = cur.fetchall()
        at = names.index("row_index")
        for row in fetched:
            hit = by_index.get(int(row[at]))
            if hit is not None:
                found[hit] = RawRow(table, names, tuple(json_value(v) for v in row))
        for index, ref in by_index.items():
            if ref not in found:
                problems[ref] = (
                    f"row {index} is not in raw.{table} (the table may have been reloaded from another file)"
                )
    return RawLookup(found, problems)


def contributions(con: duckdb.DuckDBPyConnection, refs: Iterable[str]) -> dict[str, dict[str, Any]]:
    """Parsed contributions (staging.stg_contributions) by row ref; empty when not available."""
    refs = sorted(set(refs))
    columns = relation_columns(con, "staging", "stg_contributions")
    if not refs or "row_ref" not in columns:
        return {}
    with _values(con, "html_wanted_refs", refs, pa.string()) as rel:
        cur = con.execute(
            f"select * from staging.stg_contributions where row_ref in (select v from {rel}) order by row_ref"
        )
        names = [d[0] for d in cur.description]
        fetched = cur.fetchall()
    out = {}
    for row in fetched:
        record = {n: json_value(v) for n, v in zip(names, row, strict=True)}
        out[record["row_ref"]] = record
    return out


def cross_links(
    con: duckdb.DuckDBPyConnection, edge_ids: Iterable[str], contribution_refs: Iterable[str]
) -> list[dict[str, Any]]:
    """Edges by id or by contribution row ref, sorted by edge_id."""
    edges, refs = sorted(set(edge_ids)), sorted(set(contribution_refs))
    columns = relation_columns(con, "marts", "cross_links")
    if (not edges and not refs) or "edge_id" not in columns:
        return []
    with (
        _values(con, "html_wanted_edges", edges, pa.string()) as edge_rel,
        _values(con, "html_wanted_refs", refs, pa.string()) as ref_rel,
    ):
        ref_clause = (
            f" or contribution_row_ref in (select v from {ref_rel})" if "contribution_row_ref" in columns else ""
        )
        cur = con.execute(
            f"select * from marts.cross_links where edge_id in (select v from {edge_rel}){ref_clause} order by edge_id"
        )
        names = [d[0] for d in cur.description]
        fetched = cur.fetchall()
    return [{n: json_value(v) for n, v in zip(names, row, strict=True)} for row in fetched]
