"""Exports at DuckDB's speed: each cell formatted in SQL, each line joined by Arrow.

The bytes are those of the row-by-row writer in moneytrail/exports.py (the formatting contract in
its docstring); that writer stays the reference, and tests compare the two on adversarial values
and on every export of the demo and the FEC example. What SQL does:

- text: the CSV cell is the value, in double quotes (quotes doubled) when it holds a comma, a
  double quote or a newline, as Python 3.11's csv module quotes with lineterminator "\\n" (a lone
  carriage return is not quoted there either); the JSON value escapes backslash, double quote and
  the control characters U+0000-U+001F as json.dumps does (\\n \\r \\t \\b \\f, else \\u00xx in
  lower case);
- integers and DECIMAL: DuckDB's text form ("1100.00": the column's scale); DECIMAL is a JSON string;
- BOOLEAN: true/false; DATE: ISO 8601 (a JSON string);
- lists of those: their compact JSON text (a quoted CSV cell when it holds a comma or a quote);
- DOUBLE and FLOAT: repr of exports.format_float (twelve significant digits, then the shortest
  repr), derived from format('{:.12g}') (_float_text). Where a float column holds a subnormal
  value, that derivation does not hold, and its floats are formatted in Python per batch.

A relation with any other column type, or with a single column (csv writes a lone empty cell as
""), is not planned here; the caller then uses the row-by-row writer.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, BinaryIO

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ingest.sqlquote import quote_ident, quote_literal

BATCH_ROWS = 25_000
_INTEGER_TYPES = {"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT"}
_FLOAT_TYPES = {"DOUBLE", "FLOAT"}
_DECIMAL = re.compile(r"DECIMAL\(\d+,\d+\)")
# json.dumps's short escapes; every other control character is \u00xx in lower case
_SHORT_ESCAPES = {8: "\\b", 9: "\\t", 10: "\\n", 12: "\\f", 13: "\\r"}


def _scalar_kind(data_type: str) -> str | None:
    if data_type == "VARCHAR":
        return "text"
    if data_type in _INTEGER_TYPES:
        return "integer"
    if _DECIMAL.fullmatch(data_type):
        return "decimal"
    if data_type == "BOOLEAN":
        return "boolean"
    if data_type == "DATE":
        return "date"
    return None


def _json_text(expr: str) -> str:
    """A JSON string literal of a non-NULL VARCHAR expression, escaped as json.dumps escapes it."""
    escaped = f"replace(replace({expr}, '\\', '\\\\'), '\"', '\\\"')"
    plain = escaped
    for code in range(32):
        escape = _SHORT_ESCAPES.get(code, f"\\u{code:04x}")
        escaped = f"replace({escaped}, chr({code}), {quote_literal(escape)})"
    # the control-character chain only where one occurs: it is 32 replace() calls deep
    return f"""('"' || case when regexp_matches({expr}, '[\\x00-\\x1f]') then {escaped} else {plain} end || '"')"""


def _json_scalar(kind: str, expr: str) -> str:
    """The JSON text of a non-NULL value of a scalar kind."""
    if kind == "text":
        return _json_text(expr)
    if kind == "integer":
        return f"cast({expr} as varchar)"
    if kind == "boolean":
        return f"(case when {expr} then 'true' when not {expr} then 'false' end)"
    return f"""('"' || cast({expr} as varchar) || '"')"""  # decimal, date


def _csv_quoted(expr: str) -> str:
    """A non-NULL text as a CSV cell (QUOTE_MINIMAL with lineterminator "\\n")."""
    return (
        f"(case when contains({expr}, ',') or contains({expr}, '\"') or contains({expr}, chr(10)) "
        f"""then '"' || replace({expr}, '"', '""') || '"' else {expr} end)"""
    )


@dataclass(frozen=True)
class _Column:
    name: str
    kind: str  # text, integer, decimal, boolean, date, float, or list:<scalar kind>

    @property
    def is_float(self) -> bool:
        return self.kind == "float"


@dataclass(frozen=True)
class Plan:
    """How one relation's rows become CSV (and JSONL) lines: the SQL's columns, in order, are the
    CSV parts then the JSONL parts; a part is either text built in SQL or a float column."""

    sql: str
    csv_parts: tuple[str | None, ...]  # None: SQL text; a name: that float column, formatted here
    json_parts: tuple[str | None, ...]


def _column(name: str, data_type: str) -> _Column | None:
    if data_type in _FLOAT_TYPES:
        return _Column(name, "float")
    if data_type.endswith("[]"):
        inner = _scalar_kind(data_type[:-2])
        return _Column(name, f"list:{inner}") if inner else None
    kind = _scalar_kind(data_type)
    return _Column(name, kind) if kind else None


# The smallest normal double. Below it (subnormals) a double holds fewer than 15 significant
# digits, so its shortest repr after rounding to 12 digits can be shorter than those 12 digits;
# the SQL float text below would differ, and such relations format floats in Python.
_SMALLEST_NORMAL = "2.2250738585072014e-308"


def _float_text(value: str, g12: str) -> str:
    """repr(format_float(x)) in SQL, NULL for NULL, NaN and infinities; g12 is format('{:.12g}', x).

    For a normal double the shortest repr of the 12-digit rounding is those digits without
    trailing zeros (two decimals of at most 15 digits never round to one double), which .12g
    prints; only the notation differs: repr writes exponents 12-15 positionally, and an integral
    value with ".0". tests/python/test_export_cells.py checks it against Python on millions of
    doubles."""
    exponent = f"cast(split_part({g12}, 'e', 2) as integer)"
    digits = f"replace(replace(split_part({g12}, 'e', 1), '-', ''), '.', '')"
    return (
        f"(case when {value} is null or isnan({value}) or isinf({value}) then null"
        f" when {value} = 0 then '0.0'"
        f" when not contains({g12}, 'e') then (case when contains({g12}, '.') then {g12} else {g12} || '.0' end)"
        f" when {exponent} not between 12 and 15 then {g12}"
        f" else (case when {value} < 0 then '-' else '' end) || rpad({digits}, {exponent} + 1, '0') || '.0' end)"
    )


def _cells(col: _Column, ref: str, g12: str | None) -> tuple[str, str]:
    """(CSV cell, JSON value) SQL expressions of a column; NULL is '' and null. g12 is the column
    holding a float column's format('{:.12g}', x)."""
    if col.is_float:
        assert g12 is not None
        text = _float_text(ref, g12)
        return f"coalesce({text}, '')", f"coalesce({text}, 'null')"
    if col.kind.startswith("list:"):
        element = _json_scalar(col.kind[5:], "x")
        items = f"coalesce(array_to_string(list_transform({ref}, lambda x: coalesce({element}, 'null')), ','), '')"
        listed = f"(case when {ref} is not null then '[' || {items} || ']' end)"  # [] is not NULL
        return f"coalesce({_csv_quoted(listed)}, '')", f"coalesce({listed}, 'null')"
    if col.kind == "text":
        return f"coalesce({_csv_quoted(ref)}, '')", f"coalesce({_json_text(ref)}, 'null')"
    json_value = _json_scalar(col.kind, ref)
    if col.kind in ("integer", "decimal", "date"):
        return f"coalesce(cast({ref} as varchar), '')", f"coalesce({json_value}, 'null')"
    return f"coalesce({json_value}, '')", f"coalesce({json_value}, 'null')"  # boolean


