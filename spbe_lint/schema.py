"""JSON Schema validation turned into violations with people-friendly messages.

Used for the manifest schema and for the JSON Schema predicates of rules.
jsonschema's own messages are English and technical; ``describe`` rewrites the
common keywords in both languages and uses the schema's own descriptions.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from spbe_lint import resources
from spbe_lint.errors import SpbeError
from spbe_lint.fastschema import FastValidator
from spbe_lint.findings import Violation
from spbe_lint.i18n import LocalText, escape_controls, split_description

# jsonschema and referencing (about 50 ms to import) are imported when a schema
# is compiled for jsonschema: only when a value is invalid, or a rule pack or
# configuration is validated (fastschema: valid values never need them).
if TYPE_CHECKING:
    import referencing
    from jsonschema.exceptions import ValidationError
    from jsonschema.protocols import Validator
else:
    Validator = Any
    ValidationError = Any

_TYPE_NAMES = {
    "string": ("teks", "text"),
    "integer": ("bilangan bulat", "an integer"),
    "number": ("angka", "a number"),
    "boolean": ("true/false", "true/false"),
    "object": ("mapping (kunci: nilai)", "a mapping (key: value)"),
    "array": ("daftar", "a list"),
    "null": ("kosong (null)", "null"),
}
SUPPORTED_VERSIONS = (1,)


SCHEMA_BASE = "https://spbe-lint.jambikota.go.id/schemas/"
SHIPPED_SCHEMAS = (
    "manifest",
    "rule",
    "pack",
    "config",
    "report",
    "waivers",
    "baseline",
    "dataset-metadata",
)


def _shipped(uri: str) -> Any:
    """The contents of one of spbe-lint's own schemas by URI, or LookupError."""
    name = uri.removeprefix(SCHEMA_BASE).removesuffix(".schema.json")
    if not uri.startswith(SCHEMA_BASE) or name not in SHIPPED_SCHEMAS:
        # Never fetch a schema over the network: checks are offline.
        raise LookupError(uri)
    return resources.schema(name)


def _retrieve(uri: str) -> referencing.Resource:
    import referencing
    import referencing.exceptions

    try:
        return referencing.Resource.from_contents(_shipped(uri))
    except LookupError:
        raise referencing.exceptions.NoSuchResource(ref=uri) from None


@functools.cache
def _registry() -> referencing.Registry:
    import referencing

    return referencing.Registry(retrieve=_retrieve)


@functools.cache
def _formats() -> Any:
    import jsonschema

    # Only the formats the shipped schemas use; "uri" would need an extra package.
    return jsonschema.FormatChecker(formats=("date", "email", "regex"))


def compile_schema(schema: Mapping[str, Any]) -> Validator:
    """A Draft 2020-12 validator that resolves only spbe-lint's own schemas."""
    import jsonschema

    return jsonschema.Draft202012Validator(
        schema, format_checker=_formats(), registry=_registry()
    )


def compile_fast(schema: Mapping[str, Any]) -> FastValidator:
    """:func:`compile_schema` behind jsonschema-rs's verdict (spbe_lint.fastschema):
    the same errors, computed only for invalid values."""
    return FastValidator(
        schema, functools.partial(compile_schema, schema), retrieve=_shipped
    )


def check_schema(schema: Mapping[str, Any]) -> None:
    import jsonschema

    jsonschema.Draft202012Validator.check_schema(schema)


def violations(validator: Validator, instance: Any) -> list[Violation]:
    """Violations of *instance*, with paths relative to it (kinds: required, invalid)."""
    return [v for error in validator.iter_errors(instance) for v in _from_error(error)]


def manifest_violations(data: Mapping[str, Any]) -> list[Violation]:
    """The manifest against ``schemas/manifest.schema.json``.

    Codes: ``version`` (MAN-004), ``schema`` (MAN-005), ``unknown-key-top``
    (MAN-006) and ``unknown-key-nested`` (MAN-007).
    """
    found: list[Violation] = []
    if "spbe" not in data:
        found.append(Violation(kind="missing", code="version"))
    elif not _is_supported_version(data["spbe"]):
        # Another format version gives other keys other meanings: stop here.
        version = data["spbe"]
        kind = "type" if isinstance(version, (str, bool)) else "default"
        return [
            Violation(
                path=("spbe",),
                params={"value": json.dumps(version, ensure_ascii=False)},
                kind=kind,
                code="version",
            )
        ]
    for error in _manifest_validator().iter_errors(data):
        if error.validator == "additionalProperties":
            found.extend(_unknown_keys(error, tuple(error.absolute_path)))
        else:
            found.extend(
                v
                for v in _from_error(error, code="schema")
                if v.path != ("spbe",)  # MAN-004 already reports a missing version
            )
    return found


