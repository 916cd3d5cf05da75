"""Orchestrate a probe run: admit every endpoint, gather the facts the rules in
force need, concurrently across hosts and politely per host.

Every fact is one small task (a redirect chain, a TLS handshake series, one
request). Tasks are interleaved host by host so that the worker pool (bounded
by ``--concurrency``) is spread across hosts, while the transport keeps to at
most two connections per host. Facts about an origin (TLS, the plain-HTTP
redirect, the error page, security.txt, exposures) are gathered once and kept
on the first endpoint that uses the origin.
"""

from __future__ import annotations

import ipaddress
import sys
import threading
import uuid
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

from spbe_lint.probes import exposure, health, oidc, openapi, tls
from spbe_lint.probes.addresses import AddressPolicy, Refused, Scope, admit
from spbe_lint.probes.facts import (
    Chain,
    Declaration,
    Endpoint,
    Exchange,
    Observation,
    ProbeFacts,
)
from spbe_lint.probes.transport import (
    GetAddrInfo,
    Limits,
    Overrides,
    Pin,
    Pinner,
    Transport,
    client_context,
)

APP_HOPS = 5  # redirects followed for the landing page and the login
HTTP_HOPS = 10  # for the plain-HTTP redirect (Observatory's MAX_REDIRECTS)
REDIRECTS = (301, 302, 303, 307, 308)


@dataclass(frozen=True)
class ProbeOptions:
    """What the operator chose (command line or configuration, never a manifest)."""

    timeout: float = 15.0
    concurrency: int = 8
    resolve: Mapping[tuple[str, int], tuple[str, ...]] = field(default_factory=dict)
    connect_to: Mapping[tuple[str, str], tuple[str, int | None]] = field(
        default_factory=dict
    )
    ca_bundle: Path | None = None
    allow_networks: tuple[Any, ...] = ()  # ip networks
    exposure: bool = False
    progress: bool = False


def follow(transport: Transport, url: str, hops: int, **kwargs: Any) -> Chain:
    """GET *url* and follow at most *hops* redirects by hand; every hop is
    admitted and pinned again by the transport, a refused hop ends the chain."""
    seen: list[str] = []
    exchanges: list[Exchange] = []
    current = url
    for _ in range(hops + 1):
        exchange = transport.fetch(current, **kwargs)
        exchanges.append(exchange)
        if exchange.blocked:
            return Chain(tuple(exchanges), f"blocked: {exchange.error}")
        location = exchange.header("location")
        if not exchange.ok or exchange.status not in REDIRECTS or not location:
            return Chain(tuple(exchanges))
        seen.append(current)
        current = urljoin(current, location.strip())
        if current in seen:
            return Chain(tuple(exchanges), f"redirect loop back to {current}")
    return Chain(tuple(exchanges), f"more than {hops} redirects")


def _datacentre(profile: Mapping[str, Any]) -> tuple[Any, ...]:
    ranges = []
    for value in profile.get("datacentre_ranges") or ():
        try:
            ranges.append(ipaddress.ip_network(str(value), strict=False))
        except ValueError:
            continue
    return tuple(ranges)


