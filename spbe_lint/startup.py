"""A command's start without the cyclic garbage collector.

Starting ``spbe-lint`` creates a few hundred thousand objects that live until
the process ends: modules, classes, the rule pack. The cyclic collector scans
them again and again while they are made (about 80 collections, 4% of a
pre-commit run in callgrind's count) and finds nothing to free. So
``spbe-lint check`` holds the collector off from its first import until the
first manifest is judged (the rule pack loaded, the evidence modules
imported), then freezes what exists (never scanned again) and lets it run as
usual for the manifests that follow, where a long run needs it.
"""

from __future__ import annotations

import gc
import sys
from pathlib import Path

_HELD = [False]


def hold() -> None:
    """Hold the collector off when this process is ``spbe-lint check`` (the
    pre-commit hook's command, which loads the pack before any manifest); any
    other command, a library user's or a test's process is left alone."""
    argv = sys.argv if isinstance(sys.argv, list) else []
    if not argv or Path(argv[0]).stem != "spbe-lint":
        return
    command = next((a for a in argv[1:] if not a.startswith("-")), None)
    if command != "check":
        return
    if gc.isenabled():
        gc.disable()
        _HELD[0] = True


def release() -> None:
    """The start is over: freeze what exists and collect as usual from here."""
    if _HELD[0]:
        _HELD[0] = False
        gc.freeze()
        gc.enable()


def held() -> bool:
    return _HELD[0]
