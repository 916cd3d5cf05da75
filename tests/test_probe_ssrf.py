"""The SSRF guard and the pinned transport: what may be contacted, and proof
(on the connect call itself) that nothing else is."""

from __future__ import annotations

import socket
import ssl

import pytest
import trustme

from spbe_lint.probes import pinning
from spbe_lint.probes.addresses import (
    AddressPolicy,
    Refused,
    Scope,
    admit,
    parse_networks,
)
from spbe_lint.probes.pinning import BlockedAddress, Overrides, Pinner
from spbe_lint.probes.transport import Limits, Transport, client_context
from tests.probe_servers import Reply, Server, tls_context

pytestmark = pytest.mark.allow_hosts(["127.0.0.1", "::1"])

SCOPE = Scope("jambikota.go.id", "sso.jambikota.go.id")
LOOPBACK = AddressPolicy(allowed=parse_networks(["127.0.0.0/8"]))


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("127.0.0.1", "loopback"),
        ("::1", "loopback"),
        ("0.0.0.0", "unspecified"),
        ("169.254.169.254", "cloud metadata address"),
        ("169.254.170.2", "cloud metadata address"),
        ("169.254.1.1", "link-local"),
        ("fe80::1", "link-local"),
        ("100.64.0.1", "shared (CGNAT)"),
        ("100.100.100.200", "cloud metadata address"),
        ("224.0.0.1", "multicast"),
        ("ff02::1", "multicast"),
        ("255.255.255.255", "reserved"),
        ("240.0.0.1", "reserved"),
        ("192.0.0.8", "reserved"),
        ("198.18.0.1", "reserved"),
        ("192.0.2.10", "documentation"),
        ("2001:db8::1", "documentation"),
        ("fec0::1", "reserved"),
        ("10.1.2.3", "private address outside the data-centre ranges"),
        ("172.16.0.1", "private address outside the data-centre ranges"),
        ("192.168.1.1", "private address outside the data-centre ranges"),
        ("fd00:ec2::254", "cloud metadata address"),
        ("fd12::1", "private address outside the data-centre ranges"),
        # IPv6 forms that carry a denied IPv4 address are judged by it
        ("::ffff:127.0.0.1", "loopback (127.0.0.1 embedded)"),
        ("::ffff:169.254.169.254", "cloud metadata address (169.254.169.254 embedded)"),
        ("::127.0.0.1", "loopback (127.0.0.1 embedded)"),
        ("64:ff9b::a9fe:a9fe", "cloud metadata address (169.254.169.254 embedded)"),
        ("2002:7f00:1::1", "loopback (127.0.0.1 embedded)"),
        (
            "2002:a00:1::1",
            "private address outside the data-centre ranges (10.0.0.1 embedded)",
        ),
        (
            "2001:0:4136:e378:8000:63bf:f5ff:fffe",
            "loopback (10.0.0.1 embedded)"[:0] or None,
        ),
    ],
)
def test_denied_addresses(address: str, reason: str | None):
    if reason is None:  # Teredo: client 10.0.0.1 (bits inverted in the address)
        assert AddressPolicy().refusal(address) == (
            "private address outside the data-centre ranges (10.0.0.1 embedded)"
        )
        return
    assert AddressPolicy().refusal(address) == reason


@pytest.mark.parametrize("address", ["103.10.20.30", "2400:cb00::1", "8.8.8.8"])
def test_public_addresses_may_be_contacted(address: str):
    assert AddressPolicy().refusal(address) is None


def test_private_addresses_only_inside_the_data_centre_ranges():
    policy = AddressPolicy(datacentre=parse_networks(["10.71.0.0/16"]))
    assert policy.refusal("10.71.3.4") is None
    assert policy.refusal("10.72.3.4") is not None
    # data-centre ranges never admit what is always denied
    policy = AddressPolicy(datacentre=parse_networks(["169.254.0.0/16"]))
    assert policy.refusal("169.254.1.1") == "link-local"


