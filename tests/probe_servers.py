"""Loopback HTTP(S) servers for the probe tests: scripted routes, real TLS from a
test CA (trustme), bound to 127.0.0.1 only. One server per scenario."""

from __future__ import annotations

import contextlib
import datetime
import http.server
import json
import socket
import ssl
import threading
import time
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import trustme

Handler = Callable[[http.server.BaseHTTPRequestHandler], None]


@dataclass
class Reply:
    status: int = 200
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes | str = b""

    def send(self, handler: http.server.BaseHTTPRequestHandler) -> None:
        body = self.body.encode() if isinstance(self.body, str) else self.body
        handler.send_response(self.status)
        names = {k.lower() for k, _ in self.headers}
        for key, value in self.headers:
            handler.send_header(key, value)
        if "content-length" not in names:
            handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        if handler.command != "HEAD":
            handler.wfile.write(body)


def json_reply(data: Any, status: int = 200, content_type: str = "application/json"):
    return Reply(status, [("Content-Type", content_type)], json.dumps(data))


def now(days: float = 0) -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=days)


GOOD_HEADERS = [
    ("Content-Type", "text/html; charset=utf-8"),
    ("Strict-Transport-Security", "max-age=31536000; includeSubDomains"),
    ("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'"),
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "strict-origin-when-cross-origin"),
]


class Server:
    """A scripted server. ``routes`` maps a path (without query) to a Reply or a
    function writing the response itself; unknown paths get 404."""

    def __init__(
        self,
        routes: dict[str, Reply | Handler] | None = None,
        *,
        tls: ssl.SSLContext | None = None,
        latency: float = 0.0,
        default: Reply | Handler | None = None,
    ) -> None:
        self.routes = routes or {}
        self.default = default or Reply(404, [("Content-Type", "text/plain")], "nf")
        self.tls = tls
        self.latency = latency
        self.requests: list[tuple[str, str, dict[str, str]]] = []
        self.sockets: list[Any] = []
        outer = self

        class RequestHandler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def _any(self) -> None:
                path = self.path.split("?", 1)[0]
                outer.requests.append((self.command, self.path, dict(self.headers)))
                if outer.latency:
                    time.sleep(outer.latency)
                route = outer.routes.get(path, outer.default)
                try:
                    if isinstance(route, Reply):
                        route.send(self)
                    else:
                        route(self)
                except (BrokenPipeError, ConnectionResetError, ssl.SSLError, OSError):
                    self.close_connection = True

            do_GET = do_HEAD = do_OPTIONS = do_POST = _any

        class HTTPServer(http.server.ThreadingHTTPServer):
            daemon_threads = True
            request_queue_size = 256

            def finish_request(self, request: Any, client_address: Any) -> None:
                outer.sockets.append(request)
                # headers and body are two writes: without this, Nagle and the
                # client's delayed ACK add ~40 ms to every response
                request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                if outer.tls is not None:
                    request.settimeout(5)
                    try:
                        request = outer.tls.wrap_socket(request, server_side=True)
                    except (ssl.SSLError, OSError):
                        request.close()
                        return
                    request.settimeout(None)
                    outer.sockets.append(request)
                super().finish_request(request, client_address)

            def handle_error(self, request: Any, client_address: Any) -> None:
                pass

        self.httpd = HTTPServer(("127.0.0.1", 0), RequestHandler)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def __enter__(self) -> Server:
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        for sock in self.sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def paths(self) -> list[str]:
        return [path for _, path, _ in self.requests]


def tls_context(
    ca: Any,
    *names: str,
    not_before: datetime.datetime | None = None,
    not_after: datetime.datetime | None = None,
    versions: Iterable[ssl.TLSVersion] | None = None,
) -> ssl.SSLContext:
    """A server context with a leaf for *names* from the trustme CA *ca*."""
    leaf = ca.issue_cert(
        *names,
        not_before=not_before or now(-10),
        not_after=not_after or now(200),
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    leaf.configure_cert(context)
    if versions is not None:
        chosen = sorted(versions)
        with warnings.catch_warnings():  # TLS 1.0/1.1 are deprecated: that is the point
            warnings.simplefilter("ignore", DeprecationWarning)
            context.minimum_version = chosen[0]
            context.maximum_version = chosen[-1]
        if chosen[0] < ssl.TLSVersion.TLSv1_2:
            context.set_ciphers("DEFAULT:@SECLEVEL=0")
    return context


def closed_port() -> int:
    """A loopback port nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


APP = "app.jambikota.go.id"
SSO = "sso.jambikota.go.id"
ISSUER = "https://sso.jambikota.go.id/realms/jambikota"
AUTHORIZE = ISSUER + "/protocol/openid-connect/auth"
DISCOVERY = {
    "issuer": ISSUER,
    "authorization_endpoint": AUTHORIZE,
    "token_endpoint": ISSUER + "/protocol/openid-connect/token",
    "jwks_uri": ISSUER + "/protocol/openid-connect/certs",
    "response_types_supported": ["code"],
    "subject_types_supported": ["public"],
    "id_token_signing_alg_values_supported": ["RS256"],
    "code_challenge_methods_supported": ["S256"],
}


class City:
    """The loopback city: an HTTPS server for the app, one for the SSO, a plain
    HTTP server for port 80, and the command-line arguments that reach them."""

    def __init__(self, ca: trustme.CA, ca_file: str) -> None:
        self.ca = ca
        self.ca_file = ca_file
        self.servers: list[Server] = []
        self.maps: list[str] = []

    def serve(self, host: str, port: int, server: Server) -> Server:
        server.__enter__()
        self.servers.append(server)
        self.maps += ["--connect-to", f"{host}:{port}:127.0.0.1:{server.port}"]
        return server

    def app(
        self,
        routes: dict[str, Any],
        context: ssl.SSLContext | None = None,
        host: str = APP,
        **kwargs: Any,
    ) -> Server:
        context = context or tls_context(self.ca, host)
        return self.serve(host, 443, Server(routes, tls=context, **kwargs))

    def plain(
        self, routes: dict[str, Any] | None = None, host: str = APP, **kw: Any
    ) -> Server:
        default = Reply(301, [("Location", f"https://{host}/")])
        return self.serve(
            host, 80, Server(routes or {}, default=kw.pop("default", default))
        )

    def sso(self, routes: dict[str, Any] | None = None) -> Server:
        base = {
            "/realms/jambikota/.well-known/openid-configuration": json_reply(DISCOVERY)
        }
        base.update(routes or {})
        return self.serve(SSO, 443, Server(base, tls=tls_context(self.ca, SSO)))

    def args(self, *extra: str) -> list[str]:
        return [
            *self.maps,
            "--ca-bundle",
            self.ca_file,
            "--allow-network",
            "127.0.0.0/8",
            "--timeout",
            "3",
            "--lang",
            "en",
            *extra,
        ]

    def close(self) -> None:
        for server in self.servers:
            server.__exit__(None, None, None)
