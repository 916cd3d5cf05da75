"""What the operator asked the probe to contact and the tool's own policy
refuses: a usage problem (one line, exit 2), never a finding about the
application.

Two checks, before any connection:

- every ``--resolve`` address and every ``--connect-to`` target that is an IP
  address passes the address policy (loopback, link-local, metadata, private
  outside the data-centre ranges... are refused unless ``--allow-network``
  admits them), whatever is probed;
- the URLs of ``spbe-lint probe URL...``: each must be one the probe admits
  (an http(s) URL with a host name, on an allowed port) and whose host's
  addresses (the operator's override, else DNS) pass the policy. A host
  outside the city domain is *not* refused here: that the application is not
  under ``*.jambikota.go.id`` is itself the hosting verdict (PRB-001, serving
  HOST-004), given without a connection. A name that does not resolve is not
  refused either: the report says so, as inconclusive.

The probe session checks every connection again (names are resolved and
pinned there; this module never connects): this only turns the operator's
mistakes into usage errors before anything is reported.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from spbe_lint.errors import UsageError
from spbe_lint.i18n import LocalText
from spbe_lint.probes.addresses import (
    AddressPolicy,
    Refused,
    admit,
    city_scope,
    parse_networks,
)
from spbe_lint.probes.reasons import refusal_id

if TYPE_CHECKING:
    from spbe_lint.probes.collect import ProbeOptions
    from spbe_lint.probes.pinning import GetAddrInfo

# The address policy's reasons (addresses.DENIED and AddressPolicy), in Indonesian.
_KINDS_ID = {
    "form": "bukan URL yang dibaca sama oleh setiap pengurai (info pengguna, garis "
    "miring terbalik atau spasi)",
    "scheme": "skemanya bukan http atau https",
    "name": "host-nya bukan nama yang sah",
    "ip": "alamat IP tidak diterima; pakai nama host-nya",
}


def check(
    profile: Mapping[str, Any],
    options: ProbeOptions,
    urls: Sequence[str] = (),
    *,
    getaddrinfo: GetAddrInfo | None = None,
) -> None:
    """A UsageError for the first operator override or URL the policy refuses."""
    policy = _policy(profile, options)
    for (host, port), addresses in options.resolve.items():
        for address in addresses:
            _address(policy, address, f"--resolve {host}:{port}:{address}")
    for (host, port), (target, target_port) in options.connect_to.items():
        shown = f"--connect-to {host}:{port}:{target}:{target_port or ''}"
        if _is_ip(target):
            _address(policy, target, shown)
    if urls:
        _urls(profile, options, policy, urls, getaddrinfo)


def _urls(
    profile: Mapping[str, Any],
    options: ProbeOptions,
    policy: AddressPolicy,
    urls: Sequence[str],
    getaddrinfo: GetAddrInfo | None,
) -> None:
    from spbe_lint.probes.pinning import (
        BlockedAddress,
        Overrides,
        Pinner,
        ResolveError,
    )

    overrides = Overrides(options.resolve, options.connect_to)
    scope = city_scope(profile, overrides.ports())
    pinner = Pinner(policy, overrides, getaddrinfo)
    for url in urls:
        try:
            target = admit(url, scope)
        except Refused as exc:
            if exc.kind == "outside":
                continue  # the hosting verdict, not a usage problem
            raise _refused_url(url, exc) from None
        try:
            pinner.pin(target.host, target.port)
        except ResolveError:
            continue  # reported as inconclusive, with the reason
        except BlockedAddress as exc:
            raise _blocked(url, exc.host, exc.refused) from None


def _policy(profile: Mapping[str, Any], options: ProbeOptions) -> AddressPolicy:
    ranges = []
    for value in profile.get("datacentre_ranges") or ():
        try:
            ranges.extend(parse_networks([str(value)]))
        except ValueError:
            continue  # as the probe session does: a bad range admits nothing
    return AddressPolicy(tuple(options.allow_networks), tuple(ranges))


def _address(policy: AddressPolicy, address: str, shown: str) -> None:
    reason = policy.refusal(address)
    if reason == "cloud metadata address":
        raise UsageError(
            LocalText(
                f"{shown}: {address} ditolak (alamat metadata cloud): hanya "
                f"--allow-network {address}/32 (alamat itu sendiri) mengizinkannya",
                f"{shown}: {address} is refused (cloud metadata address): only "
                f"--allow-network naming it exactly ({address}/32) admits it",
            )
        )
    if reason:
        raise UsageError(
            LocalText(
                f"{shown}: {address} ditolak ({_reason_id(reason)}): probe tidak "
                "pernah menghubungi alamat seperti itu; --allow-network CIDR "
                "mengizinkan sebuah rentang",
                f"{shown}: {address} is refused ({reason}): the probe never contacts "
                "such an address; --allow-network CIDR admits a range",
            )
        )


def _refused_url(url: str, exc: Refused) -> UsageError:
    if exc.kind == "port":
        port = exc.reason.split()[1]
        why = LocalText(
            f"port {port} tidak diizinkan (80, 443, atau port yang disebut operator "
            "dengan --resolve/--connect-to)",
            exc.reason,
        )
    else:
        why = LocalText(_KINDS_ID.get(exc.kind, exc.reason), exc.reason)
    return UsageError(
        LocalText(
            f"{url}: tidak diperiksa: {why.id}",
            f"{url}: not probed: {why.en}",
        )
    )


def _blocked(url: str, host: str, refused: Sequence[tuple[str, str]]) -> UsageError:
    shown_id = ", ".join(f"{a} ({_reason_id(r)})" for a, r in refused)
    shown_en = ", ".join(f"{a} ({r})" for a, r in refused)
    return UsageError(
        LocalText(
            f"{url}: tidak diperiksa: {host} mengarah ke {shown_id}; probe tidak "
            "pernah menghubungi alamat seperti itu; --allow-network CIDR mengizinkan "
            "sebuah rentang",
            f"{url}: not probed: {host} leads to {shown_en}; the probe never "
            "contacts such an address; --allow-network CIDR admits a range",
        )
    )


def _reason_id(reason: str) -> str:
    return refusal_id(reason)


def _is_ip(value: str) -> bool:
    try:
        ipaddress.ip_address(value.strip("[]"))
    except ValueError:
        return False
    return True
