"""An OpenAPI document: parsed within limits, validated with our own ``$ref``
resolver. One module for whoever feeds it: the probe (a fetched or submitted
document) and ``check`` (issue 15).

Limits fit real documents: a 1.4 MB description is ordinary, so a document may
be ``MAX_BYTES`` (16 MiB), nest ``MAX_DEPTH`` levels and, in YAML, hold
``LIMITS.nodes`` nodes once aliases are expanded. JSON goes through the one
bounded JSON reader, YAML through the manifest's reader with these limits.

Validation messages name a JSON Pointer and a short reason, the same on every
run: never a Python repr (``<Proxy at 0x7f...>``), never a set's order.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Any

from spbe_lint import yamltree
from spbe_lint.i18n import LocalText, escape_controls
from spbe_lint.references import Resolver, Unusable

MAX_BYTES = 16 << 20
MAX_DEPTH = 128
LIMITS = yamltree.Limits(nodes=1_000_000, depth=MAX_DEPTH)
_SHORT = 200  # characters of a validator's message kept


class Unreadable(Unusable):
    """A document that cannot be read within the limits or is not JSON/YAML.
    ``limit`` says a limit was broken (could not judge) rather than the text
    being malformed."""

    def __init__(self, reason: LocalText, *, limit: bool, where: Any = None) -> None:
        super().__init__(reason)
        self.limit = limit
        # where it happened (1-based), when the reader said
        self.line: int | None = getattr(where, "line", None)
        self.column: int | None = getattr(where, "column", None)


def parse(raw: bytes, name: str) -> Any:
    """The document in *raw*: JSON when it starts like JSON, else YAML. None when
    it is text but no mapping (an HTML page at a usual location); Unreadable
    when it breaks a limit or is malformed JSON or YAML."""
    from spbe_lint.jsonread import JsonProblem, loads, too_large

    if len(raw) > MAX_BYTES:
        raise Unreadable(too_large(len(raw), MAX_BYTES), limit=True)
    if raw.lstrip()[:1] in (b"{", b"["):
        try:
            return loads(raw, max_bytes=MAX_BYTES, max_depth=MAX_DEPTH)
        except JsonProblem as problem:
            raise Unreadable(
                _placed(problem.message, problem), limit=problem.limit, where=problem
            ) from None
    return _yaml(raw, name)


def _yaml(raw: bytes, name: str) -> Any:
    document = read_yaml(raw, name)
    if document is None:
        return None
    return document.data if isinstance(document.data, dict) else None


def read_yaml(raw: bytes, name: str) -> Any:
    """*raw* as a ``source.Document`` (data and the node tree for positions),
    within this module's limits; None when it is not text or holds nothing;
    Unreadable when it breaks a limit or is malformed YAML."""
    from spbe_lint import source
    from spbe_lint.errors import InputError
    from spbe_lint.findings import InputFile

    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None  # not text: not a description (a binary answer)
    if not text.strip():
        return None
    info = InputFile(name, hashlib.sha256(raw).hexdigest(), len(raw))
    try:
        document = source.parse(text, info, limits=LIMITS)
    except InputError as exc:  # too deep, or too many nodes once aliases expand
        raise Unreadable(_placed(exc.message, exc), limit=True, where=exc) from None
    for issue in document.issues:
        if issue.code in ("yaml-syntax", "duplicate-key"):
            message = source.describe_issue(issue)
            raise Unreadable(
                _placed(message, issue.span), limit=False, where=issue.span
            )
    return document


def _placed(message: LocalText, where: Any) -> LocalText:
    line = getattr(where, "line", None)
    column = getattr(where, "column", None)
    if line is None:
        return message
    return LocalText(
        f"{message.id} (baris {line}, kolom {column})",
        f"{message.en} (line {line}, column {column})",
    )


def is_description(document: Any) -> bool:
    return (
        isinstance(document, dict)
        and ("openapi" in document or "swagger" in document)
        and isinstance(document.get("paths"), dict)
    )


def validate(document: Any, resolver: Resolver, base_uri: str) -> str | None:
    """The first thing openapi-spec-validator finds wrong with *document*, as
    ``/json/pointer: short reason`` (English), or None when it is valid. Every
    ``$ref`` goes through *resolver*; a refused one is the answer."""
    found = complaints(document, resolver, base_uri, limit=1)
    return found[0].text() if found else None


@dataclass(frozen=True)
class Complaint:
    """One thing the validator found wrong: where (a path into the document,
    None when the validator did not say) and a short reason (English)."""

    path: tuple[str | int, ...] | None
    reason: str

    def text(self) -> str:
        if self.path is None:
            return self.reason
        pointer = "/" + "/".join(_escape(str(p)) for p in self.path)
        return f"{pointer}: {self.reason}"


def complaints(
    document: Any, resolver: Resolver, base_uri: str, *, limit: int = 10
) -> list[Complaint]:
    """Up to *limit* things openapi-spec-validator finds wrong with *document*
    (and, past the limit, one more saying how many were left out). Schema errors
    carry their place; the keyword checks, which follow ``$ref`` through
    *resolver*, are run only on a document the schema accepts."""
    from jsonschema_path import SchemaPath
    from jsonschema_path.accessors import SchemaAccessor
    from openapi_spec_validator.shortcuts import get_validator_cls
    from openapi_spec_validator.validation.exceptions import ValidatorDetectError
    from referencing.exceptions import Unresolvable

    try:
        cls = get_validator_cls(document)
    except ValidatorDetectError:
        return [Complaint((), "the OpenAPI version is not one this validator knows")]
    registry = resolver.registry(document, base_uri)
    accessor = SchemaAccessor(document, registry.resolver(base_uri=base_uri))
    validator = cls(SchemaPath(accessor))
    found: list[Complaint] = []
    try:
        # The document against the OpenAPI schema: errors carry their place.
        errors = _schema_errors(validator.schema_validator, document)
        count = 0
        for error in errors:
            count += 1
            if count <= limit:
                found.append(_complaint(error))
        if count > limit:
            found.append(Complaint(None, _more(count - limit)))
        if found:
            return found
        # Then the keyword checks; their errors carry no place in the document.
        error = next(iter(validator.root_validator(validator.schema_path)), None)
    except RecursionError:
        return [Complaint((), "references nest too deep to validate")]
    except Unresolvable as exc:  # refused by our resolver, or a dangling pointer
        if resolver.problems:
            return [_refused(document, base_uri, resolver)]
        ref = escape_controls(str(exc.ref))[:_SHORT]
        where = _where_referenced(document, base_uri, ref, whole=True)
        text = f"$ref {ref}: cannot be resolved (nothing there)"
        return [Complaint(where, text)]
    except Exception as exc:  # the validator's own failure on odd input
        if resolver.problems:
            return [_refused(document, base_uri, resolver)]
        return [Complaint((), f"the validator stopped: {type(exc).__name__}")]
    if resolver.problems:  # a refusal the validator passed over
        return [_refused(document, base_uri, resolver)]
    return [] if error is None else [Complaint(None, describe(error, located=False))]


def _schema_errors(fast: Any, document: Any) -> Any:
    """The schema errors of *document*. openapi-spec-validator validates with
    jsonschema-rs when it is installed (a 1 MB description in milliseconds
    instead of seconds); its errors do not say which alternative of a oneOf
    came closest, so an invalid document is validated again with jsonschema,
    whose errors do (``_specific``): the cost falls on broken documents only."""
    errors = iter(fast.iter_errors(document))
    first = next(errors, None)
    if first is None:
        return ()
    from openapi_spec_validator.schemas import get_validator_backend

    schema = getattr(fast, "schema", None)
    if get_validator_backend() == "jsonschema-rs" and isinstance(schema, dict):
        from jsonschema.validators import validator_for

        return validator_for(schema)(schema).iter_errors(document)
    from itertools import chain

    return chain((first,), errors)


def _more(count: int) -> str:
    return f"{count} more validation errors not shown (fix these first)"


def _complaint(error: Any) -> Complaint:
    path = tuple(getattr(error, "absolute_path", None) or ())
    return Complaint(path, describe(_specific(error), located=False))


def _specific(error: Any) -> Any:
    """For "not valid under any of the given schemas" (oneOf/anyOf), the error
    of the alternative that came closest, which says what is missing: never the
    "it could be a $ref" alternative, and only errors about the same place."""
    from jsonschema.exceptions import best_match

    for _ in range(16):  # alternatives nest (Parameter: schema or content...)
        candidates = [
            c
            for c in getattr(error, "context", None) or ()
            if tuple(c.absolute_path) == tuple(error.absolute_path)
            and not (c.validator == "required" and "'$ref'" in c.message)
        ]
        if not candidates:
            return error
        error = best_match(candidates)
    return error


def _refused(document: Any, base_uri: str, resolver: Resolver) -> Complaint:
    """The first refused reference, at the place in *document* that makes it
    (when it is in *document* itself rather than in a referenced file)."""
    problem = resolver.problems[0]
    return Complaint(_where_referenced(document, base_uri, problem.uri), problem.text())


def _where_referenced(
    document: Any, base_uri: str, target: str, *, whole: bool = False
) -> tuple[str | int, ...] | None:
    """The path of the first ``$ref`` in *document* that names *target* (a
    document's URI; with *whole*, the reference or its fragment)."""
    from collections import deque
    from urllib.parse import urldefrag, urljoin

    pending: deque[tuple[Any, tuple[str | int, ...]]] = deque([(document, ())])
    while pending:
        node, pointer = pending.popleft()
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str):
                if whole:  # a pointer that led nowhere: as written, or its fragment
                    found = ref == target or ref.endswith("#" + target)
                else:
                    found = urldefrag(urljoin(base_uri, ref))[0] == target
                if found:
                    return (*pointer, "$ref")
            pending.extend((value, (*pointer, key)) for key, value in node.items())
        elif isinstance(node, list):
            pending.extend((value, (*pointer, i)) for i, value in enumerate(node))
    return None


def _escape(part: str) -> str:
    return part.replace("~", "~0").replace("/", "~1")


def describe(error: Any, *, located: bool = True) -> str:
    """``/pointer: reason`` for one validation error (just the reason when the
    validator did not say where), stable between runs."""
    from openapi_spec_validator.validation.exceptions import ExtraParametersError

    path = list(getattr(error, "absolute_path", None) or [])
    pointer = "/" + "/".join(_escape(str(p)) for p in path) if located else ""
    message = str(getattr(error, "message", None) or error).split("\n", 1)[0]
    if isinstance(error, ExtraParametersError):
        # built from a set: its order changes with every process's hash seed
        head, _, listed = message.partition(": ")
        names = sorted(re.findall(r"'((?:[^'\\]|\\.)*)'", listed))
        message = f"{head}: {', '.join(names)}"
    message = _ADDRESS.sub("", escape_controls(" ".join(message.split())))
    if len(message) > _SHORT:
        message = message[: _SHORT - 1] + "…"
    return f"{pointer}: {message}" if pointer else message


_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")  # a repr's address: differs every run
