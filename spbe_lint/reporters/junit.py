"""JUnit XML (the junit-10.xsd dialect Jenkins, GitLab and CircleCI read).

One ``<testsuite>`` per manifest or endpoint, one ``<testcase>`` per rule
evaluated there, named ``RULE-ID: title`` so CI systems can follow a rule's
history. A failure carries every failing place with its citation and fix;
not-applicable, waived, inconclusive and manual results are ``<skipped>`` with
the reason. A file that could not be read is a suite with one ``<error>``.
"""

from __future__ import annotations

import itertools
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from spbe_lint.findings import (
    Finding,
    InputFile,
    InputProblem,
    Report,
    Status,
    place,
)
from spbe_lint.i18n import escape_controls
from spbe_lint.reporters import basis, words

if TYPE_CHECKING:
    from spbe_lint.reporters import RenderOptions
    from spbe_lint.rule import Rule


def render(report: Report, options: RenderOptions) -> str:
    return "".join(chunks(report, options))


_HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n'


def chunks(report: Report, options: RenderOptions) -> Iterator[str]:
    """``render``'s text in pieces, one test suite (manifest) at a time: the
    totals on the root are counted first, then each suite is made, indented
    as ``ET.indent`` would indent it in the whole tree, and let go."""
    targets = _by_target(report)
    if not targets and not report.problems:  # an empty root: <testsuites ... />
        root = ET.Element("testsuites", name="spbe-lint")
        for key in ("tests", "failures", "errors"):
            root.set(key, "0")
        yield _HEAD + ET.tostring(root, encoding="unicode") + "\n"
        return
    tests = failures = 0
    for _, findings in targets:
        ran, failed = _outcomes(list(findings))
        tests, failures = tests + ran, failures + failed
    errors = len(report.problems)  # one test each, in error
    yield (
        f'{_HEAD}<testsuites name="spbe-lint" tests="{tests + errors}" '
        f'failures="{failures}" errors="{errors}">'
    )
    rules = {rule.id: rule for rule in report.rules}
    declared: dict[str, list[InputFile]] = {}  # what each suite's properties say
    for item in report.inputs:
        declared.setdefault(item.path, []).append(
            InputFile(item.path, item.sha256, item.size, item.identity)
        )
    suites = (
        _suite(report, path, list(findings), rules, declared.get(path, ()))
        for path, findings in targets
    )
    unreadable = (_unreadable(report, problem) for problem in report.problems)
    for suite in itertools.chain(suites, unreadable):
        ET.indent(suite, level=1)
        yield "\n  " + ET.tostring(suite, encoding="unicode")
    yield "\n</testsuites>\n"


def _outcomes(findings: list[Finding]) -> tuple[int, int]:
    """A suite's tests (its rules) and failures (rules with a failure that
    counts), as ``_suite`` and ``_case`` count them."""
    rules = {f.rule for f in findings}
    failed = {f.rule for f in findings if f.status is Status.FAIL and f.waiver is None}
    return len(rules), len(failed)


def _by_target(report: Report) -> list[tuple[str, Iterable[Finding]]]:
    """Manifests in the order they were read, then endpoints (sorted)."""
    groups: dict[str, Iterable[Finding]]
    if isinstance(report.findings, tuple):
        listed: dict[str, list[Finding]] = {i.path: [] for i in report.inputs}
        for finding in report.findings:
            listed.setdefault(finding.location.path, []).append(finding)
        groups = dict(listed)
    else:  # spooled: each path's findings spooled apart, read back per suite
        from spbe_lint import spool

        groups = {i.path: () for i in report.inputs}
        groups.update(spool.by_path(report.findings))
    inputs = [i.path for i in report.inputs]
    read = set(inputs)
    others = sorted(p for p in groups if p not in read)
    return [(p, groups[p]) for p in inputs + others]


