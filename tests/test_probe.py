"""spbe-lint probe end to end, in-process: real TLS from a test CA on loopback
servers, real city host names pointed at them with --connect-to. Only loopback
is reachable (pytest-socket) and no name is ever looked up in DNS."""

from __future__ import annotations

import socket
import ssl
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import trustme

from tests.conftest import Result, edit
from tests.probe_servers import (
    APP,
    AUTHORIZE,
    DISCOVERY,
    GOOD_HEADERS,
    JWKS,
    JWKS_PATH,
    SSO,
    City,
    Reply,
    Server,
    crafted_context,
    json_reply,
    now,
    rsa_signer,
    tls_context,
    trustme_signer,
)

pytestmark = [
    pytest.mark.allow_hosts(["127.0.0.1", "::1"]),
    pytest.mark.usefixtures("no_dns"),
]

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


def of_check(evidence: list[dict], check: str) -> list[dict]:
    """The evidence entries (JSON report form) one probe check contributed."""
    return [e for e in evidence if ["check", check] in e["facts"]]


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
    (tls,) = of_check(sec1["evidence"], "tls-chain")
    facts = dict(map(tuple, tls["facts"]))
    assert tls["method"] == "TLS" and tls["address"] == f"127.0.0.1:{server.port}"
    assert facts["tls.verified"] == "true"
    assert facts["tls.protocols.TLSv1.3"] == "offered"
    assert facts["tls.protocols.TLSv1"] == "refused" or facts[
        "tls.protocols.TLSv1"
    ].startswith("not tested")
    (hsts,) = of_check(sec1["evidence"], "hsts")
    assert (hsts["method"], hsts["url"]) == ("GET", f"https://{APP}/")
    headers = dict(map(tuple, hsts["headers"]))
    assert headers["strict-transport-security"].startswith("max-age=31536000")
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
    (tls,) = [e for e in hit["evidence"] if e["method"] == "TLS"]
    assert dict(map(tuple, tls["facts"]))["tls.not_after"]
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


def test_probe_settings_from_the_configuration_file(run, city: City, workdir: Path):
    """CI writes --connect-to, --ca-bundle and --allow-network once in
    .spbe-lint.yaml (never in a manifest); the command line still wins."""
    good_app(city)
    connect = [city.maps[i + 1] for i in range(0, len(city.maps), 2)]
    (workdir / ".spbe-lint.yaml").write_text(
        "probe:\n"
        f"  connect-to: {connect!r}\n"
        f"  ca-bundle: {Path(city.ca_file).as_posix()!r}\n"
        "  allow-network: [127.0.0.0/8]\n"
        "  timeout: 3\n",
        "utf-8",
    )
    result = run("probe", f"https://{APP}/", "--format", "json", "--lang", "en")
    assert result.status == 0, result.stdout + result.stderr
    assert statuses(result)["SEC-001"] == {"pass"}
    # The command line replaces the file's value: loopback is no longer admitted,
    # so the file's --connect-to to 127.0.0.1 is refused as a usage error.
    result = run(
        "probe",
        f"https://{APP}/",
        "--format",
        "json",
        "--allow-network",
        "10.9.0.0/16",
        "--lang",
        "en",
    )
    assert result.status == 2 and result.stdout == ""
    assert result.stderr.startswith(f"spbe-lint: --connect-to {APP}:443:127.0.0.1:")
    assert "is refused (loopback)" in result.stderr


def test_a_bad_probe_setting_in_the_configuration_names_its_line(run, workdir: Path):
    (workdir / ".spbe-lint.yaml").write_text(
        "lang: en\nprobe:\n  resolve:\n    - app.jambikota.go.id:443:127.0.0.1\n"
        "    - nonsense\n",
        "utf-8",
    )
    result = run("probe", f"https://{APP}/")
    assert result.status == 2
    assert result.stderr.startswith(".spbe-lint.yaml:5:7: ")
    assert "invalid probe.resolve (nonsense)" in result.stderr
    assert len(result.stderr.splitlines()) == 1


