"""The city SSO: its discovery document and its JWKS (each fetched once per
run), and the app's login, followed hop by hop to the issuer's authorization
endpoint. Also: no local password form or HTTP Basic/Digest on the application itself."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

from spbe_lint.jsonread import JsonProblem
from spbe_lint.probes.facts import Chain, Exchange, Observation, Verdict, host_of
from spbe_lint.probes.facts import verdict as _v
from spbe_lint.probes.hosting import blocked_text
from spbe_lint.probes.reasons import indonesian

if TYPE_CHECKING:
    from spbe_lint.probes.facts import ProbeFacts
    from spbe_lint.probes.transport import Fetcher

REQUIRED = (
    "issuer",
    "authorization_endpoint",
    "token_endpoint",
    "jwks_uri",
    "response_types_supported",
    "subject_types_supported",
    "id_token_signing_alg_values_supported",
)


@dataclass(frozen=True)
class Jwks:
    """The key set at the discovery document's ``jwks_uri`` (SSO-02)."""

    url: str | None
    exchange: Exchange | None = None  # None: not fetched (see error)
    document: Any = None  # the parsed JSON, when it parsed
    error: str | None = None  # why it could not be fetched, or is not JSON
    fetched: bool = False  # a 200 with a whole body came back


@dataclass(frozen=True)
class Discovery:
    issuer: str
    url: str
    exchange: Exchange
    document: dict[str, Any] | None = None
    error: str | None = None  # why the document could not be read
    jwks: Jwks | None = None  # fetched only when oidc-jwks is in force
    unjudged: bool = False  # it broke a reading limit (size, depth): no verdict

    @property
    def authorization_endpoint(self) -> str | None:
        value = (self.document or {}).get("authorization_endpoint")
        return value if isinstance(value, str) else None


def discovery_url(issuer: str) -> str:
    """OIDC Discovery §4: the well-known path is appended to the issuer."""
    return issuer.rstrip("/") + "/.well-known/openid-configuration"


def fetch(transport: Fetcher, issuer: str) -> Discovery:
    url = discovery_url(issuer)
    exchange = transport.fetch(url, headers=_JSON)
    if not exchange.ok:
        return Discovery(issuer, url, exchange, error=exchange.error or "no response")
    if exchange.status != 200:
        return Discovery(issuer, url, exchange, error=f"HTTP {exchange.status}")
    if exchange.stopped:
        return Discovery(
            issuer, url, exchange, error=f"body stopped: {exchange.stopped}"
        )
    try:
        document = _json(exchange.body)
    except JsonProblem as problem:
        return Discovery(
            issuer, url, exchange, error=problem.short(), unjudged=problem.limit
        )
    if not isinstance(document, dict):
        return Discovery(issuer, url, exchange, error="not a JSON object")
    return Discovery(issuer, url, exchange, document)


def fetch_jwks(transport: Fetcher, discovery: Discovery) -> Discovery:
    """*discovery* with its JWKS: ``jwks_uri`` fetched through the same guarded
    transport, only when it is https on the SSO host itself."""
    uri = (discovery.document or {}).get("jwks_uri")
    if discovery.document is None:
        jwks = Jwks(None, error=f"no discovery document ({discovery.error})")
    elif not isinstance(uri, str) or not uri:
        jwks = Jwks(None, error="the discovery document has no jwks_uri")
    elif (parts := urlsplit(uri)).scheme != "https" or parts.hostname != urlsplit(
        discovery.issuer
    ).hostname:
        jwks = Jwks(uri, error=f"jwks_uri {uri} is not https on the SSO host")
    else:
        jwks = _read_jwks(uri, transport.fetch(uri, headers=_JSON))
    return replace(discovery, jwks=jwks)


_JSON = {"Accept": "application/json"}


def _read_jwks(url: str, exchange: Exchange) -> Jwks:
    if not exchange.ok:
        return Jwks(url, exchange, error=exchange.error or "no response")
    if exchange.status != 200:
        return Jwks(url, exchange, error=f"HTTP {exchange.status}")
    if exchange.stopped:
        return Jwks(url, exchange, error=f"body stopped: {exchange.stopped}")
    try:
        return Jwks(url, exchange, _json(exchange.body), fetched=True)
    except JsonProblem as problem:
        # a limit broken (too deep) leaves nothing to judge: inconclusive, as
        # when it could not be fetched; malformed JSON is the JWKS's failure
        return Jwks(url, exchange, error=problem.short(), fetched=not problem.limit)


