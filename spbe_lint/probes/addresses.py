"""The SSRF guard: which targets may be probed and which addresses contacted.

Two decisions, both before any I/O:

- ``admit`` a URL: http(s) only, no user-info, no IP literal, a host under the
  city domain or the configured SSO host, a port the operator allows.
- ``AddressPolicy.refusal`` of a resolved address: an explicit table taken from
  the IANA special-purpose registries, not ``ipaddress.is_private``/``is_global``
  alone (their meaning changed with CVE-2024-4032, and 100.64.0.0/10 is neither).
  IPv6 forms that embed an IPv4 address (mapped, compatible, NAT64, 6to4,
  Teredo) are judged by the IPv4 address they carry.

Nothing here comes from a manifest: the city domain and data-centre ranges from
the rule pack's profile, allowed networks and ports from the command line or
the configuration file.
"""

from __future__ import annotations

import functools
import ipaddress
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from spbe_lint.checks.hosts import is_below, labels, split_url

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


def _networks(*cidrs: str) -> tuple[IPNetwork, ...]:
    return tuple(ipaddress.ip_network(c) for c in cidrs)


# Never contacted unless an operator names the range (--allow-network).
DENIED = {
    "loopback": _networks("127.0.0.0/8", "::1/128"),
    "unspecified": _networks("0.0.0.0/8", "::/128"),
    "link-local": _networks("169.254.0.0/16", "fe80::/10"),
    "multicast": _networks("224.0.0.0/4", "ff00::/8"),
    "reserved": _networks(
        "240.0.0.0/4",  # includes 255.255.255.255
        "192.0.0.0/24",  # IETF protocol assignments
        "198.18.0.0/15",  # benchmarking
        "fec0::/10",  # deprecated site-local
        "100::/64",  # discard-only
    ),
    "shared (CGNAT)": _networks("100.64.0.0/10"),  # also 100.100.100.200 (metadata)
    "documentation": _networks(
        "192.0.2.0/24",
        "198.51.100.0/24",
        "203.0.113.0/24",
        "2001:db8::/32",
        "3fff::/20",
    ),
}
# Contacted only inside the profile's data-centre ranges or an allowed network.
PRIVATE = _networks("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7")
# Cloud metadata services: denied even inside an allowed network, unless the
# operator names the address itself (a /32 or /128).
METADATA = frozenset(
    ipaddress.ip_address(a)
    for a in ("169.254.169.254", "169.254.170.2", "100.100.100.200", "fd00:ec2::254")
)
_MAPPED = ipaddress.ip_network("::ffff:0:0/96")
_COMPATIBLE = ipaddress.ip_network("::/96")
_NAT64 = _networks("64:ff9b::/96", "64:ff9b:1::/48")


