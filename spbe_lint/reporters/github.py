"""GitHub Actions workflow commands: annotations on the pull request's files,
for repositories without code scanning (private ones without Advanced Security).

``::error file=F,line=L,col=C,endLine=..,endColumn=..,title=T::message``, one per
failing finding (waived ones are accepted, so not annotated); ``::notice`` for
results a person must judge. Paths are as spbe-lint printed them, relative to
the working folder: run it from the repository root.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from spbe_lint.findings import COUNTED_ONLY, Finding, Report, Severity, Status
from spbe_lint.reporters import basis, words

if TYPE_CHECKING:
    from spbe_lint.reporters import RenderOptions

_COMMANDS = {
    Severity.ERROR: "error",
    Severity.WARNING: "warning",
    Severity.INFO: "notice",
}


def render(report: Report, options: RenderOptions) -> str:
    lang = report.lang
    w = words.WORDS[lang]
    rules = {rule.id: rule for rule in report.rules}
    lines = []
    for finding in report.findings:
        command = _command(finding)
        if command is None:
            continue
        rule = rules.get(finding.rule)
        title = f"{finding.rule} {rule.title.get(lang)}" if rule else finding.rule
        if finding.status is not Status.FAIL:
            title += f" ({words.status_word(finding.status.value, lang)})"
        message = [finding.message.get(lang), *basis.lines(finding.references, lang)]
        if rule is not None and rule.remediation.get(lang):
            message.append(f"{w['fix']}: {rule.remediation.get(lang)}")
        lines.append(
            f"::{command} {_properties(finding, title)}::{_data(chr(10).join(message))}"
        )
    for problem in report.problems:
        props = [f"file={_property(problem.path)}"]
        if problem.line:
            props.append(f"line={problem.line}")
        if problem.column:
            props.append(f"col={problem.column}")
        props.append(f"title={_property(w['unreadable'])}")
        lines.append(f"::error {','.join(props)}::{_data(problem.message.get(lang))}")
    return "".join(line + "\n" for line in lines)


def annotates(finding: Finding) -> bool:
    """Whether *finding* gets an annotation of its own (streaming holds only these)."""
    return _command(finding) is not None


def _command(finding: Finding) -> str | None:
    if finding.status is Status.FAIL:
        return None if finding.waiver else _COMMANDS[finding.severity]
    if finding.status in (Status.PASS, Status.NOT_APPLICABLE):
        return None
    return None if finding.kind in COUNTED_ONLY else "notice"


def _properties(finding: Finding, title: str) -> str:
    path = finding.location.path
    props = []
    if not path.startswith(("http://", "https://")):  # an endpoint is no file
        props.append(f"file={_property(path)}")
        span = finding.location.span
        if span is not None:
            props += [
                f"line={span.line}",
                f"col={span.column}",
                f"endLine={span.end_line}",
                f"endColumn={span.end_column}",
            ]
    props.append(f"title={_property(title)}")
    return ",".join(props)


def _data(text: str) -> str:
    """Escaping of the message, as the Actions toolkit does (command.ts)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")
