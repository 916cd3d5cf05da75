"""The only code that opens sockets: resolve once, pin, connect, read within limits.

Design A of the specification (the Advocate pattern, re-implemented): *every*
connection, redirect hops included, is opened by ``Pinner.connect``. It
resolves a (host, port) once per run (or takes the operator's
``--resolve``/``--connect-to``), refuses every address the policy denies, and
connects only to a validated address, so there is no gap between checking a
name and using it (DNS rebinding). SNI, the certificate check and the ``Host``
header keep the host name.

Requests are GET, HEAD or OPTIONS only, never follow redirects, never use a
proxy or ``.netrc`` from the environment, never keep cookies, and stop at the
connect, read and total deadlines and at the body cap (counted after decoding,
so a gzip bomb stops at the cap). HTTP/1.1 is spoken on the pinned socket by
``probes.http1``, a thin adapter over h11 (first a requests Session, then
urllib3 pools: each cost more CPU per request than the probe's whole budget
for it; h11 parses and frames, the socket stays ours). A host has
``per_host`` lanes, each holding at most one open connection, kept alive for
the next request on the same port only when the body was read whole.
"""

from __future__ import annotations

import select
import socket
import ssl
import threading
import time
import zlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Protocol

from spbe_lint import __version__
from spbe_lint.probes import http1
from spbe_lint.probes.addresses import AddressPolicy, Refused, Scope, admit
from spbe_lint.probes.facts import Exchange

METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
USER_AGENT = (
    f"spbe-lint/{__version__} (+https://git.jambikota.go.id/diskominfo/spbe-lint)"
)
# What every request sends unless a check sets its own (the headers requests
# sent by default when the transport was built on it).
_BASE_HEADERS = {
    "User-Agent": USER_AGENT,
    "Accept-Encoding": "gzip, deflate",
    "Accept": "*/*",
    "Connection": "keep-alive",
}


@dataclass(frozen=True)
class Limits:
    connect: float = 5.0  # TCP connect and TLS handshake
    read: float = 10.0  # one socket read
    total: float = 15.0  # one request, headers and body, on a monotonic clock
    body: int = 1 << 20  # bytes kept of a body, counted after decoding
    per_host: int = 2  # connections at once to one host (politeness)

    @classmethod
    def from_timeout(cls, timeout: float) -> Limits:
        """``--timeout T``: the total deadline per request; connect and read
        deadlines never exceed it."""
        return cls(connect=min(5.0, timeout), read=min(10.0, timeout), total=timeout)


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


class Lane:
    """One of a host's ``limits.per_host`` connection slots. A lane holds at most
    one open connection, kept alive between the requests of the tasks that take
    the lane in turn, so a host never has more than ``per_host`` connections
    open, idle ones included."""

    def __init__(self, transport: Transport, host: str) -> None:
        self.transport = transport
        self.host = host
        self.key: tuple[str, int] | None = None  # (scheme, port) of its connection
        self._connection: _Connection | None = None

    def connection(self, scheme: str, port: int) -> _Connection:
        """The lane's connection to *scheme*:*port* (opened when first used); a
        connection the lane holds to another port is closed first."""
        if self.key != (scheme, port) or self._connection is None:
            self.close()
            self._connection = _Connection(self.transport, scheme, self.host, port)
            self.key = (scheme, port)
        return self._connection

    def close(self) -> None:
        """Close the lane's connection (before it is used for something else)."""
        if self._connection is not None:
            self._connection.close()
        self._connection, self.key = None, None


