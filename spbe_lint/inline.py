"""A vendor's own suppressions, written in the manifest under ``x-spbe-waive``.

```yaml
x-spbe-waive:
  - rule: SEC-006
    pointer: /security/pentest     # optional: this place and below; else the file
    reason: Pentest ulang dijadwalkan Maret 2026 (kontrak adendum 2)
```

A reason is mandatory. An entry that cannot be used (no reason, an unknown
rule, a rule that may not be waived, a malformed pointer) suppresses nothing
and becomes a WAIVE-003 finding at its place, so a typo never silently waives.
Reviewer mode (``--reviewer``) ignores all of them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from spbe_lint.findings import Span, Waiver
from spbe_lint.i18n import LocalText
from spbe_lint.source import Document

KEY = "x-spbe-waive"
_FIELDS = ("rule", "pointer", "reason")


@dataclass(frozen=True)
class Suppression:
    """An `x-spbe-waive` entry written in the manifest itself."""

    waiver: Waiver
    rule: str
    path: str  # the manifest
    pointer: str  # "" is the whole manifest
    span: Span  # where the entry is written
    entry_pointer: str  # /x-spbe-waive/N


@dataclass(frozen=True)
class Problem:
    """An entry that cannot be used, and why."""

    path: str
    pointer: str
    span: Span
    message: LocalText


def read(
    document: Document, rules: Mapping[str, Any]
) -> tuple[list[Suppression], list[Problem]]:
    """The suppressions of one manifest, and the entries that cannot be used."""
    data = document.data
    if not isinstance(data, dict) or KEY not in data:
        return [], []
    entries = data[KEY]
    if not isinstance(entries, list):
        return [], [_problem(document, (KEY,), _NOT_A_LIST)]
    found, problems = [], []
    for index, entry in enumerate(entries):
        where = (KEY, index)
        why = _why_unusable(entry, rules)
        if why is not None:
            field, message = why
            problems.append(_problem(document, (*where, *field), message))
            continue
        pointer = entry.get("pointer", "")
        waiver = Waiver(
            id=f"{KEY}/{index}",
            reason=entry["reason"].strip(),
            scope=(("path", document.path), ("pointer", pointer)),
            source="inline",
        )
        span = document.locate(where)
        found.append(
            Suppression(
                waiver, entry["rule"], document.path, pointer, span, f"/{KEY}/{index}"
            )
        )
    return found, problems


def _why_unusable(
    entry: Any, rules: Mapping[str, Any]
) -> tuple[tuple[str, ...], LocalText] | None:
    if not isinstance(entry, dict):
        return (), _NOT_A_MAPPING
    for key in entry:
        if key not in _FIELDS:
            return (key,), LocalText(
                f"kunci tidak dikenal '{key}'; yang tersedia: {', '.join(_FIELDS)}",
                f"unknown key '{key}'; available: {', '.join(_FIELDS)}",
            )
    rule_id = entry.get("rule")
    if not isinstance(rule_id, str) or not rule_id:
        return (), LocalText("rule wajib diisi", "rule is required")
    rule = rules.get(rule_id)
    if rule is None:
        return ("rule",), LocalText(
            f"aturan tidak dikenal '{rule_id}'; lihat: spbe-lint rules list",
            f"unknown rule '{rule_id}'; see: spbe-lint rules list",
        )
    if rule.always:
        return ("rule",), LocalText(
            f"aturan {rule_id} tidak dapat dikecualikan",
            f"rule {rule_id} cannot be waived",
        )
    reason = entry.get("reason")
    if not isinstance(reason, str) or not reason.strip():
        return (), LocalText(
            "reason (alasan) wajib diisi: pengecualian tanpa alasan tidak berlaku",
            "a reason is required: a suppression without one does not hold",
        )
    pointer = entry.get("pointer", "")
    if not isinstance(pointer, str) or (pointer and not pointer.startswith("/")):
        return ("pointer",), LocalText(
            "pointer harus JSON Pointer, mis. /security/pentest",
            "pointer must be a JSON Pointer, e.g. /security/pentest",
        )
    return None


_NOT_A_LIST = LocalText(
    f"{KEY} harus berupa daftar entri (rule, pointer, reason)",
    f"{KEY} must be a list of entries (rule, pointer, reason)",
)
_NOT_A_MAPPING = LocalText(
    "entri harus berupa mapping (rule, pointer, reason)",
    "an entry must be a mapping (rule, pointer, reason)",
)


def _problem(
    document: Document, path: tuple[str | int, ...], message: LocalText
) -> Problem:
    from spbe_lint.pointers import to_pointer

    return Problem(document.path, to_pointer(path), document.locate(path), message)
