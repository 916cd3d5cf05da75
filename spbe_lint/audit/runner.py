"""Audit every application of an inventory, streaming one record per application.

Static checks (reading, schema, rules) run in ``--jobs`` worker processes, a
bounded number of applications ahead of the recording, or in this process for
small inventories; each returns a plain ``Static`` result. With ``--probe``,
each application's endpoints then go to one shared probe session
(``probes.session``): one worker pool bounded by ``--concurrency``, at most two
connections per host across applications, the city SSO discovery fetched once.
At most ``4 x concurrency`` applications wait on the probe at a time, so memory
does not grow with the inventory. An application is recorded (and its reports
written) as soon as it is complete; one that cannot be read is recorded as
broken and the run goes on; a bug met in one is recorded as an internal error.
"""

from __future__ import annotations

import datetime
import os
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, wait
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from spbe_lint import __version__, app, writing
from spbe_lint.audit import endpoints, inventory, record, reuse
from spbe_lint.audit.journal import Journal
from spbe_lint.errors import SpbeError
from spbe_lint.findings import Finding, InputFile, InputProblem, Report
from spbe_lint.i18n import LocalText

EXTENSIONS = {  # per-application report files: APP.EXTENSION
    "text": "txt",
    "concise": "concise.txt",
    "json": "json",
    "sarif": "sarif",
    "junit": "xml",
    "github": "github.txt",
    "markdown": "md",
    "html": "html",
}


@dataclass(frozen=True)
class AuditOptions:
    inventory: Path
    results: Path
    run: app.RunOptions  # language, --as-of, rules, waivers, probe settings...
    resume: bool = False
    reports_dir: Path | None = None
    report_formats: tuple[str, ...] = ()
    shard: tuple[int, int] | None = None  # (k, n): the k-th of n shards, 1-based
    jobs: int = 1  # processes for the static checks
    force: bool = False  # start again on a results file that holds results


@dataclass
class Outcome:
    """What a run did besides its records (verdicts and counts are derived
    from the records, by audit.summary), for the closing line and exit status."""

    resumed: int = 0  # skipped: recorded before with the same inputs
    errors: list[str] = field(default_factory=list)  # internal errors (bugs)
    requests: int = 0  # probe requests sent
    seconds: float = 0.0
    lang: str = "id"


Progress = Callable[[int, int, str], None]  # (done, total, current application)
MIN_FOR_WORKERS = 16  # fewer applications are checked faster than workers start


def audit(options: AuditOptions, progress: Progress | None = None) -> Outcome:
    started = time.perf_counter()
    run_options = options.run
    settings = app.resolve(run_options)
    applications = inventory.read(options.inventory, run_options.cwd)
    if run_options.probe is not None:  # before the results file is touched
        app.preflight(settings, app.probe_options(run_options, settings))
    journal = Journal(options.results, resume=options.resume, force=options.force)
    as_of = run_options.as_of
    if as_of is None and journal.header is not None:
        # A resumed run judges on the day the run began, unless told otherwise.
        as_of = record.day(journal.header.get("as_of"))
    as_of = as_of or app.today()
    run_options = replace(run_options, as_of=as_of)
    plan = app.review_plan(run_options, settings)
    if options.shard:
        applications = _shard(applications, *options.shard)
    key = record.run_key(_run_settings(settings, run_options, plan))
    probing = run_options.probe is not None and any(
        r.target == "endpoint" for r in settings.rules
    )
    context = _Context(
        settings,
        run_options,
        plan,
        as_of,
        probing,
        _reuse_context(settings, run_options, plan, probing),
    )
    auditor = _Auditor(options, context, journal, key)
    outcome = auditor.outcome
    outcome.lang = settings.lang
    with journal:
        journal.write(
            record.run_record(
                tool_version=__version__,
                pack={
                    "name": settings.pack.info.name,
                    "version": settings.pack.info.version,
                },
                as_of=as_of,
                run_key=key,
                probe=run_options.probe is not None,
                inventory=options.inventory.as_posix(),
                started=app.timestamp(),
                rules=settings.rules,
            )
        )
        auditor.run(applications, progress)
    outcome.seconds = time.perf_counter() - started
    return outcome


