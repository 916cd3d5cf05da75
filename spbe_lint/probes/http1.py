"""HTTP/1.1 on one connection the transport opened, spoken through h11.

h11 (python-hyper's sans-IO HTTP/1.1) does the protocol: the request head's
bytes, the status line and headers (obsolete folding included), the body's
framing (Content-Length, chunked, the end of the connection, HEAD, 204 and
304), interim 1xx responses and whether the connection may carry another
request. This module keeps what h11 leaves to its caller: the socket reads,
each bounded by the read limit and the request's total deadline; the size of
a response head (h11's ``max_incomplete_event_size``) and its header count;
the request target built from the admitted URL; and gzip or deflate content
coding (what the probe's Accept-Encoding offers), undone with a bounded output
so the caller's cap counts decoded bytes (a gzip bomb stops at the cap).
"""

from __future__ import annotations

import time
import zlib
from typing import Any
from urllib.parse import quote

import h11

MAX_HEAD = 65536  # bytes of one response head, or of one chunk-size line
MAX_HEADERS = 100  # header fields in one response (as http.client)
MAX_INTERIM = 10  # 1xx responses skipped before the final one
_PATH_SAFE = "/?#[]@!$&'()*+,;=:%-._~"  # RFC 3986 characters sent as they are


class ProtocolError(Exception):
    """The server's bytes are not an HTTP/1.x response the probe can read."""


class ServerClosed(ProtocolError):
    """The connection ended before a response (or before the end of one)."""


class Client:
    """One connection's HTTP/1.1 state (an ``h11.Connection``) and its socket.
    Every socket read waits at most the read limit and never past the
    request's deadline (``start`` sets both for each request)."""

    __slots__ = ("conn", "deadline", "read_limit", "sock")

    def __init__(self, sock: Any) -> None:
        self.sock = sock
        self.conn = h11.Connection(h11.CLIENT, max_incomplete_event_size=MAX_HEAD)
        self.deadline = float("inf")
        self.read_limit: float | None = None

    @property
    def buffered(self) -> int:
        """Bytes received and not yet read (after a response was read whole,
        bytes nobody asked for)."""
        data, closed = self.conn.trailing_data
        return len(data) + closed

    @property
    def idle(self) -> bool:
        """Ready for a request: the last response was read whole, the server
        keeps the connection open, and nothing more came."""
        conn = self.conn
        return conn.our_state is h11.IDLE and conn.their_state is h11.IDLE

    def start(
        self,
        method: str,
        path: str,
        host_header: str,
        headers: dict[str, str],
        *,
        deadline: float,
        read_limit: float,
    ) -> None:
        """Send a request head (no body). *path* is the request target from
        an admitted URL; any character that may not appear in it (a space, a
        control character, non-ASCII) is percent-encoded, so nothing can end
        the request line."""
        self.deadline, self.read_limit = deadline, read_limit
        request = h11.Request(
            method=method,
            target=quote(path, safe=_PATH_SAFE),
            headers=[("Host", host_header), *headers.items()],
        )
        try:
            data = self.conn.send(request) + self.conn.send(h11.EndOfMessage())
        except (h11.ProtocolError, UnicodeError) as exc:  # a check's header: a bug
            raise ProtocolError(f"request not sent: {exc}") from None
        self._timeout()
        self.sock.sendall(data)

    def next_event(self) -> Any:
        """The next h11 event, reading the socket (once per missing piece)
        when h11 needs more bytes. A connection that ends early raises
        ServerClosed; bytes h11 refuses raise ProtocolError."""
        conn = self.conn
        try:
            while True:
                event = conn.next_event()
                if event is not h11.NEED_DATA:
                    return event
                self._timeout()
                data = self.sock.recv(65536)
                if not data and conn.their_state is h11.SEND_RESPONSE:
                    # h11 would call this an unexpected event in its state
                    raise ServerClosed(
                        "the connection ended inside the response head"
                        if conn.trailing_data[0]
                        else "the server closed the connection without a response"
                    )
                conn.receive_data(data)
        except h11.RemoteProtocolError as exc:
            if str(exc) == "Receive buffer too long":
                raise ProtocolError(
                    f"response head or chunk-size line longer than {MAX_HEAD} bytes"
                ) from None
            if str(exc).startswith("peer closed"):
                raise ServerClosed(str(exc)) from None
            raise ProtocolError(str(exc)) from None

    def _timeout(self) -> None:
        # each read waits at most the read limit and never past the deadline;
        # a system call only when the timeout changes (it mostly does not)
        if self.read_limit is None:
            return
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("the request's deadline has passed")
        seconds = max(min(self.read_limit, left), 0.01)
        if self.sock.gettimeout() != seconds:
            self.sock.settimeout(seconds)


class Head:
    """A response's status line and headers (names as sent, repeats kept, in
    order; an obsolete folded line joined to its header with a space)."""

    __slots__ = ("by_name", "headers", "reason", "status", "version")

    def __init__(
        self, version: str, status: int, reason: str, headers: list[tuple[str, str]]
    ) -> None:
        self.version = version
        self.status = status
        self.reason = reason
        self.headers = headers
        self.by_name: dict[str, list[str]] = {}  # lower-case name: values
        for key, value in headers:
            self.by_name.setdefault(key.lower(), []).append(value)

    def get(self, name: str) -> str | None:
        """The first value of header *name* (lower case)."""
        values = self.by_name.get(name)
        return values[0] if values else None

    def tokens(self, name: str) -> list[str]:
        """The comma-separated tokens of every *name* header (lower case)."""
        return [
            token.strip().lower()
            for value in self.by_name.get(name, ())
            for token in value.split(",")
            if token.strip()
        ]


