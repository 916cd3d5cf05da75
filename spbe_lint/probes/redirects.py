"""The redirect walk: a GET and the redirects after it, followed by hand."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin

from spbe_lint.probes.facts import Chain, Exchange

if TYPE_CHECKING:
    from spbe_lint.probes.transport import Fetcher

APP_HOPS = 5  # redirects followed for the landing page and the login
HTTP_HOPS = 10  # for the plain-HTTP redirect (Observatory's MAX_REDIRECTS)
REDIRECTS = (301, 302, 303, 307, 308)


def follow(
    transport: Fetcher,
    url: str,
    hops: int,
    *,
    stop_at: Callable[[str], str | None] | None = None,
    **kwargs: Any,
) -> Chain:
    """GET *url* and follow at most *hops* redirects by hand; every hop is
    admitted and pinned again by the transport, a refused hop ends the chain.
    A redirect to a URL for which *stop_at* gives a reason is recorded, not
    requested (the login's redirect to the city SSO is what is judged)."""
    seen: list[str] = []
    exchanges: list[Exchange] = []
    current = url
    for _ in range(hops + 1):
        reason = stop_at(current) if stop_at is not None and exchanges else None
        if reason:
            exchanges.append(Exchange("GET", current, not_requested=reason))
            return Chain(tuple(exchanges))
        exchange = transport.fetch(current, **kwargs)
        exchanges.append(exchange)
        if exchange.blocked:
            return Chain(tuple(exchanges), f"blocked: {exchange.error}")
        location = exchange.header("location")
        if not exchange.ok or exchange.status not in REDIRECTS or not location:
            return Chain(tuple(exchanges))
        seen.append(current)
        current = urljoin(current, location.strip())
        if current in seen:
            return Chain(tuple(exchanges), f"redirect loop back to {current}")
    return Chain(tuple(exchanges), f"more than {hops} redirects")
