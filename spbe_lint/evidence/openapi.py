"""The one judge of an OpenAPI description (2.0, 3.0, 3.1; JSON or YAML; one
file or several joined by relative ``$ref``), whoever feeds it.

``check`` feeds it the file ``interop.apis[].spec`` names (``openapi_document``
below, the Python check the INT rules name); ``probe`` feeds it the document it
fetched (``probes.openapi``). Both get the same Judgement: problems by aspect,
each placed in the document (line, column, JSON Pointer), with the same words.

- reading: ``apidoc`` (bounded JSON, or the manifest's YAML reader with the
  limits of an API description: 16 MiB, 128 levels, a million nodes);
- validity: openapi-spec-validator through the shared ``$ref`` resolver
  (``references``): relative references inside the submission folder only,
  remote ones only through the probe's pinned transport;
- the rest: ``apiaspects`` (the registry, and versioning, error responses,
  contact, formats), ``apihosts`` (servers), ``apiauth`` (security, auth).

Positions: a YAML document keeps its node tree; a JSON one is composed by the
same YAML reader (JSON is YAML's flow style) only when a problem needs placing,
so a clean document costs one fast JSON parse.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from spbe_lint.evidence.apiaspects import ASPECTS
from spbe_lint.evidence.apiproblem import Api, Problem, shown
from spbe_lint.evidence.apiresult import Judgement, Placed
from spbe_lint.findings import Span, Violation
from spbe_lint.i18n import LocalText
from spbe_lint.pointers import to_pointer

if TYPE_CHECKING:
    # what a check is given, as a protocol: no import of the checks package
    from spbe_lint.evidence.judgement import Context as CheckContext

# Every aspect a rule may name in ``params.aspects`` ("valid" is the reading and
# the validator; the others are apiaspects.ASPECTS).
ALL_ASPECTS = ("valid", *ASPECTS)
MAX_COMPLAINTS = 10  # validation errors placed one by one; the rest are counted


def api_of(
    entry: Mapping[str, Any], profile: Mapping[str, Any], *, declared: bool = True
) -> Api:
    """What a manifest's ``interop.apis[]`` entry and the profile say (values of
    the wrong type are left out: MAN-005 reports them)."""

    def text(value: Any) -> str | None:
        return value if isinstance(value, str) and value.strip() else None

    formats = entry.get("formats")
    sso = profile.get("sso")
    issuer = sso.get("issuer") if isinstance(sso, dict) else None
    return Api(
        public=entry.get("public") is True,
        auth=text(entry.get("auth")),
        owner=text(entry.get("owner")),
        formats=(
            tuple(f for f in formats if isinstance(f, str))
            if isinstance(formats, list)
            else None
        ),
        gateway=text(entry.get("gateway")),
        domain=text(profile.get("domain")) or "",
        issuer=text(issuer) or "",
        declared=declared,
    )


def judge(
    raw: bytes,
    name: str,
    api: Api,
    *,
    base_uri: str,
    folder: Path | None = None,
    fetch: Callable[[str], bytes] | None = None,
) -> Judgement:
    """Every problem of the description in *raw*, named *name* in reports.
    Relative ``$ref`` are followed inside *folder* (a submitted file); remote
    ones only through *fetch* (the probe's transport)."""
    from spbe_lint import apidoc
    from spbe_lint.references import Resolver

    places = _Places(raw, name)
    try:
        data = places.read()
    except apidoc.Unreadable as exc:
        span = Span(exc.line or 1, exc.column or 1, exc.line or 1, exc.column or 1)
        detail = _UNJUDGED if exc.limit else _MALFORMED
        placed = Placed(
            "valid", detail.format({"reason": exc.reason}), "", span, exc.limit
        )
        return Judgement(name, (placed,), False)
    if not apidoc.is_description(data):
        return Judgement(name, (Placed("valid", _NOT_OPENAPI, "", _START),), False)
    resolver = Resolver(apidoc.parse, folder=folder, fetch=fetch)
    found: list[Placed] = []
    for complaint in apidoc.complaints(data, resolver, base_uri, limit=MAX_COMPLAINTS):
        path = complaint.path or ()
        if complaint.path:
            detail = _INVALID.format({"where": shown(path), "reason": complaint.reason})
        else:  # the validator did not say where (a keyword check through $ref)
            detail = _INVALID_SOMEWHERE.format({"reason": complaint.reason})
        found.append(Placed("valid", detail, to_pointer(path), places.locate(path)))
    deref = _dereferencer(data, resolver, base_uri)
    for function in ASPECTS.values():
        try:
            problems = list(function(data, api, deref))
        except RecursionError:  # a document shaped to defeat the walk: say so
            problems = []
        for problem in problems:
            found.append(_place(problem, places))
    return Judgement(name, tuple(found), True, _files(resolver))


def _place(problem: Problem, places: _Places) -> Placed:
    return Placed(
        problem.aspect,
        problem.detail,
        to_pointer(problem.path),
        places.locate(problem.path),
    )


def _files(resolver: Any) -> tuple[str, ...]:
    """The submitted files the resolver read (for the cache: a changed one is
    a miss)."""
    from spbe_lint.references import LOCAL, shown_reference

    return tuple(
        sorted(
            {
                shown_reference(uri)
                for uri in resolver.documents
                if uri.startswith(LOCAL)
            }
        )
    )


def _dereferencer(data: Any, resolver: Any, base_uri: str) -> Callable[[Any], Any]:
    """Follows ``$ref`` for the aspects through the same resolver the validator
    used (each document read once); None for one that cannot be followed."""
    registry = resolver.registry(data, base_uri)
    root = registry.resolver(base_uri=base_uri)

    def deref(node: Any) -> Any:
        current = root
        for _ in range(16):  # a chain of references, not a loop
            if not isinstance(node, dict) or not isinstance(node.get("$ref"), str):
                return node
            try:
                resolved = current.lookup(node["$ref"])
            except Exception:  # refused or dangling: the validator says which
                return None
            node, current = resolved.contents, resolved.resolver
        return None

    return deref


_START = Span(1, 1, 1, 1)


class _Places:
    """Reads the document and says where a path is in it. YAML keeps its node
    tree from the start; JSON is parsed by the bounded JSON reader and composed
    as YAML only when something must be placed."""

    def __init__(self, raw: bytes, name: str) -> None:
        self.raw, self.name = raw, name
        self.document: Any = None
        self.composed = False

    def read(self) -> Any:
        from spbe_lint import apidoc

        if self.raw.lstrip()[:1] in (b"{", b"["):
            return apidoc.parse(self.raw, self.name)
        self.document = apidoc.read_yaml(self.raw, self.name)
        self.composed = True
        if self.document is None or not isinstance(self.document.data, dict):
            return None
        return self.document.data

    def locate(self, path: Sequence[str | int]) -> Span:
        if not self.composed:
            self.composed = True
            self.document = self._compose()
        if self.document is None:
            return _START
        return self.document.locate(tuple(path))

    def _compose(self) -> Any:
        from spbe_lint import apidoc

        try:
            return apidoc.read_yaml(self.raw, self.name)
        except apidoc.Unreadable:
            return None  # JSON that YAML reads otherwise: the start of the file


_UNJUDGED = LocalText(
    "dokumen OpenAPI tidak dapat dinilai: {reason}; peninjau harus memeriksanya",
    "the OpenAPI document cannot be judged: {reason}; a reviewer must check it",
)
_MALFORMED = LocalText(
    "dokumen OpenAPI bukan JSON/YAML yang sah: {reason}",
    "the OpenAPI document is not valid JSON/YAML: {reason}",
)
_NOT_OPENAPI = LocalText(
    "berkas ini bukan dokumen OpenAPI (tidak ada openapi/swagger dan paths); "
    "serahkan spesifikasi OpenAPI API yang sebenarnya",
    "this file is not an OpenAPI document (no openapi/swagger and paths); hand "
    "over the API's real OpenAPI description",
)
_INVALID_SOMEWHERE = LocalText(
    "dokumen tidak sah menurut skema OpenAPI: {reason}",
    "the document is not valid OpenAPI: {reason}",
)
_INVALID = LocalText(
    "{where}: tidak sah menurut skema OpenAPI: {reason}",
    "{where}: not valid OpenAPI: {reason}",
)


# ---- check: the submitted file, for the rules that name these aspects ----


@dataclass
class _Memo:
    """Judgements of this process, by file and declaration: several rules ask
    for aspects of the same document, and it is read and validated once. The
    files its references read are looked at again (size, time) on every use,
    so a long-lived process (an audit) never sees a stale judgement."""

    found: dict[tuple[Any, ...], tuple[Judgement, Any]] = field(default_factory=dict)

    def get(
        self, key: tuple[Any, ...], folder: Path, make: Callable[[], Judgement]
    ) -> Judgement:
        known = self.found.get(key)
        if known is not None and known[1] == _stats(folder, known[0].files):
            return known[0]
        if len(self.found) >= 16:  # an audit checks many applications
            self.found.pop(next(iter(self.found)))
        judgement = make()
        self.found[key] = (judgement, _stats(folder, judgement.files))
        return judgement


def _stats(folder: Path, files: Sequence[str]) -> tuple[Any, ...]:
    from spbe_lint.checks.documents import examine

    return tuple(
        (found.kind, found.size, found.mtime_ns)
        for found in (examine(folder, f) for f in files)
    )


_MEMO = _Memo()


def openapi_document(
    value: Any, params: Mapping[str, Any], context: CheckContext
) -> Iterator[Violation]:
    """The Python check ``openapi-document``: the aspects in ``params.aspects``
    of the description an ``interop.apis[]`` entry names, located in it.

    A published description (an https URL) is the probe's to judge; a file not
    submitted, missing or unreadable is INT-002's finding (document-exists).
    Rules that judge nothing else (``unjudged: manual``) say a person must look.
    """
    from spbe_lint.checks.documents import examine, is_url

    if not isinstance(value, dict):
        return
    aspects = tuple(params.get("aspects") or ALL_ASPECTS)
    manual = params.get("unjudged") == "manual"
    spec = value.get("spec")
    if not isinstance(spec, str) or not spec.strip():
        return
    if is_url(spec) or not context.documents_present or context.folder is None:
        if manual:
            kind = "openapi-published" if is_url(spec) else "openapi-manual"
            yield Violation(params={"value": spec}, kind=kind, needs_review=True)
        return
    found = examine(context.folder, spec)
    if found.kind != "file" or found.real is None:
        if manual:
            yield Violation(
                params={"value": spec}, kind="openapi-not-submitted", needs_review=True
            )
        return
    api = api_of(value, context.profile)
    name = context.display(spec)
    key = (str(found.real), found.size, found.mtime_ns, api, name)
    real, folder = found.real, context.folder
    judgement = _MEMO.get(
        key, folder, lambda: _judge_file(real, spec, name, api, context)
    )
    if not judgement.described and "valid" not in aspects:
        if manual:
            yield Violation(
                params={"value": spec}, kind="openapi-unjudged", needs_review=True
            )
        return
    for placed in judgement.of(aspects):
        yield Violation(
            params={"detail": placed.detail, "value": spec},
            kind="openapi",
            location=judgement.location(placed),
            needs_review=placed.review,
        )


def _judge_file(
    real: Path, spec: str, name: str, api: Api, context: CheckContext
) -> Judgement:
    import posixpath

    from spbe_lint import apidoc
    from spbe_lint.errors import InputError
    from spbe_lint.reading import read_bytes
    from spbe_lint.references import local_uri

    noun = LocalText("deskripsi API", "an API description")
    try:
        raw = read_bytes(real, name, apidoc.MAX_BYTES, noun)
    except InputError as exc:
        detail = _UNJUDGED.format({"reason": exc.message})
        return Judgement(name, (Placed("valid", detail, "", _START, True),), False)
    from spbe_lint.evidence import apicache

    return apicache.judged(
        raw,
        name,
        api,
        context.folder,
        lambda: judge(
            raw,
            name,
            api,
            base_uri=local_uri(posixpath.normpath(spec)),
            folder=context.folder,
        ),
    )
