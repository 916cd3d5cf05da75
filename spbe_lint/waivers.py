"""Apply waivers to findings: waived failures stay in the report, marked.

Two sources. Diskominfo's waiver file (``waiverfile``) holds governed waivers:
approver, decision letter, issued and expiry dates, a scope. A vendor's inline
``x-spbe-waive`` entries (``inline``) hold a reason only, and ``--reviewer``
ignores them. A waiver holds from its issue date to its expiry date inclusive,
judged on the run's ``--as-of`` day. What cannot rot silently becomes a finding
of its own, at the place the waiver is written:

- WAIVE-001: a waiver that has expired (it no longer suppresses anything);
- WAIVE-002: a waiver that matched no failure (fixed, or a wrong scope);
- WAIVE-003: an inline entry that cannot be used (no reason, unknown rule...).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from spbe_lint.findings import (
    Finding,
    Location,
    Severity,
    Span,
    Status,
    Waiver,
    WaiverEntry,
)
from spbe_lint.i18n import LocalText
from spbe_lint.inline import Problem, Suppression
from spbe_lint.rule import Rule
from spbe_lint.waiverfile import Entry, WaiverFile, glob, pointer_covers


def _rule(number: int, title: LocalText, remediation: LocalText) -> Rule:
    return Rule(
        id=f"WAIVE-{number:03d}",
        domain="manifest",
        severity=Severity.WARNING,
        title=title,
        message=title,
        messages={},
        rationale=LocalText(
            "Pengecualian adalah keputusan yang tercatat: siapa menyetujui, atas "
            "dasar apa, sampai kapan. Berkas pengecualian tidak boleh usang diam-diam.",
            "A waiver is a recorded decision: who approved it, on what basis, until "
            "when. The waiver file must not rot silently.",
        ),
        remediation=remediation,
        references=(),
    )


EXPIRED = _rule(
    1,
    LocalText("Pengecualian sudah berakhir", "Waiver has expired"),
    LocalText(
        "Perbaiki temuannya, atau minta Diskominfo memperpanjang pengecualian dengan "
        "keputusan baru (issued dan expires baru).",
        "Fix the finding, or ask Diskominfo to renew the waiver with a new decision "
        "(new issued and expires dates).",
    ),
)
UNUSED = _rule(
    2,
    LocalText(
        "Pengecualian tidak cocok dengan temuan mana pun",
        "Waiver matches no finding",
    ),
    LocalText(
        "Hapus pengecualian bila temuannya sudah diperbaiki, atau perbaiki cakupannya "
        "(rule, app, path, pointer, endpoint).",
        "Remove the waiver when the finding is fixed, or correct its scope (rule, "
        "app, path, pointer, endpoint).",
    ),
)
UNUSABLE = _rule(
    3,
    LocalText(
        "Pengecualian inline tidak dapat dipakai", "Inline suppression cannot be used"
    ),
    LocalText(
        "Tulis setiap entri x-spbe-waive dengan rule yang ada, pointer (opsional) dan "
        "reason yang menjelaskan alasannya.",
        "Write each x-spbe-waive entry with an existing rule, an optional pointer and "
        "a reason that explains why.",
    ),
)
RULES = (EXPIRED, UNUSED, UNUSABLE)


@dataclass(frozen=True)
class Applied:
    """Findings after waivers: waived ones marked, WAIVE-* findings added."""

    findings: tuple[Finding, ...]  # every finding, waived ones marked, plus WAIVE-*
    entries: tuple[WaiverEntry, ...]
    rules: tuple[Rule, ...]  # the WAIVE rules that gave findings


def apply(
    findings: Sequence[Finding],
    *,
    waiver_file: WaiverFile | None,
    suppressions: Iterable[Suppression] = (),
    problems: Iterable[Problem] = (),
    reviewer: bool = False,
    as_of: datetime.date,
    in_force: frozenset[str],
    apps: Mapping[str, str],
) -> Applied:
    """Mark the failures each waiver covers; *apps* maps manifest paths to app.id."""
    suppressions = tuple(suppressions)
    marked, matched = mark(
        findings,
        waiver_file=waiver_file,
        suppressions=suppressions,
        reviewer=reviewer,
        as_of=as_of,
        in_force=in_force,
        apps=apps,
    )
    return conclude(
        marked,
        matched,
        waiver_file=waiver_file,
        suppressions=suppressions,
        problems=problems,
        reviewer=reviewer,
        as_of=as_of,
        in_force=in_force,
    )


def mark(
    findings: Sequence[Finding],
    *,
    waiver_file: WaiverFile | None,
    suppressions: Sequence[Suppression] = (),
    reviewer: bool = False,
    as_of: datetime.date,
    in_force: frozenset[str],
    apps: Mapping[str, str],
) -> tuple[list[Finding], list[int]]:
    """*findings* with the failures each waiver covers marked, and how many
    failures each waiver file entry, then each suppression, covers. A
    finding's mark depends on it alone, so a long run is marked a part at a
    time (spbe_lint.review.Pass) and the counts added up for ``conclude``."""
    result = list(findings)
    counts: list[int] = []
    for entry in waiver_file.entries if waiver_file else ():
        matched = [
            i
            for i, f in enumerate(result)
            if f.rule == entry.rule and _covers(entry, f, apps)
        ]
        if _state(entry, as_of, in_force, len(matched)) == "applied":
            _mark(result, matched, entry.waiver)
        counts.append(len(matched))
    for suppression in suppressions:
        matched = [
            i
            for i, f in enumerate(result)
            if f.status is Status.FAIL
            and f.rule == suppression.rule
            and f.location.path == suppression.path
            and (
                not suppression.pointer
                or pointer_covers(suppression.pointer, f.location.pointer)
            )
        ]
        if not reviewer and suppression.rule in in_force and matched:
            _mark(result, matched, suppression.waiver)
        counts.append(len(matched))
    return result, counts


def conclude(
    findings: Sequence[Finding],
    counts: Sequence[int],
    *,
    waiver_file: WaiverFile | None,
    suppressions: Sequence[Suppression] = (),
    problems: Iterable[Problem] = (),
    reviewer: bool = False,
    as_of: datetime.date,
    in_force: frozenset[str],
) -> Applied:
    """What became of each waiver, given how many failures each covered
    (``mark``): *findings* (marked) and the WAIVE-* findings after them."""
    entries: list[WaiverEntry] = []
    extra: list[Finding] = []
    matched = iter(counts)
    for entry in waiver_file.entries if waiver_file else ():
        assert waiver_file is not None
        count = next(matched)
        state = _state(entry, as_of, in_force, count)
        if state == "expired":
            extra.append(_expired(entry, waiver_file.path, count))
        elif state == "unused":
            extra.append(_unused(entry.waiver.id, entry.rule, waiver_file.path, entry))
        entries.append(
            WaiverEntry(entry.waiver, state, count, waiver_file.path, entry.span.line)
        )
    for suppression in suppressions:
        count = next(matched)
        if reviewer:
            state = "ignored"
        elif suppression.rule not in in_force:
            state = "rule_not_run"
        elif not count:
            state = "unused"
            extra.append(
                _unused(
                    suppression.waiver.id,
                    suppression.rule,
                    suppression.path,
                    suppression,
                )
            )
        else:
            state = "applied"
        entries.append(
            WaiverEntry(
                suppression.waiver,
                state,
                count,
                suppression.path,
                suppression.span.line,
            )
        )
    if not reviewer:
        extra.extend(_unusable(problem) for problem in problems)
    used = {f.rule for f in extra}
    return Applied(
        (*findings, *extra),
        tuple(entries),
        tuple(rule for rule in RULES if rule.id in used),
    )


def _state(
    entry: Entry, as_of: datetime.date, in_force: frozenset[str], matched: int
) -> str:
    if entry.expired_on(as_of):
        return "expired"
    if not entry.holds_on(as_of):
        return "pending"  # issued after the day judged on
    if entry.rule not in in_force:
        return "rule_not_run"
    return "applied" if matched else "unused"


def _covers(entry: Entry, finding: Finding, apps: Mapping[str, str]) -> bool:
    """Whether every part of the entry's scope holds for a failure."""
    if finding.status is not Status.FAIL:
        return False
    path = finding.location.path
    for key, value in entry.waiver.scope:
        if key == "app" and apps.get(path) != value:
            return False
        if key == "path" and not glob(value, path):
            return False
        if key == "pointer" and not pointer_covers(value, finding.location.pointer):
            return False
        if key == "endpoint" and not (
            glob(value, path) or any(glob(value, e.url) for e in finding.evidence)
        ):
            return False
    return True


