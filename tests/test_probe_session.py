"""The probe session (probes.session.ProbeSession): many submissions, one
transport, one pool of workers and one SSO discovery, on real loopback TLS
servers (host names pointed at them with connect-to; nothing else reachable)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import trustme

from spbe_lint.probes import addresses, health, oidc
from spbe_lint.probes.collect import ProbeOptions, collect
from spbe_lint.probes.facts import Endpoint
from spbe_lint.probes.session import ProbeSession
from tests.probe_servers import (
    DISCOVERY,
    GOOD_HEADERS,
    ISSUER,
    JWKS,
    JWKS_PATH,
    SSO,
    Reply,
    Server,
    json_reply,
    tls_context,
)

pytestmark = [
    pytest.mark.allow_hosts(["127.0.0.1", "::1"]),
    pytest.mark.usefixtures("no_dns"),
]

PROFILE = {"domain": "jambikota.go.id", "sso": {"issuer": ISSUER}}
DISCOVERY_PATH = "/realms/jambikota/.well-known/openid-configuration"
CHECKS = (
    "tls-chain",
    "tls-version",
    "hsts",
    "error-page",
    "security-txt",
    "https-redirect",
    "health",
    "oidc-discovery",
    "oidc-jwks",
    "sso-login-redirect",
)
SECURITY_TXT = Reply(
    200,
    [("Content-Type", "text/plain; charset=utf-8")],
    "Contact: mailto:csirt@jambikota.go.id\nExpires: 2099-01-01T00:00:00Z\n",
)


class Tally:
    """Server-side intervals per host: requests from arrival to just before the
    response is written, connections from the server taking them to their last
    response written (or that moment alone, for a handshake with no request).
    Each lies inside the client's own interval for it, so the most overlapping
    here is never more than the client had at once: no false alarms from a
    server thread noticing a closed connection late."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.requests: dict[str, list[tuple[float, float]]] = {}
        self.connections: dict[str, list[tuple[float, float]]] = {}
        self.last_write: dict[int, float] = {}

    def serve(self, reply: Any, latency: float = 0.0) -> Any:
        def handle(handler: Any) -> None:
            start = time.monotonic()
            if latency:
                time.sleep(latency)
            host = handler.headers.get("Host", "?").split(":")[0]
            with self.lock:
                self.requests.setdefault(host, []).append((start, time.monotonic()))
            # The connection's last use is when its reply starts going out: the
            # client cannot open another before it has read this one, whereas a
            # time taken after the write can fall behind the next connection's
            # start on a loaded machine (seen: 3 "at once" under two suites).
            with self.lock:
                self.last_write[threading.get_ident()] = time.monotonic()
            reply.send(handler) if isinstance(reply, Reply) else reply(handler)

        return handle

    def watch(self, server: Server, host: str) -> None:
        """Count *server*'s connections as *host*'s."""
        inner = server.httpd.finish_request

        def finish_request(request: Any, client_address: Any) -> None:
            start = time.monotonic()
            try:
                inner(request, client_address)
            finally:
                with self.lock:
                    end = self.last_write.pop(threading.get_ident(), start)
                    self.connections.setdefault(host, []).append((start, end))

        server.httpd.finish_request = finish_request  # type: ignore[method-assign]

    @staticmethod
    def most(intervals: list[tuple[float, float]]) -> int:
        events = sorted(
            [(s, 1) for s, _ in intervals] + [(e, -1) for _, e in intervals]
        )
        # an interval ending at the moment another starts does not overlap it
        events.sort(key=lambda item: (item[0], item[1]))
        peak = level = 0
        for _, step in events:
            level += step
            peak = max(peak, level)
        return peak


@pytest.fixture
def ca_pem(ca: trustme.CA, tmp_path: Path) -> Path:
    path = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(path))
    return path


@pytest.fixture
def servers() -> Iterator[list[Server]]:
    started: list[Server] = []
    yield started
    for server in started:
        server.__exit__(None, None, None)


def start(servers: list[Server], server: Server) -> Server:
    server.__enter__()
    servers.append(server)
    return server


def options(
    ca_pem: Path,
    maps: dict[tuple[str, str], tuple[str, int | None]],
    concurrency: int = 8,
) -> ProbeOptions:
    return ProbeOptions(
        timeout=5,
        concurrency=concurrency,
        connect_to=maps,
        ca_bundle=ca_pem,
        allow_networks=tuple(addresses.parse_networks(["127.0.0.0/8"])),
    )


