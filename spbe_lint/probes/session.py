"""A probe session: what ``spbe-lint probe`` runs for one set of endpoints and
a city-wide audit runs for hundreds of applications.

One Pinner (each host resolved and pinned once), one Transport (at most
``per_host`` connections to a host across every submission, kept alive between
them) and one pool of ``--concurrency`` workers serve all submissions. The
city SSO issuer's OIDC discovery (and JWKS) is fetched once per session and
shared by the facts of every submission.

A submission's tasks are planned by ``probes.plan`` (one per fact) and run by
``probes.scheduler`` (concurrently across hosts, politely per host, oldest
submission first); the session turns each finished plan into ProbeFacts.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

from spbe_lint.probes import heap, oidc
from spbe_lint.probes.addresses import AddressPolicy, Refused, Scope, admit
from spbe_lint.probes.facts import Declaration, Endpoint, Observation, ProbeFacts
from spbe_lint.probes.options import ProbeOptions
from spbe_lint.probes.pinning import GetAddrInfo, Overrides, Pin, Pinner
from spbe_lint.probes.plan import Plan
from spbe_lint.probes.scheduler import Scheduler, Submission, Task
from spbe_lint.probes.transport import Limits, Remembering, Transport, client_context


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
        sso: Task | None = None
        if issuer and sso_host and "discovery" in self.wanted:
            self._discovery = Future()
            sso = Task(sso_host, self._discover(issuer))
        self._scheduler = Scheduler(
            max(1, options.concurrency),
            limits.per_host,
            options.progress,
            facts=self._facts,
            release=self.transport.release,
            sso=sso,
            discovery=self._discovery,
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


class _Submission(Submission):
    """One application's endpoints, and what the session knows of them."""

    def __init__(
        self,
        session: ProbeSession,
        endpoints: tuple[Endpoint, ...],
        declared: Mapping[str, Declaration] | None,
        manifest: Mapping[str, Any] | None,
        folder: Path | None,
    ) -> None:
        super().__init__()
        self.session = session
        self.endpoints = endpoints
        self.declared = declared
        self.manifest = manifest
        self.folder = folder
        self.plan: Plan | None = None

    def tasks(self) -> list[tuple[str, Callable[[], None]]]:
        """Plan every admitted endpoint (a refused one gets its reason, no
        task), and each origin once, by its first endpoint."""
        session = self.session
        plan = self.plan = Plan(
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
        return plan.tasks
