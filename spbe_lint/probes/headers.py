"""HTTP facts judged: the plain-HTTP redirect, HSTS, security headers, version
banners, error pages and session cookies (Observatory, ZAP baseline and testssl
criteria, see the specification's sections 1.4 and 1.5)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from spbe_lint.checks.hosts import labels
from spbe_lint.probes.facts import Chain, Exchange, Observation, Verdict, host_of
from spbe_lint.probes.facts import verdict as _v
from spbe_lint.probes.reasons import indonesian

if TYPE_CHECKING:
    from spbe_lint.probes.facts import ProbeFacts

HSTS_MIN = 15_552_000  # 180 days (Observatory SIX_MONTHS, testssl HSTS_MIN)
_REDIRECTS = (301, 302, 303, 307, 308)


def final_response(observation: Observation) -> tuple[Exchange | None, Verdict | None]:
    """The landing chain's final response, or why there is none (for a check)."""
    chain = observation.landing
    if chain is None:
        return None, None
    final = chain.final
    if chain.stopped or not final.ok:
        why = chain.stopped or final.error or "no response"
        return None, _v(
            "",
            "inconclusive",
            observation.url,
            f"tidak ada respons akhir: {indonesian(why)}",
            f"no final response: {why}",
            chain.evidence(),
        )
    return final, None


def _app_finals(
    facts: ProbeFacts, check: str
) -> Iterator[tuple[Observation, Exchange | None, Verdict | None]]:
    for observation in facts.of_role("app"):
        if observation.landing is None:
            continue
        final, problem = final_response(observation)
        if problem is not None:
            problem = Verdict(
                check, problem.status, problem.url, problem.detail, problem.evidence
            )
        yield observation, final, problem


def judge_https_redirect(facts: ProbeFacts) -> Iterator[Verdict]:
    for observation in facts.observations:
        chain = observation.http_redirect
        if chain is None:
            continue
        url, evidence = observation.url, chain.evidence()
        first = chain.hops[0]
        host = host_of(first.url)
        if first.error and first.error.startswith("connection"):
            yield _v(
                "https-redirect",
                "not_applicable",
                url,
                "port 80 tertutup: tidak ada HTTP tanpa enkripsi",
                "port 80 is closed: no plain HTTP is served",
                evidence,
            )
            continue
        if not first.ok:
            why = first.error or "no response"
            yield _v(
                "https-redirect",
                "inconclusive",
                url,
                f"http:// tidak dapat diperiksa: {indonesian(why)}",
                f"http:// could not be checked: {why}",
                evidence,
            )
            continue
        location = first.header("location") or ""
        target = urlsplit(location) if location else None
        if first.status not in _REDIRECTS or target is None:
            yield _v(
                "https-redirect",
                "fail",
                url,
                f"http://{host}/ menjawab {first.status} tanpa pengalihan ke https",
                f"http://{host}/ answers {first.status} without redirecting to https",
                evidence,
            )
        elif target.scheme != "https" or (target.hostname or host) != host:
            yield _v(
                "https-redirect",
                "fail",
                url,
                f"http://{host}/ dialihkan ke {location}, bukan https:// pada host yang sama",
                f"http://{host}/ redirects to {location}, not https:// on the same host",
                evidence,
            )
        elif chain.stopped or not chain.final.url.startswith("https://"):
            why = chain.stopped or "the chain does not end on https"
            yield _v(
                "https-redirect",
                "fail",
                url,
                f"rantai pengalihan dari http:// bermasalah: {indonesian(why)}",
                f"the redirect chain from http:// is broken: {why}",
                evidence,
            )
        else:
            yield _v(
                "https-redirect",
                "pass",
                url,
                "http:// dialihkan ke https://",
                "http:// redirects to https://",
                evidence,
            )


