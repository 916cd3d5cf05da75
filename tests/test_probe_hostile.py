"""Hostile servers: the probe refuses or stops within its limits, reports
clearly, and never connects to a denied address (asserted on the connect call)."""

from __future__ import annotations

import socket
import time
import zlib
from typing import Any

import pytest

from spbe_lint.probes import pinning
from tests.probe_servers import APP, City, Reply
from tests.test_probe import findings

pytestmark = [
    pytest.mark.allow_hosts(["127.0.0.1", "::1"]),
    pytest.mark.usefixtures("no_dns"),
]


@pytest.fixture
def connects(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, int]]:
    seen: list[tuple[str, int]] = []
    real = pinning.open_socket

    def recording(address: str, port: int, timeout: float) -> socket.socket:
        seen.append((address, port))
        return real(address, port, timeout)

    monkeypatch.setattr(pinning, "open_socket", recording)
    return seen


def landing(result: Any) -> dict[str, Any]:
    (finding,) = findings(result, "PRB-001")
    return finding


def probe(run: Any, city: City, *extra: str) -> Any:
    return run(
        "probe",
        f"https://{APP}/",
        "--format",
        "json",
        *city.args(*extra),
        "--select",
        "PRB-001,SEC-002",
    )


def test_redirect_to_cloud_metadata_is_refused_and_named(run, city: City, connects):
    city.app(
        {"/": Reply(302, [("Location", "http://169.254.169.254/latest/meta-data/")])}
    )
    city.sso()
    result = probe(run, city, "--allow-network", "169.254.0.0/16")
    finding = landing(result)
    assert finding["status"] == "fail"
    assert finding["message_i18n"]["en"] == (
        "final-host: redirect to http://169.254.169.254/latest/meta-data/ refused, not "
        "contacted: 169.254.169.254; an IP address is not admitted; use the host name"
    )
    assert {address for address, _ in connects} == {"127.0.0.1"}


def resolving(monkeypatch: pytest.MonkeyPatch, name: str, address: str) -> None:
    """DNS answering *address* for *name* (the redirect's target: an operator's
    --resolve to a refused address is a usage error, not this)."""
    real = socket.getaddrinfo

    def answer(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host == name:
            return real(address, port, *args, **kwargs)
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", answer)


def test_redirect_to_a_name_resolving_inward_is_refused(
    run, city: City, connects, monkeypatch: pytest.MonkeyPatch
):
    """The name is admitted (a city host) but resolves to a private address
    outside the data centre, or to metadata even inside an allowed range."""
    city.app(
        {"/": Reply(302, [("Location", "https://internal.jambikota.go.id/admin")])}
    )
    city.sso()
    resolving(monkeypatch, "internal.jambikota.go.id", "10.1.2.3")
    result = probe(run, city)
    assert landing(result)["message_i18n"]["en"] == (
        "final-host: redirect to https://internal.jambikota.go.id/admin refused, not "
        "contacted: internal.jambikota.go.id [10.1.2.3 (private address outside the "
        "data-centre ranges)]; internal.jambikota.go.id: refused 10.1.2.3 (private "
        "address outside the data-centre ranges)"
    )
    last = landing(result)["evidence"][-1]  # the last hop of the redirect chain
    assert dict(map(tuple, last["facts"]))["refused"] == (
        "address: 10.1.2.3, reason: private address outside the data-centre ranges"
    )
    resolving(monkeypatch, "internal.jambikota.go.id", "169.254.169.254")
    result = probe(run, city, "--allow-network", "169.254.0.0/16")
    assert "169.254.169.254 (cloud metadata address)" in landing(result)["message"]
    assert {address for address, _ in connects} == {"127.0.0.1"}


def test_redirect_loops_and_long_chains_end(run, city: City):
    city.app(
        {
            "/": Reply(302, [("Location", "/a")]),
            "/a": Reply(302, [("Location", "/b")]),
            "/b": Reply(302, [("Location", "/a")]),
        }
    )
    city.sso()
    result = probe(run, city)
    assert landing(result)["message_i18n"]["en"] == (
        "final-host: redirects do not end: redirect loop back to "
        "https://app.jambikota.go.id/a"
    )
    server = city.servers[0]
    server.routes = {
        f"/{i}": Reply(302, [("Location", f"/{i + 1}")]) for i in range(50)
    }
    server.routes["/"] = Reply(302, [("Location", "/0")])
    result = probe(run, city)
    assert landing(result)["message_i18n"]["en"] == (
        "final-host: redirects do not end: more than 5 redirects"
    )
    assert len([p for p in server.paths() if p != "/"]) < 30


def _slow_endless(handler: Any) -> None:
    handler.send_response(200)
    handler.send_header("Content-Type", "text/html")
    handler.send_header("Content-Length", str(10**9))
    handler.end_headers()
    for _ in range(600):  # ten minutes at most, unless the client leaves
        handler.wfile.write(b"x")
        handler.wfile.flush()
        time.sleep(0.1)


def _huge(handler: Any) -> None:
    handler.send_response(200)
    handler.send_header("Content-Type", "text/html")
    handler.send_header("Content-Length", str(300 * 2**20))
    handler.end_headers()
    chunk = b"A" * 65536
    for _ in range(300 * 16):
        handler.wfile.write(chunk)


_BOMB_CACHE: list[bytes] = []


def _gzip_bomb() -> bytes:
    if not _BOMB_CACHE:
        packer = zlib.compressobj(9, zlib.DEFLATED, 31)
        block = b"\0" * 2**20
        parts = [packer.compress(block) for _ in range(64)]  # 64 MiB of zeros
        _BOMB_CACHE.append(b"".join(parts) + packer.flush())
    return _BOMB_CACHE[0]


@pytest.mark.parametrize("kind", ["slow", "huge", "gzip"])
def test_bodies_stop_at_the_deadline_or_the_cap(run, city: City, kind: str):
    if kind == "slow":
        route: Any = _slow_endless
    elif kind == "huge":
        route = _huge
    else:
        bomb = _gzip_bomb()
        assert len(bomb) < 300_000
        route = Reply(
            200, [("Content-Type", "text/html"), ("Content-Encoding", "gzip")], bomb
        )
    city.app({"/": route})
    city.sso()
    start = time.monotonic()
    result = probe(run, city, "--timeout", "2")
    elapsed = time.monotonic() - start
    finding = landing(result)
    hop = finding["evidence"][-1]
    assert hop["status"] == 200
    stopped = dict(map(tuple, hop["facts"]))["body_stopped"]
    assert stopped == ("deadline" if kind == "slow" else "cap")
    assert elapsed < (6 if kind == "slow" else 10), elapsed
    # the page is judged on what was read: the headers are still there
    assert any(f["rule"] == "SEC-002" for f in findings(result))
