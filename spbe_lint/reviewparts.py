"""The review workflow (spbe_lint.review) applied a part of a run at a time:
a spooled report's findings (spbe_lint.spool) are never all held, so waivers
and the baseline are applied to them as they are read back; a held run's
findings are one part (``review.finish``). Only a run with something to
review imports this module."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence

from spbe_lint import waivers
from spbe_lint.findings import BaselineEntry, Finding, InputFile, Review
from spbe_lint.review import Plan
from spbe_lint.rule import Rule


class Pass:
    """``finish``, a part of the run's findings at a time (spbe_lint.spool): give
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
        self.as_of = as_of
        self.in_force = frozenset(rule.id for rule in rules)
        self.apps: dict[str, str] = {}
        self.checked = set(unreadable)
        for item in inputs:
            self.checked.add(item.path)
            for key, value in item.identity:
                if key == "app.id":
                    self.apps[item.path] = value
        self.counts: list[int] | None = None
        self.hidden: list[str] = []
        self.fixed: set[BaselineEntry] | None = None  # fixed in every part so far

    def _mark(self, findings: Sequence[Finding]) -> tuple[list[Finding], list[int]]:
        plan = self.plan
        return waivers.mark(
            findings,
            waiver_file=plan.waiver_file,
            suppressions=plan.suppressions,
            reviewer=plan.reviewer,
            as_of=self.as_of,
            in_force=self.in_force,
            apps=self.apps,
        )

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
        applied = waivers.conclude(
            (),
            counts,
            waiver_file=plan.waiver_file,
            suppressions=plan.suppressions,
            problems=plan.problems,
            reviewer=plan.reviewer,
            as_of=self.as_of,
            in_force=self.in_force,
        )
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
