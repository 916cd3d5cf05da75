"""From a manifest (or URLs) to probe findings: which endpoints, what was
declared where, collect, judge, and the endpoint rules' findings."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from spbe_lint.findings import Finding
from spbe_lint.probes.facts import Declaration, Endpoint
from spbe_lint.probes.rules import evaluate_endpoints

if TYPE_CHECKING:
    from spbe_lint.probes.collect import ProbeOptions
    from spbe_lint.rule import Rule
    from spbe_lint.source import Document


def _where(document: Document, path: tuple[Any, ...]) -> str:
    span = document.locate(path)
    return f"{document.path}:{span.line}" if span else document.path


def _get(data: Any, *path: Any) -> Any:
    for part in path:
        if isinstance(data, dict):
            data = data.get(part)
        elif isinstance(data, list) and isinstance(part, int) and part < len(data):
            data = data[part]
        else:
            return None
    return data


def endpoints_from(
    document: Document, profile: Mapping[str, Any]
) -> tuple[list[Endpoint], dict[str, Declaration]]:
    """The endpoints a manifest declares, and the declarations a probe can
    contradict (SSO via the city issuer, data-centre hosting, health, API spec)."""
    data = document.data if isinstance(document.data, dict) else {}

    def declaration(*path: Any) -> Declaration:
        field = ".".join(str(p) if isinstance(p, str) else f"[{p}]" for p in path)
        return Declaration(
            field.replace(".[", "["), _get(data, *path), _where(document, path)
        )

    endpoints: list[Endpoint] = []
    for key, role in (("url", "app"), ("login_url", "login"), ("health_url", "health")):
        url = _get(data, "endpoints", key)
        if isinstance(url, str):
            endpoints.append(
                Endpoint(url, role, declared=declaration("endpoints", key))
            )
    apis = _get(data, "interop", "apis")
    for index, api in enumerate(apis if isinstance(apis, list) else []):
        base = _get(api, "base_url")
        if isinstance(base, str):
            spec = (
                declaration("interop", "apis", index, "spec") if "spec" in api else None
            )
            endpoints.append(Endpoint(base, "api", api=dict(api), declared=spec))
    declared: dict[str, Declaration] = {}
    if _get(data, "hosting", "provider") is not None:
        declared["hosting.provider"] = declaration("hosting", "provider")
    issuer = _get(profile, "sso", "issuer")
    if (
        _get(data, "auth", "sso", "enabled") is True
        and _get(data, "auth", "sso", "issuer") == issuer
    ):
        declared["auth.sso.issuer"] = declaration("auth", "sso", "issuer")
    return endpoints, declared


def probe(
    endpoints: Sequence[Endpoint],
    rules: Sequence[Rule],
    profile: Mapping[str, Any],
    options: ProbeOptions,
    *,
    where: str,
    declared: Mapping[str, Declaration] | None = None,
    manifest: Mapping[str, Any] | None = None,
    folder: Path | None = None,
) -> list[Finding]:
    """Probe *endpoints* for the endpoint rules in *rules*; their findings."""
    from spbe_lint.probes import checks, collect

    endpoint_rules = [r for r in rules if r.target == "endpoint"]
    names = list(dict.fromkeys(name for r in endpoint_rules for name in r.probe))
    if not endpoint_rules:
        return []
    facts, _ = collect.collect(
        endpoints,
        profile,
        options,
        names,
        declared=declared,
        manifest=manifest,
        folder=folder,
    )
    verdicts = checks.judge(facts, names)
    return evaluate_endpoints(endpoint_rules, verdicts, where)