def float_columns(columns: Sequence[str], types: Sequence[str]) -> list[str]:
    return [c for c, t in zip(columns, types, strict=True) if t in _FLOAT_TYPES]


def has_subnormal(con: duckdb.DuckDBPyConnection, schema: str, table: str, floats: Sequence[str]) -> bool:
    """Whether any of the float columns holds a subnormal value (see _SMALLEST_NORMAL)."""
    if not floats:
        return False
    tests = " or ".join(f"(abs({quote_ident(c)}) < {_SMALLEST_NORMAL} and {quote_ident(c)} <> 0)" for c in floats)
    row = con.execute(
        f"select exists (select 1 from {quote_ident(schema)}.{quote_ident(table)} where {tests})"
    ).fetchone()
    return bool(row and row[0])


def sort_keys(
    con: duckdb.DuckDBPyConnection, schema: str, table: str, columns: Sequence[str], order_by: Sequence[str]
) -> list[str]:
    """The sort keys of an export: its order_by columns alone when no two rows of the table are
    equal on them (checked here, on this table: an ordering decision, not a number the report
    states), else exports.order_keys (those then every other column). Both give the same bytes;
    the short one keeps wide columns (lists of thousands of row refs) out of the sort key."""
    from moneytrail.exports import order_keys

    lead = [c for c in order_by if c in columns]
    if lead:
        key = ", ".join(quote_ident(c) for c in lead)
        relation = f"{quote_ident(schema)}.{quote_ident(table)}"
        row = con.execute(f"select count(*) = count(distinct row({key})) from {relation}").fetchone()
        if row is not None and row[0]:
            return lead
    return order_keys(columns, order_by)


