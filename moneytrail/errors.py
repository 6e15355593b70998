"""The application's errors: the hierarchy of `ingest.errors` (one root, `MoneytrailError`)
and the CLI's exit code for each branch. `moneytrail.cli` maps UserError to exit 2 with the
message, InternalError to exit 1, and adds command-line flags for the options an error names.
"""

from __future__ import annotations

from ingest.errors import IngestError, InternalError, MoneytrailError, UserError

__all__ = [
    "EXIT_BUILD_FAILED",
    "EXIT_INPUT_ERROR",
    "IngestError",
    "InternalError",
    "MoneytrailError",
    "UserError",
    "exit_code",
]

EXIT_INPUT_ERROR = 2
EXIT_BUILD_FAILED = 1


def exit_code(error: MoneytrailError) -> int:
    """2 for what the user can fix, 1 for everything else."""
    return EXIT_INPUT_ERROR if isinstance(error, UserError) else EXIT_BUILD_FAILED