def _from_error(error: ValidationError, code: str = "") -> list[Violation]:
    path = tuple(error.absolute_path)
    detail = describe(error)
    if error.validator == "required":
        return [
            Violation(
                path=(*path, key), params={"detail": detail}, kind="required", code=code
            )
            for key in _missing_keys(error)
        ]
    return [
        Violation(
            path=path,
            params={
                "detail": detail,
                "value": error.instance,
                "keyword": error.validator,
            },
            kind="invalid",
            code=code,
        )
    ]


def _is_supported_version(value: Any) -> bool:
    return not isinstance(value, bool) and value in SUPPORTED_VERSIONS


@functools.cache
def _manifest_validator() -> FastValidator:
    return compile_fast(resources.schema("manifest"))


def error_path(error: ValidationError) -> tuple[str | int, ...]:
    """Where an error is; for a missing key, the key itself."""
    path = tuple(error.absolute_path)
    if error.validator == "required":
        missing = next(iter(_missing_keys(error)), None)
        if missing is not None:
            return (*path, missing)
    return path


def _missing_keys(error: ValidationError) -> Iterable[str]:
    # jsonschema raises one error per missing key; its message names the key.
    instance = error.instance if isinstance(error.instance, Mapping) else {}
    for key in error.validator_value:
        if key not in instance and repr(key) in error.message:
            yield key


def unknown_keys(error: ValidationError) -> list[str]:
    """The keys an ``additionalProperties: false`` error is about."""
    known = error.schema.get("properties", {})
    patterns = [re.compile(p) for p in error.schema.get("patternProperties", {})]
    return [
        key
        for key in error.instance
        if key not in known and not any(p.search(key) for p in patterns)
    ]


def _unknown_keys(error: ValidationError, path: Sequence[str | int]) -> list[Violation]:
    known = list(error.schema.get("properties", {}))
    code = "unknown-key-nested" if path else "unknown-key-top"
    result = []
    for key in unknown_keys(error):
        result.append(
            Violation(
                path=(*path, key),
                params={
                    "key": key,
                    "parent": dotted(path),
                    "suggestion": _suggest(key, known),
                },
                anchor="key",
                code=code,
            )
        )
    return result


def _suggest(word: str, candidates: Sequence[str]) -> LocalText:
    import difflib

    close = difflib.get_close_matches(word, candidates, n=1, cutoff=0.75)
    if not close:
        return LocalText("", "")
    return LocalText(f" (maksud Anda '{close[0]}'?)", f" (did you mean '{close[0]}'?)")