class _Connection:
    """A pinned connection (TLS verified with the run's context for https),
    opened when the first request needs it and kept for the next one when a
    response was read whole and the server keeps it open."""

    def __init__(self, transport: Transport, scheme: str, host: str, port: int) -> None:
        self.transport = transport
        self.scheme = scheme
        self.host = host
        self.port = port
        default = 443 if scheme == "https" else 80
        self.host_header = host if port == default else f"{host}:{port}"
        self.sock: Any = None
        self.client: http1.Client | None = None

    def ready(self) -> bool:
        """Open and still usable. A kept-alive connection with something to
        read before a request was sent was closed by the server (or it sent
        what nobody asked for): it is not used again."""
        if self.sock is None or self.client is None or not self.client.idle:
            return False
        pending = getattr(self.sock, "pending", None)
        if self.client.buffered or (pending is not None and pending()):
            return False
        if not hasattr(select, "poll"):  # Windows
            return not select.select([self.sock], [], [], 0)[0]
        poller = select.poll()  # not select(): a descriptor may be above 1023
        poller.register(self.sock, select.POLLIN)
        return not poller.poll(0)

    def open(self) -> None:
        limits = self.transport.limits
        sock = self.transport.pinner.connect(self.host, self.port, limits.connect)
        try:
            if self.scheme == "https":
                context = self.transport._context()
                # the handshake is bounded by the connect deadline (socket timeout)
                sock = context.wrap_socket(sock, server_hostname=self.host)
                self.transport._saw_tls(self.host, self.port, sock)
        except BaseException:
            sock.close()
            raise
        self.sock = sock
        self.client = http1.Client(sock)

    def close(self) -> None:
        if self.sock is not None:
            self.sock.close()
        self.sock = self.client = None


class _Lanes:
    """A host's lanes; a task takes the free lane best suited to it."""

    def __init__(self, transport: Transport, host: str, size: int) -> None:
        self.free = [Lane(transport, host) for _ in range(max(1, size))]
        self.all = tuple(self.free)
        self.ready = threading.Condition()

    def take(self, key: tuple[str, int] | None) -> Lane:
        """A free lane already connected to *key*, else an unused one, else
        the one released longest ago (its connection is then replaced)."""
        with self.ready:
            while not self.free:
                self.ready.wait()
            lane = next(
                (lane for lane in self.free if lane.key == key),
                next((lane for lane in self.free if lane.key is None), self.free[0]),
            )
            self.free.remove(lane)
            return lane

    def close_idle(self) -> None:
        with self.ready:
            for lane in self.free:
                lane.close()

    def give(self, lane: Lane) -> None:
        with self.ready:
            self.free.append(lane)
            self.ready.notify()


class Fetcher(Protocol):
    """What a collector needs: one request per call (a Transport, or one
    submission's Remembering view of it)."""

    def fetch(
        self,
        url: str,
        *,
        method: str = "GET",
        headers: Mapping[str, str] | None = None,
        limit: int | None = None,
    ) -> Exchange: ...


class Remembering:
    """One submission's view of a shared Transport: a request already made in
    the submission (same method, URL and headers) is not sent again, its
    Exchange is shared, so the landing page and the end of the plain-HTTP
    redirect chain cost one request. Kept per submission, not per transport: a
    session probing hundreds of applications would otherwise hold every body
    it ever read until it closes."""

    def __init__(self, transport: Transport) -> None:
        self.transport = transport
        self._done: dict[tuple[Any, ...], Future[Exchange]] = {}
        self._lock = threading.Lock()

    def fetch(
        self,
        url: str,
        *,
        method: str = "GET",
        headers: Mapping[str, str] | None = None,
        limit: int | None = None,
    ) -> Exchange:
        headers = headers or {}
        key = (method, url, tuple(sorted(headers.items())), limit)
        with self._lock:
            done = self._done.get(key)
            first = done is None
            if first:
                done = self._done[key] = Future()
        assert done is not None
        if not first:
            return done.result()  # sent (or being sent) by another task
        try:
            exchange = self.transport.fetch(
                url, method=method, headers=headers, limit=limit
            )
        except BaseException as exc:
            done.set_exception(exc)
            raise
        done.set_result(exchange)
        return exchange