@dataclass(frozen=True)
class Static:
    """The static part of one application, as a worker process returns it
    (plain values only: it crosses a process boundary)."""

    application: inventory.Application
    inputs: str | None = None  # the input hashes --resume compares
    resumed: bool = False  # recorded before with the same inputs: skipped
    info: InputFile | None = None
    findings: tuple[Finding, ...] = ()
    # Findings whose references are their rule's, left out to cross the process
    # boundary and the cache lighter (``reuse.lean``); ``reuse.full`` restores.
    shared: tuple[int, ...] = ()
    problem: InputProblem | None = None  # no manifest, or it could not be read
    unparsed: InputProblem | None = None  # read, but a YAML syntax error
    suppressions: tuple[Any, ...] = ()  # its inline x-spbe-waive entries
    inline_problems: tuple[Any, ...] = ()
    endpoints: tuple[Any, ...] = ()  # what the probe should look at
    declared: Mapping[str, Any] = field(default_factory=dict)
    manifest: Mapping[str, Any] | None = None
    where: str = ""  # where endpoint rules with no endpoint are reported
    seconds: float = 0.0
    internal_error: str | None = None  # a bug met on the way: recorded as such


@dataclass(frozen=True)
class _Context:
    """What every static check needs; built once per process."""

    settings: app.Settings
    run_options: app.RunOptions
    plan: Any
    as_of: datetime.date
    probing: bool
    # What keys reused results besides each application's files (audit.reuse);
    # None: nothing is reused (a run that probes, or the cache is off).
    reuse: str | None = None


_WORKER: dict[str, _Context] = {}  # in a worker process: set by _start_worker


def _start_worker(run_options: app.RunOptions, probing: bool, parent: int) -> None:
    from spbe_lint.audit import lifeline

    lifeline.bind(parent)  # first: a worker never outlives the audit
    settings = app.resolve(run_options)
    plan = app.review_plan(run_options, settings)
    assert run_options.as_of is not None
    _WORKER["context"] = _Context(
        settings,
        run_options,
        plan,
        run_options.as_of,
        probing,
        _reuse_context(settings, run_options, plan, probing),
    )


def _reuse_context(
    settings: app.Settings, run_options: app.RunOptions, plan: Any, probing: bool
) -> str | None:
    from spbe_lint import cache

    if cache.disabled():
        return None
    run_key = record.run_key(_run_settings(settings, run_options, plan))
    return reuse.context_key(run_options, settings, run_key)


def _in_worker(
    application: inventory.Application, previous: Any, entry_key: str | None
) -> Static:
    # The audit process looked for a remembered result already: none.
    return static_part(_WORKER["context"], application, previous, (entry_key,))