# ---- a manifest's endpoints: check --probe and probe without URLs -------------

MANIFEST_APP = "sipelita.jambikota.go.id"


def _manifest_city(city: City, login: Reply, health: Reply, openapi_doc: dict) -> None:
    routes = {
        "/": LANDING,
        "/login": login,
        "/health": health,
        "/api/v1": Reply(200, [("Content-Type", "application/json")], "[]"),
        "/api/v1/openapi.json": json_reply(openapi_doc),
        "/.well-known/security.txt": SECURITY_TXT,
    }
    city.app(routes, host=MANIFEST_APP)
    city.plain(host=MANIFEST_APP)
    city.sso()


PROBLEM = {"application/problem+json": {"schema": {"type": "object"}}}
# A description that is right in every way the probe judges but one: no version
# in its server URL or paths (the manifest's base_url does not count).
UNVERSIONED = {
    "openapi": "3.0.3",
    "info": {"title": "Izin", "version": "1.0.0", "contact": {"name": "DPMPTSP"}},
    "security": [{"sso": []}],
    "paths": {
        "/izin": {
            "get": {
                "responses": {
                    "200": {"description": "ok"},
                    "401": {"description": "no token", "content": PROBLEM},
                }
            }
        }
    },
    "components": {
        "securitySchemes": {
            "sso": {
                "type": "openIdConnect",
                "openIdConnectUrl": "https://sso.jambikota.go.id/realms/jambikota"
                "/.well-known/openid-configuration",
            }
        }
    },
}


def test_check_probe_reports_declared_versus_observed(run, city: City, compliant: Path):
    (compliant.parent / ".spbe-lint.yaml").write_text(
        "profile:\n  datacentre_ranges: [10.71.0.0/16]\n", "utf-8"
    )
    foreign = Reply(
        302, [("Location", "https://accounts.google.com/o/oauth2/auth?x=1")]
    )
    unhealthy = json_reply({"status": "fail"}, 503, "application/health+json")
    _manifest_city(city, foreign, unhealthy, UNVERSIONED)
    result = run("check", "--probe", "--format", "json", *city.args())
    assert result.status == 1
    report = result.json()
    assert report["endpoints"] == [
        "https://sipelita.jambikota.go.id/",
        "https://sipelita.jambikota.go.id/login",
        "https://sipelita.jambikota.go.id/health",
        "https://sipelita.jambikota.go.id/api/v1",
    ]
    got = failed(result)
    (sso,) = [m for m in got["PRB-004"] if m.startswith("sso-login-redirect")]
    assert sso.startswith(
        "sso-login-redirect: the manifest declares auth.sso.issuer = "
        "https://sso.jambikota.go.id/realms/jambikota (spbe.yaml:63); observed: login "
        "redirects to accounts.google.com, not the city SSO (redirect to "
        "https://accounts.google.com/o/oauth2/auth?x=1 refused, not contacted: "
        "accounts.google.com; not under jambikota.go.id and not the SSO host)"
    ), sso
    assert got["PRB-010"] == [
        "health: the manifest declares endpoints.health_url = "
        "https://sipelita.jambikota.go.id/health (spbe.yaml:42); observed: the "
        "application reports itself unhealthy: status fail, HTTP 503"
    ]
    assert got["PRB-002"] == [
        "datacentre-address: the manifest declares hosting.provider = "
        "pusat_data_daerah (spbe.yaml:45); observed: address 127.0.0.1 outside the "
        "data centre (10.71.0.0/16)"
    ]
    assert got["PRB-008"] == [
        "api-auth: a non-public API answers 200 without credentials"
    ]
    # /api/v1 in the manifest's base_url does not version the document: the
    # document itself must (issue 15), and the finding points into it
    assert got["PRB-007"] == [
        "api-versioned: paths: no major version segment (e.g. /v1) in the server "
        "URL path ((no servers)) nor in a prefix common to all paths; put the major "
        "version in the URL, e.g. https://…/api/v1"
    ]
    (found,) = [f for f in findings(result, "PRB-007") if f["status"] == "fail"]
    assert found["location"]["path"] == (
        "https://sipelita.jambikota.go.id/api/v1/openapi.json"
    )
    assert found["location"]["pointer"] == "/paths"
    # the manifest's own findings are in the same report; endpoint rules are not
    # "awaiting the probe" any more
    assert any(
        f["rule"] == "HOST-004" and f["status"] == "pass" for f in findings(result)
    )
    assert not any(
        f["status"] == "inconclusive" and "spbe-lint probe" in f["message"]
        for f in findings(result)
    )
    (prb4,) = [f for f in findings(result, "PRB-004") if f["status"] == "fail"]
    assert prb4["location"] == {
        "path": "https://sipelita.jambikota.go.id/login",
        "pointer": "",
    }


