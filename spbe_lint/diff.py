"""Compare two saved reports of one application: what changed between a vendor's
submissions (``spbe-lint diff OLD.json NEW.json``).

Failures are matched by what their fingerprint is made of (rule, manifest,
JSON Pointer or endpoint, occurrence), never by line, with the manifest's path
translated when the application moved folders between submissions (matched by
``app.id``, or the only manifest of each report). The result says which
failures are new, fixed, unchanged or updated (same place, another message or
severity), which declarations changed value, and which waivers were added,
removed, renewed or expired.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from spbe_lint.errors import UsageError
from spbe_lint.findings import Finding, Report, Severity, Status, WaiverEntry
from spbe_lint.i18n import LocalText

Key = tuple[str, str, str, int]  # rule, path (in NEW's terms), pointer, occurrence


@dataclass(frozen=True)
class Change:
    state: str  # new | fixed | unchanged | updated
    old: Finding | None
    new: Finding | None

    @property
    def shown(self) -> Finding:
        finding = self.new or self.old
        assert finding is not None
        return finding


@dataclass(frozen=True)
class Declaration:
    path: str  # the manifest, as NEW names it
    pointer: str
    state: str  # added | removed | changed
    old: Any = None
    new: Any = None


@dataclass(frozen=True)
class WaiverChange:
    state: str  # added | removed | expired | renewed | changed
    old: WaiverEntry | None
    new: WaiverEntry | None

    @property
    def shown(self) -> WaiverEntry:
        entry = self.new or self.old
        assert entry is not None
        return entry


@dataclass(frozen=True)
class Diff:
    old: Report
    new: Report
    old_name: str
    new_name: str
    applications: tuple[str, ...]
    changes: tuple[Change, ...]
    declarations: tuple[Declaration, ...]
    waivers: tuple[WaiverChange, ...]
    new_problems: tuple[str, ...]  # files unreadable in NEW only

    def of(self, state: str) -> list[Change]:
        return [c for c in self.changes if c.state == state]

    def unwaived(self) -> list[Change]:
        """Failures in both reports that were waived and are not any more."""
        return [
            c
            for c in self.changes
            if c.old is not None
            and c.new is not None
            and c.old.waiver is not None
            and c.new.waiver is None
        ]

    def introduced(self, fail_on: Severity) -> list[Change]:
        """Failures that count now and did not before: new ones, and old ones
        whose waiver is gone (expired or removed); at or above *fail_on*."""
        return [
            c
            for c in self.changes
            if c.new is not None
            and c.new.waiver is None
            and c.new.severity >= fail_on
            and (c.old is None or c.old.waiver is not None)
        ]


def compare(old: Report, new: Report, old_name: str, new_name: str) -> Diff:
    paths = _path_map(old, new)
    applications = _same_application(old, new, old_name, new_name)
    before = _failures(old.findings, paths)
    after = _failures(new.findings, {})
    changes = []
    for key in sorted(before.keys() | after.keys(), key=_order(before, after)):
        was, now = before.get(key), after.get(key)
        if was is None:
            changes.append(Change("new", None, now))
        elif now is None:
            changes.append(Change("fixed", was, None))
        elif (was.message, was.severity) != (now.message, now.severity):
            changes.append(Change("updated", was, now))
        else:
            changes.append(Change("unchanged", was, now))
    old_unreadable = {paths.get(p.path, p.path) for p in old.problems}
    return Diff(
        old=old,
        new=new,
        old_name=old_name,
        new_name=new_name,
        applications=applications,
        changes=tuple(changes),
        declarations=tuple(_declarations(old, new, paths)),
        waivers=tuple(_waivers(old, new)),
        new_problems=tuple(
            sorted(p.path for p in new.problems if p.path not in old_unreadable)
        ),
    )


def _order(before: Mapping[Key, Finding], after: Mapping[Key, Finding]) -> Any:
    def key(item: Key) -> tuple[Any, ...]:
        finding = after.get(item) or before[item]
        return (item[1], *finding.sort_key()[1:], item[3])

    return key


def _app_ids(report: Report) -> dict[str, str]:
    return {
        i.path: value for i in report.inputs for k, value in i.identity if k == "app.id"
    }


def _path_map(old: Report, new: Report) -> dict[str, str]:
    """OLD's manifest paths in NEW's terms, where the application moved folders."""
    if len(old.inputs) == 1 and len(new.inputs) == 1:
        return {old.inputs[0].path: new.inputs[0].path}
    new_by_app = {app: path for path, app in _app_ids(new).items()}
    return {
        path: new_by_app[app]
        for path, app in _app_ids(old).items()
        if app in new_by_app
    }


def _same_application(
    old: Report, new: Report, old_name: str, new_name: str
) -> tuple[str, ...]:
    """The application ids both reports share; a UsageError when they share
    none, or when either records none (nothing then says it is the same
    application: a report of a manifest without app.id, or that could not be
    read, cannot be compared with another application's)."""
    before, after = set(_app_ids(old).values()), set(_app_ids(new).values())
    for ids, which, name in ((before, "LAMA", old_name), (after, "BARU", new_name)):
        if not ids:
            english = "OLD" if which == "LAMA" else "NEW"
            raise UsageError(
                LocalText(
                    f"{which} ({name}) tidak mencatat app.id: tidak dapat dipastikan "
                    "bahwa kedua laporan tentang aplikasi yang sama; isi app.id di "
                    "manifest lalu periksa ulang",
                    f"{english} ({name}) records no app.id: nothing says both "
                    "reports are of the same application; give the manifest an "
                    "app.id and check it again",
                )
            )
    if not before & after:
        raise UsageError(
            LocalText(
                f"bukan aplikasi yang sama: LAMA {', '.join(sorted(before))}, BARU "
                f"{', '.join(sorted(after))} (app.id)",
                f"not the same application: OLD {', '.join(sorted(before))}, NEW "
                f"{', '.join(sorted(after))} (app.id)",
            )
        )
    return tuple(sorted(before | after))


def _failures(
    findings: Iterable[Finding], paths: Mapping[str, str]
) -> dict[Key, Finding]:
    return {
        (
            f.rule,
            paths.get(f.location.path, f.location.path),
            f.location.pointer,
            f.occurrence,
        ): f
        for f in findings
        if f.status is Status.FAIL
    }


def _declarations(
    old: Report, new: Report, paths: Mapping[str, str]
) -> list[Declaration]:
    before = {paths.get(i.path, i.path): dict(i.declarations) for i in old.inputs}
    found = []
    for item in new.inputs:
        if item.path not in before:
            continue  # a manifest new in this submission: all of it is new
        was, now = before[item.path], dict(item.declarations)
        if not was or not now:
            continue  # a report made before declarations were recorded (1.1)
        for pointer, value in now.items():
            if pointer not in was:
                found.append(Declaration(item.path, pointer, "added", new=value))
            elif was[pointer] != value:
                found.append(
                    Declaration(item.path, pointer, "changed", was[pointer], value)
                )
        found += [
            Declaration(item.path, pointer, "removed", old=was[pointer])
            for pointer in was
            if pointer not in now
        ]
    return found


def _entries(report: Report) -> dict[tuple[str, str, str], WaiverEntry]:
    if report.review is None:
        return {}
    return {
        (
            e.waiver.source,
            e.waiver.id,
            e.path if e.waiver.source == "inline" else "",
        ): e
        for e in report.review.waivers
    }


def _waivers(old: Report, new: Report) -> list[WaiverChange]:
    before, after = _entries(old), _entries(new)
    found = []
    for key in sorted(before.keys() | after.keys()):
        was, now = before.get(key), after.get(key)
        if was is None:
            found.append(WaiverChange("added", None, now))
        elif now is None:
            found.append(WaiverChange("removed", was, None))
        elif now.state == "expired" and was.state != "expired":
            found.append(WaiverChange("expired", was, now))
        elif (now.waiver.expires or "") > (was.waiver.expires or ""):
            found.append(WaiverChange("renewed", was, now))
        elif now.waiver != was.waiver:
            found.append(WaiverChange("changed", was, now))
    return found
