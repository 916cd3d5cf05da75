"""The API description online: found (the declared URL first, then the usual
locations, then the submitted file) and fetched within limits; judged by the one
judge of OpenAPI descriptions (``evidence.openapi``), the same ``check`` uses for
the submitted file, so verdicts and messages are the same; and a non-public API
refuses a request without credentials.

The verdicts of the judged document point into it: the finding's location is
the document (its URL, or the submitted file) with the line, column and JSON
Pointer of the problem."""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from spbe_lint.i18n import LocalText
from spbe_lint.probes.facts import Exchange, Verdict
from spbe_lint.probes.facts import verdict as _v
from spbe_lint.probes.reasons import indonesian

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


@dataclass(frozen=True)
class OpenApiFacts:
    tried: tuple[Exchange, ...] = ()
    url: str | None = None  # where the document was found
    source: str = ""  # declared | location | file
    document: Any = None
    problem: LocalText | None = None  # why the found document is not usable
    judgement: Any = None  # evidence.openapi.Judgement of the found document
    protected: bool = False  # the declared URL answered 401/403
    declared: str | None = None  # the manifest's spec value
    # A document was there but broke a reading limit (size, depth, nodes):
    # nothing can be judged about it, which is not the same as "no document".
    unjudged: LocalText | None = None

    def evidence(self) -> dict[str, Any]:
        data: dict[str, Any] = {"tried": [e.evidence() for e in self.tried][-3:]}
        if self.url:
            data["found"] = self.url
        if self.unjudged:
            data["unreadable"] = self.unjudged.en[:1024]
        return data


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


_ACCEPT = {"Accept": "application/json, application/yaml, application/openapi+json"}


def collect(
    transport: Fetcher,
    endpoint: Endpoint,
    folder: Path | None,
    profile: Mapping[str, Any] | None = None,
) -> OpenApiFacts:
    from spbe_lint import apidoc

    tried: list[Exchange] = []
    spec = endpoint.api.get("spec")
    declared = spec if isinstance(spec, str) else None
    protected = False
    unjudged: LocalText | None = None
    for index, url in enumerate(candidates(endpoint)):
        exchange = transport.fetch(url, headers=_ACCEPT, limit=apidoc.MAX_BYTES)
        tried.append(replace(exchange, body=b""))  # evidence only: not its body
        if index == 0 and url == declared and exchange.status in (401, 403):
            protected = True
        if exchange.status != 200:
            continue
        if exchange.stopped:
            if exchange.stopped == "cap":
                unjudged = unjudged or _too_large(url)
            continue
        try:
            document = apidoc.parse(exchange.body, url)
        except apidoc.Unreadable as exc:
            if exc.limit:
                unjudged = unjudged or _at(url, exc.reason)
            continue
        if apidoc.is_description(document):
            source = "declared" if url == declared else "location"
            facts = OpenApiFacts(
                tuple(tried),
                url,
                source,
                document,
                protected=protected,
                declared=declared,
            )
            judge = _Judge(transport, endpoint, profile)
            return replace(facts, judgement=judge(exchange.body, url, url, None))
    local = _local_file(declared, folder)
    if local is not None:
        judge = _Judge(transport, endpoint, profile)
        facts = _from_file(local, declared, folder, tuple(tried), judge)
        if facts.document is not None or not unjudged or facts.unjudged:
            return facts
        # the submitted file is no description, but one online could not be
        # judged: that is what the finding must say
        return replace(facts, problem=None, unjudged=unjudged)
    return OpenApiFacts(
        tuple(tried), protected=protected, declared=declared, unjudged=unjudged
    )


def _too_large(url: str) -> LocalText:
    from spbe_lint.apidoc import MAX_BYTES
    from spbe_lint.jsonread import human_size

    size = human_size(MAX_BYTES)
    return LocalText(
        f"{url}: lebih besar dari {size} (batas untuk deskripsi API)",
        f"{url}: larger than {size} (the limit for an API description)",
    )


