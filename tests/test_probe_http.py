"""The probe's HTTP/1.1 (probes.http1 over h11, through the transport): framing,
content codings, kept-alive connections and malformed answers, against a
loopback server that writes exactly the bytes each test scripts. Error texts
are h11's where h11 finds the fault."""

from __future__ import annotations

import gzip
import socket
import threading
import time
import zlib
from collections.abc import Callable, Iterator

import pytest

from spbe_lint.probes.addresses import AddressPolicy, Scope, parse_networks
from spbe_lint.probes.pinning import Overrides, Pinner
from spbe_lint.probes.transport import Limits, Transport

pytestmark = pytest.mark.allow_hosts(["127.0.0.1", "::1"])

HOST = "app.jambikota.go.id"
URL = f"http://{HOST}/"


class Scripted:
    """A plain-TCP server: for each request head it reads, the next answer
    (bytes, or a function of the connection writing its own) is sent; it
    records every request head and how many connections it accepted."""

    def __init__(self, answers: list[bytes | Callable[[socket.socket], None]]) -> None:
        self.answers = list(answers)
        self.heads: list[bytes] = []
        self.connections = 0
        self.closed = threading.Semaphore(0)  # released as each connection ends
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._connection, args=(conn,), daemon=True).start()

    def _connection(self, conn: socket.socket) -> None:
        try:
            self._answer(conn)
        finally:
            conn.close()
            self.closed.release()

    def _answer(self, conn: socket.socket) -> None:
        buffer = b""
        while self.answers:
            while b"\r\n\r\n" not in buffer:
                data = conn.recv(65536)
                if not data:
                    return
                buffer += data
            head, _, buffer = buffer.partition(b"\r\n\r\n")
            self.heads.append(head)
            answer = self.answers.pop(0)
            if callable(answer):
                answer(conn)
                return
            conn.sendall(answer)

    def close(self) -> None:
        self.listener.close()


@pytest.fixture
def serve() -> Iterator[Callable[..., tuple[Scripted, Transport]]]:
    made: list[tuple[Scripted, Transport]] = []

    def make(*answers: bytes | Callable[[socket.socket], None], **limits: float):
        server = Scripted(list(answers))
        pinner = Pinner(
            AddressPolicy(allowed=parse_networks(["127.0.0.0/8"])),
            Overrides(connect_to={(HOST, "80"): ("127.0.0.1", server.port)}),
        )
        transport = Transport(Scope("jambikota.go.id"), pinner, limits=Limits(**limits))
        made.append((server, transport))
        return server, transport

    yield make
    for server, transport in made:
        transport.close()
        server.close()


def response(
    status: str = "200 OK", headers: tuple[str, ...] = (), body: bytes = b""
) -> bytes:
    head = "\r\n".join([f"HTTP/1.1 {status}", *headers, "", ""]).encode()
    return head + body


def test_the_request_is_exact_and_the_connection_is_kept_alive(serve):
    server, probe = serve(
        response(headers=("Content-Length: 2",), body=b"ok"),
        response(headers=("Content-Length: 3",), body=b"two"),
    )
    first = probe.fetch(URL + "a\x01b/ü?q=ü&r=%41#frag")
    second = probe.fetch(URL, method="HEAD", headers={"Accept": "text/html"})
    assert (first.status, first.body, second.status) == (200, b"ok", 200)
    assert second.body == b""  # HEAD: no body, whatever the length says
    lines = server.heads[0].decode().split("\r\n")
    assert lines[0] == "GET /a%01b/%C3%BC?q=%C3%BC&r=%41 HTTP/1.1"
    assert lines[1] == f"Host: {HOST}"
    assert "Accept-Encoding: gzip, deflate" in lines
    assert server.heads[1].decode().startswith("HEAD / HTTP/1.1\r\n")
    assert "Accept: text/html" in server.heads[1].decode().split("\r\n")
    assert server.connections == 1


