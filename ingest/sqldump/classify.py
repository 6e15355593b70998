"""Statement kinds, as sqlglot sees them, sorted into the three classes of POLICY.md.

:func:`classify` parses one statement (never a bulk INSERT body: the scanner hands over heads
only) with sqlglot in the dump's dialect and maps the expression type to a :class:`Decision`.
sqlglot turns statements it does not model into ``exp.Command`` instead of failing, so every
Command is looked at by its leading keywords here and refused unless it is on the allowlist:
nothing is skipped because it was not recognised.

Decisions that depend on what came before (a DROP of a table that already holds rows, a
second database, the sqlite3 header PRAGMA) are settled by the loader, which holds that state.
"""

from __future__ import annotations

import re
from functools import lru_cache

import sqlglot
from sqlglot import exp
from sqlglot.tokenizer_core import TokenType

from ingest.sqldump.classify_alter import _alter
from ingest.sqldump.classify_base import (
    LOAD,
    PROGRAMMABLE,
    REJECT,
    SKIP,
    Decision,
    _tokenizer,
    _with_depth,
    programmable,
    reject,
    skip,
    unwrap_conditional,
    words,
)
from ingest.sqldump.dialects import MYSQL, POSTGRES, LexMode
from ingest.sqldump.errors import REASON_OUTSIDE, REASON_UNKNOWN

__all__ = ["LOAD", "PROGRAMMABLE", "REJECT", "SKIP", "Decision", "classify", "insert_head", "unwrap_conditional"]

# ---------------------------------------------------------------------------------------------
# The classifier


def classify(text: str, mode: LexMode) -> Decision:
    """Decision for one complete statement (delimiter removed)."""
    if len(text) <= 2048:
        return _classify_cached(text, mode)
    return _classify(text, mode)


@lru_cache(maxsize=256)  # repeated short statements (SET, LOCK TABLES...); CREATE TABLEs differ
def _classify_cached(text: str, mode: LexMode) -> Decision:
    return _classify(text, mode)


def _classify(text: str, mode: LexMode) -> Decision:
    if mode.dialect == MYSQL:
        if re.fullmatch(r"/\*M!999999\\- enable the sandbox mode \*/", text.strip()):
            return skip("MariaDB sandbox-mode marker")
        text = unwrap_conditional(text)
    if not text.strip():
        return skip("empty statement")
    fast = _fast_path(text, mode)
    if fast is not None:
        return fast
    first = words(text, mode, 120)
    lead = first[0] if first else ""
    if lead == "END" and first[1:] in ([], ["TRANSACTION"]):
        return skip("COMMIT")  # SQLite's END [TRANSACTION] is COMMIT; sqlglot misreads it
    if first[:2] == ["START", "TRANSACTION"] and set(first[2:]) <= _TRANSACTION_OPTIONS:
        return skip("START TRANSACTION")  # sqlglot reads it as an alias outside MySQL
    if lead == "(":
        inner = next((w for w in first if w != "("), "")
        if inner in ("SELECT", "WITH", "VALUES", "TABLE"):
            return reject("parenthesised SELECT", REASON_UNKNOWN)
    if lead == "CREATE" and _object_after_create(first) == "TABLE":
        text = _without_table_options(text, mode)
    if lead == "INSERT":
        # Never hand a bulk VALUES list to sqlglot: classify the head, read rows ourselves.
        return _insert_statement(text, mode)
    try:
        parsed = sqlglot.parse(text, read=mode.sqlglot)
    except Exception as exc:  # noqa: BLE001 - unparseable: name it by its leading words
        if lead == "CREATE":
            decision = _create_command(first, text)
            if decision.kind == "CREATE TABLE":
                return Decision(REJECT, "CREATE TABLE", action="unparseable", reason=str(exc).splitlines()[0][:200])
            return decision
        if lead == "ALTER":
            try:
                return _alter(first, text, mode)
            except Exception:  # noqa: BLE001
                return reject(" ".join(first[:2]), REASON_UNKNOWN)
        if (
            lead == "DROP"
            and len(first) > 1
            and first[1] in ("FUNCTION", "PROCEDURE", "VIEW", "TRIGGER", "AGGREGATE", "EVENT")
        ):
            return programmable(f"DROP {first[1]}")
        return _by_words(first)
    expressions = [e for e in parsed if e is not None]
    if len(expressions) != 1:
        if lead == "CREATE":
            return _create_command(first, text)
        return _by_words(first)
    return _by_expression(expressions[0], first, text, mode)