def _at(where: str, reason: LocalText) -> LocalText:
    return LocalText(f"{where}: {reason.id}", f"{where}: {reason.en}")


def _from_file(
    local: tuple[Path, str],
    declared: str | None,
    folder: Path | None,
    tried: tuple[Exchange, ...],
    judge: _Judge,
) -> OpenApiFacts:
    """The submitted description file (inside the manifest's folder, read within
    apidoc's limits; its relative $refs are followed inside the folder)."""
    from spbe_lint import apidoc
    from spbe_lint.errors import InputError
    from spbe_lint.reading import read_bytes
    from spbe_lint.references import local_uri

    real, relative = local
    noun = LocalText("deskripsi API", "an API description")
    try:
        raw = read_bytes(real, relative, apidoc.MAX_BYTES, noun)
        document = apidoc.parse(raw, relative)
    except InputError as exc:
        return OpenApiFacts(
            tried, declared, "file", None, declared=declared, unjudged=exc.message
        )
    except apidoc.Unreadable as exc:
        reason = _at(relative, exc.reason)
        if exc.limit:
            return OpenApiFacts(
                tried, declared, "file", None, declared=declared, unjudged=reason
            )
        return OpenApiFacts(
            tried, declared, "file", None, problem=reason, declared=declared
        )
    if apidoc.is_description(document):
        facts = OpenApiFacts(tried, declared, "file", document, declared=declared)
        judgement = judge(raw, relative, local_uri(relative), folder)
        return replace(facts, judgement=judgement)
    return OpenApiFacts(
        tried,
        declared,
        "file",
        None,
        problem=LocalText(
            "berkas yang diserahkan bukan dokumen OpenAPI",
            "the submitted file is not an OpenAPI document",
        ),
        declared=declared,
    )


def _local_file(declared: str | None, folder: Path | None) -> tuple[Path, str] | None:
    """The submitted file the manifest declares (its real path and its path in
    the folder), when it is a file inside the folder."""
    if not declared or folder is None or "://" in declared:
        return None
    from spbe_lint.checks.documents import examine

    found = examine(folder, declared)
    if found.kind != "file" or found.real is None:
        return None
    return found.real, posixpath.normpath(declared)


class _Judge:
    """Feeds a found description to the one judge (``evidence.openapi``) with
    what the manifest declares about this API; its references are followed
    inside the submission folder (a submitted file) or through the probe's
    admitted, pinned transport (never anything else)."""

    def __init__(
        self, transport: Fetcher, endpoint: Endpoint, profile: Mapping[str, Any] | None
    ) -> None:
        from spbe_lint.evidence.openapi import api_of

        self.fetch = _fetcher(transport)
        # URLs given on the command line: nothing declared to compare with
        self.api = api_of(endpoint.api, profile or {}, declared=bool(endpoint.api))

    def __call__(
        self, raw: bytes, name: str, base_uri: str, folder: Path | None
    ) -> Any:
        from spbe_lint.evidence.openapi import judge

        return judge(
            raw, name, self.api, base_uri=base_uri, folder=folder, fetch=self.fetch
        )