def test_chunked_bodies_with_extensions_and_trailers(serve):
    body = b"4;ext=1\r\nWiki\r\n6\r\npedia \r\nE\r\nin \r\n\r\nchunks.\r\n0\r\nX-T: 1\r\n\r\n"
    _, probe = serve(
        response(headers=("Transfer-Encoding: chunked",), body=body),
        response(headers=("Content-Length: 1",), body=b"!"),
    )
    exchange = probe.fetch(URL)
    assert exchange.body == b"Wikipedia in \r\n\r\nchunks."
    assert exchange.stopped == ""
    assert probe.fetch(URL).body == b"!"  # the connection was read to its end


@pytest.mark.parametrize(
    "coding",
    ["gzip", "x-gzip", "deflate", "raw-deflate", "gzip-members", "gzip, deflate"],
)
def test_content_codings_are_undone(serve, coding: str):
    text = b"<html>" + b"spbe " * 5000 + b"</html>"
    if coding in ("gzip", "x-gzip"):
        data, header = gzip.compress(text), coding
    elif coding == "deflate":
        data, header = zlib.compress(text), coding
    elif coding == "raw-deflate":
        packer = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
        data, header = packer.compress(text) + packer.flush(), "deflate"
    elif coding == "gzip-members":
        data, header = gzip.compress(text[:100]) + gzip.compress(text[100:]), "gzip"
    else:  # gzip applied first, then deflate
        data, header = zlib.compress(gzip.compress(text)), coding
    _, probe = serve(
        response(
            headers=(f"Content-Encoding: {header}", f"Content-Length: {len(data)}"),
            body=data,
        )
    )
    exchange = probe.fetch(URL)
    assert exchange.stopped == ""
    assert exchange.body == text


def test_an_unknown_coding_is_kept_as_it_came(serve):
    _, probe = serve(
        response(
            headers=("Content-Encoding: br", "Content-Length: 4"), body=b"\x0b\x01xx"
        )
    )
    assert probe.fetch(URL).body == b"\x0b\x01xx"


def test_a_body_until_the_connection_ends_and_http_1_0(serve):
    def close_delimited(conn: socket.socket) -> None:
        conn.sendall(b"HTTP/1.0 200 OK\r\nServer: old\r\n\r\nall of it")

    server, probe = serve(close_delimited, response(headers=("Content-Length: 0",)))
    exchange = probe.fetch(URL)
    assert (exchange.status, exchange.body, exchange.stopped) == (200, b"all of it", "")
    assert probe.fetch(URL).status == 200
    assert server.connections == 2  # the first one ended with its body


def test_interim_responses_folded_and_repeated_headers(serve):
    answer = (
        b"HTTP/1.1 100 Continue\r\n\r\n"
        b"HTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\n"
        b"HTTP/1.1 404 Not Found\r\n"
        b"Set-Cookie: a=1\r\n"
        b"X-Long: one\r\n  two\r\n"
        b"Set-Cookie: b=2\r\n"
        b"Content-Length: 0\r\n\r\n"
    )
    _, probe = serve(answer)
    exchange = probe.fetch(URL)
    assert (exchange.status, exchange.reason) == (404, "Not Found")
    assert exchange.header_all("set-cookie") == ["a=1", "b=2"]
    assert exchange.header("x-long") == "one two"
    assert exchange.header("link") is None  # from the interim response only


def test_a_kept_alive_connection_closed_by_the_server_is_not_reused(serve):
    def then_close(conn: socket.socket) -> None:
        conn.sendall(response(headers=("Content-Length: 1",), body=b"1"))
        conn.shutdown(socket.SHUT_RDWR)

    server, probe = serve(
        then_close, response(headers=("Content-Length: 1",), body=b"2")
    )
    assert probe.fetch(URL).body == b"1"
    assert server.closed.acquire(timeout=5)  # the server has closed it
    assert probe.fetch(URL).body == b"2"
    assert server.connections == 2


def test_connection_close_is_honoured(serve):
    server, probe = serve(
        response(headers=("Connection: close", "Content-Length: 1"), body=b"1"),
        response(headers=("Content-Length: 1",), body=b"2"),
    )
    assert probe.fetch(URL).body == b"1"
    assert probe.fetch(URL).body == b"2"
    assert server.connections == 2