def _json(body: bytes) -> Any:
    """A body the SSO sent, through the one bounded JSON reader (depth,
    duplicate keys): a hostile or broken SSO is a finding, never a crash."""
    from spbe_lint.jsonread import loads

    return loads(body, max_bytes=max(len(body), 1))


def discovery_problems(discovery: Discovery) -> tuple[list[str], list[str]]:
    """(failures, warnings) of a discovery document, in English words."""
    document = discovery.document or {}
    failures = [f"missing {key}" for key in REQUIRED if key not in document]
    if "issuer" in document and document["issuer"] != discovery.issuer:
        failures.append(
            f"issuer {document['issuer']!r} differs from {discovery.issuer!r}"
        )
    sso_host = urlsplit(discovery.issuer).hostname
    for key, value in document.items():
        if key.endswith(("_endpoint", "_uri")) and isinstance(value, str):
            parts = urlsplit(value)
            if parts.scheme != "https" or parts.hostname != sso_host:
                failures.append(f"{key} {value} is not https on {sso_host}")
    if "code" not in (document.get("response_types_supported") or []):
        failures.append("response_types_supported lacks code")
    algs = document.get("id_token_signing_alg_values_supported") or []
    if "none" in algs:
        failures.append("id_token_signing_alg_values_supported allows none")
    if "RS256" not in algs:
        failures.append("id_token_signing_alg_values_supported lacks RS256")
    warnings = []
    if "S256" not in (document.get("code_challenge_methods_supported") or []):
        warnings.append("PKCE S256 not advertised (code_challenge_methods_supported)")
    return failures, warnings


def judge_discovery(facts: ProbeFacts) -> Iterator[Verdict]:
    discovery: Discovery | None = facts.discovery
    if discovery is None:
        return
    evidence = discovery.exchange.evidence()
    url = discovery.url
    if discovery.document is None:
        yield _v(
            "oidc-discovery",
            "inconclusive"
            if not discovery.exchange.ok or discovery.unjudged
            else "fail",
            url,
            f"dokumen discovery SSO kota tidak dapat dibaca: {discovery.error}",
            f"the city SSO discovery document cannot be read: {discovery.error}",
            evidence,
        )
        return
    failures, warnings = discovery_problems(discovery)
    if failures:
        yield _v(
            "oidc-discovery",
            "fail",
            url,
            "dokumen discovery tidak sah: " + "; ".join(failures),
            "invalid discovery document: " + "; ".join(failures),
            evidence,
        )
    elif warnings:
        yield _v(
            "oidc-discovery",
            "fail",
            url,
            "; ".join(warnings),
            "; ".join(warnings),
            evidence,
            severity="warning",
        )
    else:
        yield _v(
            "oidc-discovery",
            "pass",
            url,
            "dokumen discovery sah",
            "valid discovery document",
            evidence,
        )


PRIVATE_MEMBERS = ("d", "p", "q", "dp", "dq", "qi")  # RFC 7518 §6.3.2


def jwks_problems(document: Any) -> tuple[list[str], list[str]]:
    """(private-key leaks, other defects) of a JWKS document, in English words.
    Only member names are ever quoted, never their values."""
    if not isinstance(document, dict):
        return [], ["not a JSON object"]
    keys = document.get("keys")
    if not isinstance(keys, list):
        return [], ["no keys array"]
    if not keys:
        return [], ["the key set is empty"]
    leaks, defects = [], []
    for number, key in enumerate(keys, 1):
        if not isinstance(key, dict):
            defects.append(f"key {number} is not an object")
            continue
        kid = key.get("kid")
        name = f"key {kid[:60]!r}" if isinstance(kid, str) and kid else f"key {number}"
        private = [m for m in PRIVATE_MEMBERS if m in key]
        if private:
            leaks.append(f"{name} carries private members {', '.join(private)}")
        required = ["kty", "kid"] + (["n", "e"] if key.get("kty") == "RSA" else [])
        missing = [m for m in required if not key.get(m)]
        if missing:
            defects.append(f"{name} lacks {', '.join(missing)}")
    return leaks, defects