def static_part(
    context: _Context,
    application: inventory.Application,
    previous: Any,
    looked_up: tuple[str | None] | None = None,
) -> Static:
    """Read and check one application's manifest. *previous* is the input hash
    the results file recorded for it with this rule-pack version and run key
    (``--resume``), or None: the same hash now means it is skipped.
    *looked_up*: (the reuse key) when the caller found no remembered result."""
    started = time.perf_counter()

    def done(**values: Any) -> Static:
        return Static(application, seconds=time.perf_counter() - started, **values)

    settings, run_options = context.settings, context.run_options
    if application.manifest is None:
        if context.probing and application.url:  # no manifest: probe the URL alone
            from spbe_lint.probes.facts import Endpoint

            return done(
                inputs="url:" + application.url,
                endpoints=(Endpoint(application.url, "app"),),
                where=application.url,
            )
        if previous == "missing":
            return done(inputs="missing", resumed=True)
        message = application.missing or LocalText("?", "?")
        return done(
            inputs="missing", problem=InputProblem(application.display, message)
        )
    reused = (
        looked_up[0]
        if looked_up is not None
        else reuse.remembered(context.reuse, application, previous, done)
    )
    if isinstance(reused, Static):
        return endpoints.probe_ready(context, application, reused)
    loaded = app.load_manifest(application.manifest, application.display)
    if isinstance(loaded, InputProblem):
        inputs = f"sha256:{loaded.sha256}" if loaded.sha256 else "missing"
        return done(inputs=inputs, resumed=previous == inputs, problem=loaded)
    document, info = loaded
    inputs = record.inputs_digest(info.sha256, application.manifest.parent)
    if previous == inputs:
        return done(inputs=inputs, resumed=True)
    plan = replace(context.plan, suppressions=[], problems=[])
    findings = app.evaluate_manifest(
        document, settings, run_options, plan, context.as_of, application.manifest
    )
    lean, shared = reuse.lean(findings, context.settings.rules)
    fields = {
        "inputs": inputs,
        "info": info,
        "findings": lean,
        "shared": shared,
        "unparsed": record.unparsed(document, findings),
        "suppressions": tuple(plan.suppressions),
        "inline_problems": tuple(plan.problems),
        "endpoints": (),
        "declared": {},
        "manifest": None,
        "where": document.path,
    }
    if reused is not None and context.reuse is not None:
        # Without what the probe needs: the cache holds no more of a
        # submission than the results file does (endpoints.probe_ready reads it
        # again).
        reuse.remember(context.reuse, application, reused, fields)
    return done(**{**fields, **endpoints.for_probe(context, application, document)})