def test_probe_without_urls_is_the_manifest_and_sso_passes(
    run, city: City, compliant: Path
):
    edit(
        compliant,
        "base_url: https://sipelita.jambikota.go.id/api/v1",
        "base_url: https://sipelita.jambikota.go.id/api",
    )
    query = (
        "response_type=code&client_id=sipelita&scope=openid&state=s1"
        "&code_challenge=x&code_challenge_method=S256"
        "&redirect_uri=https%3A%2F%2Fsipelita.jambikota.go.id%2Fcallback"
    )
    login = Reply(302, [("Location", f"{AUTHORIZE}?{query}")])
    health = json_reply({"status": "pass"}, 200, "application/health+json")
    routes = {
        "/": LANDING,
        "/login": login,
        "/health": health,
        "/api": Reply(401, [("WWW-Authenticate", "Bearer")], ""),
        "/api/openapi.json": json_reply(UNVERSIONED),
    }
    city.app(routes, host=MANIFEST_APP)
    city.plain(host=MANIFEST_APP)
    asked = []

    def sign_in_page(handler) -> None:
        asked.append(handler.path)
        Reply(200, [], "login").send(handler)

    city.sso({"/realms/jambikota/protocol/openid-connect/auth": sign_in_page})
    result = run("probe", "--format", "json", *city.args(), "--select", "PRB")
    got = statuses(result)
    assert got["PRB-004"] == {"pass"}, failed(result)
    # The redirect to the city SSO is judged, not followed: no sign-in session
    # is opened at the identity provider for a probe.
    assert asked == []
    (redirect,) = [
        f
        for f in findings(result, "PRB-004")
        if f["message"].startswith("sso-login-redirect")
    ]
    (last,) = [e for e in redirect["evidence"] if e["url"].startswith(AUTHORIZE)]
    assert last["status"] is None
    assert [
        "not_requested",
        "the city SSO's authorization endpoint: the redirect is judged",
    ] in last["facts"]
    assert got["PRB-008"] == {"pass"} and got["PRB-010"] == {"pass"}
    assert failed(result)["PRB-007"] == [
        "api-versioned: paths: no major version segment (e.g. /v1) in the server "
        "URL path ((no servers)) nor in a prefix common to all paths; put the major "
        "version in the URL, e.g. https://…/api/v1"
    ]
    assert result.json()["inputs"][0]["path"] == "spbe.yaml"


def test_the_light_list_of_probe_check_names_matches_the_judges():
    """Rule packs are validated against probes.names without importing the judges."""
    from spbe_lint.probes.checks import PROBE_CHECKS
    from spbe_lint.probes.names import PROBE_CHECK_NAMES

    assert tuple(PROBE_CHECKS) == PROBE_CHECK_NAMES


# ---- key and signature strength (TLS-04), certificates built with cryptography --


def _strength(run, city: City, context: ssl.SSLContext) -> Result:
    city.app({"/": LANDING}, context)
    city.plain()
    city.sso()
    return run(
        "probe",
        f"https://{APP}/",
        "--format",
        "json",
        *city.args(),
        "--select",
        "SEC-001",
    )


def _tls_facts(finding: dict) -> dict[str, str]:
    (tls,) = [e for e in finding["evidence"] if e["method"] == "TLS"]
    return dict(map(tuple, tls["facts"]))