# Words that may follow START TRANSACTION (isolation level, access mode, MySQL's snapshot).
_TRANSACTION_OPTIONS = {
    "ISOLATION",
    "LEVEL",
    "SERIALIZABLE",
    "REPEATABLE",
    "READ",
    "COMMITTED",
    "UNCOMMITTED",
    "WRITE",
    "ONLY",
    "WITH",
    "CONSISTENT",
    "SNAPSHOT",
    "DEFERRABLE",
    "NOT",
    ",",
}
_SQLITE_TABLE_OPTIONS = re.compile(r"\)(\s*(?:STRICT|WITHOUT\s+ROWID)(?:\s*,\s*(?:STRICT|WITHOUT\s+ROWID))*\s*)$", re.I)


def _without_table_options(text: str, mode: LexMode) -> str:
    """CREATE TABLE text without the clauses that only decide storage, which sqlglot cannot
    always parse: MySQL's ``PARTITION BY ...`` (mysqldump writes it inside ``/*!50100 ... */``
    after the table options) and SQLite's ``STRICT`` / ``WITHOUT ROWID``. They never change
    which rows or values a table holds. Cut text is replaced by spaces (positions stay)."""
    if mode.dialect == MYSQL:
        cut = _top_level_partition(text, mode)
        if cut is not None:
            return text[:cut] + " " * (len(text) - cut)
    elif mode.dialect != POSTGRES:
        m = _SQLITE_TABLE_OPTIONS.search(text.rstrip())
        if m is not None:
            return text[: m.start(1)] + " " * (len(text) - m.start(1))
    return text


def _top_level_partition(text: str, mode: LexMode) -> int | None:
    """Index of a ``PARTITION BY`` after the column list of a CREATE TABLE (MySQL), if any."""
    if "PARTITION" not in text.upper():
        return None
    try:
        tokens = _tokenizer(mode.sqlglot).tokenize(text)
    except Exception:  # noqa: BLE001 - sqlglot will report the statement itself
        return None
    seen_columns = False
    for t, depth in _with_depth(tokens):
        if t.token_type == TokenType.R_PAREN and depth == 0:
            seen_columns = True
        elif seen_columns and depth == 0 and " ".join(t.text.upper().split()) == "PARTITION BY":
            return int(t.start)
    return None


# The two statements mysqldump writes around every table, in their exact simple shapes, are
# recognised without a sqlglot parse (which cost milliseconds each, the bulk of a dump of
# thousands of small tables); any other shape goes through sqlglot as before.
_BACKTICK = r"`(?:[^`]|``)+`"
_BARE = r"[A-Za-z_][A-Za-z0-9_$]*"


@lru_cache(maxsize=8)
def _fast_patterns(dialect: str) -> tuple[re.Pattern[str], re.Pattern[str]]:
    ident = rf"(?:{_BACKTICK}|{_BARE})" if dialect == MYSQL else rf'(?:"(?:[^"]|"")+"|{_BARE})'
    name = rf"(?:{ident}\s*\.\s*)?({ident})"
    drop = re.compile(rf"\s*DROP\s+TABLE\s+IF\s+EXISTS\s+{name}\s*", re.I)
    lock = re.compile(rf"\s*LOCK\s+TABLES\s+{name}\s+(?:READ|WRITE)\s*", re.I)
    return drop, lock


def _fast_path(text: str, mode: LexMode) -> Decision | None:
    if len(text) > 400:
        return None
    drop, lock = _fast_patterns(mode.dialect)
    m = drop.fullmatch(text)
    if m is not None:
        return Decision(SKIP, "DROP TABLE", action="drop_table", payload=([_unquote(m.group(1))], True))
    if lock.fullmatch(text) is not None:
        return skip("LOCK TABLES")
    return None


