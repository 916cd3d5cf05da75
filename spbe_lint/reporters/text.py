"""Text for people: ``path:line:col: severity RULE message``, then why and how to fix.

Colour is decided by the caller (only on a terminal); the text is otherwise
identical, so tests compare it byte for byte.
"""

from __future__ import annotations

import dataclasses
import textwrap
from collections import Counter
from typing import TYPE_CHECKING

from spbe_lint.findings import (
    COUNTED_ONLY,
    DOMAINS,
    NEEDS_PROBE,
    Finding,
    Report,
    ScanSummary,
    Severity,
    Status,
    place,
)
from spbe_lint.i18n import escape_controls
from spbe_lint.reporters import basis, review, signature

if TYPE_CHECKING:
    from collections.abc import Mapping

    from spbe_lint.reporters import RenderOptions
    from spbe_lint.rule import Rule

_COLORS = {Severity.ERROR: "red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}

_WORDS = {
    "id": {
        "basis": "dasar hukum",
        "practice": "rujukan praktik",
        "fix": "perbaikan",
        "no_basis": "format manifest spbe-lint",
        "clean": "Tidak ada masalah.",
        "checked": "{n} manifest diperiksa",
        "scanned": "{n} berkas dipindai untuk rahasia",
        "skipped": "{n} dilewati ({detail})",
        "accepted": "{n} rahasia diterima {baseline}",
        "probed": "{n} endpoint diperiksa probe",
        "failed": "{n} gagal",
        "failed_rules": "{n} temuan gagal dari {rules} aturan",
        "per_manifest": " (dihitung per manifest)",
        "hidden": "Tidak dicantumkan di atas: {counts} (tampilkan dengan --show {show}).",
        "passed": "{n} lulus",
        "na": "{n} tidak berlaku",
        "inconclusive": "{n} tidak dapat dinilai",
        "manual": "{n} perlu diperiksa manual",
        "probe": "{n} aturan endpoint menunggu spbe-lint probe",
        "unreadable": "{n} berkas tidak dapat diperiksa (lihat pesan di atas)",
        "summary": "Ringkasan per domain",
        "error": "kesalahan",
        "warning": "peringatan",
        "info": "info",
    },
    "en": {
        "basis": "basis",
        "practice": "practice elsewhere",
        "fix": "fix",
        "no_basis": "spbe-lint manifest format",
        "clean": "No problems found.",
        "checked": "{n} manifest(s) checked",
        "scanned": "{n} file(s) scanned for secrets",
        "skipped": "{n} skipped ({detail})",
        "accepted": "{n} secret(s) accepted by {baseline}",
        "probed": "{n} endpoint(s) probed",
        "failed": "{n} failed",
        "failed_rules": "{n} failed findings from {rules} rule(s)",
        "per_manifest": " (counted per manifest)",
        "hidden": "Not listed above: {counts} (list them with --show {show}).",
        "passed": "{n} passed",
        "na": "{n} not applicable",
        "inconclusive": "{n} inconclusive",
        "manual": "{n} to check by hand",
        "probe": "{n} endpoint rules await spbe-lint probe",
        "unreadable": "{n} file(s) could not be checked (see the messages above)",
        "summary": "Summary by domain",
        "error": "error(s)",
        "warning": "warning(s)",
        "info": "info",
    },
}


def _style(text: str, options: RenderOptions, **style: object) -> str:
    if not options.color:
        return text
    import click

    return click.style(text, **style)  # type: ignore[arg-type]


def _headline(finding: Finding, lang: str, options: RenderOptions) -> str:
    span = finding.location.span
    path = escape_controls(finding.location.path)  # a file name can hold a line break
    where = place(path, span.line, span.column) if span else path
    if finding.status in (Status.INCONCLUSIVE, Status.MANUAL):
        label, style = finding.status.value, {"fg": "magenta", "bold": True}
    elif finding.status in (Status.PASS, Status.NOT_APPLICABLE):
        label, style = _LISTED[finding.status], {"dim": True}
    elif finding.waiver is not None:  # not a failure that counts: say so first
        label, style = f"waived:{finding.severity.label}", {"dim": True}
    else:
        label = finding.severity.label
        style = {"fg": _COLORS[finding.severity], "bold": True}
    message = escape_controls(finding.message.get(lang))
    if options.width is None:  # concise: one line, whatever its length
        severity = _style(label, options, **style)
        rule = _style(finding.rule, options, bold=True)
        return f"{where}: {severity} {rule} {message}"
    lines = _fill(f"{where}: {label} {finding.rule} {message}", options.width, "", "  ")
    head = f"{where}: {label} {finding.rule}"
    if options.color and lines[0].startswith(head):  # colour what stays on line one
        styled = f"{where}: {_style(label, options, **style)} "
        styled += _style(finding.rule, options, bold=True)
        lines[0] = styled + lines[0][len(head) :]
    return "\n".join(lines)


_LISTED = {Status.PASS: "pass", Status.NOT_APPLICABLE: "not_applicable"}

# What --show can add to the default listing (failures, waived, inconclusive).
SHOWABLE = ("manual", "na", "passed")
_SHOWN_STATUS = {
    "manual": Status.MANUAL,
    "na": Status.NOT_APPLICABLE,
    "passed": Status.PASS,
}


def _fill(text: str, width: int, first: str, rest: str) -> list[str]:
    """*text* wrapped to *width*; a path or URL longer than a line stays whole
    rather than broken inside a word or at its hyphens."""
    return textwrap.wrap(
        text,
        width=width,
        initial_indent=first,
        subsequent_indent=rest,
        break_long_words=False,
        break_on_hyphens=False,
    ) or [first.rstrip()]


def render_concise(report: Report, options: RenderOptions) -> str:
    """One line per failure, nothing else: for editors and grep."""
    one_line = dataclasses.replace(options, width=None)
    return "".join(_headline(f, report.lang, one_line) + "\n" for f in report.failures)


def render(report: Report, options: RenderOptions) -> str:
    """The whole report: failures with their basis and fix, waived failures,
    results worth a line, then the summary. spbe_lint.streaming.Text writes the same
    bytes from the same pieces as a run goes (``block``, ``Tally``, ``closing``)."""
    options = wrapping(options)
    rules = {rule.id: rule for rule in report.rules}
    lines: list[str] = []
    for listed in (report.failures, report.waived, _unjudged(report, options.show)):
        lines += (block(finding, report.lang, rules, options) for finding in listed)
    if lines:
        lines.append("")
    tally = Tally(manifests=len(report.inputs))
    for finding in report.findings:
        tally.add(finding)
    lines.extend(closing(report, tally, options))
    return "\n".join(lines) + "\n"


def wrapping(options: RenderOptions) -> RenderOptions:
    """*options* as the text report wraps: 80 columns when unknown, never under 40."""
    return dataclasses.replace(options, width=max(options.width or 80, 40))


# The text report's three listings, in this order, each in the report's order.
FAILED, WAIVED, UNJUDGED = 0, 1, 2


def section(finding: Finding, show: frozenset[str] = frozenset()) -> int | None:
    """Which listing *finding* has lines in (FAILED, WAIVED, UNJUDGED), or None
    when it is only counted (see ``_unjudged``)."""
    status = finding.status
    if status is Status.FAIL:
        return FAILED if finding.waiver is None else WAIVED
    if status is Status.INCONCLUSIVE:
        return None if finding.kind in COUNTED_ONLY else UNJUDGED
    for name in show:
        if _SHOWN_STATUS.get(name) is status:
            return UNJUDGED
    return None


def block(
    finding: Finding,
    lang: str,
    rules: Mapping[str, Rule],
    options: RenderOptions,
) -> str:
    """The lines of one listed finding (no final line break), *options* as
    ``wrapping`` gives them: a failure with its basis and fix, a waived
    failure with its waiver, anything else its headline alone."""
    lines = [_headline(finding, lang, options)]
    if finding.status is Status.FAIL and finding.waiver is None:
        words = _WORDS[lang]
        for line in basis.lines(finding.references, lang, words):
            lines.append(_indent(line, options))
        rule = rules.get(finding.rule)
        if rule is not None:
            lines.append(
                _indent(f"{words['fix']}: {rule.remediation.get(lang)}", options)
            )
    elif finding.status is Status.FAIL:
        lines.append(_indent(review.waived_line(finding, lang), options))
    return "\n".join(lines)


def closing(report: Report, tally: Tally, options: RenderOptions) -> list[str]:
    """The summary lines and, for a saved report re-rendered, what is known of
    its signature: from *tally*, not from the report's findings (a streamed run
    keeps none); the rest (unreadable inputs, scan, review) from *report*."""
    lines = _summary(report, tally, _WORDS[report.lang], options)
    warning = signature.warning(report, report.lang)
    if warning:  # a saved report re-rendered: its signature was not shown to hold
        wrapped = "\n".join(_fill(warning, options.width or 80, "", "  "))
        lines.append(_style(wrapped, options, fg="red", bold=True))
    return lines


class Tally:
    """What the summary counts, added finding by finding (any order) so that a
    run written as it goes needs no finding kept. Failures are counted per
    finding and per (file, rule) pair: a pair whose file sorts before
    ``settle``'s bound can no longer be met again and is counted and let go."""

    def __init__(self, manifests: int = 0) -> None:
        self.manifests = manifests
        self.statuses: Counter[str] = Counter()
        self.awaiting_probe = 0
        self.failures = 0
        self.waived = 0
        self.severities: Counter[Severity] = Counter()
        self.domains: dict[str, Counter[Severity]] = {}
        self.pairs = 0  # settled (file, rule) pairs of failures
        self.open: set[tuple[str, str]] = set()
        self.first_path: str | None = None
        self.several_paths = False
        # The review's waivers by state (applied, expired...) and whether a
        # review took place at all (report.review is not None).
        self.reviewed = False
        self.states: Counter[str] = Counter()

    def add(self, finding: Finding) -> None:
        self.statuses[finding.status.value] += 1
        if finding.kind == NEEDS_PROBE:
            self.awaiting_probe += 1
        if finding.status is not Status.FAIL:
            return
        if finding.waiver is not None:
            self.waived += 1
            return
        self.failures += 1
        self.severities[finding.severity] += 1
        self.domains.setdefault(finding.domain, Counter())[finding.severity] += 1
        path = finding.location.path
        self.open.add((path, finding.rule))
        if self.first_path is None:
            self.first_path = path
        elif path != self.first_path:
            self.several_paths = True

    def add_counted(self, status: str, kind: str, count: int) -> None:
        """*count* findings of *status* (not a failure) and *kind*, as ``add``
        counts them one by one (spbe_lint.workers sends them counted)."""
        if status == Status.FAIL.value:
            raise ValueError("a failure is counted with its file and rule: add it")
        self.statuses[status] += count
        if kind == NEEDS_PROBE:
            self.awaiting_probe += count

    def settle(self, bound: str | None) -> None:
        """Count and let go the pairs of files before *bound* (None: all)."""
        if bound is None:
            self.pairs += len(self.open)
            self.open.clear()
            return
        done = {pair for pair in self.open if pair[0] < bound}
        self.pairs += len(done)
        self.open -= done

    @property
    def rule_pairs(self) -> int:
        return self.pairs + len(self.open)


def _unjudged(report: Report, show: frozenset[str] = frozenset()) -> list[Finding]:
    """Results worth a line that are neither pass nor fail: a rule that met a value
    it could not judge; and what --show asks for (evidence a person must check,
    rules not applicable, rules passed). Rules not run on an unreadable file, and
    endpoint rules in a static check, are only counted."""
    return [f for f in report.findings if section(f, show) == UNJUDGED]


def _scanned(scan: ScanSummary, words: dict[str, str]) -> list[str]:
    parts = [words["scanned"].format(n=scan.files)]
    if scan.skipped:
        detail = ", ".join(f"{n} {reason}" for reason, n in scan.skipped)
        total = sum(n for _, n in scan.skipped)
        parts.append(words["skipped"].format(n=total, detail=detail))
    if scan.accepted:
        parts.append(
            words["accepted"].format(n=scan.accepted, baseline=scan.baseline or "")
        )
    return parts


def _indent(text: str, options: RenderOptions) -> str:
    wrapped = _fill(text, options.width or 80, "    ", "      ")
    return _style("\n".join(wrapped), options, dim=True)


def _summary(
    report: Report, tally: Tally, words: dict[str, str], options: RenderOptions
) -> list[str]:
    counts = tally.statuses
    failures = tally.failures
    parts = (
        _scanned(report.scan, words)  # spbe-lint scan: files, not manifests
        if report.scan is not None
        else [words["checked"].format(n=tally.manifests)]
    )
    if report.endpoints:
        probed = words["probed"].format(n=len(report.endpoints))
        parts = [probed] if not tally.manifests else [*parts, probed]
    if failures:
        parts.append(_failed(tally, words, report.scan is not None))
    awaiting_probe = tally.awaiting_probe
    inconclusive = counts[Status.INCONCLUSIVE] - awaiting_probe
    shown, hidden = _counted(report, counts, words, options)
    parts += [text for name, text in shown if name != "manual"]
    if inconclusive:
        parts.append(words["inconclusive"].format(n=inconclusive))
    parts += [text for name, text in shown if name == "manual"]
    if awaiting_probe:
        parts.append(words["probe"].format(n=awaiting_probe))
    lines = []
    clean = not (failures or report.problems or inconclusive)
    if clean and not signature.untrusted(report):  # never "clean" when tampered
        lines.append(_style(words["clean"], options, fg="green", bold=True))
    lines += _fill(", ".join(parts) + ".", options.width or 80, "", "")
    if hidden:
        line = words["hidden"].format(
            counts=", ".join(text for _, text in hidden),
            show=",".join(name for name, _ in hidden),
        )
        lines += _fill(line, options.width or 80, "", "")
    if report.problems:
        lines.append(
            _style(
                words["unreadable"].format(n=len(report.problems)), options, fg="red"
            )
        )
    said = review.lines(tally.waived, report.review, report.lang, tally.states)
    for line in said:  # waivers, baseline
        pad = line[: len(line) - len(line.lstrip())]
        lines += _fill(line.strip(), options.width or 80, pad, pad + "  ")
    if failures:
        lines.append(words["summary"] + ":")
        for domain in DOMAINS:
            if domain in tally.domains:
                tallied = ", ".join(
                    f"{n} {words[s.label]}"
                    for s, n in sorted(tally.domains[domain].items(), reverse=True)
                )
                lines.append(f"  {domain:<11} {tallied}")
    return lines


def _failed(tally: Tally, words: dict[str, str], scan: bool) -> str:
    """ "70 temuan gagal dari 53 aturan (...)": tables (scores, JUnit) count
    rules once per manifest, the listing counts findings; say both."""
    by_severity = tally.severities
    detail = ", ".join(
        f"{by_severity[s]} {words[s.label]}" for s in sorted(by_severity, reverse=True)
    )
    failures, pairs = tally.failures, tally.rule_pairs
    if scan or pairs == failures:  # scan: findings in files, no rules
        failed = words["failed"].format(n=failures)
    else:
        failed = words["failed_rules"].format(n=failures, rules=pairs)
        if tally.several_paths:
            failed += words["per_manifest"]
    return f"{failed} ({detail})"


def _counted(
    report: Report, counts: Counter[str], words: dict[str, str], options: RenderOptions
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """Passed, not applicable and manual counts: in the summary when listed
    (--show) or zero, else on the line that says how to list them."""
    shown: list[tuple[str, str]] = []
    hidden: list[tuple[str, str]] = []
    for name, key, status in (
        ("passed", "passed", Status.PASS),
        ("na", "na", Status.NOT_APPLICABLE),
        ("manual", "manual", Status.MANUAL),
    ):
        n = counts[status]
        if not n and name != "passed":
            continue
        text = words[key].format(n=n)
        # spbe-lint scan lists nothing but failures: its counts stay on one line
        if name in options.show or not n or report.scan is not None:
            shown.append((name, text))
        else:
            hidden.append((name, text))
    return shown, hidden