def sso_server(servers: list[Server], ca: trustme.CA, tally: Tally | None = None):
    routes: dict[str, Any] = {
        DISCOVERY_PATH: json_reply(DISCOVERY),
        JWKS_PATH: json_reply(JWKS),
    }
    if tally is not None:
        routes = {path: tally.serve(reply, 0.02) for path, reply in routes.items()}
    server = start(servers, Server(routes, tls=tls_context(ca, SSO)))
    if tally is not None:
        tally.watch(server, SSO)
    return server


def test_each_submission_gets_its_own_facts(ca, ca_pem, servers):
    """Three applications on three hosts, submitted to one session: each future
    holds the facts of its own endpoints only, and all share one discovery."""
    maps: dict[tuple[str, str], tuple[str, int | None]] = {}
    names = ("alpha", "beta", "gamma")
    for name in names:
        host = f"{name}.jambikota.go.id"
        landing = Reply(200, GOOD_HEADERS, f"<html><body>{name}</body></html>")
        routes = {
            "/": landing,
            "/.well-known/security.txt": SECURITY_TXT,
            "/health": json_reply({"status": "pass", "app": name}),
        }
        app = start(servers, Server(routes, tls=tls_context(ca, host)))
        plain = start(
            servers, Server({}, default=Reply(301, [("Location", f"https://{host}/")]))
        )
        maps[(host, "443")] = ("127.0.0.1", app.port)
        maps[(host, "80")] = ("127.0.0.1", plain.port)
    sso = sso_server(servers, ca)
    maps[(SSO, "443")] = ("127.0.0.1", sso.port)
    with ProbeSession(PROFILE, options(ca_pem, maps), CHECKS) as session:
        futures = {
            name: session.submit(
                [
                    Endpoint(f"https://{name}.jambikota.go.id/"),
                    Endpoint(f"https://{name}.jambikota.go.id/health", "health"),
                ],
                manifest={"name": name},
            )
            for name in names
        }
        results = {name: future.result(timeout=30) for name, future in futures.items()}
        requests = session.requests
    discoveries = {id(facts.discovery) for facts in results.values()}
    assert len(discoveries) == 1
    for name, facts in results.items():
        host = f"{name}.jambikota.go.id"
        assert facts.manifest == {"name": name}
        app, probe = facts.observations
        assert (app.url, probe.url) == (f"https://{host}/", f"https://{host}/health")
        assert app.landing is not None and app.landing.final.status == 200
        assert app.landing.final.text() == f"<html><body>{name}</body></html>"
        assert app.tls is not None and app.tls.host == host and app.tls.verified
        assert app.tls.protocols.get("TLSv1.3") == "offered"
        assert app.error_page is not None and app.error_page.status == 404
        assert app.error_page.url.startswith(f"https://{host}/spbe-lint-")
        assert app.security_txt is not None and app.security_txt.status == 200
        assert app.http_redirect is not None
        assert [h.url for h in app.http_redirect.hops] == [
            f"http://{host}/",
            f"https://{host}/",
        ]
        assert app.pinned is not None and app.pinned.startswith("127.0.0.1:")
        assert probe.health is not None and probe.health.status == 200
        assert f'"app": "{name}"' in probe.health.text()
        assert probe.tls is None  # origin facts stay on the first endpoint
        assert facts.discovery.document == DISCOVERY
        assert facts.discovery.jwks.document == JWKS
    # each application: landing, error page, security.txt, plain HTTP, health
    # (the end of the redirect chain is the landing page, not fetched again)
    assert requests == 3 * 5 + 2


def test_the_discovery_is_requested_once_per_session(ca, ca_pem, servers):
    """Twenty applications (twenty hosts, one server behind them): the SSO's
    discovery document and JWKS are each requested once in the session, and a
    second session asks again."""
    app = start(
        servers,
        Server(
            {"/": Reply(200, GOOD_HEADERS, "app")},
            tls=tls_context(ca, "*.jambikota.go.id"),
        ),
    )
    sso = sso_server(servers, ca)
    maps: dict[tuple[str, str], tuple[str, int | None]] = {
        (SSO, "443"): ("127.0.0.1", sso.port),
        ("", "443"): ("127.0.0.1", app.port),
    }
    checks = ("oidc-discovery", "oidc-jwks", "sso-login-redirect", "hsts")
    for _ in range(2):
        with ProbeSession(PROFILE, options(ca_pem, maps), checks) as session:
            futures = [
                session.submit([Endpoint(f"https://app{i:02d}.jambikota.go.id/")])
                for i in range(20)
            ]
            found = [future.result(timeout=30) for future in futures]
        assert all(f.discovery is found[0].discovery for f in found)
        assert (
            found[0].discovery.authorization_endpoint
            == DISCOVERY["authorization_endpoint"]
        )
        assert all(f.observations[0].landing.final.status == 200 for f in found)
    assert sso.paths().count(DISCOVERY_PATH) == 2
    assert sso.paths().count(JWKS_PATH) == 2


