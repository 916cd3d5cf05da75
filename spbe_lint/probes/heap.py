"""Keep the cyclic garbage collector off the objects that were there before a
probe started, while it runs.

A probe allocates tens of thousands of objects (exchanges, verdicts) that
live until the report is written, so CPython's collector runs its full
(oldest-generation) pass once or twice per run; each pass walks every object
in the process, the loaded modules and the rule pack included, for some 50 ms
with the GIL held, which stalls every worker. ``frozen()`` moves the objects
alive on entry into the permanent generation (``gc.freeze``) and back when
the last block ends (``gc.unfreeze``): the collector still collects what the
probe itself leaves behind, but no longer walks the rest of the process.
Nothing is lost: a cycle among the frozen objects that became garbage is
collected after the block, by the next full pass.

The permanent generation is process-wide, so blocks are counted: nested and
concurrent blocks (a session and the judging of its results) unfreeze once,
when the last one ends.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_blocks = [0]  # blocks open now (a list: changed in place, no global statement)


def enter() -> None:
    with _lock:
        _blocks[0] += 1
        gc.freeze()  # each entry freezes what exists now (O(1): a list splice)


def leave() -> None:
    with _lock:
        _blocks[0] -= 1
        if _blocks[0] == 0:
            gc.unfreeze()


@contextmanager
def frozen() -> Iterator[None]:
    enter()
    try:
        yield
    finally:
        leave()
