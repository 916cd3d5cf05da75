"""The tasks of one submission of a probe session: one per fact an endpoint or
its origin needs (the checks asked for decide which), each filling its
endpoint's part of the facts when it runs. ``probes.scheduler`` runs them.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from spbe_lint.probes import exposure, health, openapi, tls
from spbe_lint.probes.facts import Endpoint
from spbe_lint.probes.options import ProbeOptions
from spbe_lint.probes.redirects import APP_HOPS, HTTP_HOPS, follow
from spbe_lint.probes.transport import Remembering, Transport


class Plan:
    """The tasks of a submission: one per fact, each filling its endpoint's
    parts. Requests go through the submission's Remembering view (one request
    per URL per submission); the TLS task uses the shared transport's lanes."""

    def __init__(
        self,
        fetcher: Remembering,
        transport: Transport,
        wanted: frozenset[str],
        options: ProbeOptions,
        folder: Path | None,
        size: int,
        stop_at: Callable[[str], str | None] | None = None,
    ) -> None:
        self.stop_at = stop_at  # redirects recorded, not requested (the SSO's)
        self.fetcher = fetcher
        self.transport = transport
        self.wanted = wanted
        self.options = options
        self.folder = folder
        self.profile: Mapping[str, Any] = {}  # the city's: what API judges compare
        self.parts: list[dict[str, Any]] = [{} for _ in range(size)]
        self.tasks: list[tuple[str, Callable[[], None]]] = []
        self.owners: dict[str, int] = {}
        self.hosts: dict[int, tuple[str, int]] = {}

    def add(self, host: str, index: int, key: str, make: Callable[[], Any]) -> None:
        if key not in self.wanted:
            return

        def run() -> None:
            self.parts[index][key] = make()

        self.tasks.append((host, run))

    def endpoint(self, index: int, endpoint: Endpoint, host: str) -> None:
        fetcher, url = self.fetcher, endpoint.url
        if endpoint.role in ("app", "login"):  # both followed to where they land
            self.add(
                host,
                index,
                "landing" if endpoint.role == "app" else "login",
                lambda: follow(fetcher, url, APP_HOPS, stop_at=self.stop_at),
            )
        elif endpoint.role == "health":
            self.add(host, index, "health", lambda: health.collect(fetcher, url))
        elif endpoint.role == "api":
            self.add(
                host,
                index,
                "openapi",
                lambda: openapi.collect(fetcher, endpoint, self.folder, self.profile),
            )
            self.add(
                host,
                index,
                "api_anonymous",
                lambda: fetcher.fetch(url, headers={"Accept": "application/json"}),
            )

    def origin(self, index: int, target: Any) -> None:
        """Facts about an origin, gathered once, after the endpoint's own task
        (which opens the first HTTPS connection): the TLS facts, mostly taken
        from that connection (only the protocol-version handshakes are new),
        the requests reusing it, and last the plain-HTTP redirect, whose final
        hop is usually the landing page, already fetched."""
        fetcher, host, origin = self.fetcher, target.host, target.origin
        if target.scheme == "https":
            transport, port = self.transport, target.port
            self.add(host, index, "tls", lambda: _tls(transport, host, port))
        missing = f"{origin}/spbe-lint-{uuid.uuid4().hex[:12]}"
        self.add(host, index, "error_page", lambda: fetcher.fetch(missing))
        self.add(
            host,
            index,
            "security_txt",
            lambda: fetcher.fetch(origin + exposure.SECURITY_TXT),
        )
        if self.options.exposure:
            self.add(
                host,
                index,
                "exposures",
                lambda: tuple(
                    (name, fetcher.fetch(origin + path))
                    for name, path in exposure.paths()
                ),
            )
        if target.port in (80, 443):
            self.add(
                host,
                index,
                "http_redirect",
                lambda: follow(fetcher, f"http://{host}/", HTTP_HOPS),
            )


def _tls(transport: Transport, host: str, port: int) -> Any:
    with transport.slot(host) as lane:
        lane.close()  # the handshakes below are this lane's connection now
        return tls.collect(
            transport.pinner,
            host,
            port,
            transport.ssl_context,
            transport.limits,
            transport.tls_seen(host, port),
        )