def test_at_most_two_connections_and_requests_per_host_across_submissions(
    ca, ca_pem, servers
):
    """Eight applications on one shared host (each with a landing page, a login
    page and a health URL there) and sixteen workers: the host never sees more
    than two requests, nor two connections, at once; and it does see two (the
    limit is used, not the run serialised)."""
    tally = Tally()
    host = "portal.jambikota.go.id"
    page = Reply(200, GOOD_HEADERS, "portal")
    routes = {path: tally.serve(page, 0.02) for path in ("/", "/login", "/health")}
    app = start(
        servers,
        Server(
            routes, tls=tls_context(ca, host), default=tally.serve(Reply(404), 0.02)
        ),
    )
    tally.watch(app, host)
    plain = start(
        servers,
        Server(
            {},
            default=tally.serve(Reply(301, [("Location", f"https://{host}/")]), 0.02),
        ),
    )
    tally.watch(plain, host)
    sso = sso_server(servers, ca, tally)
    maps: dict[tuple[str, str], tuple[str, int | None]] = {
        (host, "443"): ("127.0.0.1", app.port),
        (host, "80"): ("127.0.0.1", plain.port),
        (SSO, "443"): ("127.0.0.1", sso.port),
    }
    with ProbeSession(PROFILE, options(ca_pem, maps, 16), CHECKS) as session:
        futures = [
            session.submit(
                [
                    Endpoint(f"https://{host}/"),
                    Endpoint(f"https://{host}/login", "login"),
                    Endpoint(f"https://{host}/health", "health"),
                ]
            )
            for _ in range(8)
        ]
        found = [future.result(timeout=60) for future in futures]
    assert all(f.observations[0].landing.final.status == 200 for f in found)
    assert (
        len(tally.requests[host]) == 8 * 6
    )  # /, login, health, 404, security.txt, http
    assert Tally.most(tally.requests[host]) == 2
    assert Tally.most(tally.connections[host]) == 2
    assert Tally.most(tally.requests[SSO]) == 1  # one discovery, then its JWKS


def test_an_exception_in_a_task_reaches_that_submission_only(
    ca, ca_pem, servers, monkeypatch: pytest.MonkeyPatch
):
    app = start(
        servers,
        Server(
            {
                "/": Reply(200, GOOD_HEADERS, "app"),
                "/health": json_reply({"status": "up"}),
            },
            tls=tls_context(ca, "*.jambikota.go.id"),
        ),
    )
    sso = sso_server(servers, ca)
    maps: dict[tuple[str, str], tuple[str, int | None]] = {
        (SSO, "443"): ("127.0.0.1", sso.port),
        ("", "443"): ("127.0.0.1", app.port),
    }
    real = health.collect

    def buggy(transport: Any, url: str) -> Any:
        if url.startswith("https://broken."):
            raise ZeroDivisionError("a bug in a collector")
        return real(transport, url)

    monkeypatch.setattr(health, "collect", buggy)
    with ProbeSession(PROFILE, options(ca_pem, maps, 4), CHECKS) as session:
        names = ("ok1", "broken", "ok2")
        futures = [
            session.submit(
                [
                    Endpoint(f"https://{name}.jambikota.go.id/"),
                    Endpoint(f"https://{name}.jambikota.go.id/health", "health"),
                ]
            )
            for name in names
        ]
        with pytest.raises(ZeroDivisionError, match="a bug in a collector"):
            futures[1].result(timeout=30)
        good = [futures[0].result(timeout=30), futures[2].result(timeout=30)]
    assert [f.observations[1].health.status for f in good] == [200, 200]
    # collect (one submission) raises it too, as before the session existed
    with pytest.raises(ZeroDivisionError):
        collect(
            [Endpoint("https://broken.jambikota.go.id/health", "health")],
            PROFILE,
            options(ca_pem, maps),
            CHECKS,
        )


def test_an_exception_in_the_shared_discovery_reaches_every_future(
    ca, ca_pem, servers, monkeypatch: pytest.MonkeyPatch
):
    app = start(
        servers,
        Server(
            {"/": Reply(200, GOOD_HEADERS, "app")},
            tls=tls_context(ca, "*.jambikota.go.id"),
        ),
    )
    maps: dict[tuple[str, str], tuple[str, int | None]] = {
        ("", "443"): ("127.0.0.1", app.port)
    }

    def buggy(transport: Any, issuer: str) -> Any:
        raise KeyError("a bug in discovery")

    monkeypatch.setattr(oidc, "fetch", buggy)
    with ProbeSession(PROFILE, options(ca_pem, maps), ("oidc-discovery",)) as session:
        futures = [
            session.submit([Endpoint(f"https://a{i}.jambikota.go.id/")])
            for i in range(3)
        ]
        for future in futures:
            with pytest.raises(KeyError, match="a bug in discovery"):
                future.result(timeout=30)


