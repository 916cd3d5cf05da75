"""What an OpenAPI description is judged on, aspect by aspect: pure functions of
the parsed document and what the manifest declares about the API.

Each aspect yields Problems: where in the document (a path of keys), what is
wrong, and how to fix it, in both languages. ``evidence.openapi`` runs them,
places each problem (line, column, JSON Pointer) and gives them to whoever asked:
``check`` (the submitted file) or ``probe`` (the published one). A document can be
anything a vendor wrote, so every value is type-checked before it is read: a
wrong type is no problem of this module (the validator reports it), never a crash.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from spbe_lint.i18n import LocalText

Path = tuple[str | int, ...]
# Follows a $ref (inside the document or through the shared resolver): the
# object it names, or None when it cannot be followed (the validator says why).
Deref = Callable[[Any], Any]

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


@dataclass(frozen=True)
class Api:
    """What the manifest (and the city's profile) say about one API."""

    public: bool = False
    auth: str | None = None  # none | oidc | oauth2 | api_key | mtls
    owner: str | None = None
    formats: tuple[str, ...] | None = None
    gateway: str | None = None  # the API's address on the SPLP/SPLPD gateway
    domain: str = ""  # the city domain (profile.domain)
    issuer: str = ""  # the city SSO issuer (profile.sso.issuer)
    declared: bool = True  # False: URLs given to the probe, no manifest


@dataclass(frozen=True)
class Problem:
    """One problem of an API description at a place in it."""

    aspect: str
    path: Path
    detail: LocalText


def shown(path: Path) -> str:
    """A place in the document as people write it: ``paths./izin.get.responses``."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text or "(root)"


def _problem(aspect: str, path: Path, id_: str, en: str) -> Problem:
    where = shown(path)
    return Problem(aspect, path, LocalText(f"{where}: {id_}", f"{where}: {en}"))


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, dict) else {}


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def is_swagger(doc: Mapping[str, Any]) -> bool:
    return "swagger" in doc


def operations(doc: Mapping[str, Any]) -> Iterator[tuple[Path, Mapping[str, Any]]]:
    for name, item in _mapping(doc.get("paths")).items():
        for method, operation in _mapping(item).items():
            if method in METHODS and isinstance(operation, dict):
                yield ("paths", name, method), operation


# ---- servers: HTTPS, public, the city's domain or the declared SPLP gateway ----


def servers(doc: Mapping[str, Any], api: Api, deref: Deref) -> Iterator[Problem]:
    if is_swagger(doc):
        yield from _swagger_servers(doc, api)
        return
    places: list[tuple[Path, Any]] = [(("servers",), doc.get("servers"))]
    for name, written in _mapping(doc.get("paths")).items():
        item = _mapping(written)
        places.append((("paths", name, "servers"), item.get("servers")))
        for method in METHODS:
            operation = _mapping(item.get(method))
            places.append(
                (("paths", name, method, "servers"), operation.get("servers"))
            )
    for base, listed in places:
        if not isinstance(listed, list):
            continue
        for index, written in enumerate(listed):
            server = _mapping(written)
            url = _text(server.get("url"))
            if url:
                yield from _judge_url((*base, index, "url"), expand(server), url, api)


def expand(server: Mapping[str, Any]) -> str:
    """A server URL with each ``{variable}`` replaced by its default."""
    url = _text(server.get("url"))
    variables = _mapping(server.get("variables"))

    def value(match: re.Match[str]) -> str:
        default = _mapping(variables.get(match.group(1))).get("default")
        return default if isinstance(default, str) else match.group(0)

    return re.sub(r"\{([^{}]*)\}", value, url)


def _judge_url(path: Path, url: str, written: str, api: Api) -> Iterator[Problem]:
    parts = urlsplit(url)
    if not parts.scheme and not parts.netloc:
        return  # relative to where the description is served: judged there
    shown_url = written if written == url else f"{written} ({url})"
    if parts.scheme.lower() != "https":
        yield _problem(
            "servers",
            path,
            f"{shown_url} tidak memakai HTTPS; alamat API harus https:// agar token "
            "dan data warga tidak dapat disadap",
            f"{shown_url} is not HTTPS; the API's address must be https:// so that "
            "tokens and residents' data cannot be read in transit",
        )
    host = (parts.hostname or "").lower()
    if host and "{" not in host:
        yield from _judge_host(path, shown_url, host, api)


def _judge_host(path: Path, url: str, host: str, api: Api) -> Iterator[Problem]:
    kind = host_kind(host)
    if kind == "localhost":
        yield _problem(
            "servers",
            path,
            f"{url} menunjuk ke komputer pengembang (localhost), bukan alamat API "
            "yang berjalan; tulis alamat https pada subdomain kota",
            f"{url} points at the developer's own machine (localhost), not the "
            "running API; give its https address on the city's subdomain",
        )
    elif kind in ("private", "ip"):
        private = kind == "private"
        yield _problem(
            "servers",
            path,
            f"{url} memakai alamat IP"
            + (" privat" if private else "")
            + " sebagai host; API diakses melalui nama host pada domain kota, "
            "bukan IP",
            f"{url} uses "
            + ("a private IP address" if private else "a bare IP address")
            + " as its host; the API is reached by a host name under the city's "
            "domain, not an IP",
        )
    elif api.domain and not under(host, api.domain) and host != _host(api.gateway):
        gateway = f" atau gateway SPLP {api.gateway}" if api.gateway else ""
        gateway_en = f" or the SPLP gateway {api.gateway}" if api.gateway else ""
        yield _problem(
            "servers",
            path,
            f"host {host} bukan subdomain {api.domain}{gateway}; layanan "
            "elektronik Pemerintah Kota memakai domain kota (atau gateway SPLP yang "
            "dinyatakan di interop.apis[].gateway)",
            f"host {host} is not under {api.domain}{gateway_en}; the city's "
            "electronic services use the city domain (or the SPLP gateway declared "
            "in interop.apis[].gateway)",
        )


def host_kind(host: str) -> str:
    """localhost, private (an IP in a private or special range), ip, or name."""
    bare = host.strip("[]")
    if bare == "localhost" or bare.endswith(".localhost"):
        return "localhost"
    try:
        address = ipaddress.ip_address(bare)
    except ValueError:
        return "name"
    if address.is_loopback or address.is_unspecified:
        return "localhost"
    if address.is_private or address.is_link_local or address.is_reserved:
        return "private"
    return "ip"


def under(host: str, domain: str) -> bool:
    domain = domain.lower().strip(".")
    return host == domain or host.endswith("." + domain)


def _host(url: str | None) -> str | None:
    return (urlsplit(url).hostname or "").lower() or None if url else None


def _swagger_servers(doc: Mapping[str, Any], api: Api) -> Iterator[Problem]:
    schemes = doc.get("schemes")
    host = _text(doc.get("host")).lower()
    if isinstance(schemes, list):
        for index, scheme in enumerate(schemes):
            if isinstance(scheme, str) and scheme.lower() in ("http", "ws"):
                yield _problem(
                    "servers",
                    ("schemes", index),
                    f"skema {scheme} ditawarkan; API hanya boleh melalui https",
                    f"scheme {scheme} is offered; the API must be reachable over "
                    "https only",
                )
    if host:
        name = urlsplit(f"//{host}").hostname or host
        yield from _judge_host(("host",), host, name.lower(), api)


# ---- security: non-public APIs define schemes and apply them everywhere ----


def schemes(doc: Mapping[str, Any], deref: Deref) -> tuple[Path, dict[str, Any]]:
    if is_swagger(doc):
        path: Path = ("securityDefinitions",)
        found = _mapping(doc.get("securityDefinitions"))
    else:
        path = ("components", "securitySchemes")
        found = _mapping(_mapping(doc.get("components")).get("securitySchemes"))
    return path, {k: _mapping(deref(v)) for k, v in found.items()}


def security(doc: Mapping[str, Any], api: Api, deref: Deref) -> Iterator[Problem]:
    if api.public or not api.declared:
        return  # a public API (the manifest says so) needs no credentials
    where, defined = schemes(doc, deref)
    if not defined:
        yield _problem(
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
            for name in _mapping(requirement):
                if name not in defined:
                    yield _problem(
                        "security",
                        (*place, index, name),
                        f"skema {name} tidak didefinisikan di {shown(where)}",
                        f"scheme {name} is not defined in {shown(where)}",
                    )
    total = sum(1 for _ in operations(doc))
    if uncovered and len(uncovered) == total:
        yield _problem(
            "security",
            ("security",) if "security" in doc else ("paths",),
            "tidak ada operasi yang mewajibkan security scheme; terapkan skema "
            "secara global (security di tingkat teratas) atau pada setiap operasi",
            "no operation requires a security scheme; apply one globally "
            "(top-level security) or on every operation",
        )
        return
    for path in uncovered:
        yield _problem(
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
            yield _problem(
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
        yield _problem(
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
        yield _problem(
            "auth",
            where,
            "manifest menyatakan auth: oauth2, tetapi dokumen tidak mendefinisikan "
            f"skema oauth2 ({_listed(types)})",
            "the manifest declares auth: oauth2, but the document defines no "
            f"oauth2 scheme ({_listed(types)})",
        )
    elif declared == "api_key" and "apiKey" not in types.values():
        yield _problem(
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
        return _text(scheme.get("openIdConnectUrl")).rstrip("/") == _discovery(issuer)
    if scheme.get("type") != "oauth2":
        return False
    urls = [scheme.get("authorizationUrl"), scheme.get("tokenUrl")]  # 2.0
    for written in _mapping(scheme.get("flows")).values():
        flow = _mapping(written)
        urls += [flow.get("authorizationUrl"), flow.get("tokenUrl")]
    found = [u for u in urls if isinstance(u, str) and u]
    return bool(found) and all(u.startswith(issuer + "/") for u in found)


def _listed(types: Mapping[str, Any]) -> str:
    if not types:
        return "no scheme"
    return ", ".join(f"{name}: {kind}" for name, kind in sorted(types.items()))


# ---- versioned: a major version in the URL path, agreeing with info.version ----

_VERSION_SEGMENT = re.compile(r"^v(\d+)(?:\.\d+)*$", re.IGNORECASE)
_INFO_MAJOR = re.compile(r"^\s*v?(\d+)(?:[.\-+]|\s*$)", re.IGNORECASE)


def major_in(path: str) -> tuple[str, int] | None:
    """The prefix up to and including the first version segment of *path*
    (``/webservices/rest-api/v2`` -> (that, 2)), before any ``{template}``."""
    prefix = ""
    for segment in path.split("/"):
        if not segment:
            continue
        if "{" in segment:
            return None
        prefix += "/" + segment
        found = _VERSION_SEGMENT.match(segment)
        if found:
            return prefix.lower(), int(found.group(1))
    return None


def versioned(doc: Mapping[str, Any], api: Api, deref: Deref) -> Iterator[Problem]:
    if is_swagger(doc):
        base = _text(doc.get("basePath"))
        bases: list[tuple[Path, str]] = [(("basePath",), base)] if base else []
    else:
        listed = doc.get("servers")
        bases = [
            (("servers", i, "url"), urlsplit(expand(_mapping(s))).path)
            for i, s in enumerate(listed if isinstance(listed, list) else [])
        ]
    from_servers = [(p, major_in(b)) for p, b in bases]
    found: list[tuple[Path, int]]
    if from_servers and all(m for _, m in from_servers):
        found = [(p, m[1]) for p, m in from_servers if m]
    else:
        paths = list(_mapping(doc.get("paths")))
        majors = [major_in(p) if isinstance(p, str) else None for p in paths]
        prefixes = {m[0] for m in majors if m}
        if not paths or not all(majors) or len(prefixes) != 1:
            place: Path = bases[0][0] if bases else ("paths",)
            seen = ", ".join(b or "/" for _, b in bases[:2]) or "(no servers)"
            yield _problem(
                "versioned",
                place,
                f"tidak ada segmen versi mayor (mis. /v1) pada path URL server ({seen}) "
                "maupun awalan bersama semua path; beri versi mayor pada URL, mis. "
                "https://…/api/v1",
                f"no major version segment (e.g. /v1) in the server URL path ({seen}) "
                "nor in a prefix common to all paths; put the major version in the "
                "URL, e.g. https://…/api/v1",
            )
            return
        found = [(("paths", p), m[1]) for p, m in zip(paths, majors, strict=True) if m]
    yield from _agrees(doc, found)


def _agrees(doc: Mapping[str, Any], found: list[tuple[Path, int]]) -> Iterator[Problem]:
    majors = sorted({m for _, m in found})
    if len(majors) > 1:
        listed = ", ".join(f"v{m}" for m in majors)
        yield _problem(
            "versioned",
            found[0][0],
            f"beberapa versi mayor dalam satu dokumen ({listed}); terbitkan satu "
            "dokumen per versi mayor",
            f"several major versions in one description ({listed}); publish one "
            "description per major version",
        )
        return
    version = _mapping(doc.get("info")).get("version")
    match = _INFO_MAJOR.match(version) if isinstance(version, str) else None
    if match is None:
        yield _problem(
            "versioned",
            ("info", "version"),
            f"info.version {version!r} bukan nomor versi (MAYOR.MINOR.PATCH)",
            f"info.version {version!r} is not a version number (MAJOR.MINOR.PATCH)",
        )
        return
    major, url = int(match.group(1)), majors[0]
    if major != url and not (major == 0 and url == 1):
        yield _problem(
            "versioned",
            ("info", "version"),
            f"info.version {version} (mayor {major}) tidak sesuai dengan versi di "
            f"URL (v{url}); samakan keduanya",
            f"info.version {version} (major {major}) does not agree with the "
            f"version in the URL (v{url}); make them agree",
        )


# ---- errors: 4xx/5xx responses have a documented body, problem+json preferred ----

_PROBLEM_TYPES = ("application/problem+json", "application/problem+xml")


def _is_error(code: Any) -> bool:
    code = str(code).upper()
    return code == "DEFAULT" or (len(code) == 3 and code[0] in "45")


def errors(doc: Mapping[str, Any], api: Api, deref: Deref) -> Iterator[Problem]:
    """One problem per kind, at its first place, counting the others: a
    generated description repeats the same gap on every operation."""
    swagger = is_swagger(doc)
    top_produces = doc.get("produces")
    silent: list[Path] = []  # operations without any error response
    bare: list[Path] = []  # error responses without a documented body
    plain: list[Path] = []  # documented, but not problem+json
    for path, operation in operations(doc):
        responses = _mapping(deref(operation.get("responses")))
        codes = [c for c in responses if _is_error(c)]
        if not codes:
            silent.append((*path, "responses"))
        for code in codes:
            response = _mapping(deref(responses[code]))
            if swagger:
                media = operation.get("produces", top_produces)
                listed = media if isinstance(media, list) else []
                types = [m for m in listed if isinstance(m, str)]
                documented = "schema" in response
            else:
                content = _mapping(response.get("content"))
                types = list(content)
                documented = any("schema" in _mapping(v) for v in content.values())
            if not documented:
                bare.append((*path, "responses", code))
            elif not any(
                t.split(";", maxsplit=1)[0].strip() in _PROBLEM_TYPES for t in types
            ):
                plain.append((*path, "responses", code))
    if silent:
        yield _problem(
            "errors",
            silent[0],
            "tidak ada respons galat (4xx/5xx) yang didokumentasikan"
            + _others_id(silent, "operasi")
            + "; jelaskan galat yang dapat terjadi beserta isinya "
            "(application/problem+json, RFC 9457)",
            "no error response (4xx/5xx) is documented"
            + _others_en(silent, "operations")
            + "; describe the errors that can occur and their body "
            "(application/problem+json, RFC 9457)",
        )
    if bare:
        yield _problem(
            "errors",
            bare[0],
            "respons galat tanpa isi yang didokumentasikan (skema)"
            + _others_id(bare, "respons galat")
            + "; klien tidak tahu apa yang diterimanya saat galat",
            "an error response without a documented body (schema)"
            + _others_en(bare, "error responses")
            + "; a client cannot know what it gets when something fails",
        )
    if plain:
        yield _problem(
            "errors",
            plain[0],
            "isi galat bukan application/problem+json"
            + _others_id(plain, "respons galat")
            + "; sebaiknya memakai Problem Details (RFC 9457) seperti pedoman API "
            "Italia dan Belanda",
            "the error body is not application/problem+json"
            + _others_en(plain, "error responses")
            + "; prefer Problem Details (RFC 9457), as the Italian and Dutch API "
            "rules do",
        )


def _others_id(places: list[Path], noun: str) -> str:
    more = len(places) - 1
    return f" (dan {more} {noun} lain, mis. {shown(places[1])})" if more else ""


def _others_en(places: list[Path], noun: str) -> str:
    more = len(places) - 1
    return f" (and {more} other {noun}, e.g. {shown(places[1])})" if more else ""


# ---- contact: info.contact names the responsible agency ----

_SMALL_WORDS = frozenset({"dan", "dari", "dan/atau", "kota", "the", "of", "and"})


def contact(doc: Mapping[str, Any], api: Api, deref: Deref) -> Iterator[Problem]:
    info = doc.get("info")
    if not isinstance(info, dict):
        return  # the validator reports a description without info
    found = info.get("contact")
    if not isinstance(found, dict) or not found:
        yield _problem(
            "contact",
            ("info",),
            "info.contact tidak ada; sebut Perangkat Daerah penanggung jawab API "
            "(name) beserta email atau url-nya",
            "info.contact is missing; name the agency responsible for the API "
            "(name) with its email or url",
        )
        return
    name = _text(found.get("name")).strip()
    if not name:
        yield _problem(
            "contact",
            ("info", "contact"),
            "info.contact tidak memuat name; sebut Perangkat Daerah penanggung "
            "jawab API",
            "info.contact has no name; name the agency responsible for the API",
        )
        return
    if api.owner and not names_owner(name, api.owner):
        yield _problem(
            "contact",
            ("info", "contact", "name"),
            f"{name!r} bukan penanggung jawab yang dinyatakan manifest "
            f"(interop.apis[].owner = {api.owner!r}); samakan keduanya",
            f"{name!r} is not the owner the manifest declares "
            f"(interop.apis[].owner = {api.owner!r}); make them agree",
        )


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


def names_owner(name: str, owner: str) -> bool:
    """Does the contact *name* name the *owner* agency: the same words, one
    inside the other, or the owner's acronym (DPMPTSP for Dinas Penanaman Modal
    dan Pelayanan Terpadu Satu Pintu)?"""
    said, wanted = " ".join(_words(name)), " ".join(_words(owner))
    if not said or not wanted:
        return False
    if wanted in said or said in wanted:
        return True
    initials = "".join(w[0] for w in _words(owner) if w not in _SMALL_WORDS)
    acronyms = {"".join(w[0] for w in _words(owner)), initials}
    return any(len(a) >= 3 and a in _words(name) for a in acronyms)


# ---- formats: the media types are the open formats the manifest declares ----

_OPEN = {
    "application/json": "json",
    "text/json": "json",
    "application/problem+json": "json",
    "application/xml": "xml",
    "text/xml": "xml",
    "application/problem+xml": "xml",
    "text/csv": "csv",
    "application/geo+json": "geojson",
    "application/vnd.geo+json": "geojson",
}
# Not data-exchange formats: uploads, forms, files, plain text.
_NEUTRAL = (
    "multipart/",
    "application/x-www-form-urlencoded",
    "application/octet-stream",
    "application/pdf",
    "image/",
    "text/plain",
    "text/html",
    "*/*",
)


def format_of(media: str) -> str | None:
    """The open format a media type carries, '' for one that carries no data
    format (a form, a file), None for a closed or unknown format."""
    base = media.split(";", maxsplit=1)[0].strip().lower()
    if base in _OPEN:
        return _OPEN[base]
    if base.startswith(_NEUTRAL):
        return ""
    if base.endswith("+json"):
        return "json"
    if base.endswith("+xml"):
        return "xml"
    return None


def media_types(doc: Mapping[str, Any], deref: Deref) -> Iterator[tuple[Path, str]]:
    """Every media type the document names, with the first place it does."""
    if is_swagger(doc):
        for key in ("produces", "consumes"):
            listed = doc.get(key)
            for i, m in enumerate(listed if isinstance(listed, list) else []):
                if isinstance(m, str):
                    yield (key, i), m
        for path, operation in operations(doc):
            for key in ("produces", "consumes"):
                listed = operation.get(key)
                for i, m in enumerate(listed if isinstance(listed, list) else []):
                    if isinstance(m, str):
                        yield (*path, key, i), m
        return
    for path, operation in operations(doc):
        body = _mapping(deref(operation.get("requestBody")))
        for media in _mapping(body.get("content")):
            yield (*path, "requestBody", "content", media), media
        for code, response in _mapping(deref(operation.get("responses"))).items():
            for media in _mapping(_mapping(deref(response)).get("content")):
                yield (*path, "responses", code, "content", media), media


def formats(doc: Mapping[str, Any], api: Api, deref: Deref) -> Iterator[Problem]:
    declared = set(api.formats or ())
    seen: set[str] = set()
    for path, media in media_types(doc, deref):
        key = media.split(";", maxsplit=1)[0].strip().lower()
        if key in seen:
            continue
        seen.add(key)
        found = format_of(media)
        if found is None:
            yield _problem(
                "formats",
                path,
                f"{media} bukan format terbuka yang disepakati (json, xml, csv, "
                "geojson); sediakan data dalam salah satunya",
                f"{media} is not one of the agreed open formats (json, xml, csv, "
                "geojson); offer the data in one of them",
            )
        elif found and api.formats is not None and found not in declared:
            listed = ", ".join(sorted(declared)) or "-"
            yield _problem(
                "formats",
                path,
                f"{media} ({found}) tidak ada di formats manifest ({listed}); "
                f"tambahkan {found} ke interop.apis[].formats atau hapus dari dokumen",
                f"{media} ({found}) is not among the manifest's formats ({listed}); "
                f"add {found} to interop.apis[].formats or remove it from the "
                "document",
            )


ASPECTS: dict[str, Callable[[Mapping[str, Any], Api, Deref], Iterator[Problem]]] = {
    "servers": servers,
    "security": security,
    "auth": auth,
    "versioned": versioned,
    "errors": errors,
    "contact": contact,
    "formats": formats,
}
