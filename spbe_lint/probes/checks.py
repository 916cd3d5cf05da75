"""The probe checks endpoint rules may name in ``probe:``, in one explicit dict.

Each check is a pure function of a run's facts (``facts.ProbeFacts``) that
yields Verdicts; ``FACTS`` says which collected facts each check needs, so a run
collects only what the rules in force judge.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from spbe_lint.probes import (
    exposure,
    headers,
    health,
    heap,
    hosting,
    oidc,
    openapi,
    tls,
)
from spbe_lint.probes.facts import ProbeFacts, Verdict

Judge = Callable[[ProbeFacts], Iterable[Verdict]]

PROBE_CHECKS: dict[str, Judge] = {
    "tls-chain": tls.judge_chain,
    "tls-hostname": tls.judge_hostname,
    "tls-expiry": tls.judge_expiry,
    "tls-version": tls.judge_version,
    "tls-key": tls.judge_key,
    "tls-cipher": tls.judge_cipher,
    "https-redirect": headers.judge_https_redirect,
    "hsts": headers.judge_hsts,
    "csp": headers.judge_csp,
    "content-type-options": headers.judge_content_type_options,
    "frame-protection": headers.judge_frame_protection,
    "referrer-policy": headers.judge_referrer_policy,
    "server-banner": headers.judge_server_banner,
    "error-page": headers.judge_error_page,
    "session-cookies": headers.judge_session_cookies,
    "final-host": hosting.judge_final_host,
    "datacentre-address": hosting.judge_datacentre_address,
    "third-party-edge": hosting.judge_third_party_edge,
    "oidc-discovery": oidc.judge_discovery,
    "oidc-jwks": oidc.judge_jwks,
    "sso-login-redirect": oidc.judge_login_redirect,
    "local-login": oidc.judge_local_login,
    "openapi-found": openapi.judge_found,
    # one judge (evidence.openapi, the same as check's) for every aspect
    **{name: openapi.judge_aspects for name in openapi.ASPECT_CHECKS},
    "api-auth": openapi.judge_auth,
    "health": health.judge,
    "security-txt": exposure.judge_security_txt,
    # the opt-in exposure checks share one judge (one request each, signature-confirmed)
    "exposed-git": exposure.judge,
    "exposed-env": exposure.judge,
    "server-status": exposure.judge,
    "phpinfo": exposure.judge,
    "directory-listing": exposure.judge,
}

# The facts each check needs (collect.py gathers only these).
FACTS: dict[str, tuple[str, ...]] = {
    **{name: ("tls",) for name in PROBE_CHECKS if name.startswith("tls-")},
    "https-redirect": ("http_redirect",),
    "server-banner": ("landing", "error_page"),
    "error-page": ("error_page",),
    "session-cookies": ("landing", "login"),
    "datacentre-address": ("landing",),
    "oidc-discovery": ("discovery",),
    "oidc-jwks": ("discovery", "jwks"),
    "sso-login-redirect": ("discovery", "landing", "login"),
    "local-login": ("landing", "login"),
    "openapi-found": ("openapi",),
    **{name: ("openapi",) for name in openapi.ASPECT_CHECKS},
    "api-auth": ("api_anonymous",),
    "health": ("health",),
    "security-txt": ("security_txt",),
    **{
        name: ("exposures", "error_page", "landing")
        for name in ("exposed-git", "exposed-env", "server-status", "phpinfo")
    },
    "directory-listing": ("exposures", "error_page", "landing"),
}


def facts_for(checks: Iterable[str]) -> frozenset[str]:
    needed = {"landing"}
    for name in checks:
        needed.update(FACTS.get(name, ("landing",)))
    return frozenset(needed)


def judge(facts: ProbeFacts, checks: Iterable[str]) -> dict[str, list[Verdict]]:
    """Verdicts of each named check (a shared judge runs once)."""
    by_judge: dict[Judge, list[Verdict]] = {}
    found: dict[str, list[Verdict]] = {}
    with heap.frozen():  # thousands of verdicts: see probes.heap
        for name in checks:
            function = PROBE_CHECKS[name]
            if function not in by_judge:
                by_judge[function] = list(function(facts))
            found[name] = [v for v in by_judge[function] if v.check == name]
    return found