def judge_hsts(facts: ProbeFacts) -> Iterator[Verdict]:
    for observation, final, problem in _app_finals(facts, "hsts"):
        if problem:
            yield problem
            continue
        assert final is not None
        url, evidence = observation.url, final.evidence()
        if not final.url.startswith("https://"):
            yield _v(
                "hsts",
                "fail",
                url,
                "halaman tidak disajikan lewat https",
                "the page is not served over https",
                evidence,
            )
            continue
        values = final.header_all("strict-transport-security")
        if not values:
            yield _v(
                "hsts",
                "fail",
                url,
                "header Strict-Transport-Security tidak ada",
                "no Strict-Transport-Security header",
                evidence,
            )
            continue
        if len(values) > 1 or "," in values[0]:
            yield _v(
                "hsts",
                "fail",
                url,
                "Strict-Transport-Security dikirim lebih dari sekali (tidak sah)",
                "Strict-Transport-Security sent more than once (invalid)",
                evidence,
            )
            continue
        match = re.search(
            r"(?i)(?:^|;)\s*max-age\s*=\s*\"?(\d+)\"?\s*(?:;|$)", values[0]
        )
        if not match:
            yield _v(
                "hsts",
                "fail",
                url,
                f"max-age tidak sah: {values[0][:100]}",
                f"invalid max-age: {values[0][:100]}",
                evidence,
            )
        elif int(match.group(1)) < HSTS_MIN:
            yield _v(
                "hsts",
                "fail",
                url,
                f"max-age={match.group(1)} kurang dari {HSTS_MIN} (180 hari)",
                f"max-age={match.group(1)} is below {HSTS_MIN} (180 days)",
                evidence,
            )
        else:
            yield _v(
                "hsts",
                "pass",
                url,
                f"max-age={match.group(1)}",
                f"max-age={match.group(1)}",
                evidence,
            )


