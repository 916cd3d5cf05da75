"""The only code that opens sockets: resolve once, pin, connect, read within limits.

Design A of the specification (the Advocate pattern, re-implemented): urllib3's
connection classes are subclassed so that *every* connection, redirect hops
included, goes through ``Pinner.connect``. It resolves a (host, port) once per
run (or takes the operator's ``--resolve``/``--connect-to``), refuses every
address the policy denies, and connects only to a validated address, so there
is no gap between checking a name and using it (DNS rebinding). SNI, the
certificate check and the ``Host`` header keep the host name.

Requests are GET, HEAD or OPTIONS only, never follow redirects, never use a
proxy or ``.netrc`` from the environment, never keep cookies, and stop at the
connect, read and total deadlines and at the body cap (counted after decoding,
so a gzip bomb stops at the cap).
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from spbe_lint import __version__
from spbe_lint.probes.addresses import AddressPolicy, Refused, Scope, admit
from spbe_lint.probes.facts import Exchange

METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
USER_AGENT = (
    f"spbe-lint/{__version__} (+https://git.jambikota.go.id/diskominfo/spbe-lint)"
)


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


class Transport:
    """Sends the probe's requests: one per call, never a redirect followed."""

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
        self._slots: dict[str, threading.BoundedSemaphore] = {}
        self._slots_lock = threading.Lock()
        self._session = _session(self)
        self.count = 0  # requests sent (for the speed benchmark)
        self._count_lock = threading.Lock()

    def close(self) -> None:
        self._session.close()

    @contextmanager
    def slot(self, host: str) -> Iterator[None]:
        """At most ``limits.per_host`` connections to one host at a time."""
        with self._slots_lock:
            semaphore = self._slots.setdefault(
                host, threading.BoundedSemaphore(self.limits.per_host)
            )
        with semaphore:
            yield

    def fetch(
        self, url: str, *, method: str = "GET", headers: Mapping[str, str] | None = None
    ) -> Exchange:
        """One request. Refusals, blocked addresses, timeouts and TLS failures
        come back as an Exchange with ``error`` set, never as an exception."""
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
        with self.slot(target.host):
            return self._send(method, url, target.host, target.port, headers or {})

    def _send(
        self, method: str, url: str, host: str, port: int, headers: Mapping[str, str]
    ) -> Exchange:
        import requests

        start = time.monotonic()
        deadline = start + self.limits.total
        with self._count_lock:
            self.count += 1
        sent = {"User-Agent": USER_AGENT, "Accept": "*/*", **headers}
        try:
            response = self._session.request(
                method,
                url,
                headers=sent,
                stream=True,
                allow_redirects=False,
                timeout=(self.limits.connect, self.limits.read),
                proxies={},
            )
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
        except requests.exceptions.SSLError as exc:
            return self._failed(method, url, host, port, f"tls: {_reason(exc)}")
        except requests.exceptions.Timeout:
            return self._failed(method, url, host, port, "timeout: no answer in time")
        except requests.exceptions.RequestException as exc:
            return self._failed(method, url, host, port, f"connection: {_reason(exc)}")
        try:
            body, stop = _read_body(response, deadline, self.limits)
        finally:
            response.close()
        pin = self.pinner.known(host, port)
        return Exchange(
            method,
            url,
            address=pin.shown if isinstance(pin, _PinType) else None,
            status=response.status_code,
            reason=response.reason or "",
            headers=tuple(
                (k, v)
                for k, v in response.raw.headers.iteritems()  # repeats kept
            ),
            body=body,
            stopped=stop,
            elapsed=round(time.monotonic() - start, 3),
        )

    def _failed(
        self, method: str, url: str, host: str, port: int, error: str
    ) -> Exchange:
        pin = self.pinner.known(host, port)
        address = pin.shown if isinstance(pin, _PinType) else None
        return Exchange(method, url, address=address, error=error)


_PinType = Pin


def _reason(exc: BaseException) -> str:
    """The innermost cause of a requests/urllib3 error, in one short line."""
    seen = exc
    while True:
        nxt = getattr(seen, "reason", None) or seen.__cause__ or seen.__context__
        if nxt is None or nxt is seen or not isinstance(nxt, BaseException):
            break
        seen = nxt
    text = str(seen) or type(seen).__name__
    return " ".join(text.split())[:300]


