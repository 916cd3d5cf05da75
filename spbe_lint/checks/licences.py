"""Licences as SPDX expressions, and whether they are open source.

Parsing and the licence list come from ``license-expression`` (AboutCode), the
library ScanCode uses, with its bundled licence index: we neither hand-roll an
SPDX expression parser nor keep our own licence list. It is imported on first
use, so manifests without a licence never pay for it.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from spbe_lint.findings import Violation

if TYPE_CHECKING:
    from spbe_lint.checks import CheckContext

# ScanCode licence categories that are open source. "Proprietary Free",
# "Source-available", "Commercial" and the like are not: they need the
# Minister's consideration (Permenkominfo 4/2024 Pasal 57).
OPEN_CATEGORIES = frozenset(
    {"Permissive", "Copyleft", "Copyleft Limited", "Public Domain"}
)


@functools.cache
def _licensing() -> Any:
    from license_expression import get_spdx_licensing

    return get_spdx_licensing()


@functools.cache
def _categories() -> dict[str, str]:
    from license_expression import get_license_index

    categories: dict[str, str] = {}
    for entry in get_license_index():
        for key in [
            entry.get("spdx_license_key"),
            *entry.get("other_spdx_license_keys", []),
        ]:
            if key:
                categories[key.lower()] = entry.get("category") or ""
    return categories


@functools.cache
def analyse(expression: str) -> tuple[str | None, list[str]]:
    """``_analyse``, remembered: building the licence index and its tokenizer
    costs more than the rest of a pre-commit run, and a repository's licence
    rarely changes. The key names the library's installed index, so an upgrade
    is a miss."""
    from spbe_lint import cache

    key = _cache_key(expression)
    found = cache.read(key, kind="licence") if key else None
    if isinstance(found, list) and len(found) == 2:
        return found[0], list(found[1])
    normalised, closed = _analyse(expression)
    if key:
        cache.write(key, [normalised, closed], kind="licence")
    return normalised, closed


@functools.cache
def symbols(expression: str) -> tuple[str, ...]:
    """The licence keys of an SPDX *expression* (``LicenseRef-`` ones included),
    remembered like ``analyse`` (parsing needs the whole licence index)."""
    from spbe_lint import cache

    key = _cache_key("symbols\0" + expression)
    found = cache.read(key, kind="licence") if key else None
    if isinstance(found, list) and all(isinstance(k, str) for k in found):
        return tuple(found)
    try:
        parsed = _licensing().parse(expression, validate=False)
    except Exception:  # license-expression raises its own types for bad input
        return ()
    keys = (
        ()
        if parsed is None
        else tuple(str(s.key) for s in _licensing().license_symbols(parsed))
    )
    if key:
        cache.write(key, list(keys), kind="licence")
    return keys


def _cache_key(expression: str) -> str | None:
    import hashlib
    import importlib.util

    spec = importlib.util.find_spec("license_expression")
    if spec is None or spec.origin is None:
        return None
    index = Path(spec.origin).parent / "data" / "scancode-licensedb-index.json"
    try:
        stat = index.stat()
    except OSError:
        return None
    text = f"{index}\0{stat.st_size}\0{stat.st_mtime_ns}\0{expression}"
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _analyse(expression: str) -> tuple[str | None, list[str]]:
    """The normalised expression (None if not valid SPDX) and its closed licences.

    ``LicenseRef-...`` identifiers are valid SPDX for licences outside the list
    (a proprietary licence, say); they are closed source by definition.
    """
    info = _licensing().validate(expression)
    own = [s for s in info.invalid_symbols if str(s).startswith("LicenseRef-")]
    if info.errors and (len(own) != len(info.invalid_symbols) or not own):
        return None, []
    try:
        parsed = _licensing().parse(expression, validate=False)
    except Exception:
        return None, []
    if parsed is None:
        return None, []
    keys = [symbol.key for symbol in _licensing().license_symbols(parsed)]
    categories = _categories()
    closed = [k for k in keys if categories.get(k.lower()) not in OPEN_CATEGORIES]
    return info.normalized_expression or str(parsed), closed


def spdx_licence(
    manifest: Any, params: Mapping[str, Any], context: CheckContext
) -> Iterator[Violation]:
    """``handover.license`` is an SPDX expression; a licence that is not open
    source needs ``governance.closed_source_consideration_ref``."""
    if not isinstance(manifest, dict):
        return
    handover = manifest.get("handover")
    licence = handover.get("license") if isinstance(handover, dict) else None
    where = ("handover", "license")
    if not isinstance(licence, str) or not licence.strip():
        yield Violation(path=where, kind="missing")
        return
    normalised, closed = analyse(licence)
    if normalised is None:
        # Not SPDX (e.g. "GPL v3", "proprietary"): kept as written, flagged.
        yield Violation(path=where, params={"value": licence}, kind="not-spdx")
        return
    governance = manifest.get("governance")
    consideration = (
        governance.get("closed_source_consideration_ref")
        if isinstance(governance, dict)
        else None
    )
    if closed and not consideration:
        yield Violation(
            path=where,
            params={"value": licence, "closed": ", ".join(closed)},
            kind="closed",
        )
