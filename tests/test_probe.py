"""spbe-lint probe end to end, in-process: real TLS from a test CA on loopback
servers, real city host names pointed at them with --connect-to. Only loopback
is reachable (pytest-socket) and no name is ever looked up in DNS."""

from __future__ import annotations

import socket
import ssl
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import trustme

from tests.conftest import Result
from tests.probe_servers import (
    GOOD_HEADERS,
    Reply,
    Server,
    json_reply,
    now,
    tls_context,
)

pytestmark = pytest.mark.allow_hosts(["127.0.0.1", "::1"])

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
SECURITY_TXT = Reply(
    200,
    [("Content-Type", "text/plain; charset=utf-8")],
    "Contact: mailto:csirt@jambikota.go.id\nExpires: 2099-01-01T00:00:00Z\n",
)
LANDING = Reply(
    200,
    [*GOOD_HEADERS, ("Set-Cookie", "JSESSIONID=1; Secure; HttpOnly; SameSite=Lax")],
    "<html><body>Sipelita</body></html>",
)


@pytest.fixture(autouse=True)
def no_dns(monkeypatch: pytest.MonkeyPatch) -> None:
    """A name the test forgot to map must fail, never reach a DNS server."""
    real = socket.getaddrinfo

    def guarded(host: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            socket.inet_pton(
                socket.AF_INET6 if ":" in str(host) else socket.AF_INET, host
            )
        except (OSError, TypeError):
            raise socket.gaierror(f"test: no DNS for {host}") from None
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", guarded)


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def ca_file(ca: trustme.CA, tmp_path: Path) -> str:
    path = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(path))
    return str(path)


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


@pytest.fixture
def city(ca: trustme.CA, ca_file: str) -> Iterator[City]:
    town = City(ca, ca_file)
    yield town
    town.close()


def findings(result: Result, rule: str | None = None) -> list[dict[str, Any]]:
    report = result.json()
    return [f for f in report["findings"] if rule is None or f["rule"] == rule]


def failed(result: Result) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for f in findings(result):
        if f["status"] == "fail":
            found.setdefault(f["rule"], []).append(f["message_i18n"]["en"])
    return found


def statuses(result: Result) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for f in findings(result):
        found.setdefault(f["rule"], set()).add(f["status"])
    return found


def good_app(city: City, **overrides: Any) -> Server:
    routes = {"/": LANDING, "/.well-known/security.txt": SECURITY_TXT, **overrides}
    server = city.app(routes)
    server.httpd.RequestHandlerClass.server_version = "nginx"  # type: ignore[attr-defined]
    server.httpd.RequestHandlerClass.sys_version = ""  # type: ignore[attr-defined]
    city.plain()
    city.sso()
    return server