def read_head(client: Client) -> Head:
    """The final response's head (interim 1xx responses are skipped)."""
    interim = 0
    while True:
        event = client.next_event()
        if type(event) is h11.Response:
            break
        if type(event) is not h11.InformationalResponse:  # h11 allows nothing else
            raise ProtocolError(f"unexpected {type(event).__name__} before a response")
        interim += 1  # 100 Continue, 103 Early Hints: the final one follows
        if interim > MAX_INTERIM:
            raise ProtocolError(f"more than {MAX_INTERIM} interim responses")
    if len(event.headers) > MAX_HEADERS:
        raise ProtocolError(f"more than {MAX_HEADERS} header fields")
    return Head(
        "HTTP/" + event.http_version.decode("ascii"),
        event.status_code,
        event.reason.decode("latin-1").strip(),
        [
            (name.decode("latin-1"), value.decode("latin-1"))
            for name, value in event.headers.raw_items()
        ],
    )


class Body:
    """The body of one response, read in steps: ``read(n)`` returns at most *n*
    decoded bytes (b"" at its end), reading the socket at most once per piece
    h11 needs. ``reusable`` says whether the connection may carry another
    request (the body was read to its end and h11 says the server keeps the
    connection open; its next cycle is then started)."""

    def __init__(self, client: Client, head: Head) -> None:
        self.client = client
        self.held = b""  # raw bytes of the last Data event not returned yet
        self.ended = False
        self.reusable = False
        codings = [c for c in head.tokens("content-encoding") if c != "identity"]
        known = all(c in _DECODERS for c in codings)
        # an encoding the probe did not offer is kept as it came (as urllib3 did)
        self.decoders = [_Inflate(c) for c in reversed(codings)] if known else []

    def read(self, size: int) -> bytes:
        """At most *size* decoded bytes; b"" once the body has ended."""
        while True:
            if any(decoder.pending for decoder in self.decoders):
                data = self._decode(b"", size)  # input held back by the last call
                if data:
                    return data
            if self.ended:
                return self._decode(b"", size, final=True) if self.decoders else b""
            raw = self._raw(65536 if self.decoders else size)
            if not raw:
                self.ended = True
            elif not self.decoders:
                return raw
            else:
                data = self._decode(raw, size)
                if data:
                    return data

    def _decode(self, data: bytes, size: int, final: bool = False) -> bytes:
        for decoder in self.decoders:
            data = decoder.feed(data, size, final)
        return data

    def _raw(self, size: int) -> bytes:
        """At most *size* bytes of the body as sent (b"" at its end)."""
        if not self.held:
            event = self.client.next_event()
            if type(event) is h11.EndOfMessage:
                self._end()
                return b""
            if type(event) is not h11.Data:
                raise ProtocolError(f"unexpected {type(event).__name__} in a body")
            self.held = bytes(event.data)
        data = self.held[:size] if len(self.held) > size else self.held
        self.held = self.held[len(data) :]
        return data

    def _end(self) -> None:
        conn = self.client.conn
        if conn.our_state is h11.DONE and conn.their_state is h11.DONE:
            conn.start_next_cycle()  # the server keeps the connection open
            self.reusable = True


_DECODERS = ("gzip", "x-gzip", "deflate")


class _Inflate:
    """One content coding undone incrementally, its output bounded per call:
    input it could not take yet (the output was full) waits for the next call.
    gzip may hold several members; deflate is zlib-wrapped or, from some
    servers, raw (tried when the wrapped reading fails at once)."""

    def __init__(self, coding: str) -> None:
        self.gzip = coding != "deflate"
        self.obj = zlib.decompressobj(16 + zlib.MAX_WBITS if self.gzip else 15)
        self.pending = b""
        self.started = False
        self.members = 0  # gzip members read whole

    def feed(self, data: bytes, size: int, final: bool = False) -> bytes:
        data = self.pending + data if self.pending else data
        out: list[bytes] = []
        got = 0
        while data and got < size:
            if self.obj.eof:
                if not self.gzip:
                    data = b""  # bytes after a deflate stream are ignored
                    break
                self.members += 1
                self.obj = zlib.decompressobj(16 + zlib.MAX_WBITS)  # next member
            try:
                chunk = self.obj.decompress(data, size - got)
            except zlib.error:
                if self.members:  # not a further member: ignored, as urllib3 did
                    data = b""
                    break
                if self.gzip or self.started:
                    raise
                self.obj = zlib.decompressobj(-zlib.MAX_WBITS)  # raw deflate
                chunk = self.obj.decompress(data, size - got)
            self.started = True
            out.append(chunk)
            got += len(chunk)
            data = self.obj.unused_data if self.obj.eof else self.obj.unconsumed_tail
        self.pending = data
        if final and not data and not self.obj.eof:
            out.append(self.obj.flush())
        return b"".join(out)
