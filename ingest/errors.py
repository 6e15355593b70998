"""The error hierarchy of the toolkit, rooted here because `ingest` is the lowest layer (it
must not import the application); `moneytrail.errors` re-exports it with the application's
own errors.

    MoneytrailError            every error raised on purpose
    ├── UserError              the user can fix it: a file, a name, a setting (CLI exit 2)
    │   └── IngestError        an input cannot be loaded (file, dump, table name, warehouse)
    └── InternalError          a bug or a broken installation (CLI exit 1)

Messages say what is wrong and how to fix it in the library's own terms (run-file keys,
option names); they never name command-line flags. An error that concerns options a flag can
set lists those options in `options`, and the CLI adds the flags to the message.
"""

from __future__ import annotations


class MoneytrailError(Exception):
    """Root of every error the toolkit raises on purpose."""

    def __init__(self, message: str, *, options: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        #: library option names the message is about (e.g. "header_file"); the CLI maps them to flags
        self.options = options


class UserError(MoneytrailError):
    """Something the user can fix: a file, a name, a setting, a busy or full warehouse."""


class InternalError(MoneytrailError):
    """A bug or a broken installation: not the user's input."""


class IngestError(UserError, ValueError):
    """An input cannot be loaded as given (also a ValueError, as these errors always were)."""