def collect(
    endpoints: Sequence[Endpoint],
    profile: Mapping[str, Any],
    options: ProbeOptions,
    checks: Sequence[str],
    *,
    declared: Mapping[str, Declaration] | None = None,
    manifest: Mapping[str, Any] | None = None,
    folder: Path | None = None,
    getaddrinfo: GetAddrInfo | None = None,
) -> tuple[ProbeFacts, int]:
    """The facts for *checks* on *endpoints*, and how many requests were sent."""
    from spbe_lint.probes.checks import facts_for

    wanted = facts_for(checks)
    datacentre = _datacentre(profile)
    overrides = Overrides(options.resolve, options.connect_to)
    issuer = str((profile.get("sso") or {}).get("issuer") or "")
    sso_host = urlsplit(issuer).hostname if issuer else None
    scope = Scope(
        str(profile.get("domain", "")),
        sso_host,
        frozenset({80, 443}) | overrides.ports(),
    )
    policy = AddressPolicy(tuple(options.allow_networks), datacentre)
    pinner = Pinner(policy, overrides, getaddrinfo)
    context = client_context(str(options.ca_bundle) if options.ca_bundle else None)
    limits = Limits.from_timeout(options.timeout)
    transport = Transport(
        scope, pinner, limits=limits, ssl_context=context, remember=True
    )
    plan = _Plan(transport, wanted, options, folder, len(endpoints))
    for index, endpoint in enumerate(endpoints):
        try:
            target = admit(endpoint.url, scope)
        except Refused as exc:
            plan.parts[index]["refused"] = exc.reason
            continue
        plan.endpoint(index, endpoint, target.host)
        if target.origin not in plan.owners:
            plan.owners[target.origin] = index
            plan.hosts[index] = (target.host, target.port)
            plan.origin(index, target)
    parts, tasks, hosts = plan.parts, plan.tasks, plan.hosts
    discovery: list[Any] = []
    if issuer and "discovery" in wanted and sso_host:

        def sso() -> None:
            found = oidc.fetch(transport, issuer)
            if "jwks" in wanted:  # after discovery, in the same SSO host task
                found = oidc.fetch_jwks(transport, found)
            discovery.append(found)

        tasks.append((sso_host, sso))
    try:
        ordered = _interleave(_releasing(tasks, transport), 2 * options.concurrency)
        _run(ordered, options)
    finally:
        transport.close()
    observations = []
    for index, endpoint in enumerate(endpoints):
        extra: dict[str, Any] = {}
        if index in hosts:
            pin = pinner.known(*hosts[index])
            if isinstance(pin, Pin):
                extra = {"resolved": pin.resolved, "pinned": pin.shown}
        observations.append(Observation(endpoint, **parts[index], **extra))
    facts = ProbeFacts(
        tuple(observations),
        profile,
        datacentre,
        discovery[0] if discovery else None,
        options.exposure,
        declared or {},
        manifest,
    )
    return facts, transport.count