def embedded_ipv4(address: IPAddress) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses an IPv6 address carries (mapped, compatible, NAT64,
    6to4, Teredo): a packet to it may end up at them."""
    if address.version != 6:
        return []
    assert isinstance(address, ipaddress.IPv6Address)
    found: list[ipaddress.IPv4Address] = []
    low32 = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if (
        address in _MAPPED
        or address in _COMPATIBLE
        or any(address in n for n in _NAT64)
    ):
        found.append(low32)
    if address.sixtofour is not None:
        found.append(address.sixtofour)
    if address.teredo is not None:
        found.extend(address.teredo)  # (server, client)
    return found


@dataclass(frozen=True)
class AddressPolicy:
    """Where the probe may connect. *allowed*: operator networks (--allow-network),
    which admit otherwise denied ranges; *datacentre*: the profile's ranges,
    which admit private addresses."""

    allowed: tuple[IPNetwork, ...] = ()
    datacentre: tuple[IPNetwork, ...] = ()

    def refusal(self, address: str | IPAddress) -> str | None:
        """Why *address* must not be contacted, or None when it may be."""
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return "not an IP address"
        if ip.version == 6 and ip.scope_id:  # type: ignore[union-attr]
            return "scoped IPv6 address"
        for candidate in (ip, *embedded_ipv4(ip)):
            reason = self._judge(candidate)
            if reason:
                return reason if candidate == ip else f"{reason} ({candidate} embedded)"
        return None

    def _judge(self, ip: IPAddress) -> str | None:
        if ip in METADATA:
            named = any(n.num_addresses == 1 and ip in n for n in self.allowed)
            return None if named else "cloud metadata address"
        for name, networks in DENIED.items():
            if any(ip in n for n in networks):
                return None if self._allows(ip) else name
        if any(ip in n for n in PRIVATE):
            if self._allows(ip) or any(ip in n for n in self.datacentre):
                return None
            return "private address outside the data-centre ranges"
        return None

    def _allows(self, ip: IPAddress) -> bool:
        return any(ip.version == n.version and ip in n for n in self.allowed)


def parse_networks(values: Iterable[str]) -> tuple[IPNetwork, ...]:
    """CIDR strings as networks; a ValueError names the one that is not."""
    networks = []
    for value in values:
        try:
            networks.append(ipaddress.ip_network(value.strip(), strict=False))
        except ValueError:
            raise ValueError(value) from None
    return tuple(networks)


def in_ranges(address: str, ranges: Sequence[IPNetwork]) -> IPNetwork | None:
    """The range of *ranges* holding *address* (embedded IPv4 included), or None."""
    ip = ipaddress.ip_address(address)
    for candidate in (ip, *embedded_ipv4(ip)):
        for network in ranges:
            if candidate.version == network.version and candidate in network:
                return network
    return None


@dataclass(frozen=True)
class Scope:
    """Which hosts and ports may be probed at all."""

    city_domain: str
    sso_host: str | None = None
    ports: frozenset[int] = frozenset({80, 443})

    def host_refusal(self, host: str) -> str | None:
        host_labels = labels(host)
        if host_labels is None:
            return "not a host name"
        if self.sso_host and host_labels == labels(self.sso_host):
            return None
        domain = labels(self.city_domain) or ()
        if host_labels == domain or is_below(host_labels, domain):
            return None
        return f"not under {self.city_domain} and not the SSO host"


@dataclass(frozen=True)
class Target:
    """An admitted URL: scheme, normalised host and port, and the URL itself."""

    url: str
    scheme: str
    host: str
    port: int
    path: str = "/"  # the request target: path and query

    @property
    def origin(self) -> str:
        default = 443 if self.scheme == "https" else 80
        port = "" if self.port == default else f":{self.port}"
        return f"{self.scheme}://{self.host}{port}"


class Refused(Exception):
    """A URL the probe will not request; ``reason`` says why, in English words;
    ``kind`` which rule refused it: form (not one URL to every parser), scheme,
    name (no valid host name), ip (an IP literal), outside (a host neither under
    the city domain nor the SSO host: itself a hosting verdict), port."""

    def __init__(
        self, url: str, reason: str, host: str | None = None, kind: str = "form"
    ) -> None:
        super().__init__(f"{url}: {reason}")
        self.url = url
        self.reason = reason
        self.host = host
        self.kind = kind


def admit(url: str, scope: Scope) -> Target:
    """The Target for *url*, or Refused, before any I/O."""
    parts: Any = split_url(url)
    if parts is None:
        raise Refused(
            url,
            "not a URL every parser reads the same way (user-info, backslash or space)",
        )
    if parts.scheme not in ("http", "https"):
        raise Refused(
            url,
            f"scheme {parts.scheme or '(none)'} is not http or https",
            kind="scheme",
        )
    host = _normalise(parts.hostname)
    if host is None:
        raise Refused(url, "host is not a valid name", kind="name")
    refusal = _host_refusal(host, scope)
    if refusal:
        raise Refused(url, refusal[1], host, refusal[0])
    port = parts.port or (443 if parts.scheme == "https" else 80)
    if port not in scope.ports:
        raise Refused(
            url,
            f"port {port} is not allowed (80, 443 or an operator "
            "--resolve/--connect-to port)",
            host,
            "port",
        )
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    return Target(url=url, scheme=parts.scheme, host=host, port=port, path=path)


@functools.lru_cache(maxsize=4096)
def _host_refusal(host: str, scope: Scope) -> tuple[str, str] | None:
    """The kind of refusal and why *host* may not be probed in *scope*, or
    None; remembered, as a run asks about the same few hosts for every request."""
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        reason = scope.host_refusal(host)
        if reason is None:
            return None
        return ("name" if labels(host) is None else "outside"), reason
    return "ip", "an IP address is not admitted; use the host name"


def city_scope(profile: Mapping[str, Any], ports: Iterable[int] = ()) -> Scope:
    """The Scope a rule pack's profile sets: its city domain and SSO host."""
    from urllib.parse import urlsplit

    issuer = str((profile.get("sso") or {}).get("issuer") or "")
    return Scope(
        str(profile.get("domain", "")),
        urlsplit(issuer).hostname if issuer else None,
        frozenset({80, 443, *ports}),
    )


def outside_city(url: str, scope: Scope) -> str | None:
    """The host of *url* when it is a host name neither under the city domain
    nor the SSO host (HOST-004's verdict, known without a connection), else
    None (an admitted URL, or one refused for another reason)."""
    try:
        admit(url, scope)
    except Refused as exc:
        return exc.host if exc.kind == "outside" else None
    return None


def _normalise(host: str | None) -> str | None:
    if not host:
        return None
    host = host.lower().removesuffix(".")
    try:
        host = host.encode("idna").decode("ascii") if not host.isascii() else host
    except UnicodeError:
        return None
    return host