def _mark(findings: list[Finding], indexes: list[int], waiver: Waiver) -> None:
    for index in indexes:
        if findings[index].waiver is None:  # the file's waiver wins over inline
            findings[index] = replace(findings[index], waiver=waiver)


def _finding(
    rule: Rule, path: str, pointer: str, span: Span, text: LocalText
) -> Finding:
    return Finding(
        rule=rule.id,
        domain=rule.domain,
        severity=rule.severity,
        status=Status.FAIL,
        message=text,
        location=Location(path, pointer, span),
        kind="waiver",
    )


def _expired(entry: Entry, path: str, matched: int) -> Finding:
    waiver = entry.waiver
    return _finding(
        EXPIRED,
        path,
        entry.pointer,
        entry.span,
        LocalText(
            f"pengecualian {waiver.id} untuk {entry.rule} berakhir {waiver.expires}; "
            f"tidak lagi mengecualikan ({matched} temuan dihitung lagi)",
            f"waiver {waiver.id} for {entry.rule} expired on {waiver.expires}; it no "
            f"longer suppresses anything ({matched} finding(s) count again)",
        ),
    )


def _unused(
    waiver_id: str, rule: str, path: str, written: Entry | Suppression
) -> Finding:
    pointer = written.pointer if isinstance(written, Entry) else written.entry_pointer
    return _finding(
        UNUSED,
        path,
        pointer,
        written.span,
        LocalText(
            f"pengecualian {waiver_id} untuk {rule} tidak cocok dengan kegagalan mana "
            "pun: sudah diperbaiki, atau cakupannya salah",
            f"waiver {waiver_id} for {rule} matches no failure: fixed, or a wrong "
            "scope",
        ),
    )


def _unusable(problem: Problem) -> Finding:
    return _finding(
        UNUSABLE,
        problem.path,
        problem.pointer,
        problem.span,
        LocalText(
            f"x-spbe-waive tidak berlaku: {problem.message.id}",
            f"x-spbe-waive does not hold: {problem.message.en}",
        ),
    )
