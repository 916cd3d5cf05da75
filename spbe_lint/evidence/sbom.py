"""The SBOM the handover names (``handover.sbom``), judged as a document (HAND-010).

It must be the JSON form of CycloneDX (1.4 to 1.7) or SPDX (2.2, 2.3), valid
against the official JSON Schema of the version it declares (shipped in
``schemas/sbom/``, see its SOURCES.md; their ``$ref``s resolve among themselves,
never over the network), list at least one component besides the application,
and name the application the manifest describes (``app.name``, ``app.title`` or
``app.id``). Each problem points into the SBOM: JSON Pointer, line and column.

Whether the file is there at all is the ``document-exists`` check's question;
this one judges only a file that is there.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from spbe_lint.evidence import files
from spbe_lint.findings import Location, Span, Violation
from spbe_lint.i18n import LocalText, escape_controls
from spbe_lint.pointers import to_pointer

if TYPE_CHECKING:
    from spbe_lint.evidence.settings import EvidenceContext

MAX_BYTES = 32 * 1024 * 1024
MAX_ERRORS = 5  # schema errors reported per SBOM (the first, in document order)
CYCLONEDX = ("1.4", "1.5", "1.6", "1.7")
SPDX = ("SPDX-2.2", "SPDX-2.3")
_SUPPORTED = "CycloneDX " + ", ".join(CYCLONEDX) + "; SPDX 2.2, 2.3 (JSON)"
_RESOURCES = (
    "cyclonedx-spdx",
    "cyclonedx-jsf-0.82",
    "cyclonedx-cryptography-defs",
)


def sbom(
    value: Any, params: Mapping[str, Any], context: EvidenceContext
) -> Iterator[Violation]:
    """HAND-010's judge of the SBOM file itself."""
    from spbe_lint.checks import documents

    if not isinstance(value, str) or documents.is_url(value):
        return
    if not context.documents_present or context.folder is None:
        return  # document-exists: a reviewer checks it (manual)
    target = documents.resolve(context.folder, value)
    if target is None or not target.is_file() or target.stat().st_size == 0:
        return  # document-exists: outside, not found or empty
    shown = context.display(value)
    try:
        raw = files.read_bounded(context.folder, value, MAX_BYTES, follow_links=True)
    except files.Unreadable as exc:
        yield _at(shown, "sbom-unreadable", {"reason": exc.reason})
        return
    yield from remembered_judgement(raw, shown, context.manifest)


def remembered_judgement(
    raw: bytes, shown: str, manifest: Mapping[str, Any]
) -> list[Violation]:
    """:func:`judge`, remembered by the SBOM's bytes, its name and the names it
    must carry (spbe_lint.cache): an SBOM changes with a release, not with every
    commit, and its schema costs more to compile than the rest of the hook."""
    import hashlib

    from spbe_lint import cache

    digest = hashlib.sha256(raw).hexdigest()
    key = "\0".join([digest, shown, *_names(manifest)])
    found = cache.read_object(key, kind="sbom")
    if isinstance(found, list) and all(isinstance(v, Violation) for v in found):
        return found
    judged = list(judge(raw, shown, manifest))
    cache.write_object(key, judged, kind="sbom")
    return judged


def judge(raw: bytes, shown: str, manifest: Mapping[str, Any]) -> Iterator[Violation]:
    """Every problem of an SBOM's bytes, located in it (*shown* names the file)."""
    data, problem = _parse(raw)
    if problem is not None:
        reason, line, column = problem
        yield _at(shown, "sbom-invalid", {"reason": reason}, line=line, column=column)
        return
    kind, version = _format(data)
    if kind is None:
        yield _at(shown, "sbom-format", {"supported": _SUPPORTED})
        return
    if version is None:
        where = ("specVersion",) if kind == "CycloneDX" else ("spdxVersion",)
        found = data.get(where[0])
        locate = _locator(raw, shown)
        yield _at(
            shown,
            "sbom-version",
            {"format": kind, "found": _show(found), "supported": _SUPPORTED},
            path=where,
            locate=locate,
        )
        return
    errors = _schema_errors(kind, version, data)
    locate = _locator(raw, shown) if errors else None
    for path, description in errors:
        yield _at(
            shown,
            "sbom-schema",
            {"format": f"{kind} {version}", "reason": description},
            path=path,
            locate=locate,
        )
    if errors:
        return
    content = _cyclonedx_content if kind == "CycloneDX" else _spdx_content
    for violation_kind, path, found in content(data, _names(manifest)):
        locate = locate or _locator(raw, shown)
        yield _at(
            shown,
            violation_kind,
            {"found": found, "expected": ", ".join(_names(manifest)) or "app.name"},
            path=path,
            locate=locate,
        )