def _unquote(ident: str) -> str:
    if ident[:1] == "`":
        return ident[1:-1].replace("``", "`")
    if ident[:1] == '"':
        return ident[1:-1].replace('""', '"')
    return ident


def _by_words(first: list[str]) -> Decision:
    """A refusal named by the statement's leading words (for what sqlglot did not model)."""
    if first[:1] in (["LOAD"], ["COPY"]):
        lead = " ".join(first[:2])
    else:
        lead = first[0] if first else "?"
    if lead in ("ATTACH", "DETACH", "INSTALL", "LOAD", "LOAD DATA", "COPY", "SOURCE", "IMPORT"):
        return reject(lead, REASON_OUTSIDE)
    if lead in ("REPLACE",):
        return reject("REPLACE INTO")
    if lead in (
        "DELETE",
        "UPDATE",
        "TRUNCATE",
        "MERGE",
        "UPSERT",
        "CALL",
        "DO",
        "EXEC",
        "EXECUTE",
        "RENAME",
        "ROLLBACK",
    ):
        return reject(lead)
    return reject(lead, REASON_UNKNOWN)


_PROGRAMMABLE_OBJECTS = (
    "TRIGGER",
    "VIEW",
    "FUNCTION",
    "PROCEDURE",
    "AGGREGATE",
    "EVENT",
    "RULE",
    "MATERIALIZED VIEW",
    "OPERATOR",
)


_OBJECTS = (
    "TRIGGER",
    "VIEW",
    "FUNCTION",
    "PROCEDURE",
    "EVENT",
    "RULE",
    "TABLE",
    "INDEX",
    "DATABASE",
    "SCHEMA",
    "SEQUENCE",
    "DOMAIN",
    "TYPE",
    "EXTENSION",
    "OPERATOR",
    "CAST",
    "ROLE",
    "USER",
    "SERVER",
    "TABLESPACE",
    "LANGUAGE",
    "PUBLICATION",
    "SUBSCRIPTION",
    "POLICY",
    "COLLATION",
    "CONVERSION",
    "AGGREGATE",
)
# Words that may stand between CREATE and the object type (MySQL view/routine options,
# Postgres modifiers); anything else there means the statement is not one we know.
_CREATE_MODIFIERS = {
    "OR",
    "REPLACE",
    "TEMP",
    "TEMPORARY",
    "UNIQUE",
    "GLOBAL",
    "LOCAL",
    "UNLOGGED",
    "RECURSIVE",
    "CONSTRAINT",
    "DEFINER",
    "ALGORITHM",
    "SQL",
    "SECURITY",
    "INVOKER",
    "UNDEFINED",
    "MERGE",
    "TEMPTABLE",
    "CURRENT_USER",
    "TRUSTED",
    "PROCEDURAL",
    "=",
    "@",
    "(",
    ")",
}


def _object_after_create(first: list[str]) -> str:
    """``CREATE [OR REPLACE] [DEFINER=x] [ALGORITHM=y] [SQL SECURITY z] [TEMP] OBJECT`` ->
    OBJECT (MATERIALIZED VIEW as two words)."""
    for i, w in enumerate(first[1:16], start=1):
        if w == "MATERIALIZED" and first[i + 1 : i + 2] == ["VIEW"]:
            return "MATERIALIZED VIEW"
        if w in _OBJECTS:
            return w
        if w in _CREATE_MODIFIERS or first[i - 1] in ("=", "@"):
            continue
        return w
    return "?"


def _create_command(first: list[str], text: str) -> Decision:
    obj = _object_after_create(first)
    kind = f"CREATE {obj}"
    if obj in _PROGRAMMABLE_OBJECTS:
        return programmable(kind, payload=_trigger_info(text) if obj == "TRIGGER" else None)
    if obj in ("DOMAIN", "TYPE"):
        return Decision(LOAD, kind, action="type_def")
    if obj == "SEQUENCE":
        return skip(kind)
    if obj in ("EXTENSION", "LANGUAGE", "SERVER", "CAST"):
        return reject(kind, REASON_OUTSIDE)
    return reject(kind, REASON_UNKNOWN)


