"""What a probe saw, as frozen values: exchanges, redirect chains, TLS facts.

Light on purpose (no network imports): rules judge these facts in
``probes.judges``, and the JSON evidence of a finding is built from them.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

HEADER_LIMIT = 1024  # stored header values are cut here, as Observatory does
# Headers worth showing as evidence (lower case); others are left out.
EVIDENCE_HEADERS = (
    "location",
    "content-type",
    "content-length",
    "content-encoding",
    "strict-transport-security",
    "content-security-policy",
    "x-content-type-options",
    "x-frame-options",
    "referrer-policy",
    "server",
    "x-powered-by",
    "x-aspnet-version",
    "x-backend-server",
    "x-debug-token",
    "set-cookie",
    "www-authenticate",
    "via",
    "cf-ray",
    "x-amz-cf-id",
    "x-azure-ref",
    "x-vercel-id",
    "x-nf-request-id",
    "fly-request-id",
    "x-served-by",
)


_EVIDENCE = frozenset(EVIDENCE_HEADERS)


@functools.lru_cache(maxsize=4096)
def host_of(url: str) -> str | None:
    """The host of *url* (lower case), as ``urlsplit(url).hostname``; remembered,
    as the checks ask it of the same few URLs thousands of times a run."""
    return urlsplit(url).hostname


def truncate(value: str, limit: int = HEADER_LIMIT) -> str:
    return value if len(value) <= limit else value[:limit] + "…"


@dataclass(frozen=True)
class Exchange:
    """One request and what came back (or why nothing did)."""

    method: str
    url: str
    address: str | None = None  # the pinned address:port actually contacted
    status: int | None = None
    reason: str = ""
    headers: tuple[tuple[str, str], ...] = ()  # in order, repeats kept
    body: bytes = b""  # at most the body cap, decoded
    stopped: str = ""  # why the body read stopped early: cap, deadline, error: ...
    elapsed: float = 0.0
    error: str | None = None  # refused, blocked, dns, tls, timeout, connection
    blocked: bool = False  # the SSRF guard refused the target or its address
    blocked_host: str | None = None
    refused: tuple[tuple[str, str], ...] = ()  # (address, reason) refused
    not_requested: str = ""  # a redirect target recorded, not requested: why

    def __post_init__(self) -> None:
        # the header index and the evidence headers are worked out here, in
        # the probe's worker that made the exchange, not later while the
        # results are judged one check after another on a single thread
        self._by_name()
        self._evidence_headers()

    @property
    def ok(self) -> bool:
        return self.error is None and self.status is not None

    def header(self, name: str) -> str | None:
        """The first value of a header (names compare case-insensitively)."""
        values = self._by_name().get(name.lower())
        return values[0] if values else None

    def header_all(self, name: str) -> list[str]:
        return list(self._by_name().get(name.lower(), ()))

    def _by_name(self) -> dict[str, tuple[str, ...]]:
        # the values of each header by lower-case name, worked out once: the
        # checks look headers up thousands of times in a run (set on the
        # instance despite frozen=True; it is derived from the fields only)
        index = self.__dict__.get("_index")
        if index is None:
            found: dict[str, list[str]] = {}
            for key, value in self.headers:
                found.setdefault(key.lower(), []).append(value)
            index = {name: tuple(values) for name, values in found.items()}
            object.__setattr__(self, "_index", index)
        return index

    def _evidence_headers(self) -> tuple[tuple[str, tuple[str, ...]], ...]:
        shown = self.__dict__.get("_shown")
        if shown is None:  # worked out once, as _by_name
            shown = tuple(
                (name, tuple(truncate(" ".join(v.split())) for v in values))
                for name, values in self._by_name().items()
                if name in _EVIDENCE
            )
            object.__setattr__(self, "_shown", shown)
        return shown

    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    def evidence(self) -> dict[str, Any]:
        """The request, the pinned address, the status and the relevant headers
        (each value cut at 1 KiB): plain JSON data (new dicts and lists on
        each call, so a caller may change them)."""
        data: dict[str, Any] = {
            "request": f"{self.method} {self.url}",
            "address": self.address,
            "status": self.status,
        }
        shown = self._evidence_headers()
        if shown:
            data["headers"] = {
                name: values[0] if len(values) == 1 else list(values)
                for name, values in shown
            }
        if self.error:
            data["error"] = self.error
        if self.refused:
            data["refused"] = [{"address": a, "reason": r} for a, r in self.refused]
        if self.stopped:
            data["body_stopped"] = self.stopped
        if self.not_requested:
            data["not_requested"] = self.not_requested
        return data


@dataclass(frozen=True)
class Chain:
    """A redirect chain followed by hand, each hop admitted again."""

    hops: tuple[Exchange, ...]
    stopped: str = ""  # why it ended early: too many hops, loop, blocked, error

    @property
    def final(self) -> Exchange:
        return self.hops[-1]

    def evidence(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "chain": [h.evidence() for h in self.hops],
        }
        if self.stopped:
            data["stopped"] = self.stopped
        return data


@dataclass(frozen=True)
class TlsFacts:
    """One host's TLS, from handshakes to its pinned address (no HTTP sent on
    an unverified connection)."""

    host: str
    address: str | None = None
    error: str | None = None  # the handshake could not be made at all
    verified: bool = False
    verify_code: int | None = None
    verify_message: str | None = None
    version: str | None = None
    cipher: str | None = None
    cipher_bits: int | None = None
    not_before: str | None = None  # ISO 8601, UTC
    not_after: str | None = None
    subject: str | None = None
    issuer: str | None = None
    names: tuple[str, ...] = ()
    key_type: str | None = None
    key_bits: int | None = None
    signature_hash: str | None = None
    # TLSv1, TLSv1.1, TLSv1.2, TLSv1.3 -> offered | refused | not-tested: reason
    protocols: Mapping[str, str] = field(default_factory=dict)

    def evidence(self) -> dict[str, Any]:
        data = {
            key: value
            for key, value in (
                ("host", self.host),
                ("address", self.address),
                ("error", self.error),
                ("verified", self.verified),
                ("verify_code", self.verify_code),
                ("verify_message", self.verify_message),
                ("version", self.version),
                ("cipher", self.cipher),
                ("cipher_bits", self.cipher_bits),
                ("not_before", self.not_before),
                ("not_after", self.not_after),
                ("subject", self.subject),
                ("issuer", self.issuer),
                ("names", list(self.names) or None),
                ("key_type", self.key_type),
                ("key_bits", self.key_bits),
                ("signature_hash", self.signature_hash),
                ("protocols", dict(self.protocols) or None),
            )
            if value is not None
        }
        return {"tls": data}


@dataclass(frozen=True)
class Verdict:
    """A probe check's judgement of one endpoint: the engine turns it into a
    Finding of every endpoint rule that names the check."""

    check: str  # the probe check's name, as endpoint rules list it in `probe:`
    status: str  # pass | fail | inconclusive | not_applicable
    url: str
    detail: Any  # LocalText
    evidence: Mapping[str, Any] | None = None
    severity: str | None = None  # caps the rule's severity (a warning-level issue)
    # where the problem is when it is inside a document the probe judged (an
    # OpenAPI description): findings point there instead of at the endpoint URL
    location: Any = None  # findings.Location


def verdict(
    check: str,
    status: str,
    url: str,
    id_: str,
    en: str,
    evidence: Mapping[str, Any] | None = None,
    severity: str | None = None,
) -> Verdict:
    """A Verdict with its detail in both languages: what every judge returns."""
    from spbe_lint.i18n import LocalText

    return Verdict(check, status, url, LocalText(id_, en), evidence, severity)


@dataclass(frozen=True)
class Declaration:
    """What a manifest declared and where: for declared-vs-observed findings."""

    field: str  # dotted, e.g. auth.sso.issuer
    value: Any
    where: str  # path:line of the declaration

    def says(self) -> Any:  # LocalText
        from spbe_lint.i18n import LocalText

        return LocalText(
            f"manifest menyatakan {self.field} = {self.value} ({self.where})",
            f"the manifest declares {self.field} = {self.value} ({self.where})",
        )


@dataclass(frozen=True)
class Endpoint:
    """A URL to probe and what it is: app (landing page), login, health, api."""

    url: str
    role: str = "app"
    api: Mapping[str, Any] = field(default_factory=dict)  # the manifest's API entry
    declared: Declaration | None = None  # the manifest field naming this URL


@dataclass(frozen=True)
class Observation:
    """Everything seen for one endpoint. Facts about its origin (TLS, the plain
    HTTP redirect, the error page, security.txt, exposures) are collected once
    per origin and kept on the first endpoint that uses it."""

    endpoint: Endpoint
    refused: str | None = None  # the URL was not admitted: why
    landing: Chain | None = None
    tls: TlsFacts | None = None
    http_redirect: Chain | None = None
    error_page: Exchange | None = None
    security_txt: Exchange | None = None
    exposures: tuple[tuple[str, Exchange], ...] = ()
    login: Chain | None = None
    health: Exchange | None = None
    openapi: Any = None  # openapi.OpenApiFacts
    api_anonymous: Exchange | None = None
    resolved: tuple[str, ...] = ()  # every address the host resolved to (origin)
    pinned: str | None = None  # the address connections went to (origin)

    @property
    def url(self) -> str:
        return self.endpoint.url


@dataclass(frozen=True)
class ProbeFacts:
    """A whole run's facts: what rules judge."""

    observations: tuple[Observation, ...]
    profile: Mapping[str, Any]
    datacentre: tuple[Any, ...] = ()  # ip networks of the profile
    discovery: Any = None  # oidc.Discovery, fetched once per run
    exposure: bool = False  # the opt-in exposure checks ran
    declared: Mapping[str, Declaration] = field(default_factory=dict)
    manifest: Mapping[str, Any] | None = None  # None: URLs from the command line

    def tls_by_url(self) -> dict[str, TlsFacts]:
        return {o.url: o.tls for o in self.observations if o.tls is not None}

    def of_role(self, *roles: str) -> list[Observation]:
        return [o for o in self.observations if o.endpoint.role in roles]