def dotted(path: Sequence[str | int]) -> str:
    """``interop.integrations[0].via``: how people name a place in a manifest."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text or "manifest"


def show(value: Any, limit: int = 60) -> str:
    """A value as a person would write it in YAML, shortened, on one line."""
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif value is None:
        text = "null"
    elif isinstance(value, str):
        text = value
    elif isinstance(value, (Mapping, list)):
        text = json.dumps(value, ensure_ascii=False, default=str)
    else:
        text = str(value)
    text = escape_controls(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def describe(error: ValidationError) -> LocalText:
    """What is wrong with the value, in both languages."""
    keyword, expected = error.validator, error.validator_value
    if keyword == "type":
        return _describe_type(error)
    if keyword == "enum":
        choices = ", ".join(show(c) for c in expected)
        hint = (
            _suggest(error.instance, [str(c) for c in expected])
            if isinstance(error.instance, str)
            else LocalText("", "")
        )
        return LocalText(
            f"harus salah satu dari: {choices}{hint.id}",
            f"must be one of: {choices}{hint.en}",
        )
    if keyword == "const":
        return LocalText(
            f"harus bernilai {show(expected)}", f"must be {show(expected)}"
        )
    if keyword == "required":
        return LocalText("wajib ada", "is required")
    if keyword in ("pattern", "format"):
        description = error.schema.get("description")
        if description:
            text = split_description(description)
            return LocalText(
                f"format tidak sesuai; yang diharapkan: {text.id}",
                f"wrong format; expected: {text.en}",
            )
        return LocalText(
            f"format tidak sesuai ({keyword} {expected})",
            f"wrong format ({keyword} {expected})",
        )
    if keyword == "minLength" and expected == 1:
        return LocalText("tidak boleh kosong", "must not be empty")
    if keyword in _BOUNDS:
        id_, en = _BOUNDS[keyword]
        return LocalText(f"{id_} {expected}", f"{en} {expected}")
    if keyword == "uniqueItems":
        return LocalText("berisi nilai ganda", "contains duplicate values")
    if keyword in ("anyOf", "oneOf") and error.context:
        from jsonschema.exceptions import best_match

        return describe(best_match(error.context))
    if keyword == "not":
        return LocalText("nilai ini tidak diperbolehkan", "this value is not allowed")
    return LocalText(error.message, error.message)


_BOUNDS = {
    "minimum": ("harus ≥", "must be ≥"),
    "maximum": ("harus ≤", "must be ≤"),
    "exclusiveMinimum": ("harus >", "must be >"),
    "exclusiveMaximum": ("harus <", "must be <"),
    "minLength": ("panjang minimal", "must be at least this long:"),
    "maxLength": ("panjang maksimal", "must be at most this long:"),
    "minItems": ("jumlah butir minimal", "needs at least this many items:"),
    "maxItems": ("jumlah butir maksimal", "allows at most this many items:"),
}


def type_words(expected: str | Sequence[str]) -> LocalText:
    """JSON types in words: ``["string", "array"]`` is "teks atau daftar" / "text
    or a list"."""
    names = [expected] if isinstance(expected, str) else list(expected)
    words = [_TYPE_NAMES.get(n, (n, n)) for n in names]
    return LocalText(
        " atau ".join(w[0] for w in words), " or ".join(w[1] for w in words)
    )


def _describe_type(error: ValidationError) -> LocalText:
    want = type_words(error.validator_value)
    found = type_words(json_type(error.instance))
    text = LocalText(
        f"harus berupa {want.id}, bukan {found.id}",
        f"must be {want.en}, not {found.en}",
    )
    names = (
        [error.validator_value]
        if isinstance(error.validator_value, str)
        else error.validator_value
    )
    if "string" in names and isinstance(error.instance, (int, float)):
        quoted = show(error.instance)
        return LocalText(
            f'{text.id}; tulis dalam tanda kutip: "{quoted}"',
            f'{text.en}; put it in quotes: "{quoted}"',
        )
    return text


def json_type(value: Any) -> str:
    """The JSON Schema type of a value read from YAML or JSON."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def check_file(document: Any, schema_name: str, kind: type[SpbeError]) -> None:
    """Validate a configuration or rule-pack file; raise *kind* for the most
    relevant problem, at its position, in words (an unknown key by its name)."""
    from jsonschema.exceptions import best_match

    error = best_match(
        compile_schema(resources.schema(schema_name)).iter_errors(document.data)
    )
    if error is None:
        return
    path = error_path(error)
    if error.validator == "additionalProperties":
        known = sorted(error.schema.get("properties", {}))
        unknown = unknown_keys(error)[0]
        import difflib

        close = difflib.get_close_matches(unknown, known, n=1)
        hint = f" ('{close[0]}'?)" if close else ""
        message = LocalText(
            f"kunci tidak dikenal '{unknown}'{hint}; yang tersedia: {', '.join(known)}",
            f"unknown key '{unknown}'{hint}; available: {', '.join(known)}",
        )
        raise document.error(kind, (*path, unknown), message, anchor="key")
    detail = describe(error)
    where = dotted(path)
    raise document.error(
        kind, path, LocalText(f"{where}: {detail.id}", f"{where}: {detail.en}")
    )


@functools.cache
def document_selectors() -> tuple[str, ...]:
    """Selectors of every manifest field that holds a document reference
    (``$defs/docref`` in the manifest schema), e.g. ``/data/datasets/*/metadata``."""
    from spbe_lint import resources

    root = json.loads(resources.schema_text("manifest"))
    found: list[str] = []

    def walk(node: Any, pointer: str) -> None:
        if not isinstance(node, dict):
            return
        if node.get("$ref") == "#/$defs/docref":
            found.append(pointer)
        for key, child in node.get("properties", {}).items():
            walk(child, f"{pointer}/{key}")
        if isinstance(node.get("items"), dict):
            walk(node["items"], f"{pointer}/*")
        for keyword in ("anyOf", "oneOf", "allOf"):
            for child in node.get(keyword, ()):
                walk(child, pointer)

    walk(root, "")
    return tuple(found)
