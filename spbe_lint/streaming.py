"""Reports written as the run goes, in memory that does not grow with the run.

The one-line formats (``concise``, ``github``) give each finding a line of its
own, in the report's order (by place: file, line, column, rule). So a run that
asks only for them is written as it goes: each manifest is checked, each of its
findings rendered by the format's own reporter (a Report of that finding
alone), and the lines are held only until no manifest still to come can place a
finding before them. A manifest's findings are in its own folder (its evidence
is confined there), so with manifests in separate folders, as an audit's or a
province's are, a manifest's lines leave as soon as the next one starts: 10,000
manifests in the memory of one (bench/check_speed.py). The output is the same,
byte for byte, as the whole report's.

Anything that needs the whole run falls back to the full report
(``eligible``): document formats (text with its summary, JSON, SARIF, JUnit,
Markdown, HTML), a signature, a waiver file or a baseline (applied across
manifests; their report says what they did), reviewer mode, and the probe
(its findings are placed at URLs). Inline ``x-spbe-waive`` suppressions belong
to their manifest and are applied with it.
"""

from __future__ import annotations

import datetime
import heapq
import posixpath
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

from spbe_lint import __version__, app, review
from spbe_lint.findings import (
    ExitStatus,
    Finding,
    InputProblem,
    Report,
    Status,
    number_occurrences,
)

STREAMABLE = frozenset({"concise", "github"})

Write = Callable[[Report], None]


def eligible(options: app.RunOptions, formats: Sequence[str], signed: bool) -> bool:
    """Whether the run can be written as it goes (see the module)."""
    return (
        bool(formats)
        and all(fmt in STREAMABLE for fmt in formats)
        and not signed
        and not options.urls
        and options.probe is None
        and not options.reviewer
        and options.baseline_file is None
    )


def check(
    options: app.RunOptions,
    writers: Sequence[Write],
    on_problem: Callable[[InputProblem, str], None],
) -> ExitStatus | None:
    """Check and write as the manifests come: each *writer* is given Reports of
    one finding each, in the whole report's order, and at the end one of the
    unreadable inputs alone; *on_problem* is told of each unreadable input (with
    the run's language) as it is met. The exit status, or None when a waiver
    file turned up (the caller then makes the whole report; nothing was
    written)."""
    settings = app.resolve(options)
    as_of = options.as_of or app.today()
    plan = app.review_plan(options, settings)
    if plan.waiver_file is not None or plan.baseline is not None or plan.reviewer:
        return None
    problems: list[InputProblem] = []
    failed = False
    displays: list[str] = []
    held = _Held(writers)
    bounds: _Bounds | None = None
    manifests = app.each_manifest(options, settings, plan, as_of, [], displays)
    for outcome, found in manifests:
        bounds = bounds or _Bounds(displays)
        if isinstance(outcome, InputProblem):
            problems.append(outcome)
            on_problem(outcome, settings.lang)
        else:
            findings, rules = _reviewed(plan, found, outcome, settings, as_of)
            report = _report(settings, options, as_of, (outcome,), (), (), rules)
            failed = failed or any(
                f.severity >= report.fail_on
                for f in findings
                if f.status is Status.FAIL and f.waiver is None
            )
            held.add(report, findings)
            # Each manifest's inline suppressions are its own: start afresh.
            plan.suppressions.clear()
            plan.problems.clear()
        held.release(bounds.after_(outcome.path))
    held.release(None)
    closing = _report(settings, options, as_of, (), (), tuple(problems), ())
    for write in writers:
        write(closing)
    if problems:
        return ExitStatus.ERROR  # --exit-zero never hides an input error
    if settings.exit_zero or not failed:
        return ExitStatus.OK
    return ExitStatus.FINDINGS


class _Held:
    """Rendered lines waiting for their turn: a heap by the report's order."""

    def __init__(self, writers: Sequence[Write]) -> None:
        self.writers = writers
        self.heap: list[tuple[tuple[Any, ...], int, Report]] = []
        self.count = 0

    def add(self, report: Report, findings: Sequence[Finding]) -> None:
        for finding in findings:
            if finding.status in (Status.PASS, Status.NOT_APPLICABLE):
                continue  # no line in either format: not even held
            self.count += 1
            one = replace(report, findings=(finding,))
            heapq.heappush(self.heap, (finding.sort_key(), self.count, one))

    def release(self, bound: str | None) -> None:
        """Write every line placed before *bound* (None: all of them)."""
        while self.heap and (bound is None or self.heap[0][0][0] < bound):
            _, _, one = heapq.heappop(self.heap)
            for write in self.writers:
                write(one)


class _Bounds:
    """The smallest place a manifest still to come can put a finding: the
    folder of the earliest of them (its findings are inside it)."""

    def __init__(self, displays: Sequence[str]) -> None:
        self.index: dict[str, int] = {}
        for i, display in enumerate(displays):  # named twice: the first holds longer
            self.index.setdefault(display, i)
        self.after: list[str | None] = [None] * (len(displays) + 1)
        for i in range(len(displays) - 1, -1, -1):  # the least folder from i on
            later = self.after[i + 1]
            folder = _folder(displays[i])
            self.after[i] = folder if later is None else min(folder, later)

    def after_(self, done: str) -> str | None:
        index = self.index.get(done)
        if index is None:  # a folder that could not be searched: not a manifest
            return self.after[0] if self.index else None
        return self.after[index + 1]


def _folder(display: str) -> str:
    folder = posixpath.dirname(display)
    return f"{folder}/" if folder else ""


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
