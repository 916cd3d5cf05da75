"""HTTP/1.1 on one connection the transport opened: the request's bytes, the
response's status line and headers, the body's framing and its decoding.

Only what the probe needs: GET, HEAD and OPTIONS without a body; a response
framed by Content-Length, chunked transfer coding or the end of the
connection; gzip or deflate content coding (what the probe's Accept-Encoding
offers). Written for hostile servers: lines and header counts are bounded, a
body is read in steps the caller bounds by a byte cap and a deadline, and the
decoded size is what the cap counts (a gzip bomb stops at the cap). It replaced
urllib3 and http.client here: with them a request cost the probe about 0.4 ms of
CPU (header parsing through the email package, pool and response wrappers)
against about 0.1 ms, and the probe's concurrency is CPU-bound on small hosts.
"""

from __future__ import annotations

import zlib
from typing import Any
from urllib.parse import quote

MAX_LINE = 65536  # bytes in the status line, a header line, a chunk-size line
MAX_HEADERS = 100  # header lines in one response (as http.client)
MAX_INTERIM = 10  # 1xx responses skipped before the final one
_PATH_SAFE = "/?#[]@!$&'()*+,;=:%-._~"  # RFC 3986 characters sent as they are


class ProtocolError(Exception):
    """The server's bytes are not an HTTP/1.x response the probe can read."""


class ServerClosed(ProtocolError):
    """The connection ended before a response (or before the end of one)."""


class Reader:
    """A connection's bytes, buffered: a line, or at most *n* bytes, at a time
    (each socket read bounded by the socket's timeout). ``buffered``: bytes
    received and not yet read."""

    __slots__ = ("buf", "pos", "sock")

    def __init__(self, sock: Any) -> None:
        self.sock = sock
        self.buf = b""
        self.pos = 0

    @property
    def buffered(self) -> int:
        return len(self.buf) - self.pos

    def readline(self, limit: int) -> bytes:
        """Up to and including the next LF, at most *limit* bytes (fewer at
        the end of the connection)."""
        while True:
            end = self.buf.find(b"\n", self.pos, self.pos + limit)
            if end >= 0:
                return self._take(end + 1 - self.pos)
            if self.buffered >= limit:
                return self._take(limit)
            data = self.sock.recv(65536)
            if not data:
                return self._take(self.buffered)
            self.buf = self.buf[self.pos :] + data if self.buffered else data
            self.pos = 0

    def read1(self, size: int) -> bytes:
        """At most *size* bytes: what is buffered, else one socket read."""
        if self.buffered:
            return self._take(min(size, self.buffered))
        return self.sock.recv(size)

    def _take(self, size: int) -> bytes:
        data = self.buf[self.pos : self.pos + size]
        self.pos += size
        if self.pos >= len(self.buf):
            self.buf, self.pos = b"", 0
        return data


def request_bytes(
    method: str, path: str, host_header: str, headers: dict[str, str]
) -> bytes:
    """The request head. *path* is the request target from an admitted URL;
    any character that may not appear in it (a space, a control character,
    non-ASCII) is percent-encoded, so nothing can end the request line."""
    lines = [
        f"{method} {quote(path, safe=_PATH_SAFE)} HTTP/1.1",
        f"Host: {host_header}",
    ]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    lines.append("\r\n")
    return "\r\n".join(lines).encode("latin-1")


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


def read_head(reader: Any, method: str) -> Head:
    """The final response's head from *reader* (a buffered reader of the
    connection): interim 1xx responses are skipped."""
    for _ in range(MAX_INTERIM + 1):
        line = reader.readline(MAX_LINE + 1)
        if not line:
            raise ServerClosed("the server closed the connection without a response")
        if len(line) > MAX_LINE:
            raise ProtocolError("status line too long")
        text = line.decode("latin-1").rstrip("\r\n")
        version, _, rest = text.partition(" ")
        code, _, reason = rest.partition(" ")
        if not version.startswith("HTTP/1.") or not _digits(code) or len(code) != 3:
            raise ProtocolError(f"not an HTTP/1.x status line: {text[:80]!r}")
        headers = _read_headers(reader)
        status = int(code)
        if 100 <= status < 200 and status != 101:
            continue  # interim (100 Continue, 103 Early Hints): the final one follows
        return Head(version, status, reason.strip(), headers)
    raise ProtocolError(f"more than {MAX_INTERIM} interim responses")


