"""Licences as SPDX expressions, and whether they are open source.

Parsing and the licence list come from ``license-expression`` (AboutCode), the
library ScanCode uses, with its bundled licence index: we neither hand-roll an
SPDX expression parser nor keep our own licence list. It is imported on first
use, so manifests without a licence never pay for it.
"""

from __future__ import annotations

import functools
import re
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
def analyse(expression: str) -> tuple[str | None, list[str], str]:
    """``_analyse``, remembered: building the licence index and its tokenizer
    costs more than the rest of a pre-commit run, and a repository's licence
    rarely changes. The key names the library's installed index, so an upgrade
    is a miss."""
    from spbe_lint import cache

    key = _cache_key(expression)
    found = cache.read(key, kind="licence") if key else None
    if isinstance(found, list) and len(found) == 3:
        return found[0], list(found[1]), str(found[2])
    normalised, closed, reason = _analyse(expression)
    if key:
        cache.write(key, [normalised, closed, reason], kind="licence")
    return normalised, closed, reason


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


# A licence outside the SPDX list: LicenseRef-<idstring>, maybe in another
# document (DocumentRef-<idstring>:LicenseRef-<idstring>), SPDX 2.3 Annex D.
_OWN = re.compile(r"^(?:DocumentRef-[A-Za-z0-9.-]+:)?LicenseRef-[A-Za-z0-9.-]+$")
# SPDX's "or later" operator: a licence id followed by "+" (EUPL-1.2+).
_OR_LATER = re.compile(r"(?<![A-Za-z0-9.:+-])([A-Za-z0-9][A-Za-z0-9.-]*)\+(?=[\s()]|$)")
_REASON_LIMIT = 160


def _analyse(expression: str) -> tuple[str | None, list[str], str]:
    """The normalised expression (None if not valid SPDX), its closed licences,
    and why it is not valid SPDX ("" when it is), in license-expression's words.

    ``LicenseRef-...`` identifiers are valid SPDX for licences outside the list
    (a proprietary licence, say); they are closed source by definition. The
    library raises its own errors for text that is no expression at all ("MIT
    OR", "Apache License, Version 2.0"): they are the reason, never a crash.
    """
    from license_expression import ExpressionError

    licensing = _licensing()
    text, later = _or_later(expression)
    try:
        parsed = licensing.parse(text, validate=False, strict=True)
    except ExpressionError as exc:  # ExpressionParseError is one too
        return None, [], _short(str(exc))
    if parsed is None:
        return None, [], "empty expression"
    unknown = [
        str(key)
        for key in licensing.unknown_license_keys(parsed)
        if not _OWN.match(str(key))
    ]
    if unknown:
        return None, [], _short(f"Unknown license key(s): {', '.join(unknown)}")
    keys = [symbol.key for symbol in licensing.license_symbols(parsed)]
    categories = _categories()
    closed = [k for k in keys if categories.get(k.lower()) not in OPEN_CATEGORIES]
    normalised = str(parsed)
    for key in later:  # the "+" the library does not keep, put back
        normalised = re.sub(
            rf"(?<![A-Za-z0-9.:+-]){re.escape(key)}(?![A-Za-z0-9.+-])",
            lambda match: match.group(0) + "+",
            normalised,
            flags=re.IGNORECASE,
        )
    return normalised, closed, ""


def _or_later(expression: str) -> tuple[str, set[str]]:
    """*expression* with SPDX's "+" taken off the licence ids it follows, and
    those ids. license-expression knows "+" only for the few ids that had a
    deprecated "+" form (GPL-2.0+); "EUPL-1.2+" is as valid (SPDX 2.3 Annex D).
    An id that is not on the list keeps its "+" and is reported unknown."""
    later: set[str] = set()

    def take(match: re.Match[str]) -> str:
        word = match.group(1)
        if _known(match.group(0)) or not _known(word):
            return match.group(0)
        later.add(word)
        return word

    return _OR_LATER.sub(take, expression), later


@functools.cache
def _known(key: str) -> bool:
    """Is *key* one licence id (or exception) of the SPDX list?"""
    from license_expression import ExpressionError

    licensing = _licensing()
    try:
        parsed = licensing.parse(key, validate=False, strict=False)
    except ExpressionError:
        return False
    symbols = licensing.license_symbols(parsed) if parsed is not None else []
    return len(symbols) == 1 and not licensing.unknown_license_keys(parsed)


def _short(reason: str) -> str:
    reason = " ".join(reason.split())
    return reason if len(reason) <= _REASON_LIMIT else reason[: _REASON_LIMIT - 1] + "…"


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
    normalised, closed, reason = analyse(licence)
    if normalised is None:
        # Not SPDX (e.g. "GPL v3", "MIT OR"): kept as written, flagged, with the
        # parser's reason.
        yield Violation(
            path=where, params={"value": licence, "reason": reason}, kind="not-spdx"
        )
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
