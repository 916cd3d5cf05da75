"""A cache of validated rule packs, so that each run does not re-validate them
(and of licence expressions analysed, ``checks.licences``).

Validating every rule file against ``schemas/rule.schema.json`` costs far more
than reading it (about 2 ms a rule). The result depends only on the files'
bytes, the schemas and the spbe-lint version, so it is remembered under a key
made of all three: a changed file, schema or version is simply a miss. The
cache is an optimisation only: an unreadable or unwritable cache is ignored.

Location: ``$SPBE_LINT_CACHE_DIR``, else ``$XDG_CACHE_HOME/spbe-lint``, else
``~/.cache/spbe-lint``. ``SPBE_LINT_NO_CACHE=1`` turns it off.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any


def _folder() -> Path | None:
    if os.environ.get("SPBE_LINT_NO_CACHE"):
        return None
    explicit = os.environ.get("SPBE_LINT_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "spbe-lint"


def read(key: str, kind: str = "pack") -> Any | None:
    folder = _folder()
    if folder is None:
        return None
    try:
        return json.loads((folder / f"{kind}-{key}.json").read_text("utf-8"))
    except (OSError, ValueError, RecursionError):
        # A cache entry we did not write whole (or someone else's) is a miss.
        # Not the bounded reader (spbe_lint.jsonread): these are our own files,
        # keyed by content, and this is the pre-commit path (4x the parse time).
        return None


def write(key: str, value: Any, kind: str = "pack") -> None:
    folder = _folder()
    if folder is None:
        return
    try:
        folder.mkdir(parents=True, exist_ok=True)
        # Write then rename, so that a concurrent run never reads half a file.
        with tempfile.NamedTemporaryFile(
            "w", encoding="utf-8", dir=folder, suffix=".tmp", delete=False
        ) as stream:
            json.dump(value, stream, ensure_ascii=False)
        Path(stream.name).replace(folder / f"{kind}-{key}.json")
    except OSError:
        pass