def test_results_stream_and_threads_stay_bounded(ca, ca_pem, servers):
    """Thirty applications submitted at once to four workers: the first ones'
    facts are ready while later ones are still being probed, and the session
    never runs more than its four worker threads."""
    arrivals: list[float] = []
    page = Reply(200, GOOD_HEADERS, "app")

    def landing(handler: Any) -> None:
        arrivals.append(time.monotonic())
        time.sleep(0.01)
        page.send(handler)

    app = start(
        servers, Server({"/": landing}, tls=tls_context(ca, "*.jambikota.go.id"))
    )
    maps: dict[tuple[str, str], tuple[str, int | None]] = {
        ("", "443"): ("127.0.0.1", app.port)
    }
    before = {t.ident for t in threading.enumerate()}
    done: list[float] = []
    with ProbeSession(PROFILE, options(ca_pem, maps, 4), ("hsts",)) as session:
        futures = [
            session.submit([Endpoint(f"https://app{i:02d}.jambikota.go.id/")])
            for i in range(30)
        ]
        for future in futures:
            future.add_done_callback(lambda _: done.append(time.monotonic()))
        futures[0].result(timeout=30)
        started = [t for t in threading.enumerate() if t.ident not in before]
        probes = [t for t in started if t.name.startswith("spbe-lint-probe-")]
        assert len(probes) == 4
        [future.result(timeout=30) for future in futures]
    assert len(arrivals) == 30
    assert min(done) < max(arrivals)  # the first result came before the last request
    assert not any(t.is_alive() for t in probes)  # closed: the workers are gone


def test_a_closed_session_takes_no_more_work(ca_pem):
    session = ProbeSession(PROFILE, options(ca_pem, {}), ("hsts",))
    session.close()
    with pytest.raises(RuntimeError, match="closed"):
        session.submit([Endpoint("https://app.jambikota.go.id/")])


def test_refused_endpoints_resolve_without_a_request(ca_pem):
    with ProbeSession(PROFILE, options(ca_pem, {}), ("hsts",)) as session:
        futures = [
            session.submit([Endpoint("https://evil.example/")]) for _ in range(50)
        ]
        found = [future.result(timeout=10) for future in futures]
        assert session.requests == 0
    assert all(f.observations[0].refused for f in found)


def test_leaving_the_session_on_an_error_cancels_what_has_not_started(
    ca, ca_pem, servers
):
    page = Reply(200, GOOD_HEADERS, "app")
    app = start(
        servers,
        Server({"/": page}, tls=tls_context(ca, "*.jambikota.go.id"), latency=0.05),
    )
    maps: dict[tuple[str, str], tuple[str, int | None]] = {
        ("", "443"): ("127.0.0.1", app.port)
    }
    futures = []
    with (
        pytest.raises(KeyboardInterrupt),
        ProbeSession(PROFILE, options(ca_pem, maps, 2), ("hsts",)) as session,
    ):
        futures = [
            session.submit([Endpoint(f"https://app{i:02d}.jambikota.go.id/")])
            for i in range(100)
        ]
        futures[0].result(timeout=30)
        raise KeyboardInterrupt
    assert all(future.done() for future in futures)
    assert futures[0].result().observations[0].landing.final.status == 200
    assert futures[-1].cancelled()
    assert len(app.requests) < 20  # the rest were never sent


def test_the_heap_is_frozen_while_a_session_is_open_and_after_unfrozen(ca_pem):
    """probes.heap: the objects older than the session stay out of collections
    while it runs; nested blocks (judging inside a session) unfreeze once."""
    import gc

    from spbe_lint.probes import heap

    assert gc.get_freeze_count() == 0
    with ProbeSession(PROFILE, options(ca_pem, {}), ("hsts",)) as session:
        assert gc.get_freeze_count() > 0
        with heap.frozen():
            assert gc.get_freeze_count() > 0
        assert gc.get_freeze_count() > 0  # still the session's
        session.submit([Endpoint("https://evil.example/")]).result(timeout=10)
    assert gc.get_freeze_count() == 0
    session.close()  # a second close changes nothing
    assert gc.get_freeze_count() == 0