def _parse(raw: bytes) -> tuple[Any, tuple[Any, int | None, int | None] | None]:
    """The SBOM's data, or why it is not JSON spbe-lint reads (the one bounded
    JSON reader: size, nesting depth, duplicate keys) and where."""
    from spbe_lint.jsonread import JsonProblem, loads

    try:
        return loads(raw, max_bytes=MAX_BYTES), None
    except JsonProblem as problem:
        return None, (problem.message, problem.line, problem.column)


def _format(data: Any) -> tuple[str | None, str | None]:
    """("CycloneDX" | "SPDX" | None, the supported version declared or None)."""
    if not isinstance(data, dict):
        return None, None
    if data.get("bomFormat") == "CycloneDX":
        version = data.get("specVersion")
        return "CycloneDX", version if version in CYCLONEDX else None
    if "spdxVersion" in data:
        version = data.get("spdxVersion")
        return "SPDX", version if version in SPDX else None
    return None, None


def _schema_errors(
    kind: str, version: str, data: Any
) -> list[tuple[tuple[str | int, ...], LocalText]]:
    validator = _validator(kind, version)
    if validator.quick(data) is True:
        return []  # valid: jsonschema is not even imported (spbe_lint.fastschema)
    from jsonschema.exceptions import relevance

    from spbe_lint import schema

    errors = sorted(validator.iter_errors(data), key=relevance)
    errors.sort(key=lambda e: [str(p) for p in e.absolute_path])
    found = []
    for error in errors[:MAX_ERRORS]:
        description = _required(error) or schema.describe(error)
        found.append(
            (
                tuple(error.absolute_path),
                LocalText(_short(description.id), _short(description.en)),
            )
        )
    return found


def _required(error: Any) -> LocalText | None:
    """Which key is missing (the generic description says only "is required")."""
    if error.validator != "required" or not isinstance(error.instance, dict):
        return None
    missing = [k for k in error.validator_value if k not in error.instance]
    names = ", ".join(str(k) for k in missing) or "?"
    return LocalText(f"{names} wajib ada", f"{names} is required")


