"""Sends the probe's requests: one per call, on a pinned connection, bounded.

Requests are GET, HEAD or OPTIONS only, to a URL the scope admits
(``addresses.admit``), never follow redirects, never use a proxy or ``.netrc``
from the environment, never keep cookies, and stop at the connect, read and
total deadlines and at the body cap (counted after decoding, so a gzip bomb
stops at the cap). Every connection is opened by ``Pinner.connect``
(``probes.pinning``: resolve once, pin, refuse what the policy denies); for
https it is wrapped here in the run's verifying TLS context, with the host name
for SNI, the certificate check and the ``Host`` header. HTTP/1.1 is spoken on
the pinned socket by ``probes.http1``, a thin adapter over h11 (first a requests
Session, then urllib3 pools: each cost more CPU per request than the probe's
whole budget for it; h11 parses and frames, the socket stays ours). A host has
``per_host`` lanes (``probes.lanes``), each holding at most one open
connection, kept alive for the next request on the same port only when the
body was read whole.
"""

from __future__ import annotations

import ssl
import threading
import time
import zlib
from collections.abc import Iterator, Mapping
from concurrent.futures import Future
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Protocol

from spbe_lint import __version__
from spbe_lint.probes import http1
from spbe_lint.probes.addresses import Refused, Scope, admit
from spbe_lint.probes.facts import Exchange
from spbe_lint.probes.lanes import Lane, Lanes
from spbe_lint.probes.pinning import BlockedAddress, Pin, Pinner, ResolveError

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
        self._lanes: dict[str, Lanes] = {}
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
                lanes = self._lanes[host] = Lanes(
                    self._connect, host, self.limits.per_host
                )
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

    def _connect(self, scheme: str, host: str, port: int) -> Any:
        """A lane's connection: a socket to the address pinned for *host*:*port*,
        for https wrapped in the run's verifying TLS context."""
        sock = self.pinner.connect(host, port, self.limits.connect)
        try:
            if scheme == "https":
                context = self._context()
                # the handshake is bounded by the connect deadline (socket timeout)
                sock = context.wrap_socket(sock, server_hostname=host)
                self._saw_tls(host, port, sock)
        except BaseException:
            sock.close()
            raise
        return sock

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