def plan(
    schema: str,
    table: str,
    columns: Sequence[str],
    types: Sequence[str],
    order_keys: Sequence[str],
    jsonl: bool,
    floats_in_sql: bool = True,
) -> Plan | None:
    """The SQL and the part list of a relation, or None when a column's type is not covered here.
    floats_in_sql=False leaves DOUBLE and FLOAT columns to Python (needed where has_subnormal)."""
    cols = [_column(c, t) for c, t in zip(columns, types, strict=True)]
    if len(cols) < 2 or any(c is None for c in cols):
        return None
    known = [c for c in cols if c is not None]
    floats = {c.name for c in known if c.is_float}
    g12 = {c: n for c, n in _g12_names(columns).items() if c in floats} if floats_in_sql else {}
    exprs: list[str] = []
    csv_parts: list[str | None] = []
    json_parts: list[str | None] = []
    for target, wanted in ((csv_parts, "csv"), (json_parts, "json")):
        if wanted == "json" and not jsonl:
            break
        pending: list[str] = []
        for col in known:
            key = json.dumps(col.name, ensure_ascii=False) + ":" if wanted == "json" else ""
            if col.is_float and not floats_in_sql:
                if pending:
                    exprs.append(" || ',' || ".join(pending))
                    target.append(None)
                    pending = []
                exprs.append(quote_ident(col.name))
                target.append(col.name)
                continue
            csv_cell, json_cell = _cells(
                col, quote_ident(col.name), quote_ident(g12[col.name]) if col.is_float else None
            )
            cell = json_cell if wanted == "json" else csv_cell
            pending.append(f"({quote_literal(key)} || {cell})" if key else cell)
        if pending:
            exprs.append(" || ',' || ".join(pending))
            target.append(None)
    select = ",\n  ".join(f"{e} as {quote_ident(f'part{i}')}" for i, e in enumerate(exprs))
    order = ", ".join(f"{quote_ident(c)} asc nulls first" for c in order_keys)
    # Sorted before formatting: a sort above the projection would hold every row's formatted
    # lines (several times the row) until the last row is read. The projections above keep the
    # sorted order: DuckDB preserves order through projections while preserve_insertion_order
    # is on, which write() makes sure of for its query.
    source = f"(select * from {quote_ident(schema)}.{quote_ident(table)} order by {order}) as sorted"
    if g12:  # each float's .12g text computed once per row, read by its CSV and JSON cells
        formats = ", ".join(f"format('{{:.12g}}', {quote_ident(c)}) as {quote_ident(n)}" for c, n in g12.items())
        source = f"(select *, {formats} from {source}) as formatted"
    sql = f"select\n  {select}\nfrom {source}"
    return Plan(sql, tuple(csv_parts), tuple(json_parts))


