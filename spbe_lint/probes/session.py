"""A probe session: what ``spbe-lint probe`` runs for one set of endpoints and
a city-wide audit runs for hundreds of applications.

One Pinner (each host resolved and pinned once), one Transport (at most
``per_host`` connections to a host across every submission, kept alive between
them) and one pool of ``--concurrency`` workers serve all submissions. The
city SSO issuer's OIDC discovery (and JWKS) is fetched once per session and
shared by the facts of every submission.

Scheduling. Each fact is one small task (a redirect chain, a TLS handshake
series, one request) on one host. Workers take tasks from a scheduler instead
of a queue in fixed order: a task whose host already has ``per_host`` tasks
running stays in the scheduler rather than holding a worker that waits for a
connection lane, so the workers go to hosts that can take a request now. A
host's first task in a submission opens its first HTTPS connection, whose TLS
facts and kept-alive connection the others reuse, so the others start once it
is done. Within a submission, tasks are taken on a diagonal (the k-th task of
the h-th host ranks h + k * spread): hosts keep joining while earlier ones
reuse their connections, instead of every handshake at the start and every
version probe at the end. Submissions are served oldest first and planned only
when the ones in hand leave a worker idle, so results complete progressively
and a thousand submissions handed over at once cost their arguments, not a
thousand plans or threads.
"""

from __future__ import annotations

import heapq
import ipaddress
import sys
import threading
import uuid
from collections import Counter, deque
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import CancelledError, Future
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

from spbe_lint.probes import exposure, health, heap, oidc, openapi, tls
from spbe_lint.probes.addresses import AddressPolicy, Refused, Scope, admit
from spbe_lint.probes.facts import Declaration, Endpoint, Observation, ProbeFacts
from spbe_lint.probes.options import ProbeOptions
from spbe_lint.probes.redirects import APP_HOPS, HTTP_HOPS, follow
from spbe_lint.probes.transport import (
    GetAddrInfo,
    Limits,
    Overrides,
    Pin,
    Pinner,
    Remembering,
    Transport,
    client_context,
)


class ProbeSession:
    """Probe many submissions (sets of endpoints, one application each) with
    shared connections, politeness limits, workers and SSO discovery.

    ``submit`` returns at once with a Future of the submission's ProbeFacts,
    which resolves when the submission's own tasks are done (and the shared
    discovery, when the checks need it); an exception raised by one of its
    tasks is raised by ``Future.result()``. ``close`` (or leaving a ``with``
    block) waits for what was submitted, then closes every connection; leaving
    the block on an exception cancels the submissions not yet started. While
    it is open, the garbage collector leaves alone the objects that existed
    when it was made (``probes.heap``): close it when done."""

    def __init__(
        self,
        profile: Mapping[str, Any],
        options: ProbeOptions,
        checks: Sequence[str],
        *,
        getaddrinfo: GetAddrInfo | None = None,
    ) -> None:
        from spbe_lint.probes.checks import facts_for

        self.profile = profile
        self.options = options
        self.wanted = facts_for(checks)
        self.datacentre = _datacentre(profile)
        overrides = Overrides(options.resolve, options.connect_to)
        issuer = str((profile.get("sso") or {}).get("issuer") or "")
        sso_host = urlsplit(issuer).hostname if issuer else None
        self.scope = Scope(
            str(profile.get("domain", "")),
            sso_host,
            frozenset({80, 443}) | overrides.ports(),
        )
        policy = AddressPolicy(tuple(options.allow_networks), self.datacentre)
        self.pinner = Pinner(policy, overrides, getaddrinfo)
        context = client_context(str(options.ca_bundle) if options.ca_bundle else None)
        limits = Limits.from_timeout(options.timeout)
        self.transport = Transport(
            self.scope, self.pinner, limits=limits, ssl_context=context
        )
        self._discovery: Future[Any] | None = None
        self._sso: _Task | None = None
        if issuer and sso_host and "discovery" in self.wanted:
            self._discovery = Future()
            self._sso = _Task(sso_host, self._discover(issuer))
        self._scheduler = _Scheduler(
            self, max(1, options.concurrency), limits.per_host, options.progress
        )
        # the collector leaves the process's older objects alone while the
        # session runs (probes.heap): its full passes stalled every worker
        heap.enter()
        self._frozen = True

    @property
    def requests(self) -> int:
        """Requests sent so far in this session."""
        return self.transport.count

    def submit(
        self,
        endpoints: Sequence[Endpoint],
        *,
        declared: Mapping[str, Declaration] | None = None,
        manifest: Mapping[str, Any] | None = None,
        folder: Path | None = None,
    ) -> Future[ProbeFacts]:
        """Probe *endpoints* (one application); the Future of their facts."""
        submission = _Submission(self, tuple(endpoints), declared, manifest, folder)
        self._scheduler.submit(submission)
        return submission.future

    def close(self, *, cancel: bool = False) -> None:
        """Wait for the submitted work (with *cancel*, only for the tasks
        already running: submissions not yet started are cancelled), then stop
        the workers and close every connection."""
        try:
            self._scheduler.close(cancel)
        finally:
            self.transport.close()
            if self._frozen:
                self._frozen = False
                heap.leave()

    def __enter__(self) -> ProbeSession:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close(cancel=kind is not None)

    def _authorization(self, url: str) -> str | None:
        """Why a redirect to *url* is recorded and not requested: it is the
        city SSO's authorization endpoint. The login is judged by that redirect
        (response_type, client_id, redirect_uri); requesting it would only open
        a sign-in session at the city's identity provider for every probed
        application, through its one host's two connections."""
        if self._discovery is None:
            return None
        try:  # the discovery runs first in a session: done by the first login
            found = self._discovery.result(timeout=self.options.timeout)
        except Exception:  # no discovery: the redirect is followed as any other
            return None
        endpoint = getattr(found, "authorization_endpoint", None)
        if endpoint and oidc.same_endpoint(url, endpoint):
            return "the city SSO's authorization endpoint: the redirect is judged"
        return None

    def _discover(self, issuer: str) -> Callable[[], Any]:
        def run() -> Any:
            found = oidc.fetch(self.transport, issuer)
            if "jwks" in self.wanted:  # after discovery, in the same SSO task
                found = oidc.fetch_jwks(self.transport, found)
            return found

        return run

    def _facts(self, submission: _Submission) -> ProbeFacts:
        discovery = None
        if self._discovery is not None:
            discovery = self._discovery.result()  # done: raises its error
        plan = submission.plan
        assert plan is not None
        observations = []
        for index, endpoint in enumerate(submission.endpoints):
            extra: dict[str, Any] = {}
            if index in plan.hosts:
                pin = self.pinner.known(*plan.hosts[index])
                if isinstance(pin, Pin):
                    extra = {"resolved": pin.resolved, "pinned": pin.shown}
            observations.append(Observation(endpoint, **plan.parts[index], **extra))
        return ProbeFacts(
            tuple(observations),
            self.profile,
            self.datacentre,
            discovery,
            self.options.exposure,
            submission.declared or {},
            submission.manifest,
        )


