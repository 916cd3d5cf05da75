"""The servers aspect of an OpenAPI description: every address the document
gives its API (``servers`` at the top, per path and per operation; Swagger 2.0's
``schemes`` and ``host``) is HTTPS, names a host rather than an IP or the
developer's machine, and lies under the city's domain or on the SPLP gateway
the manifest declares. ``host_kind`` and ``under`` are the host judgements.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import urlsplit

from spbe_lint.evidence.apiproblem import (
    METHODS,
    Api,
    Deref,
    Path,
    Problem,
    as_mapping,
    as_text,
    is_swagger,
    problem,
)

# ---- servers: HTTPS, public, the city's domain or the declared SPLP gateway ----


def servers(doc: Mapping[str, Any], api: Api, deref: Deref) -> Iterator[Problem]:
    if is_swagger(doc):
        yield from _swagger_servers(doc, api)
        return
    places: list[tuple[Path, Any]] = [(("servers",), doc.get("servers"))]
    for name, written in as_mapping(doc.get("paths")).items():
        item = as_mapping(written)
        places.append((("paths", name, "servers"), item.get("servers")))
        for method in METHODS:
            operation = as_mapping(item.get(method))
            places.append(
                (("paths", name, method, "servers"), operation.get("servers"))
            )
    for base, listed in places:
        if not isinstance(listed, list):
            continue
        for index, written in enumerate(listed):
            server = as_mapping(written)
            url = as_text(server.get("url"))
            if url:
                yield from _judge_url((*base, index, "url"), expand(server), url, api)


def expand(server: Mapping[str, Any]) -> str:
    """A server URL with each ``{variable}`` replaced by its default."""
    url = as_text(server.get("url"))
    variables = as_mapping(server.get("variables"))

    def value(match: re.Match[str]) -> str:
        default = as_mapping(variables.get(match.group(1))).get("default")
        return default if isinstance(default, str) else match.group(0)

    return re.sub(r"\{([^{}]*)\}", value, url)


def _judge_url(path: Path, url: str, written: str, api: Api) -> Iterator[Problem]:
    parts = urlsplit(url)
    if not parts.scheme and not parts.netloc:
        return  # relative to where the description is served: judged there
    shown_url = written if written == url else f"{written} ({url})"
    if parts.scheme.lower() != "https":
        yield problem(
            "servers",
            path,
            f"{shown_url} tidak memakai HTTPS; alamat API harus https:// agar token "
            "dan data warga tidak dapat disadap",
            f"{shown_url} is not HTTPS; the API's address must be https:// so that "
            "tokens and residents' data cannot be read in transit",
        )
    host = (parts.hostname or "").lower()
    if host and "{" not in host:
        yield from _judge_host(path, shown_url, host, api)


def _judge_host(path: Path, url: str, host: str, api: Api) -> Iterator[Problem]:
    kind = host_kind(host)
    if kind == "localhost":
        yield problem(
            "servers",
            path,
            f"{url} menunjuk ke komputer pengembang (localhost), bukan alamat API "
            "yang berjalan; tulis alamat https pada subdomain kota",
            f"{url} points at the developer's own machine (localhost), not the "
            "running API; give its https address on the city's subdomain",
        )
    elif kind in ("private", "ip"):
        private = kind == "private"
        yield problem(
            "servers",
            path,
            f"{url} memakai alamat IP"
            + (" privat" if private else "")
            + " sebagai host; API diakses melalui nama host pada domain kota, "
            "bukan IP",
            f"{url} uses "
            + ("a private IP address" if private else "a bare IP address")
            + " as its host; the API is reached by a host name under the city's "
            "domain, not an IP",
        )
    elif api.domain and not under(host, api.domain) and host != _host(api.gateway):
        gateway = f" atau gateway SPLP {api.gateway}" if api.gateway else ""
        gateway_en = f" or the SPLP gateway {api.gateway}" if api.gateway else ""
        yield problem(
            "servers",
            path,
            f"host {host} bukan subdomain {api.domain}{gateway}; layanan "
            "elektronik Pemerintah Kota memakai domain kota (atau gateway SPLP yang "
            "dinyatakan di interop.apis[].gateway)",
            f"host {host} is not under {api.domain}{gateway_en}; the city's "
            "electronic services use the city domain (or the SPLP gateway declared "
            "in interop.apis[].gateway)",
        )


def host_kind(host: str) -> str:
    """localhost, private (an IP in a private or special range), ip, or name."""
    bare = host.strip("[]")
    if bare == "localhost" or bare.endswith(".localhost"):
        return "localhost"
    try:
        address = ipaddress.ip_address(bare)
    except ValueError:
        return "name"
    if address.is_loopback or address.is_unspecified:
        return "localhost"
    if address.is_private or address.is_link_local or address.is_reserved:
        return "private"
    return "ip"


def under(host: str, domain: str) -> bool:
    domain = domain.lower().strip(".")
    return host == domain or host.endswith("." + domain)


def _host(url: str | None) -> str | None:
    return (urlsplit(url).hostname or "").lower() or None if url else None


def _swagger_servers(doc: Mapping[str, Any], api: Api) -> Iterator[Problem]:
    schemes = doc.get("schemes")
    host = as_text(doc.get("host")).lower()
    if isinstance(schemes, list):
        for index, scheme in enumerate(schemes):
            if isinstance(scheme, str) and scheme.lower() in ("http", "ws"):
                yield problem(
                    "servers",
                    ("schemes", index),
                    f"skema {scheme} ditawarkan; API hanya boleh melalui https",
                    f"scheme {scheme} is offered; the API must be reachable over "
                    "https only",
                )
    if host:
        name = urlsplit(f"//{host}").hostname or host
        yield from _judge_host(("host",), host, name.lower(), api)
