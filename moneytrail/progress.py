"""Progress bars for long work on a terminal: ingest (bytes of the file), the matcher and the
timing test (python_udfs/progress.py counts; this module draws).

One line, redrawn in place with a carriage return, at most every MIN_INTERVAL seconds::

    contributions.csv [#######.............]  35% 70.0/200.0 MB 12.5 MB/s 0:10 left

and, when the work ends, the same line at 100% with the time it took, then a newline. Nothing
at all is written when the stream is not a terminal (CI logs stay short) or when
MONEYTRAIL_PROGRESS=0 is set.

Library code never imports this module to decide anything: ingest takes an optional callback
(the CLI builds it here), and python_udfs ask python_udfs.progress, which draws with this
module only when the CLI has set MONEYTRAIL_PROGRESS=1 (see configure()).
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from typing import TextIO

ENV = "MONEYTRAIL_PROGRESS"  # "1": the CLI's stderr is a terminal; "0": never draw
MIN_INTERVAL = 0.25  # seconds between redraws
WIDTH = 20  # characters of the bar itself


def wanted(stream: TextIO) -> bool:
    """True when a bar should be drawn on stream: a terminal, and not switched off."""
    if os.environ.get(ENV) == "0":
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty is not None and isatty())


def configure(stream: TextIO | None = None) -> bool:
    """Called by the CLI before long work: tell python_udfs (run by dbt in this process) whether
    to report progress, by MONEYTRAIL_PROGRESS=1 in the environment. Returns whether bars show."""
    stream = stream if stream is not None else sys.stderr
    if os.environ.get(ENV) == "0":
        return False
    if wanted(stream):
        os.environ[ENV] = "1"
        return True
    os.environ.pop(ENV, None)
    return False


def amount(value: float, unit: str) -> str:
    """'70.0 MB' for bytes (unit 'B', decimal megabytes as the ingest messages use), else '1,234 pairs'."""
    if unit == "B":
        return f"{value / 1e6:,.1f} MB"
    return f"{value:,.0f} {unit}"


def duration(seconds: float) -> str:
    """'0:07', '12:05', '1:02:03'."""
    s = max(int(round(seconds)), 0)
    h, rest = divmod(s, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


class Bar:
    """A progress bar on one terminal line; silent when the stream is not a terminal."""

    def __init__(
        self,
        label: str,
        total: float,
        unit: str = "B",
        stream: TextIO | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.label, self.total, self.unit = label, max(float(total), 0.0), unit
        self.stream = stream if stream is not None else sys.stderr
        self.clock = clock
        self.enabled = wanted(self.stream)
        self.started = clock()
        self.done = 0.0
        self._drawn_at: float | None = None
        self._width = 0  # length of the last line drawn, to blank what a shorter one leaves
        self._closed = False

    def update(self, done: float) -> None:
        """Set the amount done (absolute); redraws at most every MIN_INTERVAL seconds."""
        self.done = min(max(float(done), 0.0), self.total) if self.total else float(done)
        if not self.enabled or self._closed:
            return
        now = self.clock()
        if self._drawn_at is not None and now - self._drawn_at < MIN_INTERVAL:
            return
        self._drawn_at = now
        self._draw(self.line(now))

    def advance(self, n: float = 1) -> None:
        self.update(self.done + n)

    def close(self, finished: bool = True) -> None:
        """Draw the final line (100%, time taken) and end it; idempotent. When the work failed
        (finished=False), only end the line already drawn, so the error starts on its own line."""
        if self._closed:
            return
        self._closed = True
        if not self.enabled:
            return
        if finished:
            self.done = self.total
            self._draw(self.final_line(self.clock()) + "\n")
        elif self._width:
            self.stream.write("\n")
            self.stream.flush()

    def line(self, now: float) -> str:
        elapsed = now - self.started
        fraction = self.done / self.total if self.total else 0.0
        filled = int(fraction * WIDTH)
        rate = self.done / elapsed if elapsed > 0 else 0.0
        left = duration((self.total - self.done) / rate) if rate > 0 else "-:--"
        return (
            f"{self.label} [{'#' * filled}{'.' * (WIDTH - filled)}] {int(fraction * 100):3d}% "
            f"{self._of()} {amount(rate, self.unit)}/s {left} left"
        )

    def final_line(self, now: float) -> str:
        elapsed = now - self.started
        rate = self.total / elapsed if elapsed > 0 else 0.0
        return (
            f"{self.label} [{'#' * WIDTH}] 100% {amount(self.total, self.unit)} in {duration(elapsed)} "
            f"({amount(rate, self.unit)}/s)"
        )

    def _of(self) -> str:
        if self.unit == "B":
            return f"{self.done / 1e6:,.1f}/{amount(self.total, self.unit)}"
        return f"{self.done:,.0f}/{amount(self.total, self.unit)}"

    def _draw(self, text: str) -> None:
        body = text.rstrip("\n")
        pad = " " * max(self._width - len(body), 0)
        self._width = len(body)
        self.stream.write("\r" + body + pad + text[len(body) :])
        self.stream.flush()


def for_file(label: str, size: int, stream: TextIO | None = None) -> Bar | None:
    """A byte bar for reading one input file, or None when bars do not show (pass None on)."""
    bar = Bar(label, size, "B", stream)
    return bar if bar.enabled else None
