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

import logging
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import sqlglot
from sqlglot import exp
from sqlglot.dialects.dialect import Dialect
from sqlglot.tokens import TokenType

from ingest.sqldump.dialects import MYSQL, POSTGRES, LexMode
from ingest.sqldump.errors import REASON_OUTSIDE, REASON_ROWS, REASON_UNKNOWN

LOAD = "load"  # class (a)
SKIP = "skip"  # class (b)
REJECT = "reject"  # class (c)
PROGRAMMABLE = "programmable"  # class (c) unless skip_programmable_objects

logging.getLogger("sqlglot").setLevel(logging.ERROR)


@dataclass(frozen=True)
class Decision:
    cls: str
    kind: str
    action: str = ""  # what the loader must do besides counting, e.g. "create_table"
    reason: str = REASON_ROWS
    payload: Any = field(default=None, compare=False)


def skip(kind: str, action: str = "", payload: Any = None) -> Decision:
    return Decision(SKIP, kind, action, payload=payload)


def reject(kind: str, reason: str = REASON_ROWS) -> Decision:
    return Decision(REJECT, kind, reason=reason)


def programmable(kind: str, payload: Any = None) -> Decision:
    return Decision(PROGRAMMABLE, kind, payload=payload)


# ---------------------------------------------------------------------------------------------
# MySQL conditional comments

_COND_TOKENS = re.compile(
    r"""'(?:[^'\\]|\\.|'')*'|"(?:[^"\\]|\\.|"")*"|`[^`]*`|(/\*!\d{0,6})|(\*/)|/\*.*?\*/|#[^\n]*|--\s[^\n]*|.""",
    re.S,
)


def unwrap_conditional(text: str) -> str:
    """MySQL ``/*!NNNNN code */`` -> ``code``: a current server runs the code, so do we when
    reading it (comments that are not conditional stay comments). The markers become spaces
    of the same length, so positions in the text stay valid."""
    if "/*!" not in text:
        return text
    out: list[str] = []
    depth = 0
    for m in _COND_TOKENS.finditer(text):
        if m.group(1):
            depth += 1
            out.append(" " * len(m.group(1)))
        elif m.group(2) and depth:
            depth -= 1
            out.append("  ")
        else:
            out.append(m.group(0))
    return "".join(out)


# ---------------------------------------------------------------------------------------------
# Words and tokens


@lru_cache(maxsize=8)
def _tokenizer(dialect: str | None) -> Any:
    return Dialect.get_or_raise(dialect).tokenizer_class()


def words(text: str, mode: LexMode, limit: int = 400) -> list[str]:
    """Upper-cased leading tokens of a statement (strings shown as ``'...'``)."""
    try:
        tokens = _tokenizer(mode.sqlglot).tokenize(text[:limit])
    except Exception:  # noqa: BLE001 - a statement sqlglot cannot tokenize: first words only
        return [w.upper() for w in re.findall(r"[A-Za-z_]+|\S", text[:limit])]
    out: list[str] = []
    for t in tokens:
        if t.token_type == TokenType.STRING:
            out.append("'...'")
        else:
            out.extend(t.text.upper().split() or [""])  # "SQL SECURITY" is one token
    return out


def _with_depth(tokens):
    """Each token with the parenthesis depth after it (a paren token counts itself)."""
    depth = 0
    for t in tokens:
        if t.token_type == TokenType.L_PAREN:
            depth += 1
        elif t.token_type == TokenType.R_PAREN:
            depth -= 1
        yield t, depth


def top_level_actions(text: str, mode: LexMode) -> list[list[str]]:
    """The comma-separated actions of an ALTER statement, as lists of upper-cased words."""
    tokens = _tokenizer(mode.sqlglot).tokenize(text)
    actions: list[list[str]] = [[]]
    for t, depth in _with_depth(tokens):
        if t.token_type == TokenType.COMMA and depth == 0:
            actions.append([])
            continue
        actions[-1].append("'...'" if t.token_type == TokenType.STRING else t.text.upper())
    return actions


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
            return t.start
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


def _by_expression(e: exp.Expression, first: list[str], text: str, mode: LexMode) -> Decision:
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


