"""Audit every application of an inventory, streaming one record per application.

Static checks run application by application in this process (they are
CPU-bound and fast). With ``--probe``, each application's endpoints are handed
to one shared probe session (``probes.session``): one worker pool bounded by
``--concurrency``, at most two connections per host across applications, the
city SSO discovery fetched once. At most ``window`` applications wait on the
probe at a time, so memory does not grow with the inventory. An application
is recorded (and its reports written) as soon as it is complete; one that
cannot be read is recorded as broken and the run goes on.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, wait
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from spbe_lint import __version__, app
from spbe_lint.audit import inventory, record
from spbe_lint.audit.journal import Journal
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


@dataclass
class Outcome:
    """What a run did, for the closing line and the exit status."""

    total: int = 0  # applications in this run (after sharding)
    checked: int = 0
    resumed: int = 0  # skipped: recorded before with the same inputs
    broken: int = 0
    errors: list[str] = field(default_factory=list)  # internal errors (bugs)
    failing: int = 0  # applications with a failure at --fail-on
    requests: int = 0  # probe requests sent
    seconds: float = 0.0
    lang: str = "id"


Progress = Callable[[int, int, str], None]  # (done, total, current application)


@dataclass
class _Pending:
    """An application whose static part is done and whose probe is running."""

    application: inventory.Application
    document: Any  # None: no manifest, the inventory's URL alone
    info: InputFile | None
    findings: list[Finding]
    plan: Any
    inputs: str
    started: float


def audit(options: AuditOptions, progress: Progress | None = None) -> Outcome:
    started = time.perf_counter()
    run_options = options.run
    settings = app.resolve(run_options)
    applications = inventory.read(options.inventory, run_options.cwd)
    journal = Journal(options.results, resume=options.resume)
    as_of = run_options.as_of
    if as_of is None and journal.header is not None:
        # A resumed run judges on the day the run began, unless told otherwise.
        as_of = _day(journal.header.get("as_of"))
    as_of = as_of or app.today()
    run_options = replace(run_options, as_of=as_of)
    plan = app.review_plan(run_options, settings)
    if options.shard:
        applications = _shard(applications, *options.shard)
    key = record.run_key(_run_settings(settings, run_options, plan))
    auditor = _Auditor(options, run_options, settings, plan, journal, key, as_of)
    outcome = auditor.outcome
    outcome.total = len(applications)
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


class _Auditor:
    def __init__(
        self,
        options: AuditOptions,
        run_options: app.RunOptions,
        settings: app.Settings,
        plan: Any,
        journal: Journal,
        key: str,
        as_of: Any,
    ) -> None:
        self.options = options
        self.run_options = run_options
        self.settings = settings
        self.plan = plan
        self.journal = journal
        self.key = key
        self.as_of = as_of
        self.outcome = Outcome()
        self.done = 0
        self.endpoint_rules = [r for r in settings.rules if r.target == "endpoint"]
        self.probe_names = list(
            dict.fromkeys(n for r in self.endpoint_rules for n in r.probe)
        )

    def run(
        self, applications: Sequence[inventory.Application], progress: Progress | None
    ) -> None:
        total = len(applications)

        def advance(current: str) -> None:
            self.done += 1
            if progress is not None:
                progress(self.done, total, current)

        if self.run_options.probe is None or not self.endpoint_rules:
            for application in applications:
                self._static(application, None, advance)
            return
        from spbe_lint.probes.session import ProbeSession

        probe_options = app.probe_options(self.run_options, self.settings)
        window = max(8, 4 * probe_options.concurrency)
        pending: dict[Future[Any], _Pending] = {}
        with ProbeSession(
            self.settings.pack.profile, probe_options, self.probe_names
        ) as session:
            for application in applications:
                self._static(application, (session, pending), advance)
                while len(pending) >= window:
                    self._finish_some(pending, advance)
            while pending:
                self._finish_some(pending, advance)
            self.outcome.requests = session.requests

    def _static(
        self,
        application: inventory.Application,
        probing: tuple[Any, dict[Future[Any], _Pending]] | None,
        advance: Callable[[str], None],
    ) -> None:
        started = time.perf_counter()
        try:
            pending = self._check(application, started, probing is not None)
        except Exception as exc:  # a bug: recorded, reported, and the run goes on
            self._internal_error(application, exc, started)
            advance(application.id)
            return
        if pending is None:
            advance(application.id)
            return
        assert probing is not None
        session, waiting = probing
        endpoints, declared = _endpoints(pending, self.settings.pack.profile)
        if not endpoints:
            self._complete(pending, [], None)
            advance(application.id)
            return
        future = session.submit(
            endpoints,
            declared=declared,
            manifest=_data(pending.document),
            folder=application.folder,
        )
        waiting[future] = pending

    def _check(
        self, application: inventory.Application, started: float, probing: bool
    ) -> _Pending | None:
        """The static part; None when the application is complete without a probe."""
        plan = replace(self.plan, suppressions=[], problems=[])
        if application.manifest is None:
            if probing and application.url:  # no manifest: probe the URL alone
                return _Pending(
                    application, None, None, [], plan, "url:" + application.url, started
                )
            if self._resumed(application, "missing"):
                return None
            message = application.missing or LocalText("?", "?")
            self._record(
                application,
                [],
                [],
                [InputProblem(application.display, message)],
                plan,
                None,
                started,
            )
            return None
        loaded = app.load_manifest(application.manifest, application.display)
        if isinstance(loaded, InputProblem):
            if self._resumed(application, f"sha256:{loaded.sha256}"):
                return None
            self._record(application, [], [], [loaded], plan, None, started)
            return None
        document, info = loaded
        inputs = record.inputs_digest(info.sha256, application.folder, document.data)
        if self._resumed(application, inputs):
            return None
        findings = app.evaluate_manifest(
            document,
            self.settings,
            self.run_options,
            plan,
            self.as_of,
            application.manifest,
        )
        pending = _Pending(application, document, info, findings, plan, inputs, started)
        if not probing:
            self._complete(pending, [], None)
            return None
        return pending

    def _resumed(self, application: inventory.Application, inputs: str) -> bool:
        if self.options.resume and self.journal.unchanged(
            application.id, inputs, self.settings.pack.info.version, self.key
        ):
            self.outcome.resumed += 1
            return True
        return False

    def _finish_some(
        self, pending: dict[Future[Any], _Pending], advance: Callable[[str], None]
    ) -> None:
        done, _ = wait(list(pending), return_when=FIRST_COMPLETED)
        for future in done:
            item = pending.pop(future)
            try:
                facts = future.result()
                findings = self._judge(item, facts)
                self._complete(item, findings, facts)
            except Exception as exc:  # a bug in a collector: recorded, run goes on
                self._internal_error(item.application, exc, item.started)
            advance(item.application.id)

    def _judge(self, item: _Pending, facts: Any) -> list[Finding]:
        from spbe_lint import engine
        from spbe_lint.probes import checks

        verdicts = checks.judge(facts, self.probe_names)
        where = item.document.path if item.document else (item.application.url or "")
        return engine.evaluate_endpoints(self.endpoint_rules, verdicts, where)

    def _complete(self, item: _Pending, probed: list[Finding], facts: Any) -> None:
        inputs = [item.info] if item.info is not None else []
        endpoints = [o.url for o in facts.observations] if facts is not None else []
        self._record(
            item.application,
            inputs,
            item.findings + probed,
            [],
            item.plan,
            facts,
            item.started,
            inputs_digest=item.inputs,
            endpoints=tuple(endpoints),
            unparsed=record.unparsed(item.document, item.findings),
        )

    def _record(
        self,
        application: inventory.Application,
        inputs: Sequence[InputFile],
        findings: Sequence[Finding],
        problems: Sequence[InputProblem],
        plan: Any,
        facts: Any,
        started: float,
        *,
        inputs_digest: str | None = None,
        endpoints: tuple[str, ...] = (),
        unparsed: InputProblem | None = None,
    ) -> None:
        report = app.assemble(
            self.settings,
            self.run_options,
            plan,
            self.as_of,
            inputs,
            findings,
            problems,
            endpoints,
        )
        if inputs_digest is None and problems:
            # Unreadable bytes are still these bytes; no manifest is "missing".
            digest = problems[0].sha256
            inputs_digest = f"sha256:{digest}" if digest else "missing"
        written = self._reports(application, report)
        entry = record.application_record(
            application.id,
            report,
            opd=application.opd,
            manifest=application.display,
            url=application.url,
            inputs=inputs_digest,
            run_key=self.key,
            certificates=record.certificates(facts) if facts is not None else (),
            reports=written,
            seconds=time.perf_counter() - started,
            unparsed=unparsed,
        )
        self.journal.write(entry)
        self.outcome.checked += 1
        if problems or unparsed:
            self.outcome.broken += 1
        elif entry["exit"] == 1:
            self.outcome.failing += 1

    def _reports(
        self, application: inventory.Application, report: Report
    ) -> dict[str, str]:
        if self.options.reports_dir is None or not self.options.report_formats:
            return {}
        from spbe_lint.reporters import REPORTERS, RenderOptions

        folder = self.options.reports_dir
        folder.mkdir(parents=True, exist_ok=True)
        written = {}
        for fmt in self.options.report_formats:
            path = folder / f"{safe_name(application.id)}.{EXTENSIONS[fmt]}"
            path.write_text(REPORTERS[fmt](report, RenderOptions()), encoding="utf-8")
            written[fmt] = path.as_posix()
        return written

    def _internal_error(
        self, application: inventory.Application, exc: BaseException, started: float
    ) -> None:
        text = f"internal error ({type(exc).__name__}: {exc})"
        self.outcome.errors.append(f"{application.id}: {text}")
        report = app.assemble(
            self.settings, self.run_options, self.plan, self.as_of, [], [], []
        )
        entry = record.application_record(
            application.id,
            report,
            opd=application.opd,
            manifest=application.display,
            url=application.url,
            inputs=None,
            run_key=self.key,
            seconds=time.perf_counter() - started,
            internal_error=text,
        )
        self.journal.write(entry)


def safe_name(app_id: str) -> str:
    """A file name for an application id (ids come from strangers' inventories)."""
    cleaned = "".join(c if c.isalnum() or c in "._-" else "_" for c in app_id)
    return cleaned.lstrip(".") or "_"


def _endpoints(item: _Pending, profile: Any) -> tuple[list[Any], Any]:
    from spbe_lint.probes import run
    from spbe_lint.probes.facts import Endpoint

    if item.document is None:
        return [Endpoint(item.application.url or "", "app")], {}
    endpoints, declared = run.endpoints_from(item.document, profile)
    url = item.application.url
    if url and url not in {e.url for e in endpoints}:
        endpoints.insert(0, Endpoint(url, "app"))
    return endpoints, declared


def _data(document: Any) -> Any:
    if document is None:
        return None
    return document.data if isinstance(document.data, dict) else None


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
        "rules": [(r.id, r.severity.label) for r in settings.rules],
        "pack": settings.pack.info.sha256,
        "profile": settings.pack.info.profile,
        "waivers": plan.waiver_file.sha256 if plan.waiver_file else None,
        "baseline": plan.baseline.sha256 if plan.baseline else None,
        "reviewer": options.reviewer,
        "probe": probe is not None,
        "exposure": bool(getattr(probe, "exposure", False)),
    }


def _day(text: Any) -> Any:
    import datetime

    try:
        return datetime.date.fromisoformat(str(text))
    except ValueError:
        return None
