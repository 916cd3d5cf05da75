"""The API description: found (the declared URL first, then the usual
locations), parsed within limits, validated with openapi-spec-validator, and
versioned; and a non-public API refuses a request without credentials."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from spbe_lint.probes.facts import Exchange, Verdict
from spbe_lint.probes.facts import verdict as _v

if TYPE_CHECKING:
    from spbe_lint.probes.facts import Endpoint, ProbeFacts
    from spbe_lint.probes.transport import Fetcher

# Relative to the API base (springdoc, FastAPI, Swashbuckle, NestJS defaults).
LOCATIONS = (
    "openapi.json",
    "openapi.yaml",
    "v3/api-docs",
    "swagger.json",
    "v3/api-docs.yaml",
    "v2/api-docs",
    "swagger/v1/swagger.json",
    "api-docs",
    "api-json",
)
MAX_REQUESTS = 12
_VERSION = re.compile(r"^/?(?:api/)?v\d+(?:[./]|$)", re.IGNORECASE)


@dataclass(frozen=True)
class OpenApiFacts:
    tried: tuple[Exchange, ...] = ()
    url: str | None = None  # where the document was found
    source: str = ""  # declared | location | file
    document: Any = None
    problem: str | None = None  # why the found document is not usable
    validation: str | None = None  # the validator's first complaint
    protected: bool = False  # the declared URL answered 401/403
    declared: str | None = None  # the manifest's spec value

    def evidence(self) -> dict[str, Any]:
        data: dict[str, Any] = {"tried": [e.evidence() for e in self.tried][-3:]}
        if self.url:
            data["found"] = self.url
        if self.validation:
            data["validation"] = self.validation[:1024]
        return data


def parse(raw: bytes, name: str) -> Any:
    """JSON, else YAML through the manifest reader's limits (aliases, depth)."""
    try:
        return json.loads(raw)
    except ValueError:
        pass
    from spbe_lint import source
    from spbe_lint.errors import InputError
    from spbe_lint.findings import InputFile

    try:
        text = raw.decode("utf-8")
        info = InputFile(name, hashlib.sha256(raw).hexdigest(), len(raw))
        document = source.parse(text, info)
    except (UnicodeDecodeError, InputError):
        return None
    return document.data if document.root is not None else None


def _is_description(document: Any) -> bool:
    return (
        isinstance(document, dict)
        and ("openapi" in document or "swagger" in document)
        and isinstance(document.get("paths"), dict)
    )


def candidates(endpoint: Endpoint) -> list[str]:
    base = endpoint.url.rstrip("/") + "/"
    spec = endpoint.api.get("spec")
    found = (
        [spec]
        if isinstance(spec, str) and spec.startswith(("https://", "http://"))
        else []
    )
    found += [base + location for location in LOCATIONS]
    origin = "{0.scheme}://{0.netloc}/".format(urlsplit(endpoint.url))
    found += [origin + location for location in LOCATIONS[:2]]
    unique: list[str] = []
    for url in found:
        if url not in unique:
            unique.append(url)
    return unique[:MAX_REQUESTS]


def collect(
    transport: Fetcher, endpoint: Endpoint, folder: Path | None
) -> OpenApiFacts:
    tried: list[Exchange] = []
    spec = endpoint.api.get("spec")
    declared = spec if isinstance(spec, str) else None
    protected = False
    for index, url in enumerate(candidates(endpoint)):
        exchange = transport.fetch(
            url,
            headers={
                "Accept": "application/json, application/yaml, application/openapi+json"
            },
        )
        tried.append(exchange)
        if index == 0 and url == declared and exchange.status in (401, 403):
            protected = True
        if exchange.status != 200 or exchange.stopped:
            continue
        document = parse(exchange.body, url)
        if _is_description(document):
            source = "declared" if url == declared else "location"
            return _validated(
                OpenApiFacts(
                    tuple(tried),
                    url,
                    source,
                    document,
                    protected=protected,
                    declared=declared,
                )
            )
    local = _local_file(declared, folder)
    if local is not None:
        document = parse(local.read_bytes()[: 1 << 20], str(local))
        if _is_description(document):
            return _validated(
                OpenApiFacts(
                    tuple(tried), declared, "file", document, declared=declared
                )
            )
        return OpenApiFacts(
            tuple(tried),
            declared,
            "file",
            None,
            problem="the submitted file is not an OpenAPI document",
            declared=declared,
        )
    return OpenApiFacts(tuple(tried), protected=protected, declared=declared)


def _local_file(declared: str | None, folder: Path | None) -> Path | None:
    if not declared or folder is None or "://" in declared:
        return None
    candidate = (folder / declared).resolve()
    try:
        candidate.relative_to(folder.resolve())
    except ValueError:
        return None
    return candidate if candidate.is_file() else None


def _validated(facts: OpenApiFacts) -> OpenApiFacts:
    from dataclasses import replace

    from openapi_spec_validator import validate
    from openapi_spec_validator.validation.exceptions import OpenAPIValidationError

    try:
        validate(facts.document)
    except OpenAPIValidationError as exc:
        return replace(facts, validation=" ".join(str(exc).split())[:1024])
    except Exception as exc:  # an unknown version, a broken $ref...
        return replace(facts, validation=f"{type(exc).__name__}: {exc}"[:1024])
    return facts


