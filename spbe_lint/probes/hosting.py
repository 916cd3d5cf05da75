"""Hosting facts judged: where redirects end, where the host's addresses lie,
and whether a third party's edge answers in front of the application."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from typing import TYPE_CHECKING

from spbe_lint.checks.hosts import is_below, labels
from spbe_lint.probes.addresses import city_scope, in_ranges, outside_city
from spbe_lint.probes.facts import Verdict, host_of
from spbe_lint.probes.facts import verdict as _v
from spbe_lint.probes.reasons import indonesian

if TYPE_CHECKING:
    from spbe_lint.probes.facts import Exchange, ProbeFacts

# Headers that identify an outside edge (CDN, PaaS), kept as data.
EDGE_HEADERS = {
    "cf-ray": "Cloudflare",
    "x-amz-cf-id": "Amazon CloudFront",
    "x-azure-ref": "Azure Front Door",
    "x-vercel-id": "Vercel",
    "x-nf-request-id": "Netlify",
    "fly-request-id": "Fly.io",
    "x-akamai-transformed": "Akamai",
    "x-fastly-request-id": "Fastly",
}
EDGE_SERVERS = {
    "cloudflare": "Cloudflare",
    "vercel": "Vercel",
    "netlify": "Netlify",
    "akamaighost": "Akamai",
    "amazons3": "Amazon S3",
    "gws": "Google",
}


def blocked_text(hop: Exchange) -> tuple[str, str]:
    """The refused target of a blocked hop: host and address, both languages."""
    host = hop.blocked_host or host_of(hop.url) or hop.url
    addresses = ", ".join(f"{a} ({r})" for a, r in hop.refused)
    reason = (hop.error or "").split(": ", 1)[-1]
    target = f"{host} [{addresses}]" if addresses else host
    return (
        f"pengalihan ke {hop.url} ditolak, tidak dihubungi: {target}; "
        f"{indonesian(reason)}",
        f"redirect to {hop.url} refused, not contacted: {target}; {reason}",
    )


def judge_final_host(facts: ProbeFacts) -> Iterator[Verdict]:
    city = labels(str(facts.profile.get("domain", ""))) or ()
    scope = city_scope(facts.profile)
    for observation in facts.observations:
        chain = observation.landing
        outside = outside_city(observation.url, scope) if observation.refused else None
        if outside is not None:
            # Not contacted, and rightly: but an address outside the city
            # domain is HOST-004's verdict by itself.
            domain = ".".join(city)
            yield _v(
                "final-host",
                "fail",
                observation.url,
                f"{outside} bukan subdomain {domain}: alamat aplikasi wajib "
                f"memakai subdomain domain kota (HOST-004); tidak dihubungi",
                f"{outside} is not a subdomain of {domain}: the application's "
                f"address must be a subdomain of the city domain (HOST-004); "
                "not contacted",
                {"host": outside, "contacted": False},
            )
            continue
        if observation.refused:
            yield _v(
                "final-host",
                "inconclusive",
                observation.url,
                f"URL tidak diperiksa: {observation.refused}",
                f"URL not probed: {observation.refused}",
            )
            continue
        if chain is None:
            continue
        evidence = chain.evidence()
        blocked = next((h for h in chain.hops[1:] if h.blocked), None)
        final_host = labels(host_of(chain.final.url) or "") or ()
        first = chain.hops[0]
        if first.blocked:
            # The probe's own address policy refused the URL itself: not a
            # redirect the application made, so no verdict on it.
            host = first.blocked_host or host_of(first.url) or first.url
            refused = ", ".join(f"{a} ({r})" for a, r in first.refused) or "?"
            yield _v(
                "final-host",
                "inconclusive",
                observation.url,
                f"tidak dihubungi: kebijakan alamat probe menolak {host} [{refused}] "
                "(--allow-network CIDR mengizinkan sebuah rentang)",
                f"not contacted: the probe's address policy refuses {host} "
                f"[{refused}] (--allow-network CIDR admits a range)",
                evidence,
            )
        elif blocked is not None:
            id_, en = blocked_text(blocked)
            yield _v("final-host", "fail", observation.url, id_, en, evidence)
        elif chain.stopped:
            yield _v(
                "final-host",
                "fail",
                observation.url,
                f"pengalihan tidak berakhir: {chain.stopped}",
                f"redirects do not end: {chain.stopped}",
                evidence,
            )
        elif not chain.final.ok:
            why = chain.final.error or "no response"
            yield _v(
                "final-host",
                "inconclusive",
                observation.url,
                f"tidak ada respons: {indonesian(why)}",
                f"no response: {why}",
                evidence,
            )
        elif not is_below(final_host, city):
            host = ".".join(final_host)
            yield _v(
                "final-host",
                "fail",
                observation.url,
                f"berakhir di {host}, bukan subdomain {'.'.join(city)}",
                f"ends on {host}, not a subdomain of {'.'.join(city)}",
                evidence,
            )
        else:
            yield _v(
                "final-host",
                "pass",
                observation.url,
                f"berakhir di {chain.final.url}",
                f"ends on {chain.final.url}",
                evidence,
            )


def judge_datacentre_address(facts: ProbeFacts) -> Iterator[Verdict]:
    declared = facts.declared.get("hosting.provider")
    for observation in facts.observations:
        if not observation.resolved:
            continue
        url = observation.url
        evidence = {
            "host": host_of(url),
            "resolved": list(observation.resolved),
            "address": observation.pinned,
        }
        if not facts.datacentre:
            yield _v(
                "datacentre-address",
                "inconclusive",
                url,
                "rentang alamat pusat data belum dikonfigurasi (profile."
                "datacentre_ranges); alamat: " + ", ".join(observation.resolved),
                "the data-centre ranges are not configured (profile."
                "datacentre_ranges); addresses: " + ", ".join(observation.resolved),
                evidence,
            )
            continue
        outside = [
            a for a in observation.resolved if in_ranges(a, facts.datacentre) is None
        ]
        if not outside:
            yield _v(
                "datacentre-address",
                "pass",
                url,
                "semua alamat di pusat data: " + ", ".join(observation.resolved),
                "every address is in the data centre: "
                + ", ".join(observation.resolved),
                evidence,
            )
            continue
        ranges = ", ".join(str(n) for n in facts.datacentre)
        id_ = f"alamat {', '.join(outside)} di luar pusat data ({ranges})"
        en = f"address {', '.join(outside)} outside the data centre ({ranges})"
        if declared is not None and declared.value in ("pusat_data_daerah", "pdn"):
            says = declared.says()
            id_, en = f"{says.id}; teramati: {id_}", f"{says.en}; observed: {en}"
        yield _v("datacentre-address", "fail", url, id_, en, evidence)


def _edges(exchange: Exchange) -> list[str]:
    found = []
    for header, name in EDGE_HEADERS.items():
        if exchange.header(header):
            found.append(f"{name} ({header})")
    server = (exchange.header("server") or "").lower()
    for marker, name in EDGE_SERVERS.items():
        if marker in server:
            found.append(f"{name} (Server: {server[:40]})")
    via = (exchange.header("via") or "").lower()
    if "google" in via or "cloudfront" in via or ("varnish" in via and "fastly" in via):
        found.append(f"Via: {via[:60]}")
    return found


def judge_third_party_edge(facts: ProbeFacts) -> Iterator[Verdict]:
    for observation in facts.observations:
        chain = observation.landing
        if chain is None or not any(h.ok for h in chain.hops):
            continue
        edges = []
        for hop in chain.hops:
            if hop.ok:
                edges += [e for e in _edges(hop) if e not in edges]
        if edges:
            yield _v(
                "third-party-edge",
                "fail",
                observation.url,
                "tanda edge pihak ketiga di depan aplikasi: " + "; ".join(edges),
                "a third party's edge answers in front of the application: "
                + "; ".join(edges),
                chain.final.evidence(),
            )
        else:
            yield _v(
                "third-party-edge",
                "pass",
                observation.url,
                "tidak ada tanda edge pihak ketiga",
                "no sign of a third-party edge",
                chain.final.evidence(),
            )


def is_ip(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True