def test_a_good_application_passes_with_evidence(
    run: Callable[..., Result], city: City
):
    server = good_app(city)
    result = run("probe", f"https://{APP}/", "--format", "json", *city.args())
    assert result.status == 0, result.stdout + result.stderr
    assert failed(result) == {}
    got = statuses(result)
    for rule in ("SEC-001", "SEC-002", "SEC-003", "PRB-001", "PRB-006", "PRB-009"):
        assert got[rule] == {"pass"}, (rule, got[rule])
    assert got["PRB-002"] == {"inconclusive"}  # no data-centre ranges configured
    assert got["SEC-004"] == {"not_applicable"}  # exposure checks are opt-in
    report = result.json()
    assert report["endpoints"] == [f"https://{APP}/"]
    (sec1,) = findings(result, "SEC-001")
    assert sec1["location"] == {"path": f"https://{APP}/", "pointer": ""}
    tls = sec1["evidence"]["tls-chain"]["tls"]
    assert tls["verified"] is True and tls["address"] == f"127.0.0.1:{server.port}"
    assert tls["protocols"]["TLSv1.3"] == "offered"
    assert tls["protocols"]["TLSv1"] in ("refused",) or tls["protocols"][
        "TLSv1"
    ].startswith("not tested")
    hsts = findings(result, "SEC-001")[0]["evidence"]["hsts"]
    assert hsts["request"] == f"GET https://{APP}/"
    assert hsts["headers"]["strict-transport-security"].startswith("max-age=31536000")
    assert all(m == "GET" for m, _, _ in server.requests)


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("expired", "tls-expiry: certificate expired on"),
        ("not-yet-valid", "tls-expiry: certificate not valid until"),
        ("expiring", "tls-expiry: certificate expires in 9 days"),
        (
            "wrong-host",
            "tls-hostname: certificate is not valid for app.jambikota.go.id",
        ),
        ("self-signed", "tls-chain: certificate not trusted: "),
    ],
)
def test_bad_certificates_fail_sec_001(run, city: City, case: str, expected: str):
    names, before, after, issuer = [APP], now(-10), now(200), city.ca
    if case == "expired":
        before, after = now(-100), now(-1)
    elif case == "not-yet-valid":
        before = now(1)
    elif case == "expiring":
        after = now(9.5)
    elif case == "wrong-host":
        names = ["other.jambikota.go.id"]
    elif case == "self-signed":
        issuer = trustme.CA()
    context = tls_context(issuer, *names, not_before=before, not_after=after)
    city.app({"/": LANDING}, context)
    city.plain()
    city.sso()
    result = run(
        "probe",
        f"https://{APP}/",
        "--format",
        "json",
        *city.args(),
        "--select",
        "SEC-001",
    )
    messages = failed(result)["SEC-001"]
    assert any(m.startswith(expected) for m in messages), messages
    (hit,) = [
        f for f in findings(result, "SEC-001") if f["message"].startswith(expected)
    ]
    assert hit["severity"] == ("warning" if case == "expiring" else "error")
    assert hit["evidence"]["tls"]["not_after"]
    # HTTP is never sent over an unverified connection: the landing page failed
    if case in ("expired", "wrong-host", "self-signed"):
        hsts = (
            [f for f in findings(result, "SEC-001") if f["kind"] == "hsts"]
            if False
            else [
                f
                for f in findings(result, "SEC-001")
                if f["message"].startswith("hsts")
            ]
        )
        assert hsts and hsts[0]["status"] == "inconclusive"
        assert "certificate verify failed" in hsts[0]["message"]
    assert result.status == (0 if case == "expiring" else 1)


def test_legacy_tls_is_a_failure_and_plain_http_is_not_https(run, city: City):
    context = tls_context(
        city.ca, APP, versions=[ssl.TLSVersion.TLSv1, ssl.TLSVersion.TLSv1_1]
    )
    city.app({"/": LANDING}, context)
    city.plain(default=Reply(200, [("Content-Type", "text/html")], "plain"))
    city.sso()
    result = run(
        "probe",
        f"https://{APP}/",
        "--format",
        "json",
        *city.args(),
        "--select",
        "SEC-001",
    )
    messages = failed(result)["SEC-001"]
    assert (
        "tls-version: server offers obsolete TLSv1, TLSv1.1; disable TLS 1.0/1.1"
        in messages
    )
    assert (
        "https-redirect: http://app.jambikota.go.id/ answers 200 without redirecting "
        "to https" in messages
    )