def test_allowed_networks_admit_denied_ranges_but_not_metadata_unless_named():
    wide = AddressPolicy(allowed=parse_networks(["169.254.0.0/16", "100.64.0.0/10"]))
    assert wide.refusal("169.254.1.1") is None
    assert wide.refusal("169.254.169.254") == "cloud metadata address"
    assert wide.refusal("100.100.100.200") == "cloud metadata address"
    named = AddressPolicy(allowed=parse_networks(["169.254.169.254/32"]))
    assert named.refusal("169.254.169.254") is None
    assert LOOPBACK.refusal("127.0.0.1") is None
    assert LOOPBACK.refusal("::1") == "loopback"  # IPv4 range, IPv6 address


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("ftp://app.jambikota.go.id/", "scheme ftp is not http or https"),
        ("file:///etc/passwd", "not a URL every parser reads"),
        ("https://user@app.jambikota.go.id/", "not a URL every parser reads"),
        ("https://evil.example\\@app.jambikota.go.id/", "not a URL every parser"),
        ("https://127.0.0.1/", "an IP address is not admitted"),
        ("https://[::1]/", "an IP address is not admitted"),
        ("https://evil-jambikota.go.id/", "not under jambikota.go.id"),
        ("https://jambikota.go.id.evil.example/", "not under jambikota.go.id"),
        ("https://app.jambikota.go.id:8080/", "port 8080 is not allowed"),
        ("https://localhost/", "not a host name"),
    ],
)
def test_admission_refuses_before_any_io(url: str, reason: str):
    with pytest.raises(Refused) as refused:
        admit(url, SCOPE)
    assert refused.value.reason.startswith(reason)


def test_admission_accepts_city_hosts_and_the_sso_host():
    target = admit("https://APP.jambikota.go.id./x?y=1", SCOPE)
    assert (target.host, target.port, target.origin) == (
        "app.jambikota.go.id",
        443,
        "https://app.jambikota.go.id",
    )
    assert admit("https://jambikota.go.id/", SCOPE).host == "jambikota.go.id"
    assert admit("https://sso.jambikota.go.id/realms/x", SCOPE).port == 443
    assert admit("http://a.b.jambikota.go.id/", SCOPE).port == 80
    widened = Scope("jambikota.go.id", None, frozenset({443, 8443}))
    assert admit("https://app.jambikota.go.id:8443/", widened).port == 8443


@pytest.fixture
def connects(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, int]]:
    """Every address the probe connects to, recorded at the connect call."""
    seen: list[tuple[str, int]] = []
    real = pinning.open_socket

    def recording(address: str, port: int, timeout: float) -> socket.socket:
        seen.append((address, port))
        return real(address, port, timeout)

    monkeypatch.setattr(pinning, "open_socket", recording)
    return seen


def fake_dns(table: dict[str, list[str]], calls: list[str] | None = None):
    def getaddrinfo(host: str, port: int, *args, **kwargs):
        if calls is not None:
            calls.append(host)
        if host not in table:
            raise socket.gaierror(f"{host}: name not known")
        return [
            (
                socket.AF_INET6 if ":" in a else socket.AF_INET,
                socket.SOCK_STREAM,
                6,
                "",
                (a, port),
            )
            for a in table[host]
        ]

    return getaddrinfo


def test_a_name_resolving_to_metadata_is_never_connected(connects):
    pinner = Pinner(
        AddressPolicy(),
        getaddrinfo=fake_dns({"app.jambikota.go.id": ["169.254.169.254"]}),
    )
    with pytest.raises(BlockedAddress) as blocked:
        pinner.connect("app.jambikota.go.id", 443, 1.0)
    assert blocked.value.refused == (("169.254.169.254", "cloud metadata address"),)
    assert connects == []


