"""Reports written as the run goes, in memory that does not grow with the run.

The one-line formats (``concise``, ``github``) give each finding a line of its
own, in the report's order (by place: file, line, column, rule); ``text``
lists findings in that order too (failures, then waived failures, then the
rest it lists: ``Text`` below), with a summary counted as the run goes. So a
run that asks only for them is written as it goes: each manifest is checked,
each of its findings rendered by the format's own reporter (a Report of that
finding alone), and the findings are held only until no manifest still to
come can place a finding before them. A manifest's findings are in its own
folder (its evidence is confined there), so with manifests in separate
folders, as an audit's or a province's are, a manifest's lines leave as soon
as the next one starts: 10,000 manifests in the memory of one
(bench/check_speed.py). The output is the same, byte for byte, as the whole
report's.

Anything that needs the whole run falls back to the full report
(``eligible``): document formats (JSON, SARIF, JUnit, Markdown, HTML), a
signature, a waiver file or a baseline (applied across manifests; their
report says what they did), reviewer mode, and the probe (its findings are
placed at URLs). Inline ``x-spbe-waive`` suppressions belong to their
manifest and are applied with it.
"""

from __future__ import annotations

import datetime
import heapq
import posixpath
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from spbe_lint import __version__, app
from spbe_lint.findings import (
    ExitStatus,
    Finding,
    InputProblem,
    Report,
    Review,
    Status,
)
from spbe_lint.listing import LISTS

if TYPE_CHECKING:  # a type alone: no class built on the hook path
    from typing import IO, Protocol

    from spbe_lint.listing import Kind
    from spbe_lint.reporters import Render, RenderOptions
    from spbe_lint.rule import Rule

    class Writer(Protocol):
        """One output of a streamed run."""

        kind: Kind  # what it lists, for a worker to tell (listing.Kind)

        def wants(self, finding: Finding) -> bool:
            """Whether *finding* has lines of its own (it is held until its turn)."""

        def checked(
            self,
            report: Report,
            findings: Sequence[Finding],
            counted: Sequence[tuple[tuple[str, str], int]],
        ) -> None:
            """A manifest was checked: *report* (its input, no findings), its
            findings that some writer lists and its failures, and how many
            of the others there are by (status, kind) (counts)."""

        def line(self, one: Report) -> None:
            """A wanted finding's turn: *one* is its manifest's Report of it alone."""

        def settle(self, bound: str | None) -> None:
            """No finding still to come sorts before *bound* (None: none at all)."""

        def close(self, closing: Report) -> None:
            """The run ended: *closing* holds the unreadable inputs alone."""


# The formats written as a run goes (text's Writer asks its own reporter).
STREAMABLE = frozenset({*LISTS, "text"})


class Lines:
    """concise and github: a finding's lines are its one-finding Report,
    rendered; the closing Report renders the unreadable inputs."""

    def __init__(
        self, fmt: str, options: RenderOptions, emit: Callable[[str], None]
    ) -> None:
        from spbe_lint.reporters import REPORTERS

        self.render: Render = REPORTERS[fmt]
        self.lists = LISTS[fmt]
        self.kind = (fmt, frozenset[str]())
        self.options = options
        self.emit = emit

    def wants(self, finding: Finding) -> bool:
        return self.lists(finding)

    def checked(
        self,
        report: Report,
        findings: Sequence[Finding],
        counted: Sequence[tuple[tuple[str, str], int]],
    ) -> None:
        pass  # nothing counted: no summary

    def line(self, one: Report) -> None:
        self.emit(self.render(one, self.options))

    def settle(self, bound: str | None) -> None:
        pass

    def close(self, closing: Report) -> None:
        self.emit(self.render(closing, self.options))


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


# Held in memory up to this many characters, then in a temporary file.
SPOOL_LIMIT = 1 << 20


class Text:
    """The text format as a Writer, byte for byte what reporters.text.render
    makes of the whole report. Its listings come one after the other (failures,
    waived failures, the rest listed), each in the report's order: failures are
    written as their turn comes, the later two kept, rendered, in a spool that
    moves to a temporary file past SPOOL_LIMIT characters (``--show passed``
    lists about a hundred lines a manifest) and written after the last failure.
    The summary is counted as the run goes (``text.Tally``)."""

    def __init__(self, options: RenderOptions, emit: Callable[[str], None]) -> None:
        from spbe_lint.reporters import text  # the reporter whose bytes these are

        self.text = text
        self.options = text.wrapping(options)
        self.emit = emit
        self.tally = self.text.Tally()
        self.later = (_Spool(), _Spool())  # waived, then the rest listed
        self.listed = False  # a line was listed: a blank line before the summary
        self.rules: tuple[Rule, ...] = ()
        self.by_id: dict[str, Rule] = {}
        self.kind = ("text", self.options.show)

    def wants(self, finding: Finding) -> bool:
        return self.text.section(finding, self.options.show) is not None

    def checked(
        self,
        report: Report,
        findings: Sequence[Finding],
        counted: Sequence[tuple[tuple[str, str], int]],
    ) -> None:
        self.tally.manifests += 1
        if report.review is not None:
            self.tally.reviewed = True
            self.tally.states.update(e.state for e in report.review.waivers)
        for finding in findings:
            self.tally.add(finding)
        for (status, kind), count in counted:
            self.tally.add_counted(status, kind, count)

    def line(self, one: Report) -> None:
        finding = one.findings[0]
        where = self.text.section(finding, self.options.show)
        if one.rules is not self.rules:  # the same tuple for every manifest
            self.rules = one.rules
            self.by_id = {rule.id: rule for rule in one.rules}
        lines = self.text.block(finding, one.lang, self.by_id, self.options) + "\n"
        self.listed = True
        if where == self.text.FAILED:
            self.emit(lines)
        else:
            self.later[where - 1].write(lines)

    def settle(self, bound: str | None) -> None:
        self.tally.settle(bound)

    def close(self, closing: Report) -> None:
        for spool in self.later:
            for chunk in spool.read():
                self.emit(chunk)
        if self.listed:
            self.emit("\n")
        # The whole report's review is None unless a manifest's was not: the
        # states are tallied, so no waiver entry was kept.
        review = Review() if self.tally.reviewed else None
        summary = self.text.closing(
            replace(closing, review=review), self.tally, self.options
        )
        self.emit("".join(f"{line}\n" for line in summary))


