"""Host names and URLs compared label by label, never as plain strings.

``evil-jambikota.go.id`` ends with the text ``jambikota.go.id`` but is not a
subdomain of it; ``jambikota.go.id.example.net`` starts with it and is not one
either. Comparing DNS labels gets both right.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from spbe_lint.findings import Violation

if TYPE_CHECKING:
    from spbe_lint.checks import CheckContext

_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


def labels(host: str) -> tuple[str, ...] | None:
    """The DNS labels of *host* (lower case, no trailing dot), or None if invalid."""
    host = host.strip().lower().removesuffix(".")
    if not host or len(host) > 253:
        return None
    parts = tuple(host.split("."))
    if len(parts) < 2 or not all(_LABEL.match(p) for p in parts):
        return None
    if parts[-1].isdigit():  # an IP address is not a host name under a domain
        return None
    return parts


def host_of(value: str) -> str | None:
    """The host of a URL or a bare host name; None for anything ambiguous.

    A backslash or a user-info part (``user@host``) is refused: browsers read
    ``https://evil.example\\@app.jambikota.go.id/`` as evil.example, Python's
    parser as the city host. Refusing both keeps the two readings from differing.
    """
    if "://" not in value:
        return value
    parts = split_url(value)
    return parts.hostname if parts and parts.scheme in ("http", "https") else None


def split_url(value: str) -> Any | None:
    """``urlsplit`` for URLs whose host every parser reads the same way."""
    if "\\" in value or any(c.isspace() for c in value):
        return None
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018  (raises ValueError for a port that is not a number)
    except ValueError:
        return None
    if "@" in parts.netloc or not parts.hostname:
        return None
    return parts


def is_below(host: tuple[str, ...], domain: tuple[str, ...]) -> bool:
    """True when the labels *host* lie strictly below the labels *domain*."""
    return len(host) > len(domain) and host[-len(domain) :] == domain


def city_subdomain(
    value: Any, params: Mapping[str, Any], context: CheckContext
) -> Iterator[Violation]:
    """The host (or URL's host) is a subdomain of the profile's city domain."""
    domain = labels(context.profile["domain"]) or ()
    host = host_of(value) if isinstance(value, str) else None
    host_labels = labels(host) if host is not None else None
    if host_labels is None:
        yield Violation(params={"value": value}, kind="invalid")
    elif host_labels == domain:
        yield Violation(params={"host": host}, kind="apex")
    elif not is_below(host_labels, domain):
        yield Violation(params={"host": host})


def url_under(
    value: Any, params: Mapping[str, Any], context: CheckContext
) -> Iterator[Violation]:
    """The URL is an https URL under one of ``params["prefixes"]``.

    Prefixes compare by scheme, exact host and whole path segments, so
    ``https://git.jambikota.go.id/`` does not admit ``git.jambikota.go.id.evil``.
    """
    prefixes = list(params["prefixes"])
    shown = ", ".join(prefixes)
    url = split_url(value) if isinstance(value, str) else None
    if url is None or url.scheme != "https" or _segments(url) is None:
        yield Violation(params={"value": value, "prefixes": shown}, kind="invalid")
        return
    if not any(_is_under(url, urlsplit(prefix)) for prefix in prefixes):
        yield Violation(params={"value": value, "prefixes": shown}, kind="outside")


def _segments(url: Any) -> list[str] | None:
    """Path segments, or None when ``.``/``..`` (plain or %-encoded) could climb out."""
    segments = [unquote(s) for s in url.path.split("/") if s]
    if any(s in (".", "..") or "/" in s or "\\" in s for s in segments):
        return None
    return segments


def _is_under(url: Any, prefix: Any) -> bool:
    """Same scheme, host and port, and strictly below the prefix's path: the URL
    names something (a repository) inside it, not the prefix itself."""
    if url.scheme != prefix.scheme or url.hostname != prefix.hostname:
        return False
    if (url.port or 443) != (prefix.port or 443):
        return False
    base = [s for s in prefix.path.split("/") if s]
    path = _segments(url) or []
    return len(path) > len(base) and path[: len(base)] == base


def redirect_uris(
    sso: Any, params: Mapping[str, Any], context: CheckContext
) -> Iterator[Violation]:
    """Each ``auth.sso.redirect_uris`` entry is https, on the application's own
    host (``domain.fqdn``) and exact: no wildcard, no fragment.

    An authorization code sent to a redirect URI on another host goes to
    whoever holds that host; the identity provider must only ever send it home.
    """
    if not isinstance(sso, dict) or not isinstance(sso.get("redirect_uris"), list):
        return
    domain = context.manifest.get("domain")
    fqdn = domain.get("fqdn") if isinstance(domain, dict) else None
    own = labels(fqdn) if isinstance(fqdn, str) else None
    for index, uri in enumerate(sso["redirect_uris"]):
        where = ("redirect_uris", index)
        url = split_url(uri) if isinstance(uri, str) else None
        if url is None or "*" in uri or url.fragment:
            yield Violation(path=where, params={"value": uri}, kind="invalid")
        elif url.scheme != "https":
            yield Violation(path=where, params={"value": uri}, kind="not-https")
        elif own is None:
            yield Violation(path=where, params={"value": uri}, kind="no-fqdn")
        elif labels(url.hostname or "") != own:
            yield Violation(
                path=where,
                params={"value": uri, "host": url.hostname, "fqdn": fqdn},
                kind="foreign-host",
            )
