"""Errors and warnings of the dump loader.

Every refusal is a :class:`DumpRejected` whose message names the line, says what was wrong and
ends with "nothing was loaded": the loader rolls back before the exception leaves it.
"""

from __future__ import annotations

from ingest.errors import UserError

REASON_ROWS = "could change loaded rows"
REASON_OUTSIDE = "could act outside the dump"
REASON_UNKNOWN = "not a statement a dump needs"


class DumpRejected(UserError):
    """The dump cannot be loaded faithfully; the warehouse holds nothing from it.

    ``kind`` names what was refused (a statement kind such as ``"DELETE"``, or ``"value"``,
    ``"syntax"``, ``"encoding"``, ``"schema"`` for problems inside otherwise allowed statements);
    ``line`` is the 1-based line in the (decompressed) dump, or None when no line applies.
    """

    def __init__(self, message: str, *, kind: str, line: int | None, source: str | None = None):
        where = f"line {line}" if line is not None else ""
        if source:
            where = f"{source} {where}".strip()
        full = f"{where}: {message}" if where else message
        super().__init__(f"{full}; nothing was loaded")
        self.kind = kind
        self.line = line
        self.source = source
        self.detail = message


def statement_not_allowed(
    kind: str, line: int | None, reason: str = REASON_ROWS, what: str | None = None, source: str | None = None
) -> DumpRejected:
    """The class (c) refusal: one wording for every kind, so messages stay predictable."""
    subject = what or f"{kind} statement"
    return DumpRejected(f"{subject} is not allowed in a dump (class c: {reason})", kind=kind, line=line, source=source)


class DumpWarning(UserWarning):
    """Something was skipped on request (e.g. ``skip_programmable_objects``) and is worth a look."""