def _by_check(result: Result, check: str) -> list[dict]:
    return [
        f
        for f in findings(result, "SEC-001")
        if f["message_i18n"]["en"].startswith(f"{check}: ")
    ]


def test_an_rsa_1024_key_fails_tls_key(run, city: City):
    from cryptography.hazmat.primitives.asymmetric import rsa

    weak = rsa.generate_private_key(65537, 1024)
    context = crafted_context(trustme_signer(city.ca), APP, key=weak)
    result = _strength(run, city, context)
    (key,) = _by_check(result, "tls-key")
    assert key["status"] == "fail" and key["severity"] == "error"
    assert key["message_i18n"]["en"] == (
        "tls-key: weak certificate: RSA key of 1024 bits (at least 2048)"
    )
    assert key["message_i18n"]["id"] == (
        "tls-key: sertifikat lemah: kunci RSA 1024 bit (minimal 2048)"
    )
    facts = _tls_facts(key)
    assert (facts["tls.key_type"], facts["tls.key_bits"]) == ("RSA", "1024")
    # The client's default security level (OpenSSL 3, SECLEVEL=2) also refuses
    # the key while verifying (X509_V_ERR_EE_KEY_TOO_SMALL, 66): the chain fails
    # too, and tls-key still judges the key from the unverified second handshake.
    (chain,) = _by_check(result, "tls-chain")
    assert chain["status"] == "fail"
    assert "(code 66)" in chain["message_i18n"]["en"], chain["message_i18n"]["en"]
    assert result.status == 1


def test_a_sha1_signature_fails_tls_key(run, city: City):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    signer = rsa_signer()  # our own RSA CA, added to the --ca-bundle file
    with Path(city.ca_file).open("ab") as bundle:
        bundle.write(signer[1].public_bytes(serialization.Encoding.PEM))
    context = crafted_context(
        signer, APP, key=rsa.generate_private_key(65537, 2048), hash_name="sha1"
    )
    result = _strength(run, city, context)
    (key,) = _by_check(result, "tls-key")
    assert key["status"] == "fail"
    assert key["message_i18n"]["en"] == "tls-key: weak certificate: sha1 signature"
    facts = _tls_facts(key)
    assert facts["tls.signature_hash"] == "sha1"
    # OpenSSL 3 at the default SECLEVEL=2 refuses SHA-1 signatures while
    # verifying (X509_V_ERR_CA_MD_TOO_WEAK, 68), so the chain fails as well;
    # tls-key reads the signature hash from the unverified second handshake.
    (chain,) = _by_check(result, "tls-chain")
    assert chain["status"] == "fail"
    assert chain["message_i18n"]["en"] == (
        "tls-chain: certificate not trusted: CA signature digest algorithm too weak "
        "(code 68)"
    )
    # ...which is the digest policy, not a broken signature: at SECLEVEL=0 the
    # same chain verifies against the same bundle.
    client = ssl.create_default_context(cafile=city.ca_file)
    client.set_ciphers("DEFAULT:@SECLEVEL=0")
    server = city.servers[0]
    raw = socket.create_connection(("127.0.0.1", server.port), timeout=3)
    with client.wrap_socket(raw, server_hostname=APP) as tls:
        assert tls.getpeercert()["subject"] == ((("commonName", APP),),)


def test_an_ecdsa_p256_key_passes_tls_key(run, city: City):
    context = crafted_context(trustme_signer(city.ca), APP)  # EC P-256 by default
    result = _strength(run, city, context)
    # every check of SEC-001 passed, so the rule is one passing finding whose
    # evidence names the check each TLS entry stood for
    (sec1,) = findings(result, "SEC-001")
    assert sec1["status"] == "pass", failed(result)
    (key,) = of_check(sec1["evidence"], "tls-key")
    facts = dict(map(tuple, key["facts"]))
    assert (facts["tls.key_type"], facts["tls.key_bits"]) == ("EC secp256r1", "256")
    assert facts["tls.signature_hash"] == "sha256"
    assert facts["tls.verified"] == "true"
    assert result.status == 0