def judge_jwks(facts: ProbeFacts) -> Iterator[Verdict]:
    discovery: Discovery | None = facts.discovery
    if discovery is None or discovery.jwks is None:
        return
    jwks = discovery.jwks
    url = jwks.url or discovery.url
    evidence = (jwks.exchange or discovery.exchange).evidence()
    if not jwks.fetched:
        yield _v(
            "oidc-jwks",
            "inconclusive",
            url,
            f"JWKS SSO kota tidak dapat diambil: {jwks.error}",
            f"the city SSO's JWKS could not be fetched: {jwks.error}",
            evidence,
        )
        return
    leaks, defects = ([], [jwks.error]) if jwks.error else jwks_problems(jwks.document)
    if leaks:
        text = "; ".join(leaks)
        yield _v(
            "oidc-jwks",
            "fail",
            url,
            f"JWKS membocorkan kunci privat: {text}",
            f"the JWKS leaks private keys: {text}",
            evidence,
        )
    elif defects:
        text = "; ".join(defects)
        yield _v(
            "oidc-jwks",
            "fail",
            url,
            f"JWKS tidak dapat dipakai: {text}",
            f"the JWKS is not usable: {text}",
            evidence,
        )
    else:
        count = len(jwks.document["keys"])
        yield _v(
            "oidc-jwks",
            "pass",
            url,
            f"JWKS berisi {count} kunci publik",
            f"the JWKS holds {count} public key(s)",
            evidence,
        )


def _login_chains(facts: ProbeFacts) -> list[tuple[Observation, Chain]]:
    logins = [(o, o.login) for o in facts.of_role("login") if o.login is not None]
    if logins:
        return logins
    return [(o, o.landing) for o in facts.of_role("app") if o.landing is not None]


def same_endpoint(url: str, endpoint: str) -> bool:
    a, b = urlsplit(url), urlsplit(endpoint)
    return (a.scheme, a.hostname, a.port, a.path.rstrip("/")) == (
        b.scheme,
        b.hostname,
        b.port,
        b.path.rstrip("/"),
    )


def judge_login_redirect(facts: ProbeFacts) -> Iterator[Verdict]:
    discovery: Discovery | None = facts.discovery
    declared = facts.declared.get("auth.sso.issuer")
    for observation, chain in _login_chains(facts):
        url, evidence = observation.url, chain.evidence()
        if discovery is None or discovery.authorization_endpoint is None:
            why = discovery.error if discovery else "no issuer configured"
            yield _v(
                "sso-login-redirect",
                "inconclusive",
                url,
                f"titik otorisasi SSO kota tidak diketahui: {indonesian(why)}",
                f"the city SSO's authorization endpoint is unknown: {why}",
                evidence,
            )
            continue
        authorize = discovery.authorization_endpoint
        hop = next((h for h in chain.hops if same_endpoint(h.url, authorize)), None)
        if hop is None:
            problem = _where_it_went(observation, chain)
            if problem is None:
                yield _v(
                    "sso-login-redirect",
                    "inconclusive",
                    url,
                    "halaman ini tidak mengarah ke login; nyatakan endpoints."
                    "login_url agar alur login dapat diperiksa",
                    "this page does not lead to a sign-in; declare endpoints."
                    "login_url so that the login can be checked",
                    evidence,
                )
                continue
            id_, en = problem
            if declared is not None:
                says = declared.says()
                id_, en = f"{says.id}; teramati: {id_}", f"{says.en}; observed: {en}"
            yield _v("sso-login-redirect", "fail", url, id_, en, evidence)
            continue
        yield _judge_request(observation, hop, evidence)