class _Spool:
    """Rendered text kept in order: in memory, then in a temporary file."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.size = 0
        self.file: IO[str] | None = None

    def write(self, part: str) -> None:
        if self.file is not None:
            self.file.write(part)
            return
        self.parts.append(part)
        self.size += len(part)
        if self.size > SPOOL_LIMIT:
            import tempfile  # only for a long listing: never on the hook path

            # closed once read back (close); unnamed: nothing left on disk
            self.file = tempfile.TemporaryFile(  # noqa: SIM115
                "w+", encoding="utf-8", newline=""
            )
            self.file.writelines(self.parts)
            self.parts = []

    def read(self) -> Iterator[str]:
        if self.file is None:
            yield from self.parts
            self.parts = []
            return
        with self.file:
            self.file.seek(0)
            while chunk := self.file.read(SPOOL_LIMIT):
                yield chunk


def check(
    options: app.RunOptions,
    writers: Sequence[Writer],
    on_problem: Callable[[InputProblem, str], None],
) -> ExitStatus | None:
    """Check and write as the manifests come: each *writer* is told of each
    manifest checked, given Reports of one finding each, in the whole report's
    order, and at the end one of the unreadable inputs alone (see Writer);
    *on_problem* is told of each unreadable input (with the run's language) as
    it is met. The exit status, or None when a waiver file turned up (the
    caller then makes the whole report; nothing was written)."""
    settings = app.resolve(options)
    as_of = options.as_of or app.today()
    plan = app.review_plan(options, settings)
    if plan.waiver_file is not None or plan.baseline is not None or plan.reviewer:
        return None
    from spbe_lint import workers

    problems: list[InputProblem] = []
    failed = False
    displays: list[str] = []
    held = _Held(writers)
    bounds: _Bounds | None = None
    kinds = tuple(writer.kind for writer in writers)
    for judged in workers.judged(options, settings, plan, as_of, kinds, displays):
        outcome, findings = judged.outcome, judged.findings
        bounds = bounds or _Bounds(displays)
        if isinstance(outcome, InputProblem):
            problems.append(outcome)
            on_problem(outcome, settings.lang)
        else:
            report = _report(
                settings, options, as_of, (outcome,), (), (), judged.rules, judged.done
            )
            failed = failed or any(
                f.severity >= report.fail_on
                for f in findings
                if f.status is Status.FAIL and f.waiver is None
            )
            for writer in writers:
                writer.checked(report, findings, judged.counted)
            held.add(report, findings)
        held.release(bounds.after_(outcome.path))
    held.release(None)
    closing = _report(settings, options, as_of, (), (), tuple(problems), ())
    for writer in writers:
        writer.close(closing)
    if problems:
        return ExitStatus.ERROR  # --exit-zero never hides an input error
    if settings.exit_zero or not failed:
        return ExitStatus.OK
    return ExitStatus.FINDINGS


class _Held:
    """Rendered lines waiting for their turn: a heap by the report's order."""

    def __init__(self, writers: Sequence[Writer]) -> None:
        self.writers = writers
        self.heap: list[tuple[tuple[Any, ...], int, Report]] = []
        self.count = 0

    def add(self, report: Report, findings: Sequence[Finding]) -> None:
        for finding in findings:
            if not any(writer.wants(finding) for writer in self.writers):
                continue  # no line in any format: not even held
            self.count += 1
            one = replace(report, findings=(finding,))
            heapq.heappush(self.heap, (finding.sort_key(), self.count, one))

    def release(self, bound: str | None) -> None:
        """Write every line placed before *bound* (None: all of them)."""
        while self.heap and (bound is None or self.heap[0][0][0] < bound):
            _, _, one = heapq.heappop(self.heap)
            for writer in self.writers:
                if writer.wants(one.findings[0]):
                    writer.line(one)
        for writer in self.writers:
            writer.settle(bound)


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


def _report(
    settings: app.Settings,
    options: app.RunOptions,
    as_of: datetime.date,
    inputs: tuple[app.InputFile, ...],
    findings: tuple[Finding, ...],
    problems: tuple[InputProblem, ...],
    waiver_rules: tuple[app.Rule, ...],
    done: Review | None = None,
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
        review=done,
    )