class _Plan:
    """The tasks of a run: one per fact, each filling its endpoint's parts."""

    def __init__(
        self,
        transport: Transport,
        wanted: frozenset[str],
        options: ProbeOptions,
        folder: Path | None,
        size: int,
    ) -> None:
        self.transport = transport
        self.wanted = wanted
        self.options = options
        self.folder = folder
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
        transport, url = self.transport, endpoint.url
        if endpoint.role == "app":
            self.add(host, index, "landing", lambda: follow(transport, url, APP_HOPS))
        elif endpoint.role == "login":
            self.add(host, index, "login", lambda: follow(transport, url, APP_HOPS))
        elif endpoint.role == "health":
            self.add(host, index, "health", lambda: health.collect(transport, url))
        elif endpoint.role == "api":
            self.add(
                host,
                index,
                "openapi",
                lambda: openapi.collect(transport, endpoint, self.folder),
            )
            self.add(
                host,
                index,
                "api_anonymous",
                lambda: transport.fetch(url, headers={"Accept": "application/json"}),
            )

    def origin(self, index: int, target: Any) -> None:
        """Facts about an origin, gathered once, after the endpoint's own task
        (which opens the first HTTPS connection): the TLS facts, mostly taken
        from that connection (only the protocol-version handshakes are new),
        the requests reusing it, and last the plain-HTTP redirect, whose final
        hop is usually the landing page, already fetched."""
        transport, host, origin = self.transport, target.host, target.origin
        if target.scheme == "https":
            self.add(host, index, "tls", lambda: _tls(transport, host, target.port))
        missing = f"{origin}/spbe-lint-{uuid.uuid4().hex[:12]}"
        self.add(host, index, "error_page", lambda: transport.fetch(missing))
        self.add(
            host,
            index,
            "security_txt",
            lambda: transport.fetch(origin + exposure.SECURITY_TXT),
        )
        if self.options.exposure:
            self.add(
                host,
                index,
                "exposures",
                lambda: tuple(
                    (name, transport.fetch(origin + path))
                    for name, path in exposure.paths()
                ),
            )
        if target.port in (80, 443):
            self.add(
                host,
                index,
                "http_redirect",
                lambda: follow(transport, f"http://{host}/", HTTP_HOPS),
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


def _releasing(
    tasks: list[tuple[str, Callable[[], None]]], transport: Transport
) -> list[tuple[str, Callable[[], None]]]:
    """The tasks, each host's kept-alive connections closed after its last one
    (a run over many hosts does not hold two idle connections to each)."""
    left: dict[str, int] = {}
    for host, _ in tasks:
        left[host] = left.get(host, 0) + 1
    lock = threading.Lock()

    def wrap(host: str, run: Callable[[], None]) -> Callable[[], None]:
        def task() -> None:
            try:
                run()
            finally:
                with lock:
                    left[host] -= 1
                    last = left[host] == 0
                if last:
                    transport.release(host)

        return task

    return [(host, wrap(host, run)) for host, run in tasks]


def _interleave(
    tasks: list[tuple[str, Callable[[], None]]], spread: int
) -> list[Callable[[], None]]:
    """Host by host on a diagonal: the k-th task of the h-th host goes at
    position h + k * spread. Neighbouring tasks hit different hosts, a host's
    next task starts about two rounds of the pool later (its kept-alive
    connection is free again by then), and new hosts (new connections, TLS
    handshakes) keep joining while earlier hosts reuse theirs, instead of every
    host's handshakes at the start and every version probe at the end."""
    spread = max(1, spread)
    by_host: dict[str, list[Callable[[], None]]] = {}
    for host, run in tasks:
        by_host.setdefault(host, []).append(run)
    placed = [
        (index + depth * spread, depth, index, run)
        for index, queue in enumerate(by_host.values())
        for depth, run in enumerate(queue)
    ]
    placed.sort(key=lambda item: item[:3])
    return [run for *_, run in placed]


def _run(tasks: list[Callable[[], None]], options: ProbeOptions) -> None:
    total = len(tasks)
    show = options.progress and total > 0
    done = 0
    lock = threading.Lock()

    def report() -> None:
        sys.stderr.write(f"\rspbe-lint probe: {done}/{total} checks")
        sys.stderr.flush()

    with ThreadPoolExecutor(max_workers=max(1, options.concurrency)) as pool:
        futures = [pool.submit(t) for t in tasks]
        for future in as_completed(futures):
            future.result()  # a bug in a collector is a bug, not a finding
            with lock:
                done += 1
                if show:
                    report()
    if show:
        sys.stderr.write("\n")


def parse_resolve(value: str) -> tuple[tuple[str, int], tuple[str, ...]]:
    """curl's ``HOST:PORT:ADDR[,ADDR...]`` (IPv6 in brackets); ValueError if not."""
    host, sep, rest = value.partition(":")
    port, sep2, addresses = rest.partition(":")
    if not (sep and sep2 and host and port.isdigit() and addresses):
        raise ValueError("expected HOST:PORT:ADDRESS[,ADDRESS]")
    found = []
    for item in addresses.split(","):
        address = item.strip().removeprefix("[").removesuffix("]")
        ipaddress.ip_address(address)  # ValueError names the bad one
        found.append(address)
    return (host.lower().removesuffix("."), _port(port)), tuple(found)


def parse_connect_to(value: str) -> tuple[tuple[str, str], tuple[str, int | None]]:
    """curl's ``HOST1:PORT1:HOST2:PORT2`` (empty HOST1/PORT1 match any)."""
    if value.count(":") != 3 and "[" not in value:
        raise ValueError("expected HOST1:PORT1:HOST2:PORT2")
    host1, port1, rest = value.split(":", 2)
    if rest.startswith("["):
        host2, _, tail = rest[1:].partition("]")
        port2 = tail.removeprefix(":")
    else:
        host2, _, port2 = rest.partition(":")
    if (port1 and not port1.isdigit()) or (port2 and not port2.isdigit()):
        raise ValueError("ports must be numbers")
    return (host1.lower().removesuffix("."), str(_port(port1)) if port1 else ""), (
        host2,
        _port(port2) if port2 else None,
    )


def _port(text: str) -> int:
    port = int(text)
    if not 0 < port < 65536:
        raise ValueError(f"port {port} out of range")
    return port