def _fetcher(transport: Fetcher) -> Callable[[str], bytes]:
    """A remote $ref's document through the probe's transport: the SSRF guard
    admits only city hosts and pins their addresses; a refusal is the reason."""
    from spbe_lint import apidoc
    from spbe_lint.references import Unusable

    def fetch(url: str) -> bytes:
        exchange = transport.fetch(url, headers=_ACCEPT, limit=apidoc.MAX_BYTES)
        if not exchange.ok:
            why = exchange.error or "no response"
            raise Unusable(
                LocalText(f"tidak diambil: {indonesian(why)}", f"not fetched: {why}")
            )
        if exchange.status != 200:
            status = exchange.status
            raise Unusable(
                LocalText(f"dijawab HTTP {status}", f"answered HTTP {status}")
            )
        if exchange.stopped:
            stop = exchange.stopped
            raise Unusable(LocalText(f"isi terhenti: {stop}", f"body stopped: {stop}"))
        return exchange.body

    return fetch


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
        if api.unjudged:
            yield _v(
                "openapi-found",
                "inconclusive",
                url,
                f"dokumen OpenAPI tidak dapat dinilai: {api.unjudged.id}",
                f"the OpenAPI document cannot be judged: {api.unjudged.en}",
                evidence,
            )
            continue
        if not any(e.ok for e in api.tried) and api.source != "file":
            why = api.tried[0].error if api.tried else "nothing tried"
            yield _v(
                "openapi-found",
                "inconclusive",
                url,
                f"API tidak dapat dihubungi: {indonesian(why)}",
                f"the API cannot be reached: {why}",
                evidence,
            )
            continue
        id_ = "tidak ada dokumen OpenAPI di URL yang dinyatakan maupun lokasi umum"
        en = "no OpenAPI document at the declared URL or the usual locations"
        if api.problem:
            id_, en = f"{id_} ({api.problem.id})", f"{en} ({api.problem.en})"
        declaration = observation.endpoint.declared
        if declaration is not None and api.declared:
            says = declaration.says()
            id_, en = f"{says.id}; teramati: {id_}", f"{says.en}; observed: {en}"
        yield _v("openapi-found", "fail", url, id_, en, evidence)


# The probe checks that report the judge's aspects, and what each says when the
# document has no problem of that kind.
ASPECT_CHECKS: dict[str, tuple[str, str, str]] = {
    "openapi-valid": ("valid", "dokumen OpenAPI sah", "valid OpenAPI document"),
    "api-versioned": (
        "versioned",
        "versi mayor di URL sesuai info.version",
        "the major version in the URL agrees with info.version",
    ),
    "openapi-servers": (
        "servers",
        "alamat server API memakai HTTPS pada domain kota",
        "the API's servers use HTTPS on the city domain",
    ),
    "openapi-security": (
        "security",
        "setiap operasi mewajibkan security scheme",
        "every operation requires a security scheme",
    ),
    "openapi-auth": (
        "auth",
        "skema autentikasi sesuai pernyataan manifest",
        "the security schemes match the manifest's auth",
    ),
    "openapi-errors": (
        "errors",
        "respons galat didokumentasikan sebagai application/problem+json",
        "error responses are documented as application/problem+json",
    ),
    "openapi-contact": (
        "contact",
        "info.contact menyebut penanggung jawab API",
        "info.contact names the API's owner",
    ),
    "openapi-formats": (
        "formats",
        "media type memakai format terbuka yang dinyatakan",
        "media types are the declared open formats",
    ),
}


def judge_aspects(facts: ProbeFacts) -> Iterator[Verdict]:
    """Every aspect check's verdicts: a failure per problem the judge placed in
    the document (located there), or a pass saying what holds."""
    from spbe_lint.probes.facts import Verdict

    for observation, api in _apis(facts):
        judgement = api.judgement
        if judgement is None or api.document is None:
            continue
        entry = observation.endpoint.api
        for check, (aspect, id_, en) in ASPECT_CHECKS.items():
            # security applies to an API the manifest declares non-public; an
            # API key in the query string (auth) is wrong even in a public one
            skip = aspect == "security" and (not entry or entry.get("public"))
            if skip:
                why = (
                    LocalText("API dinyatakan publik", "the API is declared public")
                    if entry
                    else LocalText(
                        "tanpa manifest: tidak ada yang dinyatakan tentang API",
                        "no manifest: nothing is declared about the API",
                    )
                )
                yield _v(check, "not_applicable", observation.url, why.id, why.en)
                continue
            found = judgement.of([aspect])
            for placed in found:
                yield Verdict(
                    check,
                    "inconclusive" if placed.review else "fail",
                    observation.url,
                    placed.detail,
                    api.evidence(),
                    location=judgement.location(placed),
                )
            if not found:
                yield _v(check, "pass", observation.url, id_, en, api.evidence())


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
