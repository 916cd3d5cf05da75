"""Text for people: ``path:line:col: severity RULE message``, then why and how to fix.

Colour is decided by the caller (only on a terminal); the text is otherwise
identical, so tests compare it byte for byte.
"""

from __future__ import annotations

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
    from spbe_lint.reporters import RenderOptions

_COLORS = {Severity.ERROR: "red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}

_WORDS = {
    "id": {
        "basis": "dasar",
        "fix": "perbaikan",
        "no_basis": "format manifest spbe-lint",
        "clean": "Tidak ada masalah.",
        "checked": "{n} manifest diperiksa",
        "scanned": "{n} berkas dipindai untuk rahasia",
        "skipped": "{n} dilewati ({detail})",
        "accepted": "{n} rahasia diterima {baseline}",
        "probed": "{n} endpoint diperiksa probe",
        "failed": "{n} gagal",
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
        "fix": "fix",
        "no_basis": "spbe-lint manifest format",
        "clean": "No problems found.",
        "checked": "{n} manifest(s) checked",
        "scanned": "{n} file(s) scanned for secrets",
        "skipped": "{n} skipped ({detail})",
        "accepted": "{n} secret(s) accepted by {baseline}",
        "probed": "{n} endpoint(s) probed",
        "failed": "{n} failed",
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


def _headline(finding: Finding, report: Report, options: RenderOptions) -> str:
    span = finding.location.span
    path = escape_controls(finding.location.path)  # a file name can hold a line break
    where = place(path, span.line, span.column) if span else path
    if finding.status in (Status.INCONCLUSIVE, Status.MANUAL):
        severity = _style(finding.status.value, options, fg="magenta", bold=True)
    elif finding.waiver is not None:  # not a failure that counts: say so first
        severity = _style(f"waived:{finding.severity.label}", options, dim=True)
    else:
        severity = _style(
            finding.severity.label, options, fg=_COLORS[finding.severity], bold=True
        )
    rule = _style(finding.rule, options, bold=True)
    message = escape_controls(finding.message.get(report.lang))
    return f"{where}: {severity} {rule} {message}"


def render_concise(report: Report, options: RenderOptions) -> str:
    """One line per failure, nothing else: for editors and grep."""
    return "".join(_headline(f, report, options) + "\n" for f in report.failures)


def render(report: Report, options: RenderOptions) -> str:
    words = _WORDS[report.lang]
    rules = {rule.id: rule for rule in report.rules}
    lines: list[str] = []
    for finding in report.failures:
        lines.append(_headline(finding, report, options))
        for line in basis.lines(finding.references, report.lang):
            lines.append(_indent(line, options))
        rule = rules.get(finding.rule)
        if rule is not None:
            lines.append(
                _indent(f"{words['fix']}: {rule.remediation.get(report.lang)}", options)
            )
    for finding in report.waived:  # they stay in the report, marked (issue 6)
        lines.append(_headline(finding, report, options))
        lines.append(_indent(review.waived_line(finding, report.lang), options))
    for finding in _unjudged(report):
        lines.append(_headline(finding, report, options))
    if lines:
        lines.append("")
    lines.extend(_summary(report, words, options))
    warning = signature.warning(report, report.lang)
    if warning:  # a saved report re-rendered: its signature was not shown to hold
        lines.append(_style(warning, options, fg="red", bold=True))
    return "\n".join(lines) + "\n"


def _unjudged(report: Report) -> list[Finding]:
    """Results worth a line that are neither pass nor fail: a rule that met a value
    it could not judge, evidence a person must check. Rules not run on an unreadable
    file, and endpoint rules in a static check, are only counted."""
    return [
        f
        for f in report.findings
        if (f.status is Status.INCONCLUSIVE and f.kind not in COUNTED_ONLY)
        or f.status is Status.MANUAL
    ]


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
    wrapped = textwrap.fill(
        text, width=100, initial_indent="    ", subsequent_indent="      "
    )
    return _style(wrapped, options, dim=True)


def _summary(
    report: Report, words: dict[str, str], options: RenderOptions
) -> list[str]:
    counts = report.counts
    failures = report.failures
    parts = (
        _scanned(report.scan, words)  # spbe-lint scan: files, not manifests
        if report.scan is not None
        else [words["checked"].format(n=len(report.inputs))]
    )
    if report.endpoints:
        probed = words["probed"].format(n=len(report.endpoints))
        parts = [probed] if not report.inputs else [*parts, probed]
    if failures:
        by_severity = Counter(f.severity for f in failures)
        detail = ", ".join(
            f"{by_severity[s]} {words[s.label]}"
            for s in sorted(by_severity, reverse=True)
        )
        parts.append(words["failed"].format(n=len(failures)) + f" ({detail})")
    parts.append(words["passed"].format(n=counts[Status.PASS]))
    if counts[Status.NOT_APPLICABLE]:
        parts.append(words["na"].format(n=counts[Status.NOT_APPLICABLE]))
    awaiting_probe = sum(1 for f in report.findings if f.kind == NEEDS_PROBE)
    inconclusive = counts[Status.INCONCLUSIVE] - awaiting_probe
    if inconclusive:
        parts.append(words["inconclusive"].format(n=inconclusive))
    if counts[Status.MANUAL]:
        parts.append(words["manual"].format(n=counts[Status.MANUAL]))
    if awaiting_probe:
        parts.append(words["probe"].format(n=awaiting_probe))
    lines = []
    clean = not (failures or report.problems or inconclusive)
    if clean and not signature.untrusted(report):  # never "clean" when tampered
        lines.append(_style(words["clean"], options, fg="green", bold=True))
    lines.append(", ".join(parts) + ".")
    if report.problems:
        lines.append(
            _style(
                words["unreadable"].format(n=len(report.problems)), options, fg="red"
            )
        )
    lines.extend(review.summary(report, report.lang))
    if failures:
        lines.append(words["summary"] + ":")
        by_domain: dict[str, Counter[Severity]] = {}
        for finding in failures:
            by_domain.setdefault(finding.domain, Counter())[finding.severity] += 1
        for domain in DOMAINS:
            if domain in by_domain:
                tally = ", ".join(
                    f"{n} {words[s.label]}"
                    for s, n in sorted(by_domain[domain].items(), reverse=True)
                )
                lines.append(f"  {domain:<11} {tally}")
    return lines
