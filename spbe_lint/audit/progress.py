"""The audit's progress on standard error, for the person waiting on it."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable

from spbe_lint.i18n import escape_controls

Advance = Callable[[int, int, str], None]  # (done, total, current application)


def interactive() -> bool:
    """Show progress by default: on a terminal, and not in CI."""
    return sys.stderr.isatty() and not os.environ.get("CI")


class Progress:
    """Progress on standard error: a bar with counts, rate and the current
    application redrawn in place on a terminal; asked for with --progress
    elsewhere (a CI log), one plain line every few seconds and at the end.

    ``with Progress(show) as advance``: *advance* is None when not shown."""

    EVERY = 5.0  # seconds between lines when not on a terminal

    def __init__(self, show: bool) -> None:
        self.show = show
        self.terminal = sys.stderr.isatty()
        self.started = 0.0
        self.last = 0.0
        self.drawn = False

    def __enter__(self) -> Advance | None:
        import time

        self.started = self.last = time.perf_counter()
        return self.advance if self.show else None

    def advance(self, done: int, total: int, current: str) -> None:
        import time

        now = time.perf_counter()
        if not self.terminal and done < total and now - self.last < self.EVERY:
            return
        self.last = now
        rate = done / max(now - self.started, 1e-6)
        left = (total - done) / rate if rate else 0
        width = 24
        filled = int(width * done / total) if total else width
        line = (
            f"spbe-lint audit [{'#' * filled}{'-' * (width - filled)}] "
            f"{done}/{total} {rate:.1f}/s eta {left:.0f}s {escape_controls(current)[:40]}"
        )
        if self.terminal:
            sys.stderr.write("\r\x1b[K" + line)
            self.drawn = True
        else:
            sys.stderr.write(line + "\n")
        sys.stderr.flush()

    def __exit__(self, *exc: object) -> None:
        if self.drawn:
            sys.stderr.write("\n")
            sys.stderr.flush()
