"""``spbe-lint scan [FILES]``: committed secrets in a repository, without a manifest.

The pre-commit hook's path: pre-commit passes the files being committed, and
only those are read (fast on every commit). Without files, the repository's
files are scanned: the tracked ones in a git repository, never the untracked or
ignored ones. The findings are SEC-012's, as ``check`` reports them (same rule,
texts, severity after configuration, fingerprints), so waivers and baselines
apply to them alike.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path

from spbe_lint import app
from spbe_lint.evidence import files as evidence_files
from spbe_lint.evidence import secrets, secrets_baseline
from spbe_lint.findings import (
    Finding,
    InputProblem,
    Location,
    Report,
    ScanSummary,
    Status,
    Violation,
)
from spbe_lint.i18n import LocalText, escape_controls
from spbe_lint.rule import Rule

RULE = "SEC-012"


@dataclass(frozen=True)
class ScanOptions:
    """A scan: the run's settings (language, configuration, waivers, baseline,
    reviewer mode, --fail-on...) and the files to read."""

    run: app.RunOptions
    files: tuple[str, ...] = ()  # () = the repository's files


def scan(options: ScanOptions) -> Report:
    settings = app.resolve(options.run)
    plan = app.review_plan(options.run, settings)
    as_of = options.run.as_of or app.today()
    root = options.run.cwd
    rule = next((r for r in settings.rules if r.id == RULE), None)
    paths, problems = _targets(root, options.files)
    findings: list[Finding] = []
    summary = None
    if rule is not None:
        baseline = None if options.run.reviewer else secrets_baseline.find(root)
        result = secrets.scan(
            root, paths, baseline=baseline, allowlist=not options.run.reviewer
        )
        found = [_finding(rule, v) for v in secrets.violations(result, _display)]
        findings = found or [_passed(rule)]
        summary = ScanSummary(
            files=result.scanned,
            skipped=tuple(sorted(result.skipped_by_reason().items())),
            accepted=result.accepted,
            baseline=baseline.path if baseline and baseline.problem is None else None,
        )
    report = app.assemble(settings, options.run, plan, as_of, (), findings, problems)
    return replace(report, scan=summary)


def _display(path: str) -> str:
    return path


def _targets(
    root: Path, given: tuple[str, ...]
) -> tuple[list[str], list[InputProblem]]:
    """The files to scan, relative to *root*, and the named ones that cannot be
    (outside the folder, missing). A folder named stands for its files."""
    if not given:
        listing = evidence_files.list_files(root)
        if listing.problem is not None:
            return [], [InputProblem(".", listing.problem)]
        return list(listing.paths), []
    paths: list[str] = []
    problems: list[InputProblem] = []
    listing: evidence_files.Listing | None = None
    top = root.absolute()
    base = top.resolve()
    for name in given:
        absolute = Path(os.path.normpath(top / name))
        shown = escape_controls(evidence_files.printable(name))
        if not absolute.is_relative_to(
            top
        ) or not absolute.parent.resolve().is_relative_to(base):
            problems.append(InputProblem(shown, _OUTSIDE))
            continue
        relative = absolute.relative_to(top).as_posix()
        if absolute.is_dir() and not absolute.is_symlink():
            listing = listing or evidence_files.list_files(root)
            prefix = "" if relative == "." else relative + "/"
            paths.extend(p for p in listing.paths if p.startswith(prefix))
        elif not absolute.is_symlink() and not absolute.exists():
            problems.append(InputProblem(shown, _MISSING))
        else:
            paths.append(relative)
    return sorted(set(paths)), problems


_OUTSIDE = LocalText(
    "berkas di luar folder yang dipindai; jalankan spbe-lint scan dari akar repositori",
    "the file is outside the folder scanned; run spbe-lint scan from the repository root",
)
_MISSING = LocalText("berkas tidak ada", "no such file")


def _finding(rule: Rule, violation: Violation) -> Finding:
    """SEC-012's finding for a violation located in a scanned file, as the engine
    makes it for ``check`` (rule texts, severity, references)."""
    params = {
        key: escape_controls(value) if isinstance(value, str) else value
        for key, value in violation.params.items()
    }
    template = rule.messages.get(violation.kind, rule.message)
    assert violation.location is not None  # the scan locates every violation
    return Finding(
        rule=rule.id,
        domain=rule.domain,
        severity=rule.severity,
        status=Status.FAIL,
        message=template.format(params),
        location=violation.location,
        references=rule.references,
        kind=violation.kind,
    )


def _passed(rule: Rule) -> Finding:
    return Finding(
        rule=rule.id,
        domain=rule.domain,
        severity=rule.severity,
        status=Status.PASS,
        message=rule.title,
        location=Location("."),
        references=rule.references,
    )
