"""``collect``: one set of endpoints probed in a session of its own
(``probes.session`` runs the tasks: concurrently across hosts, politely per
host), and the parsing of the operator's --resolve and --connect-to.

The probe's options (``probes.options``) and the redirect walk
(``probes.redirects``) sit below the session, which uses them; they are
re-exported here, where callers have always found them.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from spbe_lint.probes.facts import Declaration, Endpoint, ProbeFacts
from spbe_lint.probes.options import ProbeOptions
from spbe_lint.probes.redirects import APP_HOPS, HTTP_HOPS, REDIRECTS, follow

if TYPE_CHECKING:
    from spbe_lint.probes.pinning import GetAddrInfo

__all__ = [
    "APP_HOPS",
    "HTTP_HOPS",
    "REDIRECTS",
    "ProbeOptions",
    "collect",
    "follow",
    "parse_connect_to",
    "parse_resolve",
]


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