def _datacentre(profile: Mapping[str, Any]) -> tuple[Any, ...]:
    ranges = []
    for value in profile.get("datacentre_ranges") or ():
        try:
            ranges.append(ipaddress.ip_network(str(value), strict=False))
        except ValueError:
            continue
    return tuple(ranges)


class _Task:
    """One fact of one submission (or of the session: the SSO discovery) on
    one host; *key* ranks it within its submission."""

    __slots__ = ("host", "key", "queue", "run")

    def __init__(
        self,
        host: str,
        run: Callable[[], Any],
        key: int = 0,
        queue: _Queue | None = None,
    ) -> None:
        self.host = host
        self.run = run
        self.key = key
        self.queue = queue


class _Queue:
    """A submission's tasks on one host, in order. Its first task runs alone
    (``gated`` while it runs): it opens the connection the others reuse."""

    __slots__ = ("gated", "host", "index", "opened", "submission", "tasks")

    def __init__(self, submission: _Submission, host: str, index: int) -> None:
        self.submission = submission
        self.host = host
        self.index = index
        self.tasks: deque[_Task] = deque()
        self.opened = False
        self.gated = False

    def entry(self) -> tuple[int, int, _Queue]:
        return (self.tasks[0].key, self.index, self)


class _Submission:
    def __init__(
        self,
        session: ProbeSession,
        endpoints: tuple[Endpoint, ...],
        declared: Mapping[str, Declaration] | None,
        manifest: Mapping[str, Any] | None,
        folder: Path | None,
    ) -> None:
        self.session = session
        self.endpoints = endpoints
        self.declared = declared
        self.manifest = manifest
        self.folder = folder
        self.future: Future[ProbeFacts] = Future()
        self.plan: _Plan | None = None
        self.queues: list[_Queue] = []
        self.ready: list[tuple[int, int, _Queue]] = []  # heap of queues to take from
        self.unfinished = 0  # tasks planned and not finished
        self.running = 0
        self.error: BaseException | None = None

    def activate(self, spread: int) -> list[_Task]:
        """Plan the submission's tasks (now, not when submitted: a plan holds
        the facts as they come in); its tasks, ranked on the diagonal."""
        session = self.session
        plan = self.plan = _Plan(
            Remembering(session.transport),
            session.transport,
            session.wanted,
            session.options,
            self.folder,
            len(self.endpoints),
            session._authorization,
        )
        plan.profile = session.profile
        for index, endpoint in enumerate(self.endpoints):
            try:
                target = admit(endpoint.url, session.scope)
            except Refused as exc:
                plan.parts[index]["refused"] = exc.reason
                continue
            plan.endpoint(index, endpoint, target.host)
            if target.origin not in plan.owners:
                plan.owners[target.origin] = index
                plan.hosts[index] = (target.host, target.port)
                plan.origin(index, target)
        by_host: dict[str, _Queue] = {}
        tasks = []
        for host, run in plan.tasks:
            queue = by_host.get(host)
            if queue is None:
                queue = by_host[host] = _Queue(self, host, len(by_host))
                self.queues.append(queue)
            task = _Task(host, run, queue.index + len(queue.tasks) * spread, queue)
            queue.tasks.append(task)
            tasks.append(task)
        self.ready = [queue.entry() for queue in self.queues]
        heapq.heapify(self.ready)
        self.unfinished = len(tasks)
        return tasks