_TRIGGER_RE = re.compile(
    r"\bTRIGGER\s+(?:IF\s+NOT\s+EXISTS\s+)?\S+\s+(BEFORE|AFTER|INSTEAD\s+OF)\s+(.*?)\s+ON\s+"
    r"((?:`[^`]+`|\"[^\"]+\"|\[[^\]]+\]|[\w$.]+)(?:\s*\.\s*(?:`[^`]+`|\"[^\"]+\"|\[[^\]]+\]|[\w$]+))?)",
    re.I | re.S,
)


def _trigger_info(text: str) -> tuple[str, set[str]] | None:
    """(table, events) of a CREATE TRIGGER, to know which later rows it would have changed."""
    m = _TRIGGER_RE.search(text)
    if m is None:
        return None
    events = {e.upper() for e in re.findall(r"INSERT|UPDATE|DELETE|TRUNCATE", m.group(2), re.I)}
    table = re.split(r"\s*\.\s*", m.group(3))[-1].strip('`"[]')
    return table, events


def _by_expression(e: exp.Expr, first: list[str], text: str, mode: LexMode) -> Decision:
    if isinstance(e, exp.Create):
        return _create(e, first, text, mode)
    if isinstance(e, exp.Command):
        return _command(e, first, text, mode)
    if isinstance(e, exp.Drop):
        return _drop(e)
    if isinstance(e, exp.Insert):
        return _insert(e)
    if isinstance(e, exp.Set):
        return skip("SET", action="set", payload=e)
    if isinstance(e, exp.Use):
        return skip("USE", action="database", payload=e.this.name if e.this else "")
    if isinstance(e, exp.Transaction):
        return skip(" ".join(first[:2]) if first[:2] == ["START", "TRANSACTION"] else "BEGIN")
    if isinstance(e, exp.Commit):
        return skip("COMMIT")
    if isinstance(e, exp.Rollback):
        return reject("ROLLBACK")
    if isinstance(e, exp.Alter):
        return _alter(first, text, mode)
    if isinstance(e, exp.Grant):
        return skip("GRANT")
    if isinstance(e, exp.Revoke):
        return skip("REVOKE")
    if isinstance(e, exp.Comment):
        return skip("COMMENT ON")
    if isinstance(e, exp.Select):
        return _select(e)
    if isinstance(e, exp.Copy):
        return _copy(e)
    if isinstance(e, exp.Pragma):
        return Decision(REJECT, "PRAGMA", action="pragma", payload=e)
    if isinstance(e, exp.Delete):
        target = e.this.name if isinstance(e.this, exp.Table) else ""
        if target.lower() == "sqlite_sequence" and not e.args.get("where"):
            return skip("sqlite_sequence bookkeeping")
        return reject("DELETE")
    if isinstance(e, exp.Update):
        return reject("UPDATE")
    if isinstance(e, exp.TruncateTable):
        return reject("TRUNCATE")
    if isinstance(e, exp.Merge):
        return reject("MERGE")
    if isinstance(e, (exp.Attach, exp.Detach, exp.Install)):
        return reject(type(e).__name__.upper(), REASON_OUTSIDE)
    return _by_words(first)