def test_only_validated_addresses_are_contacted_and_the_pin_holds(connects):
    """A name resolving to a denied and an allowed address is pinned to the
    allowed one, resolved once for the run (no second lookup to rebind)."""
    calls: list[str] = []
    dns = fake_dns({"app.jambikota.go.id": ["10.9.9.9", "127.0.0.1"]}, calls)
    ca = trustme.CA()
    with Server(
        {"/": Reply(200, [], "ok")}, tls=tls_context(ca, "app.jambikota.go.id")
    ) as server:
        pinner = Pinner(
            LOOPBACK,
            Overrides(
                connect_to={
                    ("app.jambikota.go.id", "443"): ("app.jambikota.go.id", server.port)
                }
            ),
            getaddrinfo=dns,
        )
        context = client_context()
        ca.configure_trust(context)
        probe = Transport(
            SCOPE, pinner, ssl_context=context, limits=Limits.from_timeout(3)
        )
        first = probe.fetch("https://app.jambikota.go.id/")
        second = probe.fetch("https://app.jambikota.go.id/")
        probe.close()
    assert first.status == second.status == 200, first.error
    assert first.address == f"127.0.0.1:{server.port}"
    assert calls == ["app.jambikota.go.id"]
    assert connects and all(address == "127.0.0.1" for address, _ in connects)
    pin = pinner.pin("app.jambikota.go.id", 443)
    assert pin.refused == (
        ("10.9.9.9", "private address outside the data-centre ranges"),
    )


def test_resolve_override_still_passes_the_policy(connects):
    pinner = Pinner(
        AddressPolicy(),
        Overrides(resolve={("app.jambikota.go.id", 443): ("127.0.0.1",)}),
    )
    probe = Transport(SCOPE, pinner)
    exchange = probe.fetch("https://app.jambikota.go.id/")
    assert exchange.blocked and exchange.status is None
    assert "127.0.0.1 (loopback)" in (exchange.error or "")
    assert connects == []


def test_refused_urls_and_methods(connects):
    probe = Transport(SCOPE, Pinner(LOOPBACK))
    exchange = probe.fetch("https://evil.example/")
    assert exchange.blocked and exchange.error == (
        "refused: not under jambikota.go.id and not the SSO host"
    )
    with pytest.raises(ValueError, match="method POST is not allowed"):
        probe.fetch("https://app.jambikota.go.id/", method="POST")
    assert connects == []


def test_no_proxy_no_cookies_verified_tls(connects, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("HTTPS_PROXY", "http://192.0.2.1:3128")
    monkeypatch.setenv("ALL_PROXY", "http://192.0.2.1:3128")
    ca = trustme.CA()
    routes = {"/": Reply(200, [("Set-Cookie", "sid=1; Path=/")], "hello")}
    with Server(routes, tls=tls_context(ca, "app.jambikota.go.id")) as server:
        overrides = Overrides(
            connect_to={("app.jambikota.go.id", "443"): ("127.0.0.1", server.port)}
        )
        context = client_context()
        ca.configure_trust(context)
        probe = Transport(SCOPE, Pinner(LOOPBACK, overrides), ssl_context=context)
        first = probe.fetch("https://app.jambikota.go.id/")
        probe.fetch("https://app.jambikota.go.id/")
        untrusted = Transport(
            SCOPE, Pinner(LOOPBACK, overrides), ssl_context=client_context()
        )
        refused = untrusted.fetch("https://app.jambikota.go.id/")
        probe.close()
        untrusted.close()
    assert first.status == 200 and first.body == b"hello"
    assert "Cookie" not in server.requests[1][2]  # nothing kept between requests
    assert server.requests[0][2]["User-Agent"].startswith("spbe-lint/")
    assert refused.status is None and refused.error.startswith("tls: ")
    assert "certificate verify failed" in refused.error
    assert {a for a, _ in connects} == {"127.0.0.1"}  # never the proxy
    assert isinstance(ssl.create_default_context(), ssl.SSLContext)