class _Auditor:
    def __init__(
        self,
        options: AuditOptions,
        context: _Context,
        journal: Journal,
        key: str,
    ) -> None:
        self.options = options
        self.context = context
        self.settings = context.settings
        self.journal = journal
        self.key = key
        self.outcome = Outcome()
        self.done = 0
        self.progress: Progress | None = None
        self.total = 0
        self.endpoint_rules = [r for r in self.settings.rules if r.target == "endpoint"]
        self.probe_names = list(
            dict.fromkeys(n for r in self.endpoint_rules for n in r.probe)
        )

    def advance(self, current: str) -> None:
        self.done += 1
        if self.progress is not None:
            self.progress(self.done, self.total, current)

    def run(
        self, applications: Sequence[inventory.Application], progress: Progress | None
    ) -> None:
        self.total, self.progress = len(applications), progress
        statics = self._statics(applications)
        if not self.context.probing:
            for static in statics:
                self._complete(static, [], None)
            return
        from spbe_lint.probes.session import ProbeSession

        probe_options = app.probe_options(self.context.run_options, self.settings)
        window = max(8, 4 * probe_options.concurrency)
        pending: dict[Future[Any], Static] = {}
        with ProbeSession(
            self.settings.pack.profile, probe_options, self.probe_names
        ) as session:
            for static in statics:
                if (
                    static.resumed
                    or static.problem
                    or static.internal_error
                    or not static.endpoints
                ):
                    self._complete(static, [], None)
                    continue
                future = session.submit(
                    list(static.endpoints),
                    declared=static.declared,
                    manifest=static.manifest,
                    folder=static.application.folder,
                )
                pending[future] = static
                while len(pending) >= window:
                    self._finish_some(pending)
            while pending:
                self._finish_some(pending)
            self.outcome.requests = session.requests

    def _statics(
        self, applications: Sequence[inventory.Application]
    ) -> Iterator[Static]:
        """The static part of every application, in order: in this process, or
        in ``jobs`` worker processes with a bounded number in flight (results
        are not piled up faster than they are recorded)."""
        jobs = self.options.jobs
        if jobs <= 1 or len(applications) < MIN_FOR_WORKERS:
            for application in applications:
                yield self._guarded(
                    application,
                    lambda a=application: static_part(
                        self.context, a, self._previous(a)
                    ),
                )
            return
        import multiprocessing

        from spbe_lint import pool

        # Workers are forked before any probe thread starts (fork with threads
        # running is unsafe); where fork does not exist they are spawned. A
        # worker that dies is contained (spbe_lint.pool): the application it
        # was checking is run again alone, and recorded as broken (with the
        # signal) only if that ends its process too; the audit goes on. By
        # then probe threads may be running: processes started after that are
        # spawned.
        method = "fork" if "fork" in multiprocessing.get_all_start_methods() else None
        initargs = (self.context.run_options, self.context.probing, os.getpid())
        restart = (multiprocessing.get_context("spawn"), initargs)
        for application, future in pool.ordered(
            applications,
            self._submit,
            jobs=jobs,
            ahead=8,
            context=multiprocessing.get_context(method),
            initializer=_start_worker,
            initargs=initargs,
            restart=restart if self.context.probing else None,
        ):
            yield self._guarded(
                application, lambda a=application, f=future: _crash_is_broken(a, f)
            )

    def _submit(self, pool: Any, application: inventory.Application) -> Future[Static]:
        """A worker's future for *application*, or one already done when its
        result is remembered (read here: sending it through a worker would
        cost more than reading it)."""
        previous = self._previous(application)
        started = time.perf_counter()

        def done(**values: Any) -> Static:
            return Static(application, seconds=time.perf_counter() - started, **values)

        try:
            found = reuse.remembered(self.context.reuse, application, previous, done)
            if isinstance(found, Static):
                found = endpoints.probe_ready(self.context, application, found)
        except Exception as exc:  # a bug: recorded, reported, and the run goes on
            found = Static(application, internal_error=_bug(exc))
        if isinstance(found, Static):
            future: Future[Static] = Future()
            future.set_result(found)
            return future
        return pool.submit(_in_worker, application, previous, found)

    def _previous(self, application: inventory.Application) -> Any:
        if not self.options.resume:
            return None
        recorded = self.journal.recorded.get(application.id)
        version = self.settings.pack.info.version
        if recorded is None or recorded[1:] != (version, self.key):
            return None
        return recorded[0]

    def _guarded(
        self, application: inventory.Application, make: Callable[[], Static]
    ) -> Static:
        try:
            return make()
        except Exception as exc:  # a bug: recorded, reported, and the run goes on
            return Static(application, internal_error=_bug(exc))

    def _finish_some(self, pending: dict[Future[Any], Static]) -> None:
        done, _ = wait(list(pending), return_when=FIRST_COMPLETED)
        for future in done:
            static = pending.pop(future)
            try:
                facts = future.result()
                findings = self._judge(static, facts)
            except Exception as exc:  # a bug in a collector: recorded, run goes on
                self._complete(replace(static, internal_error=_bug(exc)), [], None)
                continue
            self._complete(static, findings, facts)

    def _judge(self, static: Static, facts: Any) -> list[Finding]:
        from spbe_lint.probes import checks, rules

        verdicts = checks.judge(facts, self.probe_names)
        return rules.evaluate_endpoints(self.endpoint_rules, verdicts, static.where)

    def _complete(self, static: Static, probed: list[Finding], facts: Any) -> None:
        application = static.application
        started = time.perf_counter()
        if static.resumed:
            self.outcome.resumed += 1
            self.advance(application.id)
            return
        if static.internal_error:
            self._internal_error(application, static.internal_error)
            self.advance(application.id)
            return
        try:
            self._record(static, probed, facts, started)
        except SpbeError:
            raise  # a report or the results file cannot be written: exit 2
        except Exception as exc:  # a bug in a reporter: recorded, run goes on
            self._internal_error(application, _bug(exc))
        self.advance(application.id)

    def _record(
        self, static: Static, probed: list[Finding], facts: Any, started: float
    ) -> None:
        application = static.application
        plan = replace(
            self.context.plan,
            suppressions=list(static.suppressions),
            problems=list(static.inline_problems),
        )
        endpoints = [o.url for o in facts.observations] if facts is not None else []
        findings = reuse.full(static.findings, static.shared, self.settings.rules)
        report = app.assemble(
            self.settings,
            self.context.run_options,
            plan,
            self.context.as_of,
            [static.info] if static.info is not None else [],
            [*findings, *probed],
            [static.problem] if static.problem is not None else [],
            tuple(endpoints),
        )
        written = self._reports(application, report)
        entry = record.application_record(
            application.id,
            report,
            opd=application.opd,
            manifest=application.display,
            url=application.url,
            inputs=static.inputs,
            run_key=self.key,
            certificates=record.certificates(facts) if facts is not None else (),
            reports=written,
            seconds=static.seconds + time.perf_counter() - started,
            unparsed=static.unparsed,
        )
        self.journal.write(entry)

    def _reports(
        self, application: inventory.Application, report: Report
    ) -> dict[str, str]:
        if self.options.reports_dir is None or not self.options.report_formats:
            return {}
        from spbe_lint.reporters import REPORTERS, RenderOptions

        folder = self.options.reports_dir
        written = {}
        for fmt in self.options.report_formats:
            path = folder / f"{safe_name(application.id)}.{EXTENSIONS[fmt]}"
            writing.write_text(path, REPORTERS[fmt](report, RenderOptions()))
            written[fmt] = path.as_posix()
        return written

    def _internal_error(self, application: inventory.Application, text: str) -> None:
        self.outcome.errors.append(f"{application.id}: {text}")
        report = app.assemble(
            self.settings,
            self.context.run_options,
            self.context.plan,
            self.context.as_of,
            [],
            [],
            [],
        )
        entry = record.application_record(
            application.id,
            report,
            opd=application.opd,
            manifest=application.display,
            url=application.url,
            inputs=None,
            run_key=self.key,
            internal_error=text,
        )
        self.journal.write(entry)


