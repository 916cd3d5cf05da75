"""A repository's ``.secrets.baseline`` (detect-secrets' format), read as data.

The baseline is part of the submission, so it is hostile input: only what is
safe to take from it is taken.

- ``results``: the secrets already known, per file, by detect-secrets' hash
  (``hashed_secret``, never the value). A known secret is accepted unless the
  baseline's own audit marked it ``is_secret: true`` (a real secret stays a
  finding however it is listed).
- ``plugins_used``: which of detect-secrets' built-in plugins run, and their
  numeric ``limit`` (entropy). A ``path`` entry (a custom plugin: code detect-
  secrets would import and run) is refused, so is any other option.
- ``filters_used`` and ``exclude`` regular expressions are not honoured: a
  pattern from the submission could take the scan hours (catastrophic
  backtracking) or exclude everything. Accept a false positive by listing it in
  ``results`` (``detect-secrets scan --baseline``), or with a waiver.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from spbe_lint.evidence.files import Unreadable, read_bounded
from spbe_lint.i18n import LocalText

NAME = ".secrets.baseline"
MAX_BYTES = 16 * 1024 * 1024


@dataclass(frozen=True)
class Baseline:
    path: str  # relative to the scanned root
    known: frozenset[tuple[str, str]] = frozenset()  # (file, hashed_secret) accepted
    real: frozenset[tuple[str, str]] = frozenset()  # audited as real secrets
    plugins: tuple[Mapping[str, Any], ...] | None = None  # None: detect-secrets' all
    problem: LocalText | None = None  # why it could not be used at all
    line: int | None = None
    column: int | None = None
    refused: tuple[str, ...] = field(default=())  # plugin entries not honoured


def find(root: Path) -> Baseline | None:
    """The baseline at the top of *root*, read; None when there is none."""
    if not (root / NAME).is_symlink() and not (root / NAME).exists():
        return None
    try:
        raw = read_bounded(root, NAME, MAX_BYTES)
    except Unreadable as exc:
        return Baseline(NAME, problem=_UNREADABLE.format({"reason": exc.reason}))
    from spbe_lint.jsonread import JsonProblem, loads

    try:
        data = loads(raw, max_bytes=MAX_BYTES)
    except JsonProblem as problem:
        return Baseline(
            NAME,
            problem=_UNREADABLE.format({"reason": problem.message}),
            line=problem.line,
            column=problem.column,
        )
    return _from_data(data)


_UNREADABLE = LocalText(
    "tidak dapat dibaca sebagai baseline detect-secrets ({reason}); tidak ada "
    "rahasia yang diterima karenanya",
    "cannot be read as a detect-secrets baseline ({reason}); no secret is accepted "
    "through it",
)


def _from_data(data: Any) -> Baseline:
    if not isinstance(data, dict) or not isinstance(data.get("results", {}), dict):
        return Baseline(
            NAME, problem=_UNREADABLE.format({"reason": "no results mapping"})
        )
    known: set[tuple[str, str]] = set()
    real: set[tuple[str, str]] = set()
    for filename, entries in data.get("results", {}).items():
        for entry in entries if isinstance(entries, list) else ():
            if not isinstance(entry, dict):
                continue
            digest = entry.get("hashed_secret")
            if not isinstance(digest, str):
                continue
            target = real if entry.get("is_secret") is True else known
            target.add((filename, digest))
    plugins, refused = _plugins(data.get("plugins_used"))
    return Baseline(
        NAME,
        known=frozenset(known - real),
        real=frozenset(real),
        plugins=plugins,
        refused=refused,
    )


def _plugins(
    entries: Any,
) -> tuple[tuple[Mapping[str, Any], ...] | None, tuple[str, ...]]:
    """The built-in plugins a baseline chose, with a numeric ``limit`` at most."""
    if not isinstance(entries, list):
        return None, ()
    from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class

    builtin = {
        cls.__name__
        for cls in get_mapping_from_secret_type_to_class().values()
        if cls.__module__.startswith("detect_secrets.")
    }
    chosen: list[Mapping[str, Any]] = []
    refused: list[str] = []
    for entry in entries:
        name = entry.get("name") if isinstance(entry, dict) else None
        if not isinstance(name, str) or name not in builtin or "path" in entry:
            refused.append(str(name)[:60])
            continue
        plugin: dict[str, Any] = {"name": name}
        limit = entry.get("limit")
        number = isinstance(limit, (int, float)) and not isinstance(limit, bool)
        if number and 0 < limit <= 8:  # bits of entropy per character
            plugin["limit"] = float(limit)
        chosen.append(plugin)
    return tuple(chosen), tuple(refused)
