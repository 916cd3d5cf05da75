"""The review workflow of one run: waivers, inline suppressions, the baseline.

``prepare`` reads the waiver file and the baseline before any manifest is
checked (a bad file fails fast, exit 2); ``finish`` applies them to the run's
findings and says what it did (``findings.Review``), so that every report can
state which waivers held, which expired, whether inline suppressions were
ignored (reviewer mode), and how many known failures a baseline hid.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from spbe_lint import discovery, inline, waiverfile
from spbe_lint.findings import BaselineEntry, Finding, InputFile, Review
from spbe_lint.rule import Rule
from spbe_lint.source import Document

if TYPE_CHECKING:  # read only when a baseline is given (not on the hook path)
    from spbe_lint import baseline


@dataclass
class Plan:
    """What this run reviews with, and what it gathers while checking."""

    reviewer: bool = False
    waiver_file: waiverfile.WaiverFile | None = None
    baseline: baseline.Baseline | None = None
    known_rules: Mapping[str, Rule] = field(default_factory=dict)
    suppressions: list[inline.Suppression] = field(default_factory=list)
    problems: list[inline.Problem] = field(default_factory=list)

    @property
    def active(self) -> bool:
        return bool(
            self.reviewer
            or self.waiver_file
            or self.baseline
            or self.suppressions
            or self.problems
        )

    def read_inline(self, document: Document) -> None:
        found, problems = inline.read(document, self.known_rules)
        self.suppressions += found
        self.problems += problems


def prepare(
    *,
    waivers_file: Path | None,
    baseline_file: Path | None,
    reviewer: bool,
    discover: bool,
    cwd: Path,
    pack_rules: Sequence[Rule],
    paths: Sequence[Path] = (),
) -> Plan:
    """*paths*: what the command line names (the submission, in reviewer
    mode: no waiver file inside it is ever discovered)."""
    known = {rule.id: rule for rule in pack_rules}
    path = waivers_file
    if path is None and discover:
        start = cwd.absolute()
        path = (
            discover_outside(waiverfile.WAIVERS_NAME, start, submission(paths, cwd))
            if reviewer
            else waiverfile.discover(start)
        )
    loaded = (
        waiverfile.load(path, discovery.display_path(path, cwd), known)
        if path is not None
        else None
    )
    known_baseline = None
    if baseline_file is not None:
        from spbe_lint import baseline as baselines

        display = discovery.display_path(baseline_file, cwd)
        known_baseline = baselines.load(baseline_file, display)
    return Plan(reviewer, loaded, known_baseline, known)


def submission(paths: Sequence[Path], cwd: Path) -> tuple[Path, ...]:
    """The folders a reviewer was given: each path named on the command line
    (a manifest's folder for a file: its documents are beside it), or the
    working folder when none is named; resolved (symbolic links followed)."""
    named = paths or (cwd,)
    roots = []
    for path in named:
        absolute = path if path.is_absolute() else cwd / path
        resolved = absolute.resolve()
        roots.append(resolved if resolved.is_dir() else resolved.parent)
    return tuple(roots)


def discover_outside(name: str, start: Path, roots: Sequence[Path]) -> Path | None:
    """The nearest file called *name* from *start* upwards that is not inside
    any of *roots* (the submission: the vendor's own ``spbe-waivers.yaml`` or
    ``.spbe-lint.yaml`` must not judge the vendor). The search ends at a
    repository root outside the submission; one inside it (the vendor's
    ``.git``) does not end it."""

    def inside(path: Path) -> bool:
        return any(path == root or root in path.parents for root in roots)

    for folder in (start, *start.parents):
        candidate = folder / name
        if candidate.exists() and not inside(candidate.resolve()):
            return candidate
        if (folder / ".git").exists() and not inside(folder.resolve()):
            return None
    return None


def finish(
    plan: Plan,
    findings: Sequence[Finding],
    *,
    inputs: Sequence[InputFile],
    unreadable: Sequence[str],
    rules: Sequence[Rule],
    as_of: datetime.date,
) -> tuple[tuple[Finding, ...], tuple[Rule, ...], Review | None]:
    """The findings to report, the WAIVE rules they use, and what was done:
    the run's findings reviewed as one part (``Pass``, which a spooled run
    gives a part at a time)."""
    if not plan.active:
        return tuple(findings), (), None
    review = Pass(plan, inputs=inputs, unreadable=unreadable, rules=rules, as_of=as_of)
    kept = review.part(findings)
    closing, waiver_rules, done = review.close()
    return (*kept, *closing), waiver_rules, done


class Pass:
    """``finish``, a part of the run's findings at a time: a spooled report's
    findings (spbe_lint.spool) are never all held, so waivers and the baseline
    are applied to them as they are read back (``finish`` is one part). Give
    each part, in the report's order and numbered, to ``part``; ``close`` then
    gives what ``finish`` adds after them (WAIVE-* findings), the WAIVE rules
    and the Review. Every part's findings marked and kept, then the closing
    ones, are ``finish``'s findings in the same order: a finding's waiver
    depends on it alone, a waiver's state on how many failures it covered
    (counted here), and the baseline hides finding by finding."""

    def __init__(
        self,
        plan: Plan,
        *,
        inputs: Iterable[InputFile],
        unreadable: Sequence[str],
        rules: Sequence[Rule],
        as_of: datetime.date,
    ) -> None:
        self.plan = plan
        self.apps: dict[str, str] = {}
        self.checked = set(unreadable)
        for item in inputs:
            self.checked.add(item.path)
            for key, value in item.identity:
                if key == "app.id":
                    self.apps[item.path] = value
        # What marking a part and concluding the run both go by.
        self.waiving: dict[str, Any] = {
            "waiver_file": plan.waiver_file,
            "suppressions": plan.suppressions,
            "reviewer": plan.reviewer,
            "as_of": as_of,
            "in_force": frozenset(rule.id for rule in rules),
        }
        self.counts: list[int] | None = None
        self.hidden: list[str] = []
        self.fixed: set[BaselineEntry] | None = None  # fixed in every part so far

    def _mark(self, findings: Sequence[Finding]) -> tuple[list[Finding], list[int]]:
        from spbe_lint import waivers

        return waivers.mark(findings, **self.waiving, apps=self.apps)

    def part(self, findings: Sequence[Finding]) -> list[Finding]:
        marked, counts = self._mark(findings)
        self.counts = (
            counts
            if self.counts is None
            else [a + b for a, b in zip(self.counts, counts, strict=True)]
        )
        return self._baseline(marked)

    def _baseline(self, findings: Sequence[Finding]) -> list[Finding]:
        if self.plan.baseline is None:
            return list(findings)
        from spbe_lint import baseline as baselines

        outcome = baselines.apply(findings, self.plan.baseline, self.checked)
        self.hidden.extend(outcome.hidden)
        fixed = set(outcome.fixed)
        self.fixed = fixed if self.fixed is None else self.fixed & fixed
        return list(outcome.findings)

    def close(self) -> tuple[list[Finding], tuple[Rule, ...], Review]:
        plan = self.plan
        counts = self.counts
        if counts is None:  # no part given: what marking no finding counts
            counts = self._mark(())[1]
        from spbe_lint import waivers

        applied = waivers.conclude((), counts, **self.waiving, problems=plan.problems)
        closing = self._baseline(applied.findings)
        fixed: tuple[BaselineEntry, ...] = ()
        if plan.baseline is not None:
            still = self.fixed or set()
            fixed = tuple(e for e in plan.baseline.entries if e in still)
        review = Review(
            reviewer=plan.reviewer,
            waiver_file=plan.waiver_file.path if plan.waiver_file else None,
            waiver_sha256=plan.waiver_file.sha256 if plan.waiver_file else None,
            waivers=applied.entries,
            baseline_file=plan.baseline.path if plan.baseline else None,
            baseline_sha256=plan.baseline.sha256 if plan.baseline else None,
            hidden=tuple(self.hidden),
            fixed=fixed,
        )
        return closing, applied.rules, review
