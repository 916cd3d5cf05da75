"""Resolve once, pin, connect: the SSRF guard's address decision, and the one
place the probe opens a socket.

Design A of the specification (the Advocate pattern, re-implemented): *every*
connection, redirect hops included, is opened by ``Pinner.connect`` (the TLS
facts' extra handshakes use the ``Pin`` it decided, through ``open_socket``).
It resolves a (host, port) once per run (or takes the operator's
``--resolve``/``--connect-to``), refuses every address the policy denies, and
connects only to a validated address, so there is no gap between checking a
name and using it (DNS rebinding). SNI, the certificate check and the ``Host``
header keep the host name (``probes.transport``).
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from spbe_lint.probes.addresses import AddressPolicy


@dataclass(frozen=True)
class Overrides:
    """curl's ``--resolve HOST:PORT:ADDR[,ADDR]`` and ``--connect-to
    HOST:PORT:HOST2:PORT2`` (an empty HOST or PORT matches any)."""

    resolve: Mapping[tuple[str, int], tuple[str, ...]] = field(default_factory=dict)
    connect_to: Mapping[tuple[str, str], tuple[str, int | None]] = field(
        default_factory=dict
    )

    def ports(self) -> frozenset[int]:
        """Ports the operator named: URLs on them are admitted."""
        named = {port for _, port in self.resolve}
        named |= {int(port) for _, port in self.connect_to if port}
        return frozenset(named)

    def route(self, host: str, port: int) -> tuple[str, int]:
        """Where a connection to *host*:*port* really goes (``--connect-to``)."""
        for key in ((host, str(port)), (host, ""), ("", str(port)), ("", "")):
            if key in self.connect_to:
                host2, port2 = self.connect_to[key]
                return host2 or host, port2 or port
        return host, port


class BlockedAddress(Exception):
    """No address of a host may be contacted; the refused ones, with reasons."""

    def __init__(self, host: str, refused: Sequence[tuple[str, str]]) -> None:
        shown = ", ".join(f"{a} ({r})" for a, r in refused) or "no address"
        super().__init__(f"{host}: refused {shown}")
        self.host = host
        self.refused = tuple(refused)


class ResolveError(Exception):
    """The name does not resolve."""


@dataclass(frozen=True)
class Pin:
    """The decision for one (host, port): every address the name resolved to, the
    ones refused and why, and the one connections go to."""

    host: str
    port: int
    address: str
    connect_port: int
    resolved: tuple[str, ...]
    refused: tuple[tuple[str, str], ...] = ()

    @property
    def shown(self) -> str:
        address = f"[{self.address}]" if ":" in self.address else self.address
        return f"{address}:{self.connect_port}"


GetAddrInfo = Callable[..., list[Any]]


def open_socket(address: str, port: int, timeout: float) -> socket.socket:
    """Connect to a validated address. Every outgoing connection passes here."""
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.settimeout(timeout)
        sock.connect((address, port))
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    except BaseException:
        sock.close()
        raise
    return sock


class Pinner:
    """Resolve once per (host, port) for the whole run, validate, connect."""

    def __init__(
        self,
        policy: AddressPolicy,
        overrides: Overrides | None = None,
        getaddrinfo: GetAddrInfo | None = None,
    ) -> None:
        self.policy = policy
        self.overrides = overrides or Overrides()
        self._getaddrinfo = getaddrinfo or socket.getaddrinfo
        self._pins: dict[tuple[str, int], Pin | Exception] = {}
        self._lock = threading.Lock()
        self._key_locks: dict[tuple[str, int], threading.Lock] = {}

    def pin(self, host: str, port: int) -> Pin:
        key = (host, port)
        with self._lock:
            lock = self._key_locks.setdefault(key, threading.Lock())
        with lock:
            if key not in self._pins:
                try:
                    self._pins[key] = self._decide(host, port)
                except (BlockedAddress, ResolveError) as exc:
                    self._pins[key] = exc
            found = self._pins[key]
        if isinstance(found, Exception):
            raise found
        return found

    def known(self, host: str, port: int) -> Pin | Exception | None:
        return self._pins.get((host, port))

    def connect(self, host: str, port: int, timeout: float) -> socket.socket:
        pin = self.pin(host, port)
        return open_socket(pin.address, pin.connect_port, timeout)

    def _decide(self, host: str, port: int) -> Pin:
        target, connect_port = self.overrides.route(host, port)
        addresses = self.overrides.resolve.get((target, connect_port))
        if addresses is None:
            addresses = self._resolve(target, connect_port)
        refused = []
        chosen = None
        for address in addresses:
            reason = self.policy.refusal(address)
            if reason:
                refused.append((address, reason))
            elif chosen is None:
                chosen = address
        if chosen is None:
            raise BlockedAddress(host, refused)
        return Pin(host, port, chosen, connect_port, tuple(addresses), tuple(refused))

    def _resolve(self, host: str, port: int) -> tuple[str, ...]:
        try:
            infos = self._getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError) as exc:
            raise ResolveError(f"{host} does not resolve ({exc})") from None
        found: list[str] = []
        for _family, _type, _proto, _canon, sockaddr in infos:
            address = str(sockaddr[0])
            if address not in found:
                found.append(address)
        return tuple(found)