def _directives(csp: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for part in csp.split(";"):
        words = part.strip().split()
        if words and words[0].lower() not in found:
            found[words[0].lower()] = [w.lower() for w in words[1:]]
    return found


_UNSAFE = ("'unsafe-inline'", "data:", "http:", "https:", "*")


def judge_csp(facts: ProbeFacts) -> Iterator[Verdict]:
    for observation, final, problem in _app_finals(facts, "csp"):
        if problem:
            yield problem
            continue
        assert final is not None
        url, evidence = observation.url, final.evidence()
        value = final.header("content-security-policy")
        if not value:
            reporting = final.header("content-security-policy-report-only")
            extra = " (hanya report-only)" if reporting else ""
            yield _v(
                "csp",
                "fail",
                url,
                f"Content-Security-Policy tidak ada{extra}",
                "no Content-Security-Policy"
                + (" (report-only only)" if reporting else ""),
                evidence,
            )
            continue
        directives = _directives(value)
        scripts = directives.get("script-src", directives.get("default-src"))
        unsafe = [s for s in scripts or ["*"] if s in _UNSAFE]
        if scripts is None:
            unsafe = ["(no script-src or default-src)"]
        if unsafe:
            yield _v(
                "csp",
                "fail",
                url,
                f"CSP mengizinkan skrip dari sumber tidak aman: {' '.join(unsafe)}",
                f"CSP allows scripts from unsafe sources: {' '.join(unsafe)}",
                evidence,
                severity="warning",
            )
        else:
            yield _v(
                "csp",
                "pass",
                url,
                "CSP membatasi skrip",
                "CSP restricts scripts",
                evidence,
            )


def judge_content_type_options(facts: ProbeFacts) -> Iterator[Verdict]:
    for observation, final, problem in _app_finals(facts, "content-type-options"):
        if problem:
            yield problem
            continue
        assert final is not None
        value = (final.header("x-content-type-options") or "").strip().lower()
        if value == "nosniff":
            yield _v(
                "content-type-options",
                "pass",
                observation.url,
                "nosniff",
                "nosniff",
                final.evidence(),
            )
        else:
            yield _v(
                "content-type-options",
                "fail",
                observation.url,
                "X-Content-Type-Options: nosniff tidak dikirim",
                "X-Content-Type-Options: nosniff is not sent",
                final.evidence(),
            )


def judge_frame_protection(facts: ProbeFacts) -> Iterator[Verdict]:
    for observation, final, problem in _app_finals(facts, "frame-protection"):
        if problem:
            yield problem
            continue
        assert final is not None
        xfo = (final.header("x-frame-options") or "").strip().upper()
        csp = _directives(final.header("content-security-policy") or "")
        if xfo in ("DENY", "SAMEORIGIN") or "frame-ancestors" in csp:
            yield _v(
                "frame-protection",
                "pass",
                observation.url,
                "halaman tidak dapat dibingkai situs lain",
                "the page cannot be framed by other sites",
                final.evidence(),
            )
        else:
            yield _v(
                "frame-protection",
                "fail",
                observation.url,
                "tidak ada X-Frame-Options (DENY/SAMEORIGIN) atau CSP frame-ancestors",
                "no X-Frame-Options (DENY/SAMEORIGIN) or CSP frame-ancestors",
                final.evidence(),
            )


_PRIVATE_REFERRER = (
    "no-referrer",
    "same-origin",
    "strict-origin",
    "strict-origin-when-cross-origin",
)
_ALL_REFERRER = (
    *_PRIVATE_REFERRER,
    "origin",
    "origin-when-cross-origin",
    "unsafe-url",
    "no-referrer-when-downgrade",
)


def judge_referrer_policy(facts: ProbeFacts) -> Iterator[Verdict]:
    for observation, final, problem in _app_finals(facts, "referrer-policy"):
        if problem:
            yield problem
            continue
        assert final is not None
        value = final.header("referrer-policy")
        tokens = [t.strip().lower() for t in (value or "").split(",")]
        valid = [t for t in tokens if t in _ALL_REFERRER]
        url, evidence = observation.url, final.evidence()
        if not value:
            yield _v(
                "referrer-policy",
                "fail",
                url,
                "Referrer-Policy tidak dikirim",
                "no Referrer-Policy",
                evidence,
                severity="info",
            )
        elif not valid or valid[-1] not in _PRIVATE_REFERRER:
            yield _v(
                "referrer-policy",
                "fail",
                url,
                f"Referrer-Policy tidak aman atau tidak sah: {value[:100]}",
                f"Referrer-Policy is unsafe or invalid: {value[:100]}",
                evidence,
            )
        else:
            yield _v("referrer-policy", "pass", url, valid[-1], valid[-1], evidence)


_LEAKS = (
    "x-powered-by",
    "x-aspnet-version",
    "x-aspnetmvc-version",
    "x-backend-server",
    "x-debug-token",
    "x-generator",
)
_VERSION = re.compile(r"\d+\.\d+")


def banner_leaks(exchange: Exchange) -> list[str]:
    found = []
    server = exchange.header("server")
    if server and _VERSION.search(server):
        found.append(f"Server: {server[:80]}")
    for name in _LEAKS:
        value = exchange.header(name)
        if value:
            found.append(f"{name}: {value[:80]}")
    return found


def judge_server_banner(facts: ProbeFacts) -> Iterator[Verdict]:
    for observation in facts.observations:
        if observation.landing is None:
            continue
        final, problem = final_response(observation)
        if final is None:
            if problem is not None:
                yield Verdict(
                    "server-banner",
                    problem.status,
                    problem.url,
                    problem.detail,
                    problem.evidence,
                )
            continue
        leaks = banner_leaks(final)
        if observation.error_page is not None and observation.error_page.ok:
            leaks += [x for x in banner_leaks(observation.error_page) if x not in leaks]
        if leaks:
            shown = "; ".join(leaks)
            yield _v(
                "server-banner",
                "fail",
                observation.url,
                f"header membocorkan perangkat lunak/versi: {shown}",
                f"headers leak software or versions: {shown}",
                final.evidence(),
            )
        else:
            yield _v(
                "server-banner",
                "pass",
                observation.url,
                "tidak ada versi di header",
                "no versions in headers",
                final.evidence(),
            )


_TRACES = (
    re.compile(r"Traceback \(most recent call last\)"),
    re.compile(r"\bat [\w$.]+\([\w$]+\.java:\d+\)"),
    re.compile(r"(?i)<b>(?:Fatal error|Warning|Parse error)</b>:.* on line <b>\d+"),
    re.compile(r"(?i)Whoops! There was an error|Symfony\\Component|Illuminate\\"),
    re.compile(r"(?i)Server Error in '/' Application|Stack Trace:"),
    re.compile(r"(?i)django\.core\.|DEBUG = True"),
    re.compile(r"(?i)(?:Apache|nginx|Microsoft-IIS|Apache Tomcat)/\d+\.\d+"),
)


def judge_error_page(facts: ProbeFacts) -> Iterator[Verdict]:
    for observation in facts.observations:
        page = observation.error_page
        if page is None:
            continue
        url, evidence = observation.url, page.evidence()
        if not page.ok:
            why = page.error or "no response"
            yield _v(
                "error-page",
                "inconclusive",
                url,
                f"halaman galat tidak dapat diambil: {indonesian(why)}",
                f"the error page could not be fetched: {why}",
                evidence,
            )
            continue
        text = page.text()
        hits = [m.group(0)[:80] for p in _TRACES if (m := p.search(text))]
        if hits:
            evidence = {**evidence, "matched": hits}
            yield _v(
                "error-page",
                "fail",
                url,
                f"halaman galat membocorkan rincian: {hits[0]}",
                f"the error page leaks details: {hits[0]}",
                evidence,
            )
        else:
            yield _v(
                "error-page",
                "pass",
                url,
                "halaman galat umum",
                "generic error page",
                evidence,
            )


# ---- cookies ------------------------------------------------------------------

_SESSION_NAMES = (
    "jsessionid",
    "phpsessid",
    "laravel_session",
    "connect.sid",
    "asp.net_sessionid",
    "auth_session_id",
    "ci_session",
)


def parse_cookie(header: str) -> tuple[str, dict[str, str]]:
    parts = header.split(";")
    name = parts[0].split("=", 1)[0].strip()
    attributes: dict[str, str] = {}
    for part in parts[1:]:
        key, _, value = part.partition("=")
        attributes[key.strip().lower()] = value.strip()
    return name, attributes


def is_session(name: str) -> bool:
    lower = name.lower()
    return (
        "sess" in lower
        or "login" in lower
        or lower in _SESSION_NAMES
        or lower.startswith("keycloak_")
    )


def _cookies(observation: Observation) -> list[tuple[Exchange, str]]:
    found = []
    for chain in (observation.landing, observation.login):
        for hop in chain.hops if chain else ():
            host = host_of(hop.url) or ""
            if host == host_of(observation.url):
                found.extend((hop, c) for c in hop.header_all("set-cookie"))
    return found


def cookie_problems(attributes: dict[str, str], city: tuple[str, ...]) -> list[str]:
    """What a session cookie lacks: Secure, HttpOnly, SameSite, a narrow scope."""
    missing = [
        {"secure": "Secure", "httponly": "HttpOnly"}[a]
        for a in ("secure", "httponly")
        if a not in attributes
    ]
    same_site = attributes.get("samesite", "").lower()
    none_ok = same_site == "none" and "secure" in attributes
    if same_site not in ("lax", "strict") and not none_ok:
        missing.append("SameSite=Lax/Strict")
    if "domain" in attributes:
        domain = labels(attributes["domain"].lstrip(".")) or ()
        if domain and len(domain) <= len(city) and city[-len(domain) :] == domain:
            missing.append(f"Domain={attributes['domain']} (whole city domain)")
    return missing


def judge_session_cookies(facts: ProbeFacts) -> Iterator[Verdict]:
    city = labels(str(facts.profile.get("domain", ""))) or ()
    for observation in facts.observations:
        if observation.landing is None and observation.login is None:
            continue
        cookies = _cookies(observation)
        url = observation.url
        sessions = [(hop, c) for hop, c in cookies if is_session(parse_cookie(c)[0])]
        if not sessions:
            yield _v(
                "session-cookies",
                "not_applicable",
                url,
                "tidak ada cookie sesi yang dipasang tanpa masuk",
                "no session cookie is set before signing in",
                {"cookies": [c[:200] for _, c in cookies]} if cookies else None,
            )
            continue
        problems = []
        for hop, cookie in sessions:
            name, attributes = parse_cookie(cookie)
            missing = cookie_problems(attributes, city)
            if missing:
                problems.append((name, missing, hop))
        if problems:
            shown = "; ".join(f"{n}: {', '.join(m)}" for n, m, _ in problems)
            yield _v(
                "session-cookies",
                "fail",
                url,
                f"cookie sesi tanpa atribut aman: {shown}",
                f"session cookies lack safe attributes: {shown}",
                problems[0][2].evidence(),
            )
        else:
            names = ", ".join(parse_cookie(c)[0] for _, c in sessions)
            yield _v(
                "session-cookies",
                "pass",
                url,
                f"cookie sesi aman: {names}",
                f"session cookies are safe: {names}",
                sessions[0][0].evidence(),
            )


def chain_problem(chain: Chain) -> str | None:
    """Why a chain did not end in a response, in English words, or None."""
    if chain.stopped:
        return chain.stopped
    if not chain.final.ok:
        return chain.final.error or "no response"
    return None
