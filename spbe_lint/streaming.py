"""Reports written manifest by manifest, in memory that does not grow with the run.

The one-line formats (``concise``, ``github``) say nothing that depends on the
other manifests: each manifest's lines are its findings' lines. So a run that
asks only for them is written as it goes: each manifest is checked, its
findings rendered by the format's own reporter (a Report of that manifest
alone) and written, then dropped; only counts and unreadable inputs are kept
(10,000 manifests in the memory of one, bench/check_speed.py). Lines come
manifest by manifest (in the order the manifests are found) rather than sorted
across the whole run, as ruff and yamllint write them.

Anything that needs the whole run falls back to the full report
(``eligible``): document formats (text with its summary, JSON, SARIF, JUnit,
Markdown, HTML), a signature, a waiver file or a baseline (they are applied
across manifests and their report says what they did), reviewer mode, and
``spbe-lint probe URL``. Inline ``x-spbe-waive`` suppressions belong to their
manifest and are applied with it.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence

from spbe_lint import __version__, app, review
from spbe_lint.findings import (
    ExitStatus,
    Finding,
    InputProblem,
    Report,
    number_occurrences,
)

STREAMABLE = frozenset({"concise", "github"})

Write = Callable[[Report], None]


def eligible(options: app.RunOptions, formats: Sequence[str], signed: bool) -> bool:
    """Whether the run can be written manifest by manifest (see the module)."""
    return (
        bool(formats)
        and all(fmt in STREAMABLE for fmt in formats)
        and not signed
        and not options.urls
        and not options.reviewer
        and options.baseline_file is None
    )


def check(
    options: app.RunOptions,
    writers: Sequence[Write],
    on_problem: Callable[[InputProblem, str], None],
) -> ExitStatus | None:
    """Check and write as the manifests come: each *writer* is given a Report of
    one manifest at a time, and at the end one of the unreadable inputs alone;
    *on_problem* is told of each unreadable input (with the run's language) as
    it is met. The exit status, or None when a waiver file turned up (the
    caller then runs the whole report instead; nothing was written)."""
    settings = app.resolve(options)
    as_of = options.as_of or app.today()
    plan = app.review_plan(options, settings)
    if plan.waiver_file is not None or plan.baseline is not None or plan.reviewer:
        return None
    problems: list[InputProblem] = []
    failed = False
    probed: list[str] = []
    for outcome, found in app.each_manifest(options, settings, plan, as_of, probed):
        if isinstance(outcome, InputProblem):
            problems.append(outcome)
            on_problem(outcome, settings.lang)
            continue
        findings, rules = _reviewed(plan, found, outcome, settings, as_of)
        report = _report(settings, options, as_of, (outcome,), findings, (), rules)
        failed = failed or any(f.severity >= report.fail_on for f in report.failures)
        for write in writers:
            write(report)
        # Each manifest's inline suppressions are its own: start afresh.
        plan.suppressions.clear()
        plan.problems.clear()
    closing = _report(settings, options, as_of, (), (), tuple(problems), ())
    for write in writers:
        write(closing)
    if problems:
        return ExitStatus.ERROR  # --exit-zero never hides an input error
    if settings.exit_zero or not failed:
        return ExitStatus.OK
    return ExitStatus.FINDINGS


def _reviewed(
    plan: review.Plan,
    found: list[Finding],
    info: app.InputFile,
    settings: app.Settings,
    as_of: datetime.date,
) -> tuple[tuple[Finding, ...], tuple[app.Rule, ...]]:
    reviewed, waiver_rules, _ = review.finish(
        plan,
        number_occurrences(found),
        inputs=(info,),
        unreadable=(),
        rules=settings.rules,
        as_of=as_of,
    )
    return tuple(number_occurrences(reviewed)), waiver_rules


def _report(
    settings: app.Settings,
    options: app.RunOptions,
    as_of: datetime.date,
    inputs: tuple[app.InputFile, ...],
    findings: tuple[Finding, ...],
    problems: tuple[InputProblem, ...],
    waiver_rules: tuple[app.Rule, ...],
) -> Report:
    return Report(
        tool_version=__version__,
        pack=settings.pack.info,
        lang=settings.lang,
        fail_on=settings.fail_on,
        inputs=inputs,
        findings=findings,
        problems=problems,
        rules=settings.rules + waiver_rules,
        exit_zero=settings.exit_zero,
        as_of=as_of,
        documents=options.documents,
    )