def _apis(facts: ProbeFacts) -> Iterator[tuple[Any, OpenApiFacts]]:
    for observation in facts.of_role("api"):
        if observation.openapi is not None:
            yield observation, observation.openapi


def judge_found(facts: ProbeFacts) -> Iterator[Verdict]:
    for observation, api in _apis(facts):
        url, evidence = observation.url, api.evidence()
        if api.url and api.document is not None:
            where = "berkas yang diserahkan" if api.source == "file" else api.url
            yield _v(
                "openapi-found",
                "pass",
                url,
                f"spesifikasi OpenAPI: {where}",
                f"OpenAPI description: {api.url}",
                evidence,
            )
            continue
        if api.protected:
            yield _v(
                "openapi-found",
                "inconclusive",
                url,
                "URL spesifikasi terlindungi (401/403); serahkan berkasnya bersama "
                "manifest",
                "the declared description is protected (401/403); "
                "submit the file with the manifest",
                evidence,
            )
            continue
        if not any(e.ok for e in api.tried) and api.source != "file":
            why = api.tried[0].error if api.tried else "nothing tried"
            yield _v(
                "openapi-found",
                "inconclusive",
                url,
                f"API tidak dapat dihubungi: {why}",
                f"the API cannot be reached: {why}",
                evidence,
            )
            continue
        id_ = "tidak ada dokumen OpenAPI di URL yang dinyatakan maupun lokasi umum"
        en = "no OpenAPI document at the declared URL or the usual locations"
        if api.problem:
            id_, en = f"{id_} ({api.problem})", f"{en} ({api.problem})"
        declaration = observation.endpoint.declared
        if declaration is not None and api.declared:
            says = declaration.says()
            id_, en = f"{says.id}; teramati: {id_}", f"{says.en}; observed: {en}"
        yield _v("openapi-found", "fail", url, id_, en, evidence)


def judge_valid(facts: ProbeFacts) -> Iterator[Verdict]:
    for observation, api in _apis(facts):
        if api.document is None:
            continue
        if api.validation:
            yield _v(
                "openapi-valid",
                "fail",
                observation.url,
                f"dokumen OpenAPI tidak sah: {api.validation[:300]}",
                f"the OpenAPI document is not valid: {api.validation[:300]}",
                api.evidence(),
            )
        else:
            yield _v(
                "openapi-valid",
                "pass",
                observation.url,
                "dokumen OpenAPI sah",
                "valid OpenAPI document",
                api.evidence(),
            )


def judge_versioned(facts: ProbeFacts) -> Iterator[Verdict]:
    for observation, api in _apis(facts):
        document = api.document
        if not isinstance(document, dict):
            continue
        servers = [
            s.get("url", "")
            for s in document.get("servers") or []
            if isinstance(s, dict)
        ]
        base_path = document.get("basePath", "")
        paths = list(document.get("paths") or {})
        server_paths = [urlsplit(s).path for s in servers] + (
            [base_path] if base_path else []
        )
        versioned = (server_paths and all(_VERSION.match(p) for p in server_paths)) or (
            paths and all(_VERSION.match(p) for p in paths)
        )
        versioned = versioned or bool(_VERSION.search(urlsplit(observation.url).path))
        if versioned:
            yield _v(
                "api-versioned",
                "pass",
                observation.url,
                "API memakai segmen versi (/v1)",
                "the API uses a version segment (/v1)",
                api.evidence(),
            )
        else:
            shown = ", ".join((server_paths or paths)[:3]) or "/"
            yield _v(
                "api-versioned",
                "fail",
                observation.url,
                f"API tanpa segmen versi (/v1) pada servers atau paths: {shown}",
                f"the API has no version segment (/v1) in servers or paths: {shown}",
                api.evidence(),
            )


def judge_auth(facts: ProbeFacts) -> Iterator[Verdict]:
    for observation in facts.of_role("api"):
        exchange = observation.api_anonymous
        if exchange is None:
            continue
        url, evidence = observation.url, exchange.evidence()
        public = observation.endpoint.api.get("public") is True
        if public:
            yield _v(
                "api-auth",
                "not_applicable",
                url,
                "API dinyatakan publik",
                "the API is declared public",
                evidence,
            )
        elif not exchange.ok:
            yield _v(
                "api-auth",
                "inconclusive",
                url,
                f"API tidak dapat dihubungi: {exchange.error}",
                f"the API cannot be reached: {exchange.error}",
                evidence,
            )
        elif exchange.status in (401, 403):
            yield _v(
                "api-auth",
                "pass",
                url,
                f"tanpa kredensial dijawab {exchange.status}",
                f"answers {exchange.status} without credentials",
                evidence,
            )
        elif 200 <= exchange.status < 300:
            yield _v(
                "api-auth",
                "fail",
                url,
                f"API yang tidak publik menjawab {exchange.status} tanpa kredensial",
                f"a non-public API answers {exchange.status} without credentials",
                evidence,
            )
        else:
            yield _v(
                "api-auth",
                "inconclusive",
                url,
                f"jawaban {exchange.status} tanpa kredensial tidak menunjukkan "
                "autentikasi",
                f"answer {exchange.status} without credentials shows "
                "no authentication either way",
                evidence,
            )