@pytest.mark.parametrize(
    ("answer", "error"),
    [
        (b"", "connection: the server closed the connection without a response"),
        (b"SSH-2.0-OpenSSH\r\n\r\n", "connection: illegal status line"),
        ("HTTP/1.1 2\u00b20 OK\r\n\r\n".encode("latin-1"), "illegal status line"),
        (b"HTTP/1.1 200 OK\r\n" + b"X: y\r\n" * 101 + b"\r\n", "more than 100 header"),
        (b"HTTP/1.1 200 OK\r\nX: " + b"y" * 70000, "connection: response head or"),
        # h11 refuses a header line without a colon (the old parser skipped it)
        (b"HTTP/1.1 200 OK\r\nno colon here\r\n\r\n", "illegal header line"),
        (b"HTTP/1.1 200 OK\r\nX: 1\r\nX: 2\r\n", "connection: the connection ended"),
    ],
)
def test_malformed_answers_are_errors_not_exceptions(serve, answer: bytes, error: str):
    def send(conn: socket.socket) -> None:
        conn.sendall(answer)

    _, probe = serve(send)
    exchange = probe.fetch(URL)
    assert exchange.status is None and exchange.error is not None
    assert error in exchange.error


def test_a_content_length_that_is_no_number_is_an_error(serve):
    # RFC 9112 6.3: the framing is invalid, the response is discarded (h11);
    # the old parser read such a body to the end of the connection
    def odd(conn: socket.socket) -> None:
        conn.sendall(
            "HTTP/1.1 200 OK\r\nContent-Length: \u00b9\r\n\r\nab".encode("latin-1")
        )

    _, probe = serve(odd)
    exchange = probe.fetch(URL)
    assert exchange.status is None
    assert exchange.error == "connection: bad Content-Length"


def test_a_short_body_and_a_bad_chunk_stop_with_an_error(serve):
    def short(conn: socket.socket) -> None:
        conn.sendall(response(headers=("Content-Length: 10",), body=b"abc"))

    def bad_chunk(conn: socket.socket) -> None:
        conn.sendall(response(headers=("Transfer-Encoding: chunked",), body=b"zz\r\n"))

    _, probe = serve(short)
    exchange = probe.fetch(URL)
    assert exchange.status == 200 and exchange.body == b"abc"
    assert exchange.stopped == (
        "error: peer closed connection without sending complete message body"
        " (received 3 bytes, expected 10)"
    )
    _, probe = serve(bad_chunk)
    assert probe.fetch(URL).stopped.startswith("error: illegal chunk header")


def test_a_silent_server_times_out_within_the_deadline(serve):
    def silent(conn: socket.socket) -> None:
        threading.Event().wait(3)

    _, probe = serve(silent, read=0.3, total=0.5)
    start = time.monotonic()
    exchange = probe.fetch(URL)
    assert exchange.error == "timeout: no answer in time"
    assert time.monotonic() - start < 1


def test_a_head_that_trickles_in_stops_at_the_total_deadline(serve):
    def trickle(conn: socket.socket) -> None:
        conn.sendall(b"HTTP/1.1 200 OK\r\n")
        for _ in range(30):  # each byte well within the read limit
            threading.Event().wait(0.1)
            try:
                conn.sendall(b"X")
            except OSError:
                return

    _, probe = serve(trickle, read=0.3, total=0.5)
    start = time.monotonic()
    exchange = probe.fetch(URL)
    assert exchange.error == "timeout: no answer in time"
    assert time.monotonic() - start < 1


def test_the_cap_counts_decoded_bytes(serve):
    text = b"\0" * (3 << 20)
    data = gzip.compress(text)
    _, probe = serve(
        response(
            headers=("Content-Encoding: gzip", f"Content-Length: {len(data)}"),
            body=data,
        ),
        body=1 << 20,
    )
    exchange = probe.fetch(URL)
    assert exchange.stopped == "cap" and len(exchange.body) == 1 << 20
