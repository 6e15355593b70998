"""ALTER statements of a dump: which ALTER TABLE actions are kept, skipped or refused (see classify.py)."""

from __future__ import annotations

import re

import sqlglot
from sqlglot import exp

from ingest.sqldump.classify_base import Decision, programmable, reject, skip, top_level_actions, words
from ingest.sqldump.dialects import LexMode


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
