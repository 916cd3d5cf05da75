"""What an OpenAPI description is judged on, aspect by aspect: pure functions of
the parsed document and what the manifest declares about the API.

Each aspect yields Problems: where in the document (a path of keys), what is
wrong, and how to fix it, in both languages. ``evidence.openapi`` runs them,
places each problem (line, column, JSON Pointer) and gives them to whoever asked:
``check`` (the submitted file) or ``probe`` (the published one). A document can be
anything a vendor wrote, so every value is type-checked before it is read: a
wrong type is no problem of this module (the validator reports it), never a crash.

``ASPECTS`` is the registry. Servers are judged in ``apihosts``, security and
auth in ``apiauth``; versioning, error responses, contact and media formats
here. What they share (``Api``, ``Problem``, the readers) is ``apiproblem``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any
from urllib.parse import urlsplit

from spbe_lint.evidence.apiauth import auth, security
from spbe_lint.evidence.apihosts import expand, servers
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
        base = as_text(doc.get("basePath"))
        bases: list[tuple[Path, str]] = [(("basePath",), base)] if base else []
    else:
        listed = doc.get("servers")
        bases = [
            (("servers", i, "url"), urlsplit(expand(as_mapping(s))).path)
            for i, s in enumerate(listed if isinstance(listed, list) else [])
        ]
    from_servers = [(p, major_in(b)) for p, b in bases]
    found: list[tuple[Path, int]]
    if from_servers and all(m for _, m in from_servers):
        found = [(p, m[1]) for p, m in from_servers if m]
    else:
        paths = list(as_mapping(doc.get("paths")))
        majors = [major_in(p) if isinstance(p, str) else None for p in paths]
        prefixes = {m[0] for m in majors if m}
        if not paths or not all(majors) or len(prefixes) != 1:
            place: Path = bases[0][0] if bases else ("paths",)
            seen = ", ".join(b or "/" for _, b in bases[:2]) or "(no servers)"
            yield problem(
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
        yield problem(
            "versioned",
            found[0][0],
            f"beberapa versi mayor dalam satu dokumen ({listed}); terbitkan satu "
            "dokumen per versi mayor",
            f"several major versions in one description ({listed}); publish one "
            "description per major version",
        )
        return
    version = as_mapping(doc.get("info")).get("version")
    match = _INFO_MAJOR.match(version) if isinstance(version, str) else None
    if match is None:
        yield problem(
            "versioned",
            ("info", "version"),
            f"info.version {version!r} bukan nomor versi (MAYOR.MINOR.PATCH)",
            f"info.version {version!r} is not a version number (MAJOR.MINOR.PATCH)",
        )
        return
    major, url = int(match.group(1)), majors[0]
    if major != url and not (major == 0 and url == 1):
        yield problem(
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
        responses = as_mapping(deref(operation.get("responses")))
        codes = [c for c in responses if _is_error(c)]
        if not codes:
            silent.append((*path, "responses"))
        for code in codes:
            response = as_mapping(deref(responses[code]))
            if swagger:
                media = operation.get("produces", top_produces)
                listed = media if isinstance(media, list) else []
                types = [m for m in listed if isinstance(m, str)]
                documented = "schema" in response
            else:
                content = as_mapping(response.get("content"))
                types = list(content)
                documented = any("schema" in as_mapping(v) for v in content.values())
            if not documented:
                bare.append((*path, "responses", code))
            elif not any(
                t.split(";", maxsplit=1)[0].strip() in _PROBLEM_TYPES for t in types
            ):
                plain.append((*path, "responses", code))
    if silent:
        yield problem(
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
        yield problem(
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
        yield problem(
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
        yield problem(
            "contact",
            ("info",),
            "info.contact tidak ada; sebut Perangkat Daerah penanggung jawab API "
            "(name) beserta email atau url-nya",
            "info.contact is missing; name the agency responsible for the API "
            "(name) with its email or url",
        )
        return
    name = as_text(found.get("name")).strip()
    if not name:
        yield problem(
            "contact",
            ("info", "contact"),
            "info.contact tidak memuat name; sebut Perangkat Daerah penanggung "
            "jawab API",
            "info.contact has no name; name the agency responsible for the API",
        )
        return
    if api.owner and not names_owner(name, api.owner):
        yield problem(
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
        body = as_mapping(deref(operation.get("requestBody")))
        for media in as_mapping(body.get("content")):
            yield (*path, "requestBody", "content", media), media
        for code, response in as_mapping(deref(operation.get("responses"))).items():
            for media in as_mapping(as_mapping(deref(response)).get("content")):
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
            yield problem(
                "formats",
                path,
                f"{media} bukan format terbuka yang disepakati (json, xml, csv, "
                "geojson); sediakan data dalam salah satunya",
                f"{media} is not one of the agreed open formats (json, xml, csv, "
                "geojson); offer the data in one of them",
            )
        elif found and api.formats is not None and found not in declared:
            listed = ", ".join(sorted(declared)) or "-"
            yield problem(
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
