"""Where spbe-lint keeps what it remembers between runs: one rule for every cache.

``$SPBE_LINT_CACHE_DIR``, else ``$XDG_CACHE_HOME/spbe-lint``, else
``~/.cache/spbe-lint``; ``SPBE_LINT_NO_CACHE=1`` turns caching off. Imported at
the package's first import (spbe_lint.classcode), so it imports nothing heavy.
"""

from __future__ import annotations

import os
from pathlib import Path


def folder() -> Path | None:
    """The cache folder, or None when caching is off or there is no home."""
    if os.environ.get("SPBE_LINT_NO_CACHE"):
        return None
    explicit = os.environ.get("SPBE_LINT_CACHE_DIR")
    if explicit:
        return Path(explicit)
    try:
        base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    except RuntimeError:  # no home folder to find
        return None
    return Path(base) / "spbe-lint"