def _crash_is_broken(
    application: inventory.Application, future: Future[Static]
) -> Static:
    """A worker's result; an application whose checking ended its process
    twice (spbe_lint.pool) is a submission that could not be checked."""
    from spbe_lint import pool

    try:
        return future.result()
    except pool.WorkerCrashed as crash:
        problem = InputProblem(application.display, crash.message())
        return Static(application, problem=problem)


def _bug(exc: BaseException) -> str:
    return f"internal error ({type(exc).__name__}: {exc})"


def safe_name(app_id: str) -> str:
    """A file name for an application id (ids come from strangers' inventories)."""
    cleaned = "".join(c if c.isalnum() or c in "._-" else "_" for c in app_id)
    return cleaned.lstrip(".") or "_"


def _shard(
    applications: list[inventory.Application], k: int, n: int
) -> list[inventory.Application]:
    """The k-th of n shards, by a stable hash of the application id: the same
    application lands in the same shard whatever else the inventory holds."""
    import hashlib

    return [
        a
        for a in applications
        if int(hashlib.sha256(a.id.encode()).hexdigest()[:8], 16) % n == k - 1
    ]


def _run_settings(
    settings: app.Settings, options: app.RunOptions, plan: Any
) -> dict[str, Any]:
    probe = options.probe
    return {
        "as_of": options.as_of,
        "documents": options.documents,
        "secrets": options.secrets,
        "rules": [(r.id, r.severity.label) for r in settings.rules],
        "pack": settings.pack.info.sha256,
        "profile": settings.pack.info.profile,
        "waivers": plan.waiver_file.sha256 if plan.waiver_file else None,
        "baseline": plan.baseline.sha256 if plan.baseline else None,
        "reviewer": options.reviewer,
        "probe": probe is not None,
        "exposure": bool(getattr(probe, "exposure", False)),
    }