def test_missing_headers_leaky_banners_and_bad_cookies(run, city: City):
    landing = Reply(
        200,
        [
            ("Content-Type", "text/html"),
            ("X-Powered-By", "PHP/7.4.3"),
            ("Set-Cookie", "PHPSESSID=abc; Path=/; Domain=jambikota.go.id"),
            ("Strict-Transport-Security", "max-age=300"),
        ],
        "<html></html>",
    )
    error = Reply(
        500,
        [("Content-Type", "text/html")],
        "<b>Fatal error</b>: Uncaught Exception in /var/www/app.php on line <b>12</b>",
    )
    server = city.app({"/": landing}, default=error)
    server.httpd.RequestHandlerClass.server_version = "Apache/2.4.41"  # type: ignore[attr-defined]
    city.plain()
    city.sso()
    result = run("probe", f"https://{APP}/", "--format", "json", *city.args())
    got = failed(result)
    assert got["SEC-002"] == [
        "csp: no Content-Security-Policy",
        "content-type-options: X-Content-Type-Options: nosniff is not sent",
        "frame-protection: no X-Frame-Options (DENY/SAMEORIGIN) or CSP frame-ancestors",
        "referrer-policy: no Referrer-Policy",
    ]
    assert "hsts: max-age=300 is below 15552000 (180 days)" in got["SEC-001"]
    (banner,) = [m for m in got["SEC-003"] if m.startswith("server-banner")]
    assert "X-Powered-By: PHP/7.4.3" in banner or "x-powered-by: PHP/7.4.3" in banner
    assert "Server: Apache/2.4.41" in banner
    assert any(
        m.startswith("error-page: the error page leaks details") for m in got["SEC-003"]
    )
    assert got["PRB-006"] == [
        "session-cookies: session cookies lack safe attributes: PHPSESSID: Secure, "
        "HttpOnly, SameSite=Lax/Strict, Domain=jambikota.go.id (whole city domain)"
    ]
    referrer = [f for f in findings(result, "SEC-002") if "Referrer" in f["message"]]
    assert referrer[0]["severity"] == "info"


def test_exposures_are_opt_in_and_confirmed_by_content(run, city: City):
    catch_all = Reply(200, [("Content-Type", "text/html")], "<html>welcome</html>")
    good_app(
        city,
        **{
            "/.git/HEAD": Reply(
                200, [("Content-Type", "text/plain")], "ref: refs/heads/main\n"
            )
        },
    )
    city.servers[0].default = catch_all
    plain = run("probe", f"https://{APP}/", "--format", "json", *city.args())
    assert statuses(plain)["SEC-004"] == {"not_applicable"}
    assert not any(p.startswith("/.git") for p in city.servers[0].paths())
    result = run(
        "probe", f"https://{APP}/", "--format", "json", "--exposure", *city.args()
    )
    assert failed(result)["SEC-004"] == [
        "exposed-git: https://app.jambikota.go.id/.git/HEAD is publicly readable"
    ]
    # /.env answered 200 with an HTML catch-all page: not confirmed, not reported
    assert "/.env" in city.servers[0].paths()
    assert all(m for m, *_ in city.servers[0].requests if m == "GET")


def test_bad_probe_input_is_one_line_exit_2(run):
    result = run("probe", "ftp://app.jambikota.go.id/")
    assert result.status == 2
    assert result.stderr == (
        "spbe-lint: bukan URL http(s): 'ftp://app.jambikota.go.id/' "
        "(untuk manifest: spbe-lint check --probe)\n"
    )
    result = run(
        "probe", "https://app.jambikota.go.id/", "--resolve", "nonsense", "--lang", "en"
    )
    assert result.status == 2
    assert result.stderr == (
        "spbe-lint: invalid --resolve (nonsense): expected HOST:PORT:ADDRESS[,ADDRESS]\n"
    )
    result = run(
        "probe",
        "https://a.jambikota.go.id/",
        "--allow-network",
        "10.0.0.0/33",
        "--lang",
        "en",
    )
    assert result.status == 2 and result.stderr.startswith(
        "spbe-lint: invalid --allow-network"
    )


def test_refused_urls_are_inconclusive_not_passed(run, city: City):
    city.sso()
    result = run("probe", "https://evil.example.com/", "--format", "json", *city.args())
    assert result.status == 0
    (host,) = findings(result, "PRB-001")
    assert host["status"] == "inconclusive"
    assert host["message_i18n"]["en"] == (
        "final-host: URL not probed: not under jambikota.go.id and not the SSO host"
    )
    assert "pass" not in {
        f["status"] for f in findings(result) if f["rule"] != "PRB-004"
    }