def _create(e: exp.Create, first: list[str], text: str, mode: LexMode) -> Decision:
    kind = str(e.args.get("kind") or "").upper()
    props = e.args.get("properties")
    prop_types = {type(p) for p in (props.expressions if props else [])}
    if kind == "TABLE":
        if e.args.get("expression") is not None:
            return reject("CREATE TABLE ... AS SELECT")
        if not isinstance(e.this, exp.Schema):
            what = "PARTITION OF" if "PARTITION" in first else "LIKE"
            return reject(f"CREATE TABLE ... {what}")
        if exp.TemporaryProperty in prop_types:
            return reject("CREATE TEMPORARY TABLE")
        return Decision(LOAD, "CREATE TABLE", action="create_table", payload=e)
    if kind == "INDEX":
        return skip("CREATE INDEX")
    if kind in ("DATABASE", "SCHEMA"):
        if kind == "SCHEMA" and mode.dialect == POSTGRES:
            return skip("CREATE SCHEMA")  # a Postgres namespace; names are flattened
        return skip(f"CREATE {kind}", action="database", payload=_db_name(e))
    if kind == "SEQUENCE":
        return skip("CREATE SEQUENCE")
    if kind == "VIEW":
        materialized = exp.MaterializedProperty in prop_types
        return programmable("CREATE MATERIALIZED VIEW" if materialized else "CREATE VIEW")
    if kind in ("FUNCTION", "PROCEDURE"):
        return programmable(f"CREATE {kind}")
    if kind == "TYPE":
        return Decision(LOAD, "CREATE TYPE", action="type_def", payload=e)
    return _create_command(first, text)


def _db_name(e: exp.Expression) -> str:
    target = e.this if isinstance(e, exp.Create) else None
    if isinstance(target, exp.Table):
        db = target.args.get("db")
        return target.name or (db.name if db is not None else "")
    return ""


def _command(e: exp.Command, first: list[str], text: str, mode: LexMode) -> Decision:
    head = str(e.this).upper()
    if head == "CREATE":
        return _create_command(first, text)
    if head == "ALTER":
        return _alter(first, text, mode)
    if head in ("LOCK TABLES", "UNLOCK TABLES", "LOCK"):
        return skip("LOCK TABLES" if head != "UNLOCK TABLES" else "UNLOCK TABLES")
    if head == "REPLACE":
        return reject("REPLACE INTO")
    if head in ("LOAD", "SOURCE"):
        return reject(" ".join(first[:2]) if first[1:2] == ["DATA"] else head, REASON_OUTSIDE)
    if head == "GO":
        return reject("GO")
    return _by_words(first)


def _drop(e: exp.Drop) -> Decision:
    kind = str(e.args.get("kind") or "").upper()
    if kind == "TABLE":
        names = [t.name for t in e.args.get("tables") or [] if isinstance(t, exp.Table)]
        return Decision(SKIP, "DROP TABLE", action="drop_table", payload=(names, bool(e.args.get("exists"))))
    if kind in ("DATABASE", "SCHEMA"):
        tables = e.args.get("tables") or []
        name = ""
        if tables and isinstance(tables[0], exp.Table):
            t = tables[0]
            name = t.name or (t.args["db"].name if t.args.get("db") else "")
        return skip(f"DROP {kind}", action="database", payload=name)
    if kind in ("VIEW", "FUNCTION", "PROCEDURE", "TRIGGER", "EVENT", "AGGREGATE"):
        mat = "MATERIALIZED " if e.args.get("materialized") else ""
        return programmable(f"DROP {mat}{kind}")
    if kind in ("INDEX", "SEQUENCE", "TYPE", "DOMAIN"):
        return skip(f"DROP {kind}")
    return reject(f"DROP {kind}")


def _insert(e: exp.Insert) -> Decision:
    alternative = str(e.args.get("alternative") or "").upper()
    if alternative:
        return reject(f"INSERT OR {alternative}")
    if e.args.get("ignore"):
        return reject("INSERT IGNORE")
    if e.args.get("conflict") is not None:
        conflict = e.args["conflict"]
        dup = conflict.args.get("duplicate")
        return reject("INSERT ... ON DUPLICATE KEY UPDATE" if dup else "INSERT ... ON CONFLICT")
    if e.args.get("returning") is not None:
        return reject("INSERT ... RETURNING")
    source = e.expression
    if not isinstance(source, exp.Values):
        if isinstance(source, exp.Query):
            return reject("INSERT ... SELECT")
        return reject("INSERT without VALUES")
    target = e.this.this if isinstance(e.this, exp.Schema) else e.this
    if isinstance(target, exp.Table) and target.name.lower() == "sqlite_sequence":
        return skip("sqlite_sequence bookkeeping", action="insert_values", payload=e)
    return Decision(LOAD, "INSERT", action="insert_values", payload=e)


