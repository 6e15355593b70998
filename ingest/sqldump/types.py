"""CREATE TABLE -> column definitions with DuckDB types (sqlglot parses, this module maps).

The mapping is per dialect because the same word means different things: MySQL TIMESTAMP is
a wall-clock value, Postgres ``timestamptz`` an instant; SQLite stores DECIMAL(10,2) values as
IEEE doubles; MySQL BOOLEAN is TINYINT(1). Where DuckDB has no exact equivalent the column
keeps the value's text (VARCHAR) instead of an approximation. The table in POLICY.md is the
user-facing version of :func:`map_type`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pyarrow as pa
from sqlglot import exp

from ingest.sqldump.dialects import MYSQL, POSTGRES, SQLITE

T = exp.DataType.Type
MAX_DECIMAL_PRECISION = 38


@dataclass(frozen=True)
class ColumnType:
    duckdb: str  # DDL type in the warehouse
    kind: str  # conversion family, see convert.py
    arrow: pa.DataType
    note: str = ""  # why the mapping is not the obvious one, shown in the manifest


@dataclass(frozen=True)
class Column:
    name: str
    source_type: str  # as declared in the dump (normalised by sqlglot)
    type: ColumnType
    not_null: bool = False
    computed_default: bool = False  # a default the loader does not compute (see default_what)
    default_what: str = ""  # why it cannot be left out, e.g. "a GENERATED column (...), whose ..."
    default_token: bytes | None = None  # a literal DEFAULT as a VALUES token (b"'x'", b"-3", b"NULL")


@dataclass
class TableDef:
    name: str  # the dump's table name without schema qualifier
    columns: list[Column]
    line: int
    offset: int
    partition_of: str | None = None
    partitions: list[str] = field(default_factory=list)

    def column_index(self) -> dict[str, int]:
        return {c.name.lower(): i for i, c in enumerate(self.columns)}


def _t(duckdb: str, kind: str, arrow: pa.DataType, note: str = "") -> ColumnType:
    return ColumnType(duckdb, kind, arrow, note)


VARCHAR = _t("VARCHAR", "varchar", pa.string())
TEXT_FORM = _t("VARCHAR", "varchar", pa.string(), "no exact DuckDB type: kept as its text")
BLOB = _t("BLOB", "blob", pa.binary())
BOOLEAN = _t("BOOLEAN", "bool", pa.bool_())
DATE = _t("DATE", "date", pa.date32())
TIMESTAMP = _t("TIMESTAMP", "timestamp", pa.timestamp("us"))
TIMESTAMPTZ = _t("TIMESTAMPTZ", "timestamptz", pa.timestamp("us", tz="UTC"))
TIME = _t("TIME", "time", pa.time64("us"))
FLOAT = _t("FLOAT", "float", pa.float32())
DOUBLE = _t("DOUBLE", "float", pa.float64())

INTS = {
    "TINYINT": pa.int8(),
    "SMALLINT": pa.int16(),
    "INTEGER": pa.int32(),
    "BIGINT": pa.int64(),
    "UTINYINT": pa.uint8(),
    "USMALLINT": pa.uint16(),
    "UINTEGER": pa.uint32(),
    "UBIGINT": pa.uint64(),
}


def int_type(name: str, note: str = "") -> ColumnType:
    return _t(name, "int", INTS[name], note)


_INT_MAP = {
    T.TINYINT: "TINYINT",
    T.UTINYINT: "UTINYINT",
    T.SMALLINT: "SMALLINT",
    T.USMALLINT: "USMALLINT",
    T.MEDIUMINT: "INTEGER",
    T.UMEDIUMINT: "UINTEGER",
    T.INT: "INTEGER",
    T.UINT: "UINTEGER",
    T.BIGINT: "BIGINT",
    T.UBIGINT: "UBIGINT",
    T.SERIAL: "INTEGER",
    T.SMALLSERIAL: "SMALLINT",
    T.BIGSERIAL: "BIGINT",
}
_TEXT = {
    T.CHAR,
    T.NCHAR,
    T.VARCHAR,
    T.NVARCHAR,
    T.TEXT,
    T.TINYTEXT,
    T.MEDIUMTEXT,
    T.LONGTEXT,
    T.NAME,
    T.BPCHAR,
    T.ENUM,
    T.SET,
}
_BLOBS = {T.BLOB, T.TINYBLOB, T.MEDIUMBLOB, T.LONGBLOB, T.BINARY, T.VARBINARY, T.GEOMETRY, T.GEOGRAPHY, T.IMAGE}
_SERIALS = {T.SERIAL, T.SMALLSERIAL, T.BIGSERIAL}


def _params(dtype: exp.DataType) -> list[int]:
    out = []
    for p in dtype.expressions:
        try:
            out.append(int(p.name))
        except (TypeError, ValueError):
            pass
    return out


def _decimal(dtype: exp.DataType, dialect: str) -> ColumnType:
    params = _params(dtype)
    if not params:
        if dialect == MYSQL:
            params = [10, 0]  # MySQL's documented default for DECIMAL
        else:
            return _t("VARCHAR", "numeric_text", pa.string(), "unconstrained numeric: exact decimal text")
    precision, scale = params[0], (params[1] if len(params) > 1 else 0)
    if precision > MAX_DECIMAL_PRECISION or scale > precision:
        return _t(
            "VARCHAR",
            "numeric_text",
            pa.string(),
            f"precision {precision} exceeds DuckDB's {MAX_DECIMAL_PRECISION}: exact decimal text",
        )
    return _t(f"DECIMAL({precision},{scale})", "decimal", pa.decimal128(precision, scale))


def map_type(dtype: exp.DataType | None, dialect: str, domains: dict[str, ColumnType]) -> ColumnType:
    """DuckDB type for one declared column type (``None``: a typeless SQLite column)."""
    if dtype is None:
        return _t("VARCHAR", "varchar", pa.string(), "no declared type: kept as text")
    if dialect == SQLITE:
        return _sqlite_affinity(dtype)
    kind = dtype.this
    if kind == T.USERDEFINED:
        name = dtype.sql(dialect="postgres").lower()
        base = name.rsplit(".", 1)[-1].strip('"')
        if base in domains:
            return domains[base]
        return TEXT_FORM
    if kind in _INT_MAP:
        if dialect == MYSQL and kind == T.TINYINT and _params(dtype) == [1]:
            return int_type("TINYINT", "MySQL BOOLEAN/tinyint(1) can hold -128..127")
        return int_type(_INT_MAP[kind])
    if kind == T.BOOLEAN:
        if dialect == MYSQL:
            return int_type("TINYINT", "MySQL BOOLEAN is TINYINT(1)")
        return BOOLEAN
    if kind in (T.DECIMAL, T.BIGDECIMAL) or kind.name in ("NUMERIC", "DECIMAL32", "DECIMAL64"):
        return _decimal(dtype, dialect)
    if kind == T.FLOAT:
        return FLOAT
    if kind == T.DOUBLE:
        return DOUBLE
    if kind == T.DATE:
        return DATE
    if kind in (T.DATETIME, T.DATETIME64, T.TIMESTAMP, T.TIMESTAMP_S, T.TIMESTAMP_MS, T.TIMESTAMPNTZ):
        return TIMESTAMP
    if kind in (T.TIMESTAMPTZ, T.TIMESTAMPLTZ):
        if dialect == MYSQL:
            return _t("TIMESTAMP", "timestamp", pa.timestamp("us"), "MySQL TIMESTAMP: the wall-clock text as dumped")
        return TIMESTAMPTZ
    if kind == T.TIME:
        return TIME
    if kind == T.YEAR:
        return int_type("SMALLINT", "MySQL YEAR")
    if kind == T.BIT and dialect == MYSQL:
        return _t("UBIGINT", "bit", pa.uint64(), "MySQL BIT as an unsigned integer")
    if kind in _TEXT:
        return VARCHAR
    if kind in _BLOBS:
        note = "PostgreSQL bytea (hex format)" if dialect == POSTGRES else ""
        if kind == T.GEOMETRY:
            note = "MySQL geometry: internal WKB bytes"
        return _t("BLOB", "blob", pa.binary(), note)
    return TEXT_FORM


def _sqlite_affinity(dtype: exp.DataType) -> ColumnType:
    """SQLite's column affinity rules (datatype3.html section 3.1), then the closest DuckDB
    type that holds every value of that affinity exactly."""
    kind = dtype.this
    if kind in _INT_MAP or kind in (T.BIGINT, T.UBIGINT):
        return int_type("BIGINT", "SQLite INTEGER affinity (64-bit)")
    if kind in _TEXT or kind in (T.ENUM, T.SET, T.JSON):
        return VARCHAR
    if kind in _BLOBS:
        return BLOB
    if kind in (T.FLOAT, T.DOUBLE):
        return _t("DOUBLE", "float", pa.float64(), "SQLite REAL affinity")
    if kind in (T.DECIMAL, T.BIGDECIMAL) or kind.name == "NUMERIC":
        return _t("DOUBLE", "float", pa.float64(), "SQLite stores DECIMAL/NUMERIC values as REAL (IEEE double)")
    if kind == T.BOOLEAN:
        return BOOLEAN
    if kind == T.DATE:
        return DATE
    if kind in (T.DATETIME, T.TIMESTAMP, T.TIMESTAMPTZ):
        return TIMESTAMP
    return TEXT_FORM


def column_from_def(cd: exp.ColumnDef, dialect: str, domains: dict[str, ColumnType]) -> Column:
    dtype = cd.args.get("kind")
    ctype = map_type(dtype, dialect, domains)
    constraints = [c.kind for c in cd.args.get("constraints") or []]
    not_null = any(
        isinstance(k, exp.NotNullColumnConstraint) and not k.args.get("allow_null") for k in constraints
    ) or any(isinstance(k, exp.PrimaryKeyColumnConstraint) for k in constraints)
    what = ""
    token = None
    glot = _sqlglot(dialect)
    if dtype is not None and dtype.this in _SERIALS:
        what = f"a {dtype.sql(dialect=glot).lower()} column, whose value the loader does not compute"
    for k in constraints:
        if isinstance(k, exp.AutoIncrementColumnConstraint):
            what = "an AUTO_INCREMENT column, whose value the loader does not compute"
        elif isinstance(k, exp.GeneratedAsIdentityColumnConstraint):
            what = "an identity column (GENERATED ... AS IDENTITY), whose value the loader does not compute"
        elif isinstance(k, exp.ComputedColumnConstraint):
            what = f"a GENERATED column (AS {k.this.sql(dialect=glot)}), whose value the loader does not compute"
        elif isinstance(k, exp.DefaultColumnConstraint):
            token = default_token(k.this)
            if token is None:
                what = what or f"whose DEFAULT expression {k.this.sql(dialect=glot)} the loader does not compute"
        if what:
            token = None
    source = dtype.sql(dialect=glot) if dtype is not None else ""
    return Column(
        cd.name, source, ctype, not_null=not_null, computed_default=bool(what), default_what=what, default_token=token
    )


_TEXT_CASTS = {T.VARCHAR, T.TEXT, T.NVARCHAR, T.NAME}


def default_token(e: exp.Expression) -> bytes | None:
    """A literal DEFAULT as the VALUES token that stands for it (read without escapes), or None
    for an expression. ``'x'::text`` / ``'x'::character varying`` (pg_dump) count as ``'x'``."""
    while isinstance(e, exp.Paren):
        e = e.this
    if isinstance(e, exp.Cast) and isinstance(e.this, exp.Literal) and e.this.is_string:
        if e.to.this in _TEXT_CASTS and not e.to.expressions:
            e = e.this
    if isinstance(e, exp.Null):
        return b"NULL"
    if isinstance(e, exp.Boolean):
        return b"TRUE" if e.this else b"FALSE"
    if isinstance(e, exp.Neg) and isinstance(e.this, exp.Literal) and not e.this.is_string:
        inner = default_token(e.this)
        return None if inner is None else b"-" + inner
    if isinstance(e, exp.Literal):
        if e.is_string:
            text: str = e.this
            return b"'" + text.encode("utf-8").replace(b"'", b"''") + b"'"
        digits: str = e.this
        if re.fullmatch(r"(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?", digits):
            return digits.encode("ascii")
    return None


def _sqlglot(dialect: str) -> str | None:
    return {MYSQL: "mysql", POSTGRES: "postgres", SQLITE: "sqlite"}.get(dialect)


def domain_type(
    create: exp.Expression | None, text: str, dialect: str, domains: dict[str, ColumnType]
) -> tuple[str, ColumnType] | None:
    """(name, type) for ``CREATE TYPE x AS ENUM`` / ``CREATE DOMAIN x AS base``, else None."""
    m = re.match(
        r"\s*CREATE\s+DOMAIN\s+((?:\"[^\"]+\"|[\w$]+)(?:\s*\.\s*(?:\"[^\"]+\"|[\w$]+))?)\s+(?:AS\s+)?(.+?)"
        r"(?:\s+(?:CONSTRAINT|CHECK|NOT\s+NULL|NULL|DEFAULT|COLLATE)\b.*)?$",
        text,
        re.S | re.I,
    )
    if m:
        name = m.group(1).rsplit(".", 1)[-1].strip().strip('"')
        try:
            base = exp.DataType.build(m.group(2).strip(), dialect="postgres", udt=True)
        except Exception:  # noqa: BLE001 - an unknown base type keeps its text
            return name, TEXT_FORM
        return name, map_type(base, dialect, domains)
    if isinstance(create, exp.Create) and create.args.get("kind") == "TYPE":
        target = create.this
        name = target.name if isinstance(target, exp.Table) else str(target)
        return name, _t("VARCHAR", "varchar", pa.string(), "enum or composite type: its text")
    return None
