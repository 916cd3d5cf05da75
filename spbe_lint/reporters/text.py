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
    from spbe_lint.reporters import RenderOptions

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


def _headline(finding: Finding, report: Report, options: RenderOptions) -> str:
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
    message = escape_controls(finding.message.get(report.lang))
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
    return "".join(_headline(f, report, one_line) + "\n" for f in report.failures)


def render(report: Report, options: RenderOptions) -> str:
    words = _WORDS[report.lang]
    rules = {rule.id: rule for rule in report.rules}
    options = dataclasses.replace(options, width=max(options.width or 80, 40))
    lines: list[str] = []
    for finding in report.failures:
        lines.append(_headline(finding, report, options))
        for line in basis.lines(finding.references, report.lang, words):
            lines.append(_indent(line, options))
        rule = rules.get(finding.rule)
        if rule is not None:
            lines.append(
                _indent(f"{words['fix']}: {rule.remediation.get(report.lang)}", options)
            )
    for finding in report.waived:  # they stay in the report, marked (issue 6)
        lines.append(_headline(finding, report, options))
        lines.append(_indent(review.waived_line(finding, report.lang), options))
    for finding in _unjudged(report, options.show):
        lines.append(_headline(finding, report, options))
    if lines:
        lines.append("")
    lines.extend(_summary(report, words, options))
    warning = signature.warning(report, report.lang)
    if warning:  # a saved report re-rendered: its signature was not shown to hold
        wrapped = "\n".join(_fill(warning, options.width or 80, "", "  "))
        lines.append(_style(wrapped, options, fg="red", bold=True))
    return "\n".join(lines) + "\n"


def _unjudged(report: Report, show: frozenset[str] = frozenset()) -> list[Finding]:
    """Results worth a line that are neither pass nor fail: a rule that met a value
    it could not judge; and what --show asks for (evidence a person must check,
    rules not applicable, rules passed). Rules not run on an unreadable file, and
    endpoint rules in a static check, are only counted."""
    statuses = {_SHOWN_STATUS[name] for name in show if name in _SHOWN_STATUS}
    return [
        f
        for f in report.findings
        if (f.status is Status.INCONCLUSIVE and f.kind not in COUNTED_ONLY)
        or f.status in statuses
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
    wrapped = _fill(text, options.width or 80, "    ", "      ")
    return _style("\n".join(wrapped), options, dim=True)


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
        parts.append(_failed(failures, words, report.scan is not None))
    awaiting_probe = sum(1 for f in report.findings if f.kind == NEEDS_PROBE)
    inconclusive = counts[Status.INCONCLUSIVE] - awaiting_probe
    shown, hidden = _counted(report, words, options)
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
    for line in review.summary(report, report.lang):  # waivers, baseline
        pad = line[: len(line) - len(line.lstrip())]
        lines += _fill(line.strip(), options.width or 80, pad, pad + "  ")
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


def _failed(failures: tuple[Finding, ...], words: dict[str, str], scan: bool) -> str:
    """ "70 temuan gagal dari 53 aturan (...)": tables (scores, JUnit) count
    rules once per manifest, the listing counts findings; say both."""
    by_severity = Counter(f.severity for f in failures)
    detail = ", ".join(
        f"{by_severity[s]} {words[s.label]}" for s in sorted(by_severity, reverse=True)
    )
    pairs = {(f.location.path, f.rule) for f in failures}
    if scan or len(pairs) == len(failures):  # scan: findings in files, no rules
        failed = words["failed"].format(n=len(failures))
    else:
        failed = words["failed_rules"].format(n=len(failures), rules=len(pairs))
        if len({path for path, _ in pairs}) > 1:
            failed += words["per_manifest"]
    return f"{failed} ({detail})"


def _counted(
    report: Report, words: dict[str, str], options: RenderOptions
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """Passed, not applicable and manual counts: in the summary when listed
    (--show) or zero, else on the line that says how to list them."""
    counts = report.counts
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
