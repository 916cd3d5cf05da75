"""Standard modules a dependency imports at its top but spbe-lint never uses
through it: handed to that dependency as stand-ins that import the real module
on first use.

python-stdnum 2.2's ``stdnum.util`` imports ``pydoc`` and ``ssl`` at module
level for helpers spbe-lint never calls (module descriptions, SOAP clients).
On the pre-commit path a manifest holding a NIK paid for both: pydoc brings
inspect, tokenize and sysconfig, ssl maps libssl and libcrypto; 35 ms of a
500 ms check (docs/speed.md). Inside :func:`only_for`, such a module is a
stand-in in ``sys.modules``; when the block ends, stand-ins leave
``sys.modules`` (so code importing the module later gets the real one) and stay
only with the dependency, where any use of an attribute imports the real module
and answers from it: one copy of each module, loaded only if used.

Not :class:`importlib.util.LazyLoader`: on Python 3.11 an ``import`` statement
reads the module's ``__spec__``, which makes a lazy module load at once.
"""

from __future__ import annotations

import contextlib
import functools
import importlib
import importlib.util
import sys
import types
from collections.abc import Iterator
from typing import Any


class StandIn(types.ModuleType):
    """A module not imported yet: its attributes come from the real module,
    imported on first use."""

    def __getattr__(self, attr: str) -> Any:
        name = self.__name__
        if sys.modules.get(name) is self:  # still inside only_for
            del sys.modules[name]
        return getattr(importlib.import_module(name), attr)


@functools.cache
def _present(name: str) -> bool:
    return importlib.util.find_spec(name) is not None


@contextlib.contextmanager
def only_for(names: tuple[str, ...]) -> Iterator[None]:
    """Within the block, each module of *names* not yet imported is a
    :class:`StandIn`; afterwards ``sys.modules`` forgets the stand-ins."""
    standins = {}
    for name in names:
        # Only a module that is there: an optional import must still fail.
        if name not in sys.modules and _present(name):
            standins[name] = sys.modules[name] = StandIn(name)
    try:
        yield
    finally:
        for name, standin in standins.items():
            if sys.modules.get(name) is standin:
                del sys.modules[name]