def _read_body(response: Any, deadline: float, limits: Limits) -> tuple[bytes, str]:
    """Up to ``limits.body`` decoded bytes, within the total deadline.

    Returns the bytes and why reading stopped: "" (the whole body), "cap",
    "deadline", or "error: ...". ``read1`` returns after one socket read, so a
    body that trickles in is checked against the deadline between reads, and
    each read waits no longer than the time left.
    """
    raw = response.raw
    chunks: list[bytes] = []
    size = 0
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return b"".join(chunks), "deadline"
        _set_read_timeout(raw, min(limits.read, left))
        try:
            chunk = raw.read1(min(65536, limits.body + 1 - size), decode_content=True)
        except Exception as exc:  # timeouts, resets, bad gzip: the body stops here
            reason = "deadline" if "timed out" in str(exc).lower() else "error"
            return b"".join(chunks), reason if reason == "deadline" else (
                f"error: {_reason(exc)}"
            )
        if not chunk:
            return b"".join(chunks), ""
        chunks.append(chunk)
        size += len(chunk)
        if size > limits.body:
            return b"".join(chunks)[: limits.body], "cap"


def _set_read_timeout(raw: Any, seconds: float) -> None:
    sock = getattr(getattr(raw, "_connection", None), "sock", None)
    if sock is None:
        sock = getattr(getattr(raw, "connection", None), "sock", None)
    if sock is not None:
        sock.settimeout(max(seconds, 0.01))


def _session(transport: Transport) -> Any:
    """A requests Session whose every connection is pinned and verified, with no
    proxy, .netrc or cookie jar from the environment."""
    import http.cookiejar

    import requests
    from requests.adapters import HTTPAdapter
    from urllib3.connection import HTTPConnection, HTTPSConnection
    from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

    pinner = transport.pinner
    limits = transport.limits

    def connect_timeout(value: Any) -> float:
        return value if isinstance(value, int | float) else limits.connect

    class PinnedHTTP(HTTPConnection):
        def _new_conn(self) -> socket.socket:
            return pinner.connect(self.host, self.port, connect_timeout(self.timeout))

    class PinnedHTTPS(HTTPSConnection):
        def _new_conn(self) -> socket.socket:
            return pinner.connect(self.host, self.port, connect_timeout(self.timeout))

    class PinnedPool(HTTPConnectionPool):
        ConnectionCls = PinnedHTTP

    class PinnedHTTPSPool(HTTPSConnectionPool):
        ConnectionCls = PinnedHTTPS

    context = transport.ssl_context

    class PinnedAdapter(HTTPAdapter):
        def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
            super().init_poolmanager(*args, **kwargs)
            self.poolmanager.pool_classes_by_scheme = {
                "http": PinnedPool,
                "https": PinnedHTTPSPool,
            }

        def build_connection_pool_key_attributes(
            self, request: Any, verify: Any, cert: Any = None
        ) -> tuple[dict[str, Any], dict[str, Any]]:
            host, pool = super().build_connection_pool_key_attributes(
                request, verify, cert
            )
            pool.pop("ca_certs", None)
            pool.pop("ca_cert_dir", None)
            if context is not None:
                pool["ssl_context"] = context
            pool["cert_reqs"] = "CERT_REQUIRED"  # verification is never turned off
            return host, pool

        def cert_verify(self, conn: Any, url: str, verify: Any, cert: Any) -> None:
            if context is None:
                super().cert_verify(conn, url, verify, cert)
            else:
                conn.cert_reqs = "CERT_REQUIRED"  # trust comes from the run's context

    session = requests.Session()
    session.trust_env = False  # no HTTP(S)_PROXY, no .netrc
    session.cookies.set_policy(http.cookiejar.DefaultCookiePolicy(allowed_domains=[]))
    adapter = PinnedAdapter(
        pool_connections=512, pool_maxsize=limits.per_host, pool_block=True
    )
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session


def client_context(ca_bundle: str | None = None) -> Any:
    """The run's verifying TLS context: the certifi store (what requests uses)
    plus the operator's ``--ca-bundle``, hostname checks on."""
    import ssl

    import certifi

    context = ssl.create_default_context(cafile=certifi.where())
    if ca_bundle:
        context.load_verify_locations(cafile=ca_bundle)
    return context