# ---- the city SSO's JWKS (SSO-02) ---------------------------------------------


def _jwks_run(run, city: City, jwks: Reply) -> tuple[Result, Server]:
    city.app({"/": LANDING})
    city.plain()
    sso = city.sso({JWKS_PATH: jwks})
    result = run(
        "probe",
        f"https://{APP}/",
        "--format",
        "json",
        *city.args(),
        "--select",
        "PRB-004",
    )
    return result, sso


def _jwks(result: Result) -> dict:
    (found,) = [
        f
        for f in findings(result, "PRB-004")
        if f["message_i18n"]["en"].startswith("oidc-jwks: ")
    ]
    return found


def test_a_public_jwks_passes_and_is_fetched_once(run, city: City):
    result, sso = _jwks_run(run, city, json_reply(JWKS))
    found = _jwks(result)
    assert found["status"] == "pass"
    assert found["message_i18n"] == {
        "id": "oidc-jwks: JWKS berisi 2 kunci publik",
        "en": "oidc-jwks: the JWKS holds 2 public key(s)",
    }
    (evidence,) = found["evidence"]
    assert evidence["url"] == f"https://{SSO}{JWKS_PATH}"
    assert evidence["address"] == f"127.0.0.1:{sso.port}"  # the pinned address
    assert evidence["status"] == 200
    assert sso.paths().count(JWKS_PATH) == 1


def test_a_jwks_leaking_a_private_member_fails_without_showing_it(run, city: City):
    secret = "c2VjcmV0LXByaXZhdGUtZXhwb25lbnQ"
    leaky = {"keys": [{**JWKS["keys"][0], "d": secret}, JWKS["keys"][1]]}
    result, _ = _jwks_run(run, city, json_reply(leaky))
    found = _jwks(result)
    assert found["status"] == "fail" and found["severity"] == "warning"
    assert found["message_i18n"]["en"] == (
        "oidc-jwks: the JWKS leaks private keys: key 'k3yc1oak-rs256' carries "
        "private members d"
    )
    assert secret not in result.stdout  # member names only, never their values
    assert result.status == 0  # PRB-004 is a warning rule


def test_an_empty_jwks_fails(run, city: City):
    result, _ = _jwks_run(run, city, json_reply({"keys": []}))
    found = _jwks(result)
    assert found["status"] == "fail"
    assert found["message_i18n"] == {
        "id": "oidc-jwks: JWKS tidak dapat dipakai: the key set is empty",
        "en": "oidc-jwks: the JWKS is not usable: the key set is empty",
    }


def test_a_jwks_that_cannot_be_fetched_is_inconclusive(run, city: City):
    missing = Reply(404, [("Content-Type", "text/plain")], "nf")
    result, _ = _jwks_run(run, city, missing)
    found = _jwks(result)
    assert found["status"] == "inconclusive"
    assert found["message_i18n"]["en"] == (
        "oidc-jwks: the city SSO's JWKS could not be fetched: HTTP 404"
    )
    assert found["evidence"][0]["status"] == 404


def test_a_jwks_uri_off_the_sso_host_is_not_fetched(run, city: City):
    elsewhere = f"https://{APP}/certs"
    city.app({"/": LANDING, "/certs": json_reply(JWKS)})
    city.plain()
    city.sso(
        {
            "/realms/jambikota/.well-known/openid-configuration": json_reply(
                {**DISCOVERY, "jwks_uri": elsewhere}
            )
        }
    )
    result = run(
        "probe",
        f"https://{APP}/",
        "--format",
        "json",
        *city.args(),
        "--select",
        "PRB-004",
    )
    found = _jwks(result)
    assert found["status"] == "inconclusive"
    assert found["message_i18n"]["en"] == (
        "oidc-jwks: the city SSO's JWKS could not be fetched: jwks_uri "
        f"{elsewhere} is not https on the SSO host"
    )
    assert "/certs" not in city.servers[0].paths()
