"""Compile the methods of spbe-lint's dataclasses once, as .pyc files do for modules.

A frozen dataclass writes the source of its ``__init__``, ``__eq__``,
``__hash__``, ``__repr__``, ``__setattr__`` and ``__delattr__`` and compiles it
while its module is imported: about 3.8 million instructions per class, and a
pre-commit run defines some 65 of them (a quarter of a one-manifest check,
measured with callgrind). The source is the same from run to run, so the
compiled code is kept in the cache folder and read back: the class is built by
the standard library exactly as before, from the same source, without the
compile.

Only classes defined in spbe_lint's own modules are served from the table;
every other ``exec`` in :mod:`dataclasses` runs as it always does. The table is
keyed by the exact source text and stored per Python bytecode version and
spbe-lint version (a code object is only valid for the interpreter that made
it). It is an optimisation only: a missing, damaged or unwritable table is
ignored, and ``SPBE_LINT_NO_CACHE=1`` turns it off. It holds code objects, so it
has the trust of a ``__pycache__`` folder: it lives in the user's own cache
folder, never beside a submission.
"""

from __future__ import annotations

import atexit
import builtins
import contextlib
import dataclasses
import marshal
import os
from importlib.util import MAGIC_NUMBER
from pathlib import Path
from typing import Any

from spbe_lint import cachedir

# Past this many entries (versions of the same classes piling up), start afresh.
MAX_ENTRIES = 4096

_table: dict[str, Any] = {}
_new: dict[str, Any] = {}
_path: list[Path] = []  # the table's file, once known


def _exec(source: Any, globals: Any = None, locals: Any = None) -> Any:
    if (
        isinstance(source, str)
        and isinstance(globals, dict)
        and str(globals.get("__name__", "")).startswith("spbe_lint")
    ):
        code = _table.get(source)
        if code is None:
            code = _new[source] = compile(source, "<string>", "exec")
        source = code
    return builtins.exec(source, globals, locals)


def install(version: str) -> None:
    """Serve spbe_lint's dataclass methods from the table (read once)."""
    where = cachedir.folder()
    if where is None or getattr(dataclasses, "exec", None) is _exec:
        return
    _path.append(where / f"classcode-{version}-{MAGIC_NUMBER.hex()}.marshal")
    try:
        # One read, then loads: marshal.load on a file reads it a few bytes at a
        # time through Python calls (ten times the cost, callgrind).
        table = marshal.loads(_path[0].read_bytes())
    except (OSError, EOFError, ValueError, TypeError):
        table = None
    if isinstance(table, dict):
        _table.update(table)
    # dataclasses calls exec() by its global name: this module's function is
    # found first, in dataclasses' own namespace, for dataclasses only.
    dataclasses.exec = _exec  # type: ignore[attr-defined]
    atexit.register(save)  # the console script's quick exit calls save() itself


def save() -> None:
    """Write the table if this run compiled anything new (atomically)."""
    if not _new or not _path:
        return
    table = {**_table, **_new} if len(_table) < MAX_ENTRIES else dict(_new)
    _table.update(_new)
    _new.clear()
    target = _path[0]
    temporary = target.with_name(f"{target.name}.{os.getpid()}.tmp")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary.write_bytes(marshal.dumps(table))
        temporary.replace(target)
    except (OSError, ValueError):
        with contextlib.suppress(OSError):
            temporary.unlink()


def pending() -> int:
    """How many compiled methods this run would add to the table."""
    return len(_new)
