"""The classifier's vocabulary: decisions and their classes, MySQL conditional comments, and
the leading words and top-level tokens of a statement (see classify.py)."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from sqlglot.dialects.dialect import Dialect
from sqlglot.tokenizer_core import TokenType

from ingest.sqldump.dialects import LexMode
from ingest.sqldump.errors import REASON_ROWS

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


def _with_depth(tokens: Iterable[Any]) -> Iterator[tuple[Any, int]]:
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