class Transport:
    """Sends the probe's requests: one per call, never a redirect followed.
    Shared by every submission of a probe session (its lanes keep the per-host
    limit across all of them); see Remembering for one submission's view."""

    def __init__(
        self,
        scope: Scope,
        pinner: Pinner,
        *,
        limits: Limits | None = None,
        ssl_context: Any = None,
    ) -> None:
        self.scope = scope
        self.pinner = pinner
        self.limits = limits or Limits()
        self.ssl_context = ssl_context
        self._lanes: dict[str, _Lanes] = {}
        self._lock = threading.Lock()
        self._tls_seen: dict[tuple[str, int], tuple[str | None, Any, bytes | None]] = {}
        self.count = 0  # requests sent (for the speed benchmark)

    def close(self) -> None:
        with self._lock:
            hosts = list(self._lanes.values())
        for lanes in hosts:
            for lane in lanes.all:
                lane.close()

    def release(self, host: str) -> None:
        """Close *host*'s idle kept-alive connections (its tasks are done)."""
        with self._lock:
            lanes = self._lanes.get(host)
        if lanes is not None:
            lanes.close_idle()

    @contextmanager
    def slot(self, host: str, key: tuple[str, int] | None = None) -> Iterator[Lane]:
        """At most ``limits.per_host`` connections to one host at a time: a
        task holds one of the host's lanes, preferably one already connected
        to *key* (scheme, port), whose kept-alive connection it reuses."""
        with self._lock:
            lanes = self._lanes.get(host)
            if lanes is None:
                lanes = self._lanes[host] = _Lanes(self, host, self.limits.per_host)
        lane = lanes.take(key)
        try:
            yield lane
        finally:
            lanes.give(lane)

    def tls_seen(self, host: str, port: int) -> tuple[str | None, Any, bytes | None]:
        """Version, cipher and certificate (DER) of the first verified HTTPS
        connection to *host*:*port* in this run, if there was one."""
        return self._tls_seen.get((host, port), (None, None, None))

    def fetch(
        self,
        url: str,
        *,
        method: str = "GET",
        headers: Mapping[str, str] | None = None,
        limit: int | None = None,
    ) -> Exchange:
        """One request. Refusals, blocked addresses, timeouts and TLS failures
        come back as an Exchange with ``error`` set, never as an exception.
        *limit* replaces ``limits.body`` for this request (an OpenAPI document
        may be larger than a page)."""
        if method not in METHODS:
            raise ValueError(f"method {method} is not allowed")  # a bug, not input
        try:
            target = admit(url, self.scope)
        except Refused as exc:
            return Exchange(
                method,
                url,
                error=f"refused: {exc.reason}",
                blocked=True,
                blocked_host=exc.host,
            )
        return self._slotted(method, url, target, headers or {}, limit)

    def _slotted(
        self,
        method: str,
        url: str,
        target: Any,
        headers: Mapping[str, str],
        limit: int | None = None,
    ) -> Exchange:
        with self.slot(target.host, (target.scheme, target.port)) as lane:
            return self._send(method, url, target, lane, headers, limit)

    def _send(
        self,
        method: str,
        url: str,
        target: Any,
        lane: Lane,
        headers: Mapping[str, str],
        limit: int | None = None,
    ) -> Exchange:
        host, port = target.host, target.port
        start = time.monotonic()
        deadline = start + self.limits.total
        with self._lock:
            self.count += 1
        connection = lane.connection(target.scheme, port)
        try:
            if not connection.ready():
                connection.close()
                connection.open()
        except BlockedAddress as exc:
            return Exchange(
                method,
                url,
                error=f"blocked: {exc}",
                blocked=True,
                blocked_host=exc.host,
                refused=exc.refused,
            )
        except ResolveError as exc:
            return Exchange(method, url, error=f"dns: {exc}")
        except ssl.SSLError as exc:  # verification included
            connection.close()
            return self._failed(method, url, host, port, f"tls: {_reason(exc)}")
        except OSError as exc:  # refused, unreachable, timed out (connect or handshake)
            connection.close()
            return self._failed(method, url, host, port, f"connection: {_reason(exc)}")
        client = connection.client
        assert client is not None  # open() made it
        path = target.path or "/"
        sent = {**_BASE_HEADERS, **headers}
        try:
            client.start(
                method,
                path,
                connection.host_header,
                sent,
                deadline=deadline,
                read_limit=self.limits.read,
            )
            head = http1.read_head(client)
        except TimeoutError:
            connection.close()
            return self._failed(method, url, host, port, "timeout: no answer in time")
        except (http1.ProtocolError, OSError) as exc:
            connection.close()
            return self._failed(method, url, host, port, f"connection: {_reason(exc)}")
        body = http1.Body(client, head)
        try:
            data, stop = _read_body(body, deadline, limit or self.limits.body)
        finally:
            if not body.reusable:
                connection.close()  # bytes left unread, or the server closes it
        pin = self.pinner.known(host, port)
        return Exchange(
            method,
            url,
            address=pin.shown if isinstance(pin, Pin) else None,
            status=head.status,
            reason=head.reason,
            headers=tuple(head.headers),  # in order, repeats kept
            body=data,
            stopped=stop,
            elapsed=round(time.monotonic() - start, 3),
        )

    def _failed(
        self, method: str, url: str, host: str, port: int, error: str
    ) -> Exchange:
        pin = self.pinner.known(host, port)
        address = pin.shown if isinstance(pin, Pin) else None
        return Exchange(method, url, address=address, error=error)

    def _saw_tls(self, host: str, port: int, sock: Any) -> None:
        if (host, port) in self._tls_seen:
            return
        try:
            facts = (sock.version(), sock.cipher(), sock.getpeercert(binary_form=True))
        except (AttributeError, ValueError, OSError):
            return
        with self._lock:
            self._tls_seen.setdefault((host, port), facts)

    def _context(self) -> Any:
        """The run's verifying TLS context (never one that does not verify)."""
        with self._lock:
            if self.ssl_context is None:
                self.ssl_context = client_context()
            context = self.ssl_context
        if context.verify_mode != ssl.CERT_REQUIRED or not context.check_hostname:
            raise ValueError("the probe's TLS context must verify")  # a bug
        return context