def _read_headers(reader: Any) -> list[tuple[str, str]]:
    headers: list[tuple[str, str]] = []
    for _ in range(MAX_HEADERS + 1):
        line = reader.readline(MAX_LINE + 1)
        if len(line) > MAX_LINE:
            raise ProtocolError("header line too long")
        if line in (b"\r\n", b"\n"):
            return headers
        if not line:
            raise ServerClosed("the connection ended inside the response headers")
        text = line.decode("latin-1").rstrip("\r\n")
        if text[:1] in (" ", "\t"):  # obsolete line folding
            if headers:
                name, value = headers[-1]
                headers[-1] = (name, f"{value} {text.strip()}")
            continue
        name, colon, value = text.partition(":")
        if colon and name and name == name.strip():
            headers.append((name, value.strip(" \t")))
        # a line without a colon (or with space before it) is no header: skipped
    raise ProtocolError(f"more than {MAX_HEADERS} header lines")


def _digits(text: str) -> bool:
    # str.isdigit() alone also takes "²" (latin-1 text), which int() refuses
    return text.isascii() and text.isdigit()


class Body:
    """The body of one response, read in steps: ``read(n)`` returns at most *n*
    decoded bytes (b"" at its end). ``reusable`` says whether the connection
    may carry another request once the body was read to its end."""

    def __init__(self, reader: Any, head: Head, method: str) -> None:
        self.reader = reader
        status = head.status
        self.chunked = False
        self.left: int | None = None  # raw bytes left (fixed length)
        self.chunk_left = 0  # raw bytes left in the current chunk
        self.ended = False
        keep = head.version == "HTTP/1.1" and "close" not in head.tokens("connection")
        if method == "HEAD" or status in (204, 304) or 100 <= status < 200:
            self.left = 0
        elif (head.tokens("transfer-encoding") or [""])[-1] == "chunked":
            self.chunked = True
        else:
            length = head.get("content-length")
            if length is not None and _digits(length.strip()):
                self.left = int(length)
            else:
                keep = False  # the body ends when the connection does
        self.keep = keep and status != 101
        codings = [c for c in head.tokens("content-encoding") if c != "identity"]
        known = all(c in _DECODERS for c in codings)
        # an encoding the probe did not offer is kept as it came (as urllib3 did)
        self.decoders = [_Inflate(c) for c in reversed(codings)] if known else []

    @property
    def reusable(self) -> bool:
        return self.keep and self.ended

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
        if self.chunked:
            return self._chunk(size)
        if self.left is None:  # until the connection ends
            return self.reader.read1(size)
        if self.left == 0:
            return b""
        data = self.reader.read1(min(size, self.left))
        if not data:
            raise ServerClosed(
                f"the connection ended {self.left} bytes before the end of the body"
            )
        self.left -= len(data)
        return data

    def _chunk(self, size: int) -> bytes:
        if self.chunk_left == 0:
            line = self.reader.readline(MAX_LINE + 1)
            if not line:
                raise ServerClosed("the connection ended inside a chunked body")
            if len(line) > MAX_LINE:
                raise ProtocolError("chunk-size line too long")
            text = line.split(b";", 1)[0].strip()
            try:
                self.chunk_left = int(text, 16)
            except ValueError:
                raise ProtocolError(f"bad chunk size {text[:20]!r}") from None
            if self.chunk_left < 0:
                raise ProtocolError(f"bad chunk size {text[:20]!r}")
            if self.chunk_left == 0:
                _read_headers(self.reader)  # the trailer section, ignored
                return b""
        data = self.reader.read1(min(size, self.chunk_left))
        if not data:
            raise ServerClosed("the connection ended inside a chunk")
        self.chunk_left -= len(data)
        if self.chunk_left == 0 and self.reader.readline(MAX_LINE + 1) not in (
            b"\r\n",
            b"\n",
        ):
            raise ProtocolError("a chunk does not end with CRLF")
        return data


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
