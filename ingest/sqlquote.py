"""The one place Python code turns a name or a value into SQL text.

Everything else builds SQL from constants and these two functions (or bound parameters):
a table, column or schema name from a file, a header or a setting is an identifier, never
SQL; a value is a literal, never SQL. tests/python/test_hostile.py sweeps them with hostile
strings.
"""

from __future__ import annotations

import math

from ingest.errors import IngestError


class UnsafeName(IngestError):
    """A name or value that cannot be written into SQL faithfully (NUL, empty, wrong type)."""


def quote_ident(name: str) -> str:
    """A double-quoted identifier with embedded double quotes doubled ("a""b")."""
    if not isinstance(name, str):
        raise UnsafeName(f"an identifier must be text, got {type(name).__name__} {name!r}")
    if name == "":
        raise UnsafeName("an identifier cannot be empty")
    if "\x00" in name:
        raise UnsafeName(f"the name {name!r} holds a NUL character")
    return '"' + name.replace('"', '""') + '"'


def quote_literal(value: object) -> str:
    """A SQL literal: text in single quotes (quotes doubled), numbers, true/false, null."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise UnsafeName(f"the number {value!r} has no SQL literal")
        return repr(value)
    if isinstance(value, str):
        if "\x00" in value:
            raise UnsafeName(f"the value {value!r} holds a NUL character")
        return "'" + value.replace("'", "''") + "'"
    raise UnsafeName(f"no SQL literal for {type(value).__name__} {value!r}")
