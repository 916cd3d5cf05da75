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
from pathlib import Path
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


def trustme_signer(ca: Any) -> tuple[Any, Any]:
    """The trustme CA *ca*'s private key and certificate, as ``cryptography`` objects."""
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    return (
        serialization.load_pem_private_key(ca.private_key_pem.bytes(), None),
        x509.load_pem_x509_certificate(ca.cert_pem.bytes()),
    )


def rsa_signer(name: str = "spbe-lint test RSA CA") -> tuple[Any, Any]:
    """A CA of our own with an RSA key (a SHA-1 signature is made by hand with it;
    trustme's CA key is ECDSA). Its certificate must be added to --ca-bundle."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(65537, 2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now(-10))
        .not_valid_after(now(400))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            True,
        )
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False
        )
        .sign(key, hashes.SHA256())
    )
    return key, cert


_SHA256_RSA = bytes.fromhex("06092a864886f70d01010b")  # OID sha256WithRSAEncryption
_SHA1_RSA = bytes.fromhex("06092a864886f70d010105")  # OID sha1WithRSAEncryption
_SHA1_DIGEST_INFO = bytes.fromhex("3021300906052b0e03021a05000414")


def _resigned_with_sha1(der: bytes, signer_key: Any) -> bytes:
    """*der* (signed sha256WithRSAEncryption) re-signed sha1WithRSAEncryption.

    The cryptography build here (OpenSSL 4) refuses SHA-1 signatures outright, so
    the PKCS#1 v1.5 signature is computed by hand: both algorithm identifiers
    swap one OID for another of the same length and the signature keeps the key's
    length, so every DER length stays as it is."""
    import hashlib

    from cryptography import x509

    assert der.count(_SHA256_RSA) == 2, "expected the inner and outer algorithm"
    der = der.replace(_SHA256_RSA, _SHA1_RSA)
    tbs = x509.load_der_x509_certificate(der).tbs_certificate_bytes
    numbers = signer_key.private_numbers()
    size = (signer_key.key_size + 7) // 8
    block = _SHA1_DIGEST_INFO + hashlib.sha1(tbs).digest()
    padded = b"\x00\x01" + b"\xff" * (size - len(block) - 3) + b"\x00" + block
    signature = pow(int.from_bytes(padded, "big"), numbers.d, numbers.public_numbers.n)
    return der[:-size] + signature.to_bytes(size, "big")


def crafted_context(
    signer: tuple[Any, Any],
    *names: str,
    key: Any = None,
    hash_name: str = "sha256",
) -> ssl.SSLContext:
    """A server context with a leaf for *names* built here with ``cryptography``
    and signed by *signer* (key, certificate): for keys and signature hashes
    trustme does not offer (an RSA-1024 key, a SHA-1 signature, an ECDSA P-256
    key). The server runs at SECLEVEL=0 so that OpenSSL agrees to serve the weak
    ones at all."""
    import tempfile

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    signer_key, signer_cert = signer
    key = key or ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0])]))
        .issuer_name(signer_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now(-10))
        .not_valid_after(now(200))
        .add_extension(
            x509.SubjectAlternativeName([x509.DNSName(n) for n in names]), False
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), False)
        .sign(signer_key, hashes.SHA256())
    )
    der = cert.public_bytes(serialization.Encoding.DER)
    if hash_name == "sha1":
        der = _resigned_with_sha1(der, signer_key)
    elif hash_name != "sha256":
        raise ValueError(hash_name)
    leaf = x509.load_der_x509_certificate(der)
    pem = leaf.public_bytes(serialization.Encoding.PEM) + key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.set_ciphers("DEFAULT:@SECLEVEL=0")  # before the weak leaf is loaded
    with tempfile.TemporaryDirectory() as folder:  # load_cert_chain reads files
        path = Path(folder, "leaf.pem")
        path.write_bytes(pem)
        context.load_cert_chain(path)
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
JWKS_PATH = "/realms/jambikota/protocol/openid-connect/certs"
JWKS = {  # the shape Keycloak publishes (n cut short: nothing verifies with it)
    "keys": [
        {
            "kid": "k3yc1oak-rs256",
            "kty": "RSA",
            "alg": "RS256",
            "use": "sig",
            "n": "xjlCRBqkOJyBCKQHhxXM2ipN2mSkgmj6xGGWVbi3NVumpvmN3XjIyJ1gXDJw",
            "e": "AQAB",
        },
        {
            "kid": "k3yc1oak-ec",
            "kty": "EC",
            "use": "sig",
            "crv": "P-256",
            "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
            "y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0",
        },
    ]
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
        base: dict[str, Any] = {
            "/realms/jambikota/.well-known/openid-configuration": json_reply(DISCOVERY),
            JWKS_PATH: json_reply(JWKS),
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
