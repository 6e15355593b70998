"""How the long loops of python_udfs (the matcher, the timing test) report progress.

They only count: ``tracker = start(label, total, unit)``, then ``tracker.advance(n)`` as work
is done and ``tracker.close()`` at the end. Nothing is drawn unless `moneytrail` asked for it:
the CLI sets MONEYTRAIL_PROGRESS=1 when its stderr is a terminal (moneytrail.progress.configure),
dbt runs the Python models in the CLI's own process, and stderr must still be a terminal here.
Only then is moneytrail.progress imported to draw the bar, so python_udfs never depend on the
application, and under plain pytest, dbt or CI nothing is written.
"""

from __future__ import annotations

import os
import sys
from typing import Protocol

ENV = "MONEYTRAIL_PROGRESS"


class Tracker(Protocol):
    def advance(self, n: float = 1) -> None: ...

    def close(self) -> None: ...


class _Quiet:
    def advance(self, n: float = 1) -> None:
        return None

    def close(self) -> None:
        return None


QUIET = _Quiet()


def start(label: str, total: float, unit: str) -> Tracker:
    """A tracker for `total` units of work; a silent one unless the CLI asked for bars."""
    if os.environ.get(ENV) != "1" or not sys.stderr.isatty():
        return QUIET
    from moneytrail.progress import Bar

    return Bar(label, total, unit, sys.stderr)