class _Scheduler:
    """The session's workers and what they take next (see the module docstring).

    Every field is guarded by ``lock`` (the condition the idle workers wait on);
    futures are resolved and connections released outside it."""

    def __init__(
        self, session: ProbeSession, workers: int, per_host: int, progress: bool
    ) -> None:
        self.session = session
        self.workers = workers
        self.per_host = per_host
        self.spread = 2 * workers  # a host's next task about two pool rounds later
        self.window = max(16, 4 * workers)  # submissions planned at once, at most
        self.progress = progress
        self.lock = threading.Condition()
        self.waiting: deque[_Submission] = deque()  # submitted, not yet planned
        self.active: list[_Submission] = []  # planned, oldest first
        self.urgent: deque[_Task] = deque()  # session tasks, before all others
        self.running: Counter[str] = Counter()  # tasks running, per host
        self.left: Counter[str] = Counter()  # tasks planned, not finished, per host
        self.parked: dict[str, list[_Queue]] = {}  # queues whose host is full
        self.threads: list[threading.Thread] = []
        self.busy = 0  # tasks running
        self.done = 0
        self.total = 0
        self.shown = False
        self.closing = False

    # ---- what callers do ----------------------------------------------------

    def submit(self, submission: _Submission) -> None:
        with self.lock:
            if self.closing:
                raise RuntimeError("the probe session is closed")
            sso = self.session._sso
            if sso is not None and not self.threads:  # the first submission
                self.urgent.append(sso)
                self.left[sso.host] += 1
                self.total += 1
            self.waiting.append(submission)
            while len(self.threads) < self.workers:
                thread = threading.Thread(
                    target=self._work,
                    name=f"spbe-lint-probe-{len(self.threads)}",
                    daemon=True,  # a session never closed does not hold up exit
                )
                self.threads.append(thread)
                thread.start()
            self.lock.notify(2)

    def close(self, cancel: bool) -> None:
        pending: list[_Submission] = []
        stopped: list[_Submission] = []
        with self.lock:
            self.closing = True
            if cancel:
                pending = list(self.waiting)
                self.waiting.clear()
                for submission in list(self.active):
                    submission.error = submission.error or _Cancelled()
                    self._drop(submission)
                    if submission.running == 0:
                        self.active.remove(submission)
                        stopped.append(submission)
                    # else: its last running task settles it
            self.lock.notify_all()
        for submission in pending:
            submission.future.cancel()  # not started: cancelled outright
        self._settle(stopped)  # started: CancelledError from result()
        for thread in self.threads:
            if thread is not threading.current_thread():  # closed from a callback
                thread.join()
        if self.shown:
            sys.stderr.write("\n")
            sys.stderr.flush()

    # ---- what workers do ----------------------------------------------------

    def _work(self) -> None:
        while True:
            settled: list[_Submission] = []
            with self.lock:
                while True:
                    task, found = self._next()
                    settled += found
                    if task is not None or settled:
                        break
                    if self.closing and self._idle():
                        self.lock.notify_all()
                        return
                    self.lock.wait()
                if task is not None:
                    self.running[task.host] += 1
                    self.busy += 1
                    if task.queue is not None:
                        task.queue.submission.running += 1
                    if self._more():
                        self.lock.notify()  # a task is left for an idle worker
            # futures are resolved outside the lock: their callbacks are the
            # caller's code, which may submit again
            self._settle(settled)
            if task is not None:
                self._execute(task)

    def _execute(self, task: _Task) -> None:
        value: Any = None
        error: BaseException | None = None
        try:
            value = task.run()
        except BaseException as exc:  # a bug in a collector is a bug: the future
            error = exc
        with self.lock:
            released, settled, woken = self._finish(task, error)
            if woken:
                self.lock.notify(woken)
            if self.closing and self._idle():
                self.lock.notify_all()
            self._report()
        for host in released:
            self.session.transport.release(host)
        if task.queue is None:  # the session's SSO discovery
            future = self.session._discovery
            assert future is not None
            if error is None:
                future.set_result(value)
            else:
                future.set_exception(error)
        self._settle(settled)

    def _idle(self) -> bool:
        return not (self.waiting or self.active or self.urgent or self.busy)

    def _more(self) -> bool:
        return bool(self.urgent or self.waiting or any(s.ready for s in self.active))

    def _next(self) -> tuple[_Task | None, list[_Submission]]:
        """The task to run next, and submissions found to have nothing to run."""
        settled: list[_Submission] = []
        for index, task in enumerate(self.urgent):
            if self.running[task.host] < self.per_host:
                del self.urgent[index]
                return task, settled
        for submission in self.active:
            task = self._take(submission)
            if task is not None:
                return task, settled
        while self.waiting and len(self.active) < self.window:
            submission = self.waiting.popleft()
            if not submission.future.set_running_or_notify_cancel():
                continue  # the caller cancelled it
            try:
                tasks = submission.activate(self.spread)
            except BaseException as exc:  # a bug in planning reaches the future
                submission.error = exc
                settled.append(submission)
                continue
            for task in tasks:
                self.left[task.host] += 1
            self.total += len(tasks)
            if not tasks:
                settled.append(submission)  # nothing to probe (all refused)
                continue
            self.active.append(submission)
            task = self._take(submission)
            if task is not None:
                return task, settled
        return None, settled

    def _take(self, submission: _Submission) -> _Task | None:
        ready = submission.ready
        while ready:
            queue = heapq.heappop(ready)[2]
            if self.running[queue.host] >= self.per_host:
                self.parked.setdefault(queue.host, []).append(queue)
                continue
            task = queue.tasks.popleft()
            if not queue.opened:
                queue.opened = queue.gated = True
            elif queue.tasks:
                heapq.heappush(ready, queue.entry())
            return task
        return None

    def _finish(
        self, task: _Task, error: BaseException | None
    ) -> tuple[list[str], list[_Submission], int]:
        """Account for a finished task: hosts now without tasks (to release),
        submissions now finished, and how many queues became ready."""
        released: list[str] = []
        settled: list[_Submission] = []
        woken = 0
        self.busy -= 1
        self.done += 1
        self.running[task.host] -= 1
        for queue in self.parked.pop(task.host, ()):
            if queue.tasks and not queue.gated:
                heapq.heappush(queue.submission.ready, queue.entry())
                woken += 1
        self._left(task.host, 1, released)
        queue = task.queue
        if queue is None:
            return released, settled, woken
        submission = queue.submission
        submission.running -= 1
        submission.unfinished -= 1
        if error is not None and submission.error is None:
            submission.error = error
            released += self._drop(submission)
        elif queue.gated:
            queue.gated = False
            if queue.tasks:
                heapq.heappush(submission.ready, queue.entry())
                woken += 1
        if submission.unfinished == 0:
            self.active.remove(submission)
            settled.append(submission)
        return released, settled, woken

    def _drop(self, submission: _Submission) -> list[str]:
        """Forget a failed or cancelled submission's tasks not yet started."""
        released: list[str] = []
        for queue in submission.queues:
            if queue.tasks:
                submission.unfinished -= len(queue.tasks)
                self._left(queue.host, len(queue.tasks), released)
                queue.tasks.clear()
        submission.ready.clear()
        return released

    def _left(self, host: str, count: int, released: list[str]) -> None:
        self.left[host] -= count
        if self.left[host] <= 0:
            del self.left[host]
            # no task of the submissions in hand needs the host again: its idle
            # kept-alive connections are closed (a long session does not hold
            # two idle connections to every host it has seen)
            released.append(host)

    def _settle(self, settled: list[_Submission]) -> None:
        """Resolve finished submissions' futures (after the shared discovery)."""
        while settled:
            submission = settled.pop()
            discovery = self.session._discovery
            if submission.error is not None:
                _fail(submission, submission.error)
            elif discovery is None or discovery.done():
                self._resolve(submission)
            else:
                discovery.add_done_callback(
                    lambda _, submission=submission: self._resolve(submission)
                )

    def _resolve(self, submission: _Submission) -> None:
        try:
            facts = self.session._facts(submission)
        except BaseException as exc:  # the discovery's error, or a bug
            _fail(submission, exc)
        else:
            submission.future.set_result(facts)

    def _report(self) -> None:
        if self.progress and self.total:
            sys.stderr.write(f"\rspbe-lint probe: {self.done}/{self.total} checks")
            sys.stderr.flush()
            self.shown = True