def _insert_statement(text: str, mode: LexMode) -> Decision:
    """An INSERT met as a whole statement (its head did not fit the scanner's fast pattern)."""
    try:
        tokens = _tokenizer(mode.sqlglot).tokenize(text[:4096])
    except Exception:  # noqa: BLE001 - e.g. a string cut at 4096 characters
        tokens = []
    for t, depth in _with_depth(tokens):
        if t.token_type == TokenType.VALUES and depth == 0:
            head = text[: t.end + 1]
            decision, table, columns = _insert_head(head, mode)
            if decision.cls == REJECT:
                return decision
            return Decision(decision.cls, decision.kind, "insert_text", payload=(table, columns, t.end + 1))
        elif t.token_type in (TokenType.SELECT, TokenType.WITH) and depth == 0:
            break
    if len(text) > 1 << 20:
        return reject("INSERT", REASON_UNKNOWN)
    try:
        parsed = sqlglot.parse(text, read=mode.sqlglot)
    except Exception:  # noqa: BLE001
        return reject("INSERT", REASON_UNKNOWN)
    if len(parsed) == 1 and isinstance(parsed[0], exp.Insert):
        decision = _insert(parsed[0])
        if decision.cls == REJECT:
            return decision
    return reject("INSERT", REASON_UNKNOWN)


def insert_head(head: str, mode: LexMode) -> tuple[Decision, str, list[str] | None]:
    """Classify an ``INSERT INTO t [(cols)] VALUES`` head: (decision, table, columns or None)."""
    return _insert_head(head, mode)


@lru_cache(maxsize=1024)
def _insert_head(head: str, mode: LexMode) -> tuple[Decision, str, list[str] | None]:
    parsed = sqlglot.parse_one(head + " (NULL)", read=mode.sqlglot)
    if not isinstance(parsed, exp.Insert):
        return reject("INSERT"), "", None
    decision = _insert(parsed)
    target = parsed.this
    columns = None
    if isinstance(target, exp.Schema):
        columns = [c.name for c in target.expressions]
        target = target.this
    table = target.name if isinstance(target, exp.Table) else ""
    return decision, table, columns


def _select(e: exp.Select) -> Decision:
    """Only pg_dump's ``SELECT pg_catalog.set_config(...)`` and ``setval(...)`` with literal
    arguments are skipped; any other SELECT (and any SELECT with a FROM) is refused."""
    if len(e.expressions) == 1 and not any(
        e.args.get(k) for k in ("from_", "from", "where", "joins", "group", "having", "into")
    ):
        call = e.expressions[0]
        if (
            isinstance(call, exp.Dot)
            and isinstance(call.this, exp.Identifier)
            and call.this.name.lower() == "pg_catalog"
        ):
            call = call.expression
        if isinstance(call, exp.Anonymous) and all(isinstance(a, (exp.Literal, exp.Boolean)) for a in call.expressions):
            name = str(call.this).lower()
            if name == "setval":
                return skip("SELECT setval (sequence position)")
            if name == "set_config":
                return skip("SELECT pg_catalog.set_config")
    return reject("SELECT", REASON_UNKNOWN)


def _copy(e: exp.Copy) -> Decision:
    if not e.args.get("kind"):
        return reject("COPY ... TO", REASON_OUTSIDE)
    files = e.args.get("files") or []
    if len(files) == 1 and isinstance(files[0], exp.Identifier):
        src = files[0].name.upper()
        if src == "STDIN":
            params = e.args.get("params") or []
            if params:
                return reject("COPY ... FROM stdin with options (only the default text format is read)", REASON_UNKNOWN)
            return Decision(LOAD, "COPY", action="copy", payload=e)
        if src == "PROGRAM":
            return reject("COPY ... FROM PROGRAM", REASON_OUTSIDE)
    return reject("COPY ... FROM file", REASON_OUTSIDE)
