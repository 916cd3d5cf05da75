"""Read Diskominfo's waiver file (``spbe-waivers.yaml``) into frozen waivers.

The file is read like a manifest (``source``: size, encoding, alias and depth
limits, positions), validated by ``schemas/waivers.schema.json``, and then
checked for what a schema cannot say: unique ids, rules the pack knows (and
that may be waived), a valid approver NIP, issued before expiry, and a validity
no longer than the file's ``max-months`` (12 by default). Anything wrong is one
InputError naming the file, line and column: exit 2, like a bad manifest.
"""

from __future__ import annotations

import datetime
import fnmatch
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from spbe_lint import schema, source
from spbe_lint.errors import InputError
from spbe_lint.findings import Span, Waiver
from spbe_lint.i18n import LocalText

WAIVERS_NAME = "spbe-waivers.yaml"
DEFAULT_MAX_MONTHS = 12
SCOPE_KEYS = ("app", "path", "pointer", "endpoint")


@dataclass(frozen=True)
class Entry:
    """One waiver as written, with where it is written."""

    waiver: Waiver
    rule: str
    span: Span  # where it is written in the waiver file
    pointer: str  # in the waiver file: /waivers/N

    @property
    def scope(self) -> Mapping[str, str]:
        return dict(self.waiver.scope)

    def holds_on(self, day: datetime.date) -> bool:
        issued = datetime.date.fromisoformat(self.waiver.issued or "0001-01-01")
        expires = datetime.date.fromisoformat(self.waiver.expires or "9999-12-31")
        return issued <= day <= expires

    def expired_on(self, day: datetime.date) -> bool:
        return self.waiver.expires is not None and day > datetime.date.fromisoformat(
            self.waiver.expires
        )


@dataclass(frozen=True)
class WaiverFile:
    """Diskominfo's waiver file as read: entries, hash and the longest term."""

    path: str  # as displayed
    sha256: str
    max_months: int
    entries: tuple[Entry, ...]


def discover(start: Path) -> Path | None:
    """The nearest ``spbe-waivers.yaml`` from *start* up to the repository root."""
    for folder in (start, *start.parents):
        candidate = folder / WAIVERS_NAME
        if candidate.exists():
            return candidate
        if (folder / ".git").exists():
            return None
    return None


def load(path: Path, display: str, rules: Mapping[str, Any]) -> WaiverFile:
    """The waivers in *path*; *rules* maps the pack's rule ids to rules."""
    document = source.require_clean(source.load(path, display))
    _check_scopes(document)
    schema.check_file(document, "waivers", InputError)
    data = document.data
    max_months = data.get("max-months", DEFAULT_MAX_MONTHS)
    seen: dict[str, int] = {}
    entries = []
    for index, item in enumerate(data["waivers"]):
        where = ("waivers", index)
        _check(document, where, item, rules, max_months)
        if item["id"] in seen:
            raise document.error(
                InputError,
                (*where, "id"),
                LocalText(
                    f"nomor pengecualian {item['id']} dipakai dua kali (pertama di "
                    f"baris {seen[item['id']]})",
                    f"waiver id {item['id']} is used twice (first on line "
                    f"{seen[item['id']]})",
                ),
            )
        span = document.locate(where)
        seen[item["id"]] = span.line
        scope = tuple((k, item["scope"][k]) for k in SCOPE_KEYS if k in item["scope"])
        waiver = Waiver(
            id=item["id"],
            reason=item["reason"],
            approved_by=item["approver"]["name"],
            expires=item["expires"],
            approver_nip=item["approver"]["nip"],
            decision_ref=item["decision_ref"],
            issued=item["issued"],
            compensating_control=item.get("compensating_control"),
            scope=scope,
            source="file",
        )
        entries.append(Entry(waiver, item["rule"], span, f"/waivers/{index}"))
    return WaiverFile(display, document.file.sha256, max_months, tuple(entries))


def _check_scopes(document: source.Document) -> None:
    """A scope must name where (the schema's anyOf would only say "required")."""
    data = document.data
    items = data.get("waivers") if isinstance(data, dict) else None
    for index, item in enumerate(items if isinstance(items, list) else ()):
        scope = item.get("scope") if isinstance(item, dict) else None
        if isinstance(scope, dict) and not {"app", "path", "endpoint"} & set(scope):
            raise document.error(
                InputError,
                ("waivers", index, "scope"),
                LocalText(
                    "scope memerlukan app, path atau endpoint (pointer hanya "
                    "mempersempitnya)",
                    "scope needs app, path or endpoint (pointer only narrows them)",
                ),
            )


def _check(
    document: source.Document,
    where: tuple[str | int, ...],
    item: Mapping[str, Any],
    rules: Mapping[str, Any],
    max_months: int,
) -> None:
    from spbe_lint.checks.identifiers import nip_problem

    rule = rules.get(item["rule"])
    if rule is None:
        raise document.error(
            InputError,
            (*where, "rule"),
            LocalText(
                f"aturan tidak dikenal '{item['rule']}'; lihat: spbe-lint rules list",
                f"unknown rule '{item['rule']}'; see: spbe-lint rules list",
            ),
        )
    if rule.always:
        raise document.error(
            InputError,
            (*where, "rule"),
            LocalText(
                f"aturan {rule.id} tidak dapat dikecualikan: berkas yang tidak dapat "
                "dibaca tidak boleh tampak bersih",
                f"rule {rule.id} cannot be waived: a file that cannot be read must "
                "never look clean",
            ),
        )
    nip = item["approver"]["nip"]
    if nip_problem(nip) is not None:
        raise document.error(
            InputError,
            (*where, "approver", "nip"),
            LocalText(
                f"approver.nip {nip} bukan NIP PNS yang sah",
                f"approver.nip {nip} is not a valid civil-servant NIP",
            ),
        )
    issued = datetime.date.fromisoformat(item["issued"])
    expires = datetime.date.fromisoformat(item["expires"])
    if expires < issued:
        raise document.error(
            InputError,
            (*where, "expires"),
            LocalText(
                f"expires {expires} sebelum issued {issued}",
                f"expires {expires} is before issued {issued}",
            ),
        )
    limit = add_months(issued, max_months)
    if expires > limit:
        raise document.error(
            InputError,
            (*where, "expires"),
            LocalText(
                f"masa berlaku terlalu panjang: paling lama {max_months} bulan sejak "
                f"{issued} (sampai {limit})",
                f"valid for too long: at most {max_months} months from {issued} "
                f"(until {limit})",
            ),
        )


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day *months* later (the month's last day when it is shorter)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    following = datetime.date(year + month // 12, month % 12 + 1, 1)
    last = (following - datetime.timedelta(days=1)).day
    return datetime.date(year, month, min(day.day, last))


def pointer_covers(scope: str, pointer: str) -> bool:
    """Whether a scope pointer covers *pointer*: the same place or below it."""
    return pointer == scope or pointer.startswith(scope + "/")


def glob(pattern: str, text: str) -> bool:
    """fnmatch, case-sensitive: ``*`` also crosses ``/``."""
    return fnmatch.fnmatchcase(text, pattern)