class _Cancelled(Exception):
    """The session closed on an error before the submission was done."""


def _fail(submission: _Submission, error: BaseException) -> None:
    if isinstance(error, _Cancelled):
        error = CancelledError("the probe session closed before it was done")
    submission.future.set_exception(error)


class _Plan:
    """The tasks of a submission: one per fact, each filling its endpoint's
    parts. Requests go through the submission's Remembering view (one request
    per URL per submission); the TLS task uses the shared transport's lanes."""

    def __init__(
        self,
        fetcher: Remembering,
        transport: Transport,
        wanted: frozenset[str],
        options: ProbeOptions,
        folder: Path | None,
        size: int,
        stop_at: Callable[[str], str | None] | None = None,
    ) -> None:
        self.stop_at = stop_at  # redirects recorded, not requested (the SSO's)
        self.fetcher = fetcher
        self.transport = transport
        self.wanted = wanted
        self.options = options
        self.folder = folder
        self.profile: Mapping[str, Any] = {}  # the city's: what API judges compare
        self.parts: list[dict[str, Any]] = [{} for _ in range(size)]
        self.tasks: list[tuple[str, Callable[[], None]]] = []
        self.owners: dict[str, int] = {}
        self.hosts: dict[int, tuple[str, int]] = {}

    def add(self, host: str, index: int, key: str, make: Callable[[], Any]) -> None:
        if key not in self.wanted:
            return

        def run() -> None:
            self.parts[index][key] = make()

        self.tasks.append((host, run))

    def endpoint(self, index: int, endpoint: Endpoint, host: str) -> None:
        fetcher, url = self.fetcher, endpoint.url
        if endpoint.role == "app":
            self.add(
                host,
                index,
                "landing",
                lambda: follow(fetcher, url, APP_HOPS, stop_at=self.stop_at),
            )
        elif endpoint.role == "login":
            self.add(
                host,
                index,
                "login",
                lambda: follow(fetcher, url, APP_HOPS, stop_at=self.stop_at),
            )
        elif endpoint.role == "health":
            self.add(host, index, "health", lambda: health.collect(fetcher, url))
        elif endpoint.role == "api":
            self.add(
                host,
                index,
                "openapi",
                lambda: openapi.collect(fetcher, endpoint, self.folder, self.profile),
            )
            self.add(
                host,
                index,
                "api_anonymous",
                lambda: fetcher.fetch(url, headers={"Accept": "application/json"}),
            )

    def origin(self, index: int, target: Any) -> None:
        """Facts about an origin, gathered once, after the endpoint's own task
        (which opens the first HTTPS connection): the TLS facts, mostly taken
        from that connection (only the protocol-version handshakes are new),
        the requests reusing it, and last the plain-HTTP redirect, whose final
        hop is usually the landing page, already fetched."""
        fetcher, host, origin = self.fetcher, target.host, target.origin
        if target.scheme == "https":
            transport, port = self.transport, target.port
            self.add(host, index, "tls", lambda: _tls(transport, host, port))
        missing = f"{origin}/spbe-lint-{uuid.uuid4().hex[:12]}"
        self.add(host, index, "error_page", lambda: fetcher.fetch(missing))
        self.add(
            host,
            index,
            "security_txt",
            lambda: fetcher.fetch(origin + exposure.SECURITY_TXT),
        )
        if self.options.exposure:
            self.add(
                host,
                index,
                "exposures",
                lambda: tuple(
                    (name, fetcher.fetch(origin + path))
                    for name, path in exposure.paths()
                ),
            )
        if target.port in (80, 443):
            self.add(
                host,
                index,
                "http_redirect",
                lambda: follow(fetcher, f"http://{host}/", HTTP_HOPS),
            )


def _tls(transport: Transport, host: str, port: int) -> Any:
    with transport.slot(host) as lane:
        lane.close()  # the handshakes below are this lane's connection now
        return tls.collect(
            transport.pinner,
            host,
            port,
            transport.ssl_context,
            transport.limits,
            transport.tls_seen(host, port),
        )