def _short(text: str, limit: int = 200) -> str:
    text = escape_controls(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


@functools.cache
def _validator(kind: str, version: str) -> Any:
    """The official schema's validator (jsonschema-rs's verdict first, then
    jsonschema's errors: spbe_lint.fastschema); its references resolve among the
    shipped files only (a ``$ref`` elsewhere is an error, never a download)."""
    from spbe_lint.fastschema import FastValidator

    name = f"cyclonedx-bom-{version}" if kind == "CycloneDX" else version.lower()
    shipped = {_schema(other).get("$id"): other for other in _RESOURCES}

    def retrieve(uri: str) -> Any:
        if uri.split("#", maxsplit=1)[0] not in shipped:
            raise LookupError(uri)  # never the network
        return _schema(shipped[uri.split("#", maxsplit=1)[0]])

    return FastValidator(
        _schema(name),
        functools.partial(_python_validator, kind, version),
        retrieve,
        draft="Draft7Validator",  # what validator_for defaults to below, and $schema
        formats=False,  # no format checker below: format is an annotation
    )


def _python_validator(kind: str, version: str) -> Any:
    import jsonschema
    import referencing
    import referencing.jsonschema

    name = f"cyclonedx-bom-{version}" if kind == "CycloneDX" else version.lower()
    resources = [
        referencing.Resource.from_contents(
            _schema(other), default_specification=referencing.jsonschema.DRAFT7
        )
        for other in _RESOURCES
    ]
    registry = referencing.Registry().with_resources(
        (resource.id(), resource) for resource in resources if resource.id()
    )
    document = _schema(name)
    cls = jsonschema.validators.validator_for(
        document, default=jsonschema.Draft7Validator
    )
    return cls(document, registry=registry)


def _schema(name: str) -> dict[str, Any]:
    from spbe_lint.resources import package_files

    text = package_files("spbe_lint.schemas").joinpath("sbom", f"{name}.schema.json")
    return json.loads(text.read_text("utf-8"))


def _names(manifest: Mapping[str, Any]) -> list[str]:
    app = manifest.get("app") if isinstance(manifest, Mapping) else None
    if not isinstance(app, Mapping):
        return []
    return [app[k] for k in ("name", "title", "id") if isinstance(app.get(k), str)]


def _same(found: Any, names: Sequence[str]) -> bool:
    """Whether an SBOM's name for the application is one of the manifest's
    (case, spaces and a package scope such as ``@opd/`` aside)."""
    if not isinstance(found, str):
        return False

    def norm(text: str) -> str:
        return "-".join(text.rsplit("/", 1)[-1].lower().replace("_", " ").split())

    return norm(found) in {norm(name) for name in names}


Problem = tuple[str, tuple[str | int, ...], str]


def _cyclonedx_content(data: dict[str, Any], names: Sequence[str]) -> list[Problem]:
    problems: list[Problem] = []
    components = data.get("components")
    if not isinstance(components, list) or not components:
        where = ("components",) if "components" in data else ()
        problems.append(("sbom-empty", where, "0"))
    metadata = data.get("metadata")
    application = metadata.get("component") if isinstance(metadata, dict) else None
    if not isinstance(application, dict):
        where = ("metadata",) if isinstance(metadata, dict) else ()
        problems.append(("sbom-no-application", where, "-"))
    elif names and not _same(application.get("name"), names):
        found = _show(application.get("name"))
        problems.append(
            ("sbom-other-application", ("metadata", "component", "name"), found)
        )
    return problems


def _spdx_content(data: dict[str, Any], names: Sequence[str]) -> list[Problem]:
    problems: list[Problem] = []
    packages = data.get("packages")
    packages = packages if isinstance(packages, list) else []
    described = set(data.get("documentDescribes") or ())
    for relation in data.get("relationships") or ():
        if (
            isinstance(relation, dict)
            and relation.get("spdxElementId") == data.get("SPDXID")
            and relation.get("relationshipType") == "DESCRIBES"
        ):
            described.add(relation.get("relatedSpdxElement"))
    apps = [
        (index, p)
        for index, p in enumerate(packages)
        if isinstance(p, dict) and p.get("SPDXID") in described
    ]
    if len(packages) - len(apps) < 1:
        problems.append(
            ("sbom-empty", ("packages",) if "packages" in data else (), "0")
        )
    if not apps:
        problems.append(("sbom-no-application", (), "-"))
    elif names and not any(_same(p.get("name"), names) for _, p in apps):
        index, first = apps[0]
        problems.append(
            (
                "sbom-other-application",
                ("packages", index, "name"),
                _show(first.get("name")),
            )
        )
    return problems


def _show(value: Any) -> str:
    from spbe_lint import schema

    return schema.show(value)


Locate = Callable[[Sequence[str | int]], Span]


def _locator(raw: bytes, shown: str) -> Locate:
    """Positions of JSON Pointers in the SBOM's text, through the same YAML
    composer that positions manifests (JSON is YAML); line 1 if it cannot."""
    import hashlib

    from spbe_lint import source
    from spbe_lint.errors import SpbeError
    from spbe_lint.findings import InputFile

    try:
        text = raw.decode("utf-8-sig")
        info = InputFile(shown, hashlib.sha256(raw).hexdigest(), len(raw))
        document = source.parse(text, info)
    except (SpbeError, UnicodeDecodeError, RecursionError):
        return lambda path: Span(1, 1, 1, 1)
    if document.root is None:
        return lambda path: Span(1, 1, 1, 1)
    return document.locate


def _at(
    shown: str,
    kind: str,
    params: Mapping[str, Any],
    *,
    path: Sequence[str | int] = (),
    locate: Locate | None = None,
    line: int | None = None,
    column: int | None = None,
) -> Violation:
    if locate is not None:
        span = locate(path)
    else:
        span = Span(line or 1, column or 1, line or 1, column or 1)
    pointer = to_pointer(path)
    return Violation(
        params={"file": shown, "pointer": pointer or "/", **params},
        kind=kind,
        location=Location(shown, pointer, span),
    )
