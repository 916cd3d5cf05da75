"""The names of the probe checks endpoint rules may list (``probe:``).

Kept apart from ``probes.checks`` (which imports every judge) so that loading
the rule pack on the offline ``check`` path costs nothing; a test keeps the
two in step.
"""

from __future__ import annotations

PROBE_CHECK_NAMES: tuple[str, ...] = (
    "tls-chain",
    "tls-hostname",
    "tls-expiry",
    "tls-version",
    "tls-key",
    "tls-cipher",
    "https-redirect",
    "hsts",
    "csp",
    "content-type-options",
    "frame-protection",
    "referrer-policy",
    "server-banner",
    "error-page",
    "session-cookies",
    "final-host",
    "datacentre-address",
    "third-party-edge",
    "oidc-discovery",
    "oidc-jwks",
    "sso-login-redirect",
    "local-login",
    "openapi-found",
    "openapi-valid",
    "api-versioned",
    "openapi-servers",
    "openapi-security",
    "openapi-auth",
    "openapi-errors",
    "openapi-contact",
    "openapi-formats",
    "api-auth",
    "health",
    "security-txt",
    "exposed-git",
    "exposed-env",
    "server-status",
    "phpinfo",
    "directory-listing",
)
