"""The security and auth aspects of an OpenAPI description: an API the
manifest does not declare public defines security schemes and requires one on
every operation (no empty alternative), and the schemes are the mechanism the
manifest declares (``auth: oidc`` at the city SSO, ``oauth2``, ``api_key``),
with no API key sent in a query string.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from spbe_lint.evidence.apiproblem import (
    Api,
    Deref,
    Path,
    Problem,
    as_mapping,
    as_text,
    is_swagger,
    operations,
    problem,
    shown,
)

# ---- security: non-public APIs define schemes and apply them everywhere ----


def schemes(doc: Mapping[str, Any], deref: Deref) -> tuple[Path, dict[str, Any]]:
    if is_swagger(doc):
        path: Path = ("securityDefinitions",)
        found = as_mapping(doc.get("securityDefinitions"))
    else:
        path = ("components", "securitySchemes")
        found = as_mapping(as_mapping(doc.get("components")).get("securitySchemes"))
    return path, {k: as_mapping(deref(v)) for k, v in found.items()}


def security(doc: Mapping[str, Any], api: Api, deref: Deref) -> Iterator[Problem]:
    if api.public or not api.declared:
        return  # a public API (the manifest says so) needs no credentials
    where, defined = schemes(doc, deref)
    if not defined:
        yield problem(
            "security",
            where[:1] if is_swagger(doc) else ("components",),
            "tidak ada security scheme, padahal API tidak dinyatakan publik; "
            "definisikan skema SSO kota (openIdConnect/oauth2) dan terapkan pada "
            "setiap operasi",
            "no security scheme is defined, yet the API is not declared public; "
            "define the city SSO's scheme (openIdConnect/oauth2) and apply it to "
            "every operation",
        )
        return
    top = doc.get("security")
    uncovered: list[Path] = []
    for path, operation in operations(doc):
        required = operation.get("security", top)
        place = (*path, "security") if "security" in operation else ("security",)
        if not _requires(required):
            uncovered.append(path)
            continue
        for index, requirement in enumerate(required):
            for name in as_mapping(requirement):
                if name not in defined:
                    yield problem(
                        "security",
                        (*place, index, name),
                        f"skema {name} tidak didefinisikan di {shown(where)}",
                        f"scheme {name} is not defined in {shown(where)}",
                    )
    total = sum(1 for _ in operations(doc))
    if uncovered and len(uncovered) == total:
        yield problem(
            "security",
            ("security",) if "security" in doc else ("paths",),
            "tidak ada operasi yang mewajibkan security scheme; terapkan skema "
            "secara global (security di tingkat teratas) atau pada setiap operasi",
            "no operation requires a security scheme; apply one globally "
            "(top-level security) or on every operation",
        )
        return
    for path in uncovered:
        yield problem(
            "security",
            path,
            "operasi ini tidak mewajibkan security scheme (security kosong atau "
            "memuat persyaratan kosong); API yang tidak publik tidak boleh dapat "
            "dipanggil tanpa kredensial",
            "this operation requires no security scheme (security is empty or "
            "holds an empty requirement); an API that is not public must not be "
            "callable without credentials",
        )


def _requires(required: Any) -> bool:
    """A security requirement list that demands credentials: not empty, and no
    alternative that is empty (an empty one makes authentication optional)."""
    if not isinstance(required, list) or not required:
        return False
    return all(isinstance(r, dict) and r for r in required)


# ---- auth: the declared mechanism is what the document defines ----


def auth(doc: Mapping[str, Any], api: Api, deref: Deref) -> Iterator[Problem]:
    where, defined = schemes(doc, deref)
    for name, scheme in defined.items():
        if scheme.get("type") == "apiKey" and scheme.get("in") == "query":
            yield problem(
                "auth",
                (*where, name, "in"),
                "kunci API dikirim di query string; URL tercatat di log server, "
                "proxy dan riwayat peramban, jadi kirim kunci di header",
                "the API key travels in the query string; URLs are kept in "
                "server, proxy and browser logs, so send the key in a header",
            )
    declared = api.auth
    if declared in (None, "none", "mtls") or not api.declared or not defined:
        return  # no scheme at all: the security aspect says so
    types = {name: scheme.get("type") for name, scheme in defined.items()}
    if declared == "oidc" and not any(_at_city_sso(s, api) for s in defined.values()):
        discovery = _discovery(api.issuer)
        yield problem(
            "auth",
            where,
            "manifest menyatakan auth: oidc, tetapi tidak ada skema openIdConnect "
            f"dengan openIdConnectUrl {discovery} maupun alur OAuth2 di SSO kota "
            f"({_listed(types)})",
            "the manifest declares auth: oidc, but no openIdConnect scheme has "
            f"openIdConnectUrl {discovery} and no OAuth2 flow is at the city SSO "
            f"({_listed(types)})",
        )
    elif declared == "oauth2" and not any(
        t in ("oauth2", "openIdConnect") for t in types.values()
    ):
        yield problem(
            "auth",
            where,
            "manifest menyatakan auth: oauth2, tetapi dokumen tidak mendefinisikan "
            f"skema oauth2 ({_listed(types)})",
            "the manifest declares auth: oauth2, but the document defines no "
            f"oauth2 scheme ({_listed(types)})",
        )
    elif declared == "api_key" and "apiKey" not in types.values():
        yield problem(
            "auth",
            where,
            "manifest menyatakan auth: api_key, tetapi dokumen tidak mendefinisikan "
            f"skema apiKey ({_listed(types)})",
            "the manifest declares auth: api_key, but the document defines no "
            f"apiKey scheme ({_listed(types)})",
        )


def _discovery(issuer: str) -> str:
    return issuer.rstrip("/") + "/.well-known/openid-configuration"


def _at_city_sso(scheme: Mapping[str, Any], api: Api) -> bool:
    if not api.issuer:
        return scheme.get("type") in ("openIdConnect", "oauth2")
    issuer = api.issuer.rstrip("/")
    if scheme.get("type") == "openIdConnect":
        return as_text(scheme.get("openIdConnectUrl")).rstrip("/") == _discovery(issuer)
    if scheme.get("type") != "oauth2":
        return False
    urls = [scheme.get("authorizationUrl"), scheme.get("tokenUrl")]  # 2.0
    for written in as_mapping(scheme.get("flows")).values():
        flow = as_mapping(written)
        urls += [flow.get("authorizationUrl"), flow.get("tokenUrl")]
    found = [u for u in urls if isinstance(u, str) and u]
    return bool(found) and all(u.startswith(issuer + "/") for u in found)


def _listed(types: Mapping[str, Any]) -> str:
    if not types:
        return "no scheme"
    return ", ".join(f"{name}: {kind}" for name, kind in sorted(types.items()))
