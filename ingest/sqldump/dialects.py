"""Which SQL dialect wrote the dump, and the lexical rules that follow from it.

The dialect decides how string literals are read (MySQL backslash escapes or standard SQL),
which quotes delimit identifiers, which comments exist, and which sqlglot dialect classifies
statements. It is detected from markers near the top of the file; session settings met later
(``sql_mode``, ``standard_conforming_strings``) update the :class:`LexMode` as the dump goes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

MYSQL = "mysql"
POSTGRES = "postgres"
SQLITE = "sqlite"
ANSI = "ansi"
TSQL = "tsql"
DIALECTS = (MYSQL, POSTGRES, SQLITE, ANSI)

SQLGLOT_DIALECT = {MYSQL: "mysql", POSTGRES: "postgres", SQLITE: "sqlite", ANSI: None}


@dataclass(frozen=True)
class LexMode:
    """How literals and quotes are read at one point of the dump."""

    dialect: str
    backslash_escapes: bool  # MySQL default; off under sql_mode NO_BACKSLASH_ESCAPES
    double_quoted_strings: bool  # MySQL default; off under sql_mode ANSI_QUOTES
    standard_strings: bool = True  # Postgres standard_conforming_strings

    @property
    def sqlglot(self) -> str | None:
        return SQLGLOT_DIALECT[self.dialect]

    def with_sql_mode(self, modes: set[str]) -> LexMode:
        ansi = "ANSI_QUOTES" in modes or "ANSI" in modes
        return replace(
            self,
            backslash_escapes="NO_BACKSLASH_ESCAPES" not in modes,
            double_quoted_strings=not ansi,
        )


def initial_mode(dialect: str) -> LexMode:
    if dialect == MYSQL:
        return LexMode(MYSQL, backslash_escapes=True, double_quoted_strings=True)
    return LexMode(dialect, backslash_escapes=False, double_quoted_strings=False)


_SIGNALS: dict[str, tuple[re.Pattern[bytes], ...]] = {
    MYSQL: tuple(
        re.compile(p, re.M)
        for p in (
            rb"^-- (?:MySQL|MariaDB) dump",
            rb"/\*!\d{5}",
            rb"`",
            rb"\bENGINE\s*=",
            rb"^LOCK TABLES",
            rb"\bAUTO_INCREMENT\b",
            rb"@@",
            rb"^DELIMITER\s",
        )
    ),
    POSTGRES: tuple(
        re.compile(p, re.M)
        for p in (
            rb"^-- PostgreSQL database dump",
            rb"^COPY\s[^;\n]*\bFROM\s+stdin\s*;",
            rb"^\\(?:connect|c|restrict|unrestrict)\b",
            rb"\bpg_catalog\.",
            rb"^SET\s+standard_conforming_strings",
            rb"^SET\s+client_encoding",
            rb"::[a-z]",
            # E'...' escape strings and $$ / $tag$ dollar quotes (hand-written INSERT scripts)
            rb"(?<![A-Za-z0-9_'$\x80-\xff])[Ee]'[^'\n]*\\",
            rb"(?<![A-Za-z0-9_'$\x80-\xff])\$(?:[A-Za-z_][A-Za-z0-9_]*)?\$",
        )
    ),
    SQLITE: tuple(
        re.compile(p, re.M)
        for p in (
            rb"^PRAGMA\s",
            rb"^BEGIN TRANSACTION;",
            rb"\bsqlite_sequence\b",
            rb"\bAUTOINCREMENT\b",
            rb"^CREATE TABLE \[",
            rb"^INSERT INTO \S+ VALUES\(",
        )
    ),
}

_GO_LINE = re.compile(rb"^[ \t]*GO[ \t]*\r?$", re.M | re.I)


def detect(head: bytes) -> tuple[str, dict[str, int]]:
    """Dialect of a dump from its first bytes, with the marker counts that decided it.

    T-SQL (a ``GO`` batch line, and no MySQL or Postgres marker that would make the line more
    likely a data value) is reported as such so the caller can refuse it by name; no markers,
    or a tie, gives ANSI (standard SQL strings, no backslash escapes)."""
    scores = {name: sum(1 for p in pats if p.search(head)) for name, pats in _SIGNALS.items()}
    if _GO_LINE.search(head) and not (scores[MYSQL] or scores[POSTGRES]):
        return TSQL, {TSQL: 1, **scores}
    best = max(scores.values())
    winners = [name for name, score in scores.items() if score == best]
    if best == 0 or len(winners) > 1:
        return ANSI, scores
    return winners[0], scores


def go_line(head: bytes) -> int | None:
    """1-based line of the first T-SQL ``GO`` batch separator in ``head``, if any."""
    m = _GO_LINE.search(head)
    return None if m is None else head.count(b"\n", 0, m.start()) + 1