def _alter(first: list[str], text: str, mode: LexMode) -> Decision:
    obj = first[1] if len(first) > 1 else "?"
    if obj == "MATERIALIZED":
        obj = "MATERIALIZED VIEW"
    if obj == "DEFAULT" and first[2:3] == ["PRIVILEGES"]:
        return skip("ALTER DEFAULT PRIVILEGES")
    if obj != "TABLE":
        every = words(text, mode, 4000)
        if any(a == "OWNER" and b == "TO" for a, b in zip(every, every[1:], strict=False)):
            return skip("ALTER ... OWNER TO")
        if obj == "SEQUENCE":
            return skip("ALTER SEQUENCE")
        if obj in ("FUNCTION", "PROCEDURE", "VIEW", "TRIGGER", "EVENT", "AGGREGATE", "MATERIALIZED VIEW"):
            return programmable(f"ALTER {obj}")
        return reject(f"ALTER {obj}")
    actions = top_level_actions(text, mode)
    # Drop "ALTER TABLE [IF EXISTS] [ONLY] name" from the first action.
    lead = actions[0]
    i = 2
    while i < len(lead) and lead[i] in ("IF", "EXISTS", "ONLY"):
        i += 1
    i += 1  # the table name
    while i + 1 < len(lead) and lead[i] == ".":
        i += 2
    actions[0] = lead[i:]
    table = _alter_table_name(text, mode)
    kinds = []
    partitions = []
    defaults = []
    for action in actions:
        kind = _alter_action(action)
        if kind is None:
            named = action[:2] if action[1:2] and action[1] in _ACTION_OBJECTS else action[:1]
            return reject(f"ALTER TABLE ... {' '.join(named)}".rstrip())
        kinds.append(kind)
        if kind == "ALTER TABLE ... ATTACH PARTITION" and len(action) > 2:
            partitions.append(action[2:])
        if kind == "ALTER TABLE ... ALTER COLUMN SET DEFAULT":
            col = action[2] if action[1] == "COLUMN" else action[1]
            defaults.append(col)
    kind = kinds[0] if len(set(kinds)) == 1 else "ALTER TABLE (several allowed actions)"
    return skip(kind, action="alter_table", payload=(table, partitions, defaults, text))


def _alter_table_name(text: str, mode: LexMode) -> str:
    try:
        e = sqlglot.parse_one(text, read=mode.sqlglot)
        target = e.this if isinstance(e, (exp.Alter, exp.Command)) else None
        if isinstance(target, exp.Table):
            return target.name
    except Exception:  # noqa: BLE001 - the name is only used for bookkeeping
        pass
    m = re.match(
        r"\s*ALTER\s+TABLE\s+(?:IF\s+EXISTS\s+)?(?:ONLY\s+)?((?:[`\"\[]?[^\s`\"\]]+[`\"\]]?\s*\.\s*)*[`\"\[]?[^\s`\"\]]+[`\"\]]?)",
        text,
        re.I,
    )
    return re.split(r"\s*\.\s*", m.group(1))[-1].strip('`"[]') if m else ""


_ACTION_OBJECTS = {
    "COLUMN",
    "CONSTRAINT",
    "TO",
    "PARTITION",
    "INDEX",
    "KEY",
    "PRIMARY",
    "FOREIGN",
    "UNIQUE",
    "CHECK",
    "DEFAULT",
    "TRIGGER",
    "RULE",
}
_TABLE_OPTIONS = {
    "ENGINE",
    "AUTO_INCREMENT",
    "DEFAULT",
    "CHARSET",
    "CHARACTER",
    "COLLATE",
    "COMMENT",
    "ROW_FORMAT",
    "KEY_BLOCK_SIZE",
    "STATS_PERSISTENT",
    "STATS_AUTO_RECALC",
    "PACK_KEYS",
    "CHECKSUM",
    "AVG_ROW_LENGTH",
}


def _alter_action(action: list[str]) -> str | None:
    """Kind of one ALTER TABLE action if it cannot change loaded rows, else None."""
    if not action:
        return None
    w0 = action[0]
    w1 = action[1] if len(action) > 1 else ""
    if w0 == "ADD":
        if w1 in (
            "CONSTRAINT",
            "PRIMARY",
            "UNIQUE",
            "FOREIGN",
            "CHECK",
            "INDEX",
            "KEY",
            "FULLTEXT",
            "SPATIAL",
            "EXCLUDE",
        ):
            return "ALTER TABLE ... ADD CONSTRAINT"
        return None
    if w0 == "OWNER" and w1 == "TO":
        return "ALTER ... OWNER TO"
    if w0 in ("DISABLE", "ENABLE") and w1 == "KEYS":
        return "ALTER TABLE ... DISABLE/ENABLE KEYS"
    if w0 in ("DISABLE", "ENABLE") and w1 in ("TRIGGER", "RULE", "ROW"):
        return "ALTER TABLE ... DISABLE/ENABLE TRIGGER"
    if w0 == "ATTACH" and w1 == "PARTITION":
        return "ALTER TABLE ... ATTACH PARTITION"
    if w0 in _TABLE_OPTIONS:
        return "ALTER TABLE ... table options"
    if w0 in ("REPLICA", "CLUSTER") or (w0 == "SET" and w1 in ("WITHOUT", "(", "TABLESPACE", "LOGGED", "UNLOGGED")):
        return "ALTER TABLE ... storage settings"
    if w0 == "ALTER":
        rest = action[2:] if w1 == "COLUMN" else action[1:]
        verb = rest[1:3]
        if verb[:2] == ["SET", "DEFAULT"]:
            return "ALTER TABLE ... ALTER COLUMN SET DEFAULT"
        if verb[:1] == ["ADD"] and "IDENTITY" in rest:
            return "ALTER TABLE ... ALTER COLUMN SET DEFAULT"
        if verb[:2] == ["SET", "STATISTICS"] or verb[:2] == ["SET", "STORAGE"]:
            return "ALTER TABLE ... storage settings"
        return None
    return None


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
