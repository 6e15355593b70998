"""CREATE/ALTER/DROP TABLE, type definitions, database switches and SET statements of a dump."""

from __future__ import annotations

import dataclasses
import functools
from typing import Any

from sqlglot import exp

from ingest.manifest import MANIFEST_TABLE, RAW_SCHEMA, ROW_INDEX
from ingest.sqldump.dialects import MYSQL, POSTGRES, SQLITE, LexMode
from ingest.sqldump.load_db import _partition_child
from ingest.sqldump.load_state import _SERVER_SCOPES, _UTF8_NAMES, SOURCE_OFFSET, STAGING_PREFIX, _LoadAttrs, _Table
from ingest.sqldump.scanner import Statement
from ingest.sqldump.types import Column, TableDef, column_from_def, domain_type
from ingest.sqlquote import quote_ident


class _TableStatements(_LoadAttrs):
    """The _Load methods for CREATE/ALTER/DROP TABLE, types, databases and SET statements."""

    # -- tables ----------------------------------------------------------------------------

    def _create_table(self, e: exp.Create, item: Statement) -> str:
        """Create raw.<table>; returns the kind to count (another kind when skipped)."""
        schema = e.this
        table = schema.this
        name = table.name
        key = name.lower()
        dialect = self.mode.dialect
        if key == "sqlite_sequence" and dialect == SQLITE:
            return "sqlite_sequence bookkeeping"
        if key in self.tables:
            if e.args.get("exists"):
                return "CREATE TABLE IF NOT EXISTS of a table already created"
            raise self.reject(
                f'CREATE TABLE "{name}" again: the dump already created that table', "CREATE TABLE", item.line
            )
        columns = self._table_columns(schema, name, item)
        if not columns:
            raise self.reject(f'table "{name}" has no columns', "schema", item.line)
        raw_name = self._raw_name(name, item)
        definition = TableDef(name, columns, item.line, item.offset)
        stage_name = f"{STAGING_PREFIX}{len(self.staged):07d}"
        self.staged.append(stage_name)
        self.tables[key] = _Table(definition, raw_name, stage_name, self.role)
        self.raw_names[raw_name.lower()] = raw_name
        self.order.append(key)
        target = f"{RAW_SCHEMA}.{quote_ident(stage_name)}"
        ddl = ", ".join(
            [f"{quote_ident(ROW_INDEX)} BIGINT NOT NULL"]
            + [f"{quote_ident(c.name)} {c.type.duckdb}" for c in columns]
            + [f"{quote_ident(SOURCE_OFFSET)} BIGINT NOT NULL"]
        )
        create = f"CREATE TABLE {target} ({ddl})"
        self.writer.submit(lambda: self.con.execute(create))
        self.data_started = True
        return "CREATE TABLE"

    def _table_columns(self, schema: exp.Schema, name: str, item: Statement) -> list[Column]:
        """The columns of a CREATE TABLE; a reserved or twice-declared name is refused."""
        dialect = self.mode.dialect
        columns: list[Column] = []
        seen: set[str] = set()
        for cd in schema.expressions:
            if isinstance(cd, exp.Identifier):
                cd = exp.ColumnDef(this=cd.copy())  # a typeless column (SQLite: "CREATE TABLE t(a, b)")
            if not isinstance(cd, exp.ColumnDef):
                continue
            col = column_from_def(cd, dialect, self.domains)
            low = col.name.lower()
            if low in (ROW_INDEX, SOURCE_OFFSET):
                raise self.reject(
                    f'table "{name}" has a column named {col.name!r}, which the loader reserves for the row position',
                    "schema",
                    item.line,
                )
            if low in seen:
                raise self.reject(
                    f'table "{name}" declares column {col.name!r} twice (column '
                    "names are case-insensitive in the warehouse)",
                    "schema",
                    item.line,
                )
            seen.add(low)
            columns.append(col)
        return columns

    def _raw_name(self, name: str, item: Statement) -> str:
        """The warehouse name of a dump table; reserved names and case-insensitive clashes are refused."""
        raw_name = self.prefix + name
        if raw_name.lower() == MANIFEST_TABLE:
            raise self.reject(f"table name {raw_name!r} is reserved for the ingest manifest", "schema", item.line)
        if raw_name.lower().startswith(STAGING_PREFIX):
            raise self.reject(
                f"table name {raw_name!r} starts with {STAGING_PREFIX!r}, which the loader reserves for "
                "its staging tables",
                "schema",
                item.line,
            )
        clash = self.raw_names.get(raw_name.lower())
        if clash is not None:
            raise self.reject(
                f'table "{name}" and "{clash}" would both be raw.{raw_name} (names are case-insensitive)',
                "schema",
                item.line,
            )
        return raw_name

    def _type_def(self, payload: Any, text: str, item: Statement) -> None:
        found = domain_type(payload, text, self.mode.dialect, self.domains)
        if found is None:
            raise self.reject("a CREATE TYPE/DOMAIN the loader cannot read", "schema", item.line)
        name, ctype = found
        self.domains[name.lower()] = ctype

    def _drop_table(self, payload: tuple[list[str], bool], line: int) -> None:
        names, if_exists = payload
        for name in names:
            entry = self.tables.get(name.lower())
            if entry is None:
                if if_exists:
                    continue  # the usual "drop before create"; tables outside the dump are never touched
                raise self.not_allowed(
                    "DROP TABLE", line, what=f'DROP TABLE "{name}" (a table this dump has not created)'
                )
            if entry.rows or (entry.pending and entry.pending.count):
                raise self.not_allowed("DROP TABLE", line, what=f'DROP TABLE "{name}" (the table already holds rows)')
            del self.tables[name.lower()]
            del self.raw_names[entry.raw_name.lower()]
            self.order.remove(name.lower())
            target = f"{RAW_SCHEMA}.{quote_ident(entry.stage_name)}"
            self.writer.submit(functools.partial(self.con.execute, f"DROP TABLE {target}"))

    def _alter_table(self, payload: tuple[str, list[list[str]], list[str], str]) -> None:
        table, partitions, defaults, text = payload
        entry = self.tables.get(table.lower())
        if entry is None:
            return
        child = _partition_child(text) if partitions else ""
        if child and child.lower() in self.tables:
            self.tables[child.lower()].definition.partition_of = entry.definition.name
            entry.definition.partitions.append(child)
        for col in defaults:
            cols = entry.definition.columns
            for i, c in enumerate(cols):
                if c.name.lower() == col.strip('"`').lower():
                    cols[i] = dataclasses.replace(
                        c,
                        computed_default=True,
                        default_what="whose default (set by ALTER TABLE) the loader does not compute",
                        default_token=None,
                    )

    def _database(self, kind: str, name: str, line: int) -> None:
        if self.data_started:
            raise self.not_allowed(
                kind,
                line,
                hint="; only a leading CREATE/DROP DATABASE, USE or \\connect is skipped (one database per dump)",
            )
        name = (name or "").strip('`"').lower()
        if self.database is not None and name and name != self.database:
            raise self.not_allowed(
                kind, line, what=f"{kind} of a second database ({name})", hint="; one database per dump"
            )
        if name:
            self.database = name

    # -- settings --------------------------------------------------------------------------

    def _set(self, e: exp.Set, item: Statement) -> str | None:
        """Apply the session settings that decide how the dump text is read; returns the kind
        to count when it is not a plain SET."""
        counted = None
        for set_item in e.expressions:
            kind = str(set_item.args.get("kind") or "").upper()
            target = set_item.this
            if kind in ("NAMES", "CHARACTER SET", "CHARSET"):
                self._charset(target.name if target is not None else "", "SET NAMES", item.line)
                continue
            if not isinstance(target, exp.EQ):
                continue
            left, right = target.this, target.expression
            if isinstance(left, exp.SessionParameter) and left.args.get("kind"):
                kind = str(left.args["kind"]).upper()
            if kind in _SERVER_SCOPES:
                # SET GLOBAL / PERSIST changes the server's setting for sessions started later;
                # the session reading this dump keeps its own (MySQL's documented behaviour).
                counted = "SET GLOBAL / SET PERSIST (server-wide; not this session's setting)"
                continue
            if isinstance(left, exp.Parameter):
                var = left.name.lower()
                if isinstance(right, exp.SessionParameter) and right.name.lower() == "sql_mode":
                    self.saved_sql_modes[var] = self.sql_modes
                continue
            name = left.name.lower()
            if name == "sql_mode" and self.mode.dialect == MYSQL:
                self._sql_mode(right, item.line)
            elif name == "standard_conforming_strings" and self.mode.dialect == POSTGRES:
                value = right.sql().strip("'").lower()
                if value not in ("on", "off", "true", "false"):
                    raise self.reject(
                        f"standard_conforming_strings = {right.sql()} is not a value the loader can honour",
                        "SET",
                        item.line,
                    )
                assert self.scanner is not None
                self.scanner.mode = LexMode(
                    self.mode.dialect,
                    self.mode.backslash_escapes,
                    self.mode.double_quoted_strings,
                    value in ("on", "true"),
                )
            elif name in ("client_encoding", "character_set_client", "names"):
                if isinstance(right, (exp.Parameter, exp.SessionParameter)):
                    continue  # restoring a saved value: the one saved was UTF-8 or refused
                self._charset(right.name, f"SET {name}", item.line)
        return counted

    def _charset(self, value: str, kind: str, line: int) -> None:
        if value.strip("'\"").lower() not in _UTF8_NAMES and value.lower() != "default":
            raise self.reject(
                f"{kind} {value}: this loader reads dumps as UTF-8 only (re-export the dump as UTF-8)", kind, line
            )

    def _sql_mode(self, right: exp.Expression, line: int) -> None:
        if isinstance(right, exp.Literal) and right.is_string:
            modes = frozenset(m.strip().upper() for m in right.name.split(",") if m.strip())
        elif isinstance(right, exp.Parameter):
            modes = self.saved_sql_modes.get(right.name.lower(), frozenset())
        elif isinstance(right, exp.SessionParameter):
            return
        else:
            raise self.reject(
                f"sql_mode = {right.sql(dialect='mysql')}: an expression the "
                "loader cannot evaluate, and sql_mode decides how string "
                "literals are read",
                "SET sql_mode",
                line,
            )
        self.sql_modes = modes
        assert self.scanner is not None
        self.scanner.mode = self.mode.with_sql_mode(set(modes))
