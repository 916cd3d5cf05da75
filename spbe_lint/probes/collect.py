"""The probe's options, the redirect walk, and ``collect``: one set of
endpoints probed in a session of its own (``probes.session`` runs the tasks:
concurrently across hosts, politely per host)."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin

from spbe_lint.probes.facts import (
    Chain,
    Declaration,
    Endpoint,
    Exchange,
    ProbeFacts,
)

if TYPE_CHECKING:
    from spbe_lint.probes.transport import Fetcher, GetAddrInfo

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


def follow(
    transport: Fetcher,
    url: str,
    hops: int,
    *,
    stop_at: Callable[[str], str | None] | None = None,
    **kwargs: Any,
) -> Chain:
    """GET *url* and follow at most *hops* redirects by hand; every hop is
    admitted and pinned again by the transport, a refused hop ends the chain.
    A redirect to a URL for which *stop_at* gives a reason is recorded, not
    requested (the login's redirect to the city SSO is what is judged)."""
    seen: list[str] = []
    exchanges: list[Exchange] = []
    current = url
    for _ in range(hops + 1):
        reason = stop_at(current) if stop_at is not None and exchanges else None
        if reason:
            exchanges.append(Exchange("GET", current, not_requested=reason))
            return Chain(tuple(exchanges))
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
    """The facts for *checks* on *endpoints*, and how many requests were sent:
    a probe session with one submission."""
    from spbe_lint.probes.session import ProbeSession

    with ProbeSession(profile, options, checks, getaddrinfo=getaddrinfo) as session:
        future = session.submit(
            endpoints, declared=declared, manifest=manifest, folder=folder
        )
        facts = future.result()  # a bug in a collector is a bug, not a finding
    return facts, session.requests


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
