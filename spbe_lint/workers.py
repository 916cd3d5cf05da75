"""A streamed check's manifests read and judged, here or in worker processes.

Reading and judging a manifest (parse, schema, rule pack, evidence, its own
inline waivers) is nine tenths of a many-manifest run and needs nothing but
the manifest, its folder and the run's settings, so ``spbe-lint check
--jobs`` hands it to worker processes. The parent keeps what must see the run
in order: the writing (spbe_lint.streaming). A worker sends back only what
the writers use: the findings some format lists, every failure (the exit
status and the summary count them) and, for the rest, how many of each status
and kind (a manifest's passes and unprobed endpoint rules are four fifths of
its results; sending them whole cost half as much as judging them). Results
come back in the manifests' order, a bounded number ahead of the one being
written, so the output is byte for byte the one-process run's and memory does
not grow with the count.

Workers are forked where fork exists (they inherit the loaded settings) and
spawned elsewhere (they resolve the settings again); a worker ends with its
parent (``audit.lifeline``). Runs of fewer than ``MIN_FOR_WORKERS`` manifests
are judged in this process: workers would start slower than they finish.
"""

from __future__ import annotations

import datetime
import os
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from spbe_lint.findings import (
    Finding,
    InputFile,
    InputProblem,
    Status,
    number_occurrences,
)
from spbe_lint.listing import Kind, listed

if TYPE_CHECKING:
    from spbe_lint.app import RunOptions, Settings
    from spbe_lint.discovery import Target
    from spbe_lint.findings import Review
    from spbe_lint.review import Plan
    from spbe_lint.rule import Rule

MIN_FOR_WORKERS = 48
AHEAD = 8  # manifests in flight per worker: each kept busy, memory bounded


@dataclass(frozen=True)
class Judged:
    """One manifest read and judged, as the streamed writers need it."""

    outcome: InputFile | InputProblem
    findings: tuple[Finding, ...] = ()  # in the report's order: listed or failed
    counted: tuple[tuple[tuple[str, str], int], ...] = ()  # (status, kind): n
    rules: tuple[Rule, ...] = ()  # the WAIVE rules its inline waivers use
    done: Review | None = None


def jobs_for(requested: int, count: int) -> int:
    """How many worker processes judge *count* manifests: 0 (this process) for
    a short run or ``--jobs 1``, else *requested* (0: one per usable CPU)."""
    if requested == 1 or count < MIN_FOR_WORKERS:
        return 0
    if requested == 0:
        try:
            requested = len(os.sched_getaffinity(0))
        except AttributeError:  # not Linux
            requested = os.cpu_count() or 1
    return 0 if requested <= 1 else min(requested, count)


@dataclass(frozen=True)
class _Run:
    settings: Settings
    options: RunOptions
    plan: Plan  # known rules; no waiver file or baseline in a streamed run
    as_of: datetime.date
    kinds: tuple[Kind, ...]


def judge(target: Target, run: _Run) -> Judged:
    """Read and judge *target*: its findings reviewed with its own inline
    waivers, kept as the writers of *run* need them."""
    from spbe_lint import app

    loaded = app.load_manifest(target.path, target.display)
    if isinstance(loaded, InputProblem):
        return Judged(loaded)
    document, info = loaded
    plan = replace(run.plan, suppressions=[], problems=[])  # this manifest's own
    found = app.evaluate_manifest(
        document, run.settings, run.options, plan, run.as_of, target.path
    )
    findings, rules, done = reviewed(plan, found, info, run.settings, run.as_of)
    lists = listed(run.kinds)
    kept: list[Finding] = []
    counted: Counter[tuple[str, str]] = Counter()
    for finding in findings:
        if finding.status is Status.FAIL or lists(finding):
            kept.append(finding)
        else:
            counted[(finding.status.value, finding.kind)] += 1
    # What the manifest declares is for the JSON report and diff: no streamed
    # format shows it, and it is most of what an InputFile weighs.
    outcome = replace(info, declarations=())
    return Judged(outcome, tuple(kept), tuple(counted.items()), rules, done)


def reviewed(
    plan: Plan,
    found: list[Finding],
    info: InputFile,
    settings: Settings,
    as_of: datetime.date,
) -> tuple[tuple[Finding, ...], tuple[Rule, ...], Review | None]:
    """One manifest's findings in order and numbered, its inline waivers
    applied (a streamed run has no waiver file or baseline)."""
    numbered = number_occurrences(found)
    if not plan.active:  # nothing to review: already in order and numbered
        return tuple(numbered), (), None
    from spbe_lint import review

    done_findings, waiver_rules, done = review.finish(
        plan,
        numbered,
        inputs=(info,),
        unreadable=(),
        rules=settings.rules,
        as_of=as_of,
    )
    return tuple(number_occurrences(done_findings)), waiver_rules, done


def judged(
    options: RunOptions,
    settings: Settings,
    plan: Any,
    as_of: datetime.date,
    kinds: tuple[Kind, ...],
    displays: list[str],
) -> Iterator[Judged]:
    """Every manifest the options name, judged, in order: the folders that
    could not be searched first; *displays* is given every manifest's display
    path before the first is judged."""
    from spbe_lint import discovery, startup

    targets, problems = discovery.find(options.paths, options.cwd)
    displays.extend(t.display for t in targets)
    for problem in problems:
        yield Judged(problem)
    run = _Run(settings, options, plan, as_of, kinds)
    jobs = jobs_for(options.jobs, len(targets))
    if jobs:
        startup.release()  # frozen before the fork: pages stay shared
        yield from _in_workers(targets, run, jobs)
    else:
        for target in targets:
            yield judge(target, run)
            startup.release()  # the first manifest imported what judging needs
    startup.release()


# A worker's run, set by _start before its first manifest.
_WORKER: dict[str, _Run] = {}


def _start(run: _Run | None, options: RunOptions, kinds: Any, parent: int) -> None:
    from spbe_lint.audit import lifeline

    lifeline.bind(parent)  # first: a worker never outlives the run
    if run is None:  # spawned: nothing inherited
        from spbe_lint import app

        settings = app.resolve(options)
        plan = app.review_plan(options, settings)
        assert options.as_of is not None
        run = _Run(settings, options, plan, options.as_of, kinds)
    _WORKER["run"] = run


def _in_worker(target: Target) -> Judged:
    return judge(target, _WORKER["run"])


def _in_workers(targets: Sequence[Target], run: _Run, jobs: int) -> Iterator[Judged]:
    import multiprocessing

    from spbe_lint import pool

    forked = "fork" in multiprocessing.get_all_start_methods()
    # Forked workers inherit the run (never pickled); spawned ones rebuild it
    # from the options, with the day fixed so both judge on the same one.
    options = replace(run.options, as_of=run.as_of)
    for target, future in pool.ordered(
        targets,
        lambda workers, target: workers.submit(_in_worker, target),
        jobs=jobs,
        ahead=AHEAD,
        context=multiprocessing.get_context("fork" if forked else "spawn"),
        initializer=_start,
        initargs=(run if forked else None, options, run.kinds, os.getpid()),
    ):
        try:
            yield future.result()
        except pool.WorkerCrashed as crash:
            # A manifest that ends the process reading it (twice, the second
            # time alone) cannot be checked: said like any unreadable input.
            yield Judged(InputProblem(target.display, crash.message()))