def _reason(exc: BaseException) -> str:
    """The innermost cause of an error, in one short line."""
    seen = exc
    while True:
        context = None if seen.__suppress_context__ else seen.__context__
        nxt = getattr(seen, "reason", None) or seen.__cause__ or context
        if nxt is None or nxt is seen or not isinstance(nxt, BaseException):
            break
        seen = nxt
    text = str(seen) or type(seen).__name__
    return " ".join(text.split())[:300]


def _read_body(body: http1.Body, deadline: float, cap: int) -> tuple[bytes, str]:
    """Up to *cap* decoded bytes, within the total deadline.

    Returns the bytes and why reading stopped: "" (the whole body), "cap",
    "deadline", or "error: ...". Each socket read waits no longer than the
    time left (``http1.Client``), so a body that trickles in stops at the
    deadline.
    """
    chunks: list[bytes] = []
    size = 0
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return b"".join(chunks), "deadline"
        try:
            chunk = body.read(min(65536, cap + 1 - size))
        except TimeoutError:
            return b"".join(chunks), "deadline"
        except (http1.ProtocolError, OSError, zlib.error) as exc:
            return b"".join(chunks), f"error: {_reason(exc)}"
        if not chunk:
            return b"".join(chunks), ""
        chunks.append(chunk)
        size += len(chunk)
        if size > cap:
            return b"".join(chunks)[:cap], "cap"


def client_context(ca_bundle: str | None = None) -> Any:
    """The run's verifying TLS context: the certifi store (Mozilla's CA list,
    the same on every machine) plus the operator's ``--ca-bundle``, hostname
    checks on."""
    import certifi

    context = ssl.create_default_context(cafile=certifi.where())
    if ca_bundle:
        context.load_verify_locations(cafile=ca_bundle)
    # HTTP/1.1 is what the probe speaks, and says so (as urllib3 did for it)
    context.set_alpn_protocols(["http/1.1"])
    return context