def _g12_names(columns: Sequence[str]) -> dict[str, str]:
    """A helper column name per column (only floats use theirs), none equal to a real column."""
    taken = set(columns)
    names: dict[str, str] = {}
    for i, c in enumerate(columns):
        name = f"mt_export_g12_{i}"
        while name in taken:
            name += "_"
        taken.add(name)
        names[c] = name
    return names


def _float_texts(array: pa.Array) -> pa.Array:
    """repr(format_float(x)) per value, NULL for NULL, NaN and infinities (the Python path)."""
    from moneytrail.exports import format_float

    out: list[str | None] = []
    for value in array.to_pylist():
        formatted = None if value is None else format_float(value)
        out.append(None if formatted is None else repr(formatted))
    return pa.array(out, type=pa.string())


def _joined(
    batch: pa.RecordBatch, first: int, parts: tuple[str | None, ...], json_lines: bool, floats: dict[str, pa.Array]
) -> pa.Array:
    arrays: list[Any] = []
    for offset, part in enumerate(parts):
        column = batch.column(first + offset)
        if part is None:
            arrays.append(column)
            continue
        if part not in floats:  # formatted once per batch, for the CSV line and the JSON line
            floats[part] = _float_texts(column)
        if json_lines:
            key = json.dumps(part, ensure_ascii=False) + ":"
            arrays.append(pc.binary_join_element_wise(key, pc.fill_null(floats[part], "null"), ""))
        else:
            arrays.append(pc.fill_null(floats[part], ""))
    line = arrays[0] if len(arrays) == 1 else pc.binary_join_element_wise(*arrays, ",")
    if json_lines:
        return pc.binary_join_element_wise("{", line, "}\n", "")
    return pc.binary_join_element_wise(line, "\n", "")


def _write_lines(fh: BinaryIO, lines: pa.Array) -> None:
    """The lines' bytes, straight from the Arrow buffers (no Python string per row)."""
    if len(lines) == 0:
        return
    if lines.null_count:
        raise AssertionError("an export line is NULL: a cell expression lost its coalesce()")
    if lines.type not in (pa.string(), pa.large_string()):
        lines = lines.cast(pa.large_string())
    width = np.int64 if lines.type == pa.large_string() else np.int32
    offsets = np.frombuffer(lines.buffers()[1], dtype=width)[lines.offset : lines.offset + len(lines) + 1]
    data = lines.buffers()[2]
    assert data is not None
    fh.write(memoryview(data)[int(offsets[0]) : int(offsets[-1])])


def write(con: duckdb.DuckDBPyConnection, p: Plan, csv_fh: BinaryIO, jsonl_fh: BinaryIO | None) -> int:
    """Write every row of the plan's relation; the number of rows. The plan's order comes from a
    sorted subquery, which only insertion-order preservation carries to the result: turned on
    for this query when the connection has it off, and turned back off after."""
    row = con.execute("select current_setting('preserve_insertion_order')").fetchone()
    preserving = bool(row and row[0])
    if not preserving:
        con.execute("set preserve_insertion_order = true")
    count = 0
    try:
        for batch in con.execute(p.sql).fetch_record_batch(BATCH_ROWS):
            if batch.num_rows == 0:
                continue
            floats: dict[str, pa.Array] = {}
            _write_lines(csv_fh, _joined(batch, 0, p.csv_parts, False, floats))
            if jsonl_fh is not None:
                _write_lines(jsonl_fh, _joined(batch, len(p.csv_parts), p.json_parts, True, floats))
            count += batch.num_rows
    finally:
        if not preserving:
            con.execute("set preserve_insertion_order = false")
    return count
