"""Audit worker processes end with their parent.

A worker of the static checks waits on its task queue; when the audit is
killed (SIGKILL, or SIGTERM, which ends it without cleanup) nothing closes that
queue, because every forked sibling holds its write end too, so the workers
would wait for ever, holding memory and the results file's lock. Two guards:

- on Linux, ``prctl(PR_SET_PDEATHSIG, SIGKILL)``: the kernel kills the worker
  the moment its parent dies;
- everywhere, a watchdog thread that notices the worker was handed to another
  parent (``os.getppid()`` changed) and ends it within ``EVERY`` seconds.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
import time

EVERY = 0.5  # seconds between the watchdog's looks at the parent
_PR_SET_PDEATHSIG = 1  # linux/prctl.h


def bind(parent: int) -> None:
    """Called first in a worker: end this process when *parent* ends."""
    if sys.platform.startswith("linux"):
        _death_signal()
    if os.getppid() != parent:  # the parent died before the guard was set
        os._exit(1)
    watchdog = threading.Thread(
        target=_watch, args=(parent,), name="spbe-lint-lifeline", daemon=True
    )
    watchdog.start()


def _death_signal() -> None:
    import ctypes
    import ctypes.util

    with contextlib.suppress(OSError, AttributeError):  # no libc: the watchdog stays
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)


def _watch(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(EVERY)
    os._exit(1)  # orphaned: nothing will ever read what this worker makes