def _suite(
    report: Report,
    path: str,
    findings: list[Finding],
    rules: dict[str, Rule],
    declared: Iterable[InputFile] | None = None,
) -> ET.Element:
    """*declared*: the inputs read at *path* (default: looked up)."""
    if declared is None:
        declared = [item for item in report.inputs if item.path == path]
    suite = ET.Element("testsuite", name=_clean(path))
    by_rule: dict[str, list[Finding]] = {}
    for finding in findings:
        by_rule.setdefault(finding.rule, []).append(finding)
    counts = {"tests": 0, "failures": 0, "skipped": 0}
    cases = []
    for rule_id in sorted(by_rule):
        case, outcome = _case(report, rule_id, by_rule[rule_id], rules.get(rule_id))
        counts["tests"] += 1
        if outcome in counts:
            counts[outcome] += 1
        cases.append(case)
    suite.set("tests", str(counts["tests"]))
    suite.set("failures", str(counts["failures"]))
    suite.set("errors", "0")
    suite.set("skipped", str(counts["skipped"]))
    if report.generated_at:
        suite.set("timestamp", report.generated_at)
    suite.set("file", _clean(path))
    properties = ET.SubElement(suite, "properties")
    for name, value in _properties(report, declared):
        ET.SubElement(properties, "property", name=name, value=_clean(value))
    suite.extend(cases)
    return suite


def _properties(
    report: Report, declared: Iterable[InputFile]
) -> Iterable[tuple[str, str]]:
    yield "rule_pack", f"{report.pack.name} {report.pack.version}"
    for item in declared:  # the inputs read at the suite's path
        yield "sha256", item.sha256
        yield from item.identity


def _case(
    report: Report, rule_id: str, findings: list[Finding], rule: Rule | None
) -> tuple[ET.Element, str]:
    lang = report.lang
    w = words.WORDS[lang]
    title = rule.title.get(lang) if rule else findings[0].message.get(lang)
    case = ET.Element(
        "testcase",
        name=_clean(f"{rule_id}: {title}"),
        classname=f"spbe.{findings[0].domain}",
    )
    failed = [f for f in findings if f.status is Status.FAIL and f.waiver is None]
    if failed:
        first = failed[0]
        element = ET.SubElement(
            case,
            "failure",
            type=first.severity.label,
            message=_clean(first.message.get(lang)),
        )
        element.text = "\n".join(_explain(f, rule, lang) for f in failed) + "\n"
        return case, "failures"
    waived = [f.waiver for f in findings if f.status is Status.FAIL and f.waiver]
    if waived and (waiver := waived[0]):
        detail = f"{w['waived']} ({waiver.id}): {waiver.reason}"
        if waiver.expires:
            detail += f"; {w['expires']} {waiver.expires}"
        ET.SubElement(case, "skipped", type="waived", message=_clean(detail))
        return case, "skipped"
    for status in (Status.INCONCLUSIVE, Status.MANUAL, Status.NOT_APPLICABLE):
        matching = [f for f in findings if f.status is status]
        if matching:
            reason = f"{words.status_word(status.value, lang)}: " + matching[
                0
            ].message.get(lang)
            ET.SubElement(case, "skipped", type=status.value, message=_clean(reason))
            return case, "skipped"
    others = [f for f in findings if f.status is not Status.PASS]
    if others:  # a status added after this reporter: shown, never passed silently
        reason = f"{others[0].status.value}: {others[0].message.get(lang)}"
        ET.SubElement(
            case, "skipped", type=others[0].status.value, message=_clean(reason)
        )
        return case, "skipped"
    return case, "passed"


def _explain(finding: Finding, rule: Rule | None, lang: str) -> str:
    w = words.WORDS[lang]
    span = finding.location.span
    where = place(finding.location.path, *((span.line, span.column) if span else ()))
    pointer = f" ({finding.location.pointer})" if finding.location.pointer else ""
    lines = [
        f"{where}{pointer}: {finding.message.get(lang)}",
        *(f"  {line}" for line in basis.lines(finding.references, lang)),
    ]
    if rule is not None and rule.remediation.get(lang):
        lines.append(f"  {w['fix']}: {rule.remediation.get(lang)}")
    return _clean("\n".join(lines))


def _unreadable(report: Report, problem: InputProblem) -> ET.Element:
    lang = report.lang
    suite = ET.Element(
        "testsuite", name=_clean(problem.path), tests="1", failures="0", errors="1"
    )
    suite.set("skipped", "0")
    suite.set("file", _clean(problem.path))
    case = ET.SubElement(suite, "testcase", name="read", classname="spbe.manifest")
    where = place(problem.path, problem.line, problem.column)
    error = ET.SubElement(
        case, "error", type="input", message=_clean(problem.message.get(lang))
    )
    error.text = _clean(f"{where}: {problem.message.get(lang)}")
    return suite


def _clean(text: str) -> str:
    """XML 1.0 cannot hold most control characters; a manifest value can."""
    return "\n".join(escape_controls(line) for line in text.split("\n"))