def _where_it_went(observation: Observation, chain: Chain) -> tuple[str, str] | None:
    blocked = next((h for h in chain.hops if h.blocked), None)
    if blocked is not None:
        host = blocked.blocked_host or host_of(blocked.url)
        id_, en = blocked_text(blocked)
        return (
            f"login dialihkan ke {host}, bukan SSO kota ({id_})",
            f"login redirects to {host}, not the city SSO ({en})",
        )
    if chain.stopped:
        return (
            f"login tidak mencapai SSO kota: {chain.stopped}",
            f"login does not reach the city SSO: {chain.stopped}",
        )
    final = chain.final
    if not final.ok:
        return (
            None
            if observation.endpoint.role == "app"
            else (
                f"login tidak dapat diperiksa: {final.error}",
                f"login could not be checked: {final.error}",
            )
        )
    if observation.endpoint.role == "app" and not _asks_for_password(final):
        return None
    return (
        f"login berakhir di {final.url} (HTTP {final.status}) tanpa pengalihan ke "
        "SSO kota",
        f"login ends on {final.url} (HTTP {final.status}) without a redirect to "
        "the city SSO",
    )


def _judge_request(observation: Observation, hop: Exchange, evidence: Any) -> Verdict:
    url = observation.url
    query = parse_qs(urlsplit(hop.url).query)
    app_host = host_of(url)

    def one(name: str) -> str:
        return (query.get(name) or [""])[0]

    failures, warnings = [], []
    response_type = one("response_type")
    if response_type != "code":
        failures.append(f"response_type={response_type or '(none)'} (expected code)")
    if not one("client_id"):
        failures.append("no client_id")
    redirect = urlsplit(one("redirect_uri"))
    if redirect.scheme != "https" or redirect.hostname != app_host:
        failures.append(
            f"redirect_uri {one('redirect_uri') or '(none)'} is not https on {app_host}"
        )
    if "openid" not in one("scope").split():
        warnings.append("scope lacks openid")
    if not one("state"):
        warnings.append("no state")
    if one("code_challenge_method") != "S256":
        warnings.append("no PKCE (code_challenge_method=S256)")
    if failures:
        text = "; ".join(failures)
        return _v(
            "sso-login-redirect",
            "fail",
            url,
            f"permintaan otorisasi ke SSO kota salah: {text}",
            f"the authorization request to the city SSO is wrong: {text}",
            evidence,
        )
    if warnings:
        text = "; ".join(warnings)
        return _v(
            "sso-login-redirect",
            "fail",
            url,
            f"permintaan otorisasi kurang aman: {text}",
            f"the authorization request is weak: {text}",
            evidence,
            severity="warning",
        )
    return _v(
        "sso-login-redirect",
        "pass",
        url,
        f"login dialihkan ke SSO kota (client_id={one('client_id')})",
        f"login redirects to the city SSO (client_id={one('client_id')})",
        evidence,
    )


_PASSWORD = re.compile(r"(?i)<input[^>]*type\s*=\s*[\"']?password")


def _asks_for_password(exchange: Exchange) -> bool:
    content_type = (exchange.header("content-type") or "").lower()
    return "html" in content_type and bool(_PASSWORD.search(exchange.text()))


def judge_local_login(facts: ProbeFacts) -> Iterator[Verdict]:
    for observation, chain in _login_chains(facts):
        app_host = host_of(observation.url)
        on_app = [h for h in chain.hops if h.ok and host_of(h.url) == app_host]
        if not on_app:
            continue
        basic = [
            h
            for h in on_app
            if re.match(r"(?i)\s*(basic|digest)\b", h.header("www-authenticate") or "")
        ]
        forms = [h for h in on_app if _asks_for_password(h)]
        if basic:
            scheme = (basic[0].header("www-authenticate") or "").split()[0]
            yield _v(
                "local-login",
                "fail",
                observation.url,
                f"aplikasi meminta autentikasi HTTP {scheme} sendiri",
                f"the application asks for HTTP {scheme} authentication itself",
                basic[0].evidence(),
            )
        elif forms:
            yield _v(
                "local-login",
                "fail",
                observation.url,
                f"{forms[0].url} menyajikan formulir kata sandi sendiri (bukan SSO kota)",
                f"{forms[0].url} serves its own password form (not the city SSO)",
                forms[0].evidence(),
                severity="warning",
            )
        else:
            yield _v(
                "local-login",
                "pass",
                observation.url,
                "tidak ada formulir kata sandi atau Basic auth pada aplikasi",
                "no password form or Basic auth on the application",
                on_app[-1].evidence(),
            )
