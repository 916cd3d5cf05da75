"""Samples against their Table Schemas, through the ``frictionless`` library.

frictionless checks types, required, unique, patterns, enums and foreign keys
between a submission's datasets; spbe-lint adds one custom check (Indonesian
identifiers, ``checks.identifiers``). frictionless reads only what we hand it:
the bytes we read from a confined file, or rows we parsed; schema descriptors
are rebuilt from the keys Table Schema defines (no ``$schema`` or ``profile``
that would make it fetch a profile, no ``path``), and a foreign key must name
another dataset of this submission. frictionless is imported here, lazily: a
manifest without datasets never loads it.
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

_FIELD_KEYS = frozenset(
    {
        "name",
        "title",
        "description",
        "type",
        "format",
        "constraints",
        "missingValues",
        "trueValues",
        "falseValues",
        "bareNumber",
        "groupChar",
        "decimalChar",
        "example",
        "categories",
        "categoriesOrdered",
    }
)
_SCHEMA_KEYS = frozenset({"fields", "missingValues", "primaryKey", "foreignKeys"})
LIMIT_ERRORS = 100  # problems reported per sample; the rest is counted


@dataclass(frozen=True)
class Table:
    """One dataset's sample, ready to hand to frictionless."""

    name: str
    schema: Mapping[str, Any]  # a descriptor from ``clean``
    csv: bytes | None = None  # a CSV sample's bytes
    rows: Sequence[Any] | None = None  # a JSON/YAML sample's rows
    identifiers: Mapping[str, str] = field(default_factory=dict)  # field -> kind


@dataclass(frozen=True)
class Problem:
    """A frictionless error, or an identifier that does not validate."""

    type: str  # frictionless error type, or "spbe-identifier"
    note: str
    row: int | None = None  # frictionless row number: the header is row 1
    field: str | None = None
    cell: Any = None
    kind: str = ""  # for identifiers: the identifier type
    why: str = ""  # for identifiers: checks.identifiers.WHY key


def clean(
    schema: Mapping[str, Any], names: Mapping[str, str]
) -> tuple[dict[str, Any], list[int]]:
    """The schema as frictionless may see it, and the indexes of the foreign keys
    dropped because they name something other than this submission's datasets.
    *names* maps the other datasets' names to the names frictionless knows them
    by (``resource_name``): a dataset may be called anything in the manifest."""
    result = {k: v for k, v in schema.items() if k in _SCHEMA_KEYS}
    fields = schema.get("fields")
    if isinstance(fields, list):
        result["fields"] = [
            {k: v for k, v in f.items() if k in _FIELD_KEYS}
            if isinstance(f, dict)
            else f
            for f in fields
        ]
    dropped: list[int] = []
    keys = schema.get("foreignKeys")
    if isinstance(keys, list):
        kept = []
        for index, key in enumerate(keys):
            reference = key.get("reference") if isinstance(key, dict) else None
            target = (
                reference.get("resource", "") if isinstance(reference, dict) else None
            )
            if isinstance(target, str) and (target == "" or target in names):
                kept.append(
                    {
                        "fields": key.get("fields"),
                        "reference": {
                            "resource": names.get(target, ""),
                            "fields": reference.get("fields"),
                        },
                    }
                )
            else:
                dropped.append(index)
        result["foreignKeys"] = kept
    return result, dropped


def schema_problems(
    descriptor: Mapping[str, Any],
) -> list[tuple[tuple[Any, ...], str]]:
    """What frictionless finds wrong in a schema descriptor: (path, note) pairs,
    a field's problems at that field (looked for only when the schema fails)."""
    from frictionless import Field, FrictionlessException, Schema

    fields = descriptor.get("fields")
    items = list(enumerate(fields if isinstance(fields, list) else ()))
    shapeless = [
        (("fields", index), "a field must be an object")
        for index, item in items
        if not isinstance(item, dict)
    ]
    if shapeless:  # frictionless itself trips over these (TypeError)
        return shapeless
    try:
        Schema.from_descriptor(dict(descriptor))
    except FrictionlessException as exc:
        whole = _notes(exc)
    except _LIBRARY_TRIPS as exc:
        whole = f"frictionless cannot read this schema ({type(exc).__name__})"
    else:
        return []
    found: list[tuple[tuple[Any, ...], str]] = []
    for index, item in items:
        try:
            Field.from_descriptor(item)
        except FrictionlessException as exc:
            found.append((("fields", index), _notes(exc)))
        except _LIBRARY_TRIPS as exc:
            note = f"frictionless cannot read this field ({type(exc).__name__})"
            found.append((("fields", index), note))
    return found or [((), whole)]


# What frictionless raises on descriptors or rows of the wrong shape instead of
# its own exception: a finding about the file, not a crash of spbe-lint.
_LIBRARY_TRIPS = (TypeError, ValueError, AttributeError, KeyError)


def _notes(exc: Any) -> str:
    reasons = getattr(exc, "reasons", None) or [exc.error]
    return "; ".join(str(getattr(r, "note", r)) for r in reasons)


def validate(
    tables: Sequence[Table], as_of: datetime.date, profile: Mapping[str, Any]
) -> dict[str, list[Problem]]:
    """Every table's problems, each validated in the package of all of them (so
    that foreign keys between datasets resolve)."""
    from frictionless import (
        Checklist,
        FrictionlessException,
        Package,
        Resource,
        Schema,
    )

    resources = []
    result: dict[str, list[Problem]] = {}
    for table in tables:
        try:
            schema = Schema.from_descriptor(dict(table.schema))
            if table.csv is not None:
                resource = Resource(
                    table.csv,
                    name=table.name,
                    format="csv",
                    encoding="utf-8",
                    schema=schema,
                )
            else:
                resource = Resource(
                    data=list(table.rows or ()), name=table.name, schema=schema
                )
        except (FrictionlessException, *_LIBRARY_TRIPS) as exc:
            note = f"the sample cannot be read as a table ({type(exc).__name__})"
            result[table.name] = [Problem(type="source-error", note=note)]
            continue
        resources.append(resource)
    package = Package(resources=resources)
    readable = [table for table in tables if table.name not in result]
    for table, resource in zip(readable, package.resources, strict=True):
        checks = (
            [_identifier_check(table.identifiers, as_of, profile)]
            if table.identifiers
            else []
        )
        try:
            report = resource.validate(
                Checklist(checks=checks), limit_errors=LIMIT_ERRORS
            )
        except FrictionlessException as exc:  # e.g. a foreign key it cannot follow
            result[table.name] = [Problem(type="source-error", note=_notes(exc))]
            continue
        except _LIBRARY_TRIPS as exc:
            # frictionless on rows of the wrong shape (a list of numbers for rows):
            # the sample cannot be read as a table, which is a finding, not a crash.
            note = f"the sample cannot be read as a table ({type(exc).__name__})"
            result[table.name] = [Problem(type="source-error", note=note)]
            continue
        result[table.name] = [
            _problem(error) for task in report.tasks for error in task.errors
        ]
        result[table.name] += [_problem(error) for error in report.errors]
    return result


def _problem(error: Any) -> Problem:
    note = str(getattr(error, "note", "") or "")
    kind, why = "", ""
    if error.type == "spbe-identifier":
        kind, _, why = note.partition(":")
    return Problem(
        type=error.type,
        note=note,
        row=getattr(error, "row_number", None),
        field=getattr(error, "field_name", None)
        or next(iter(getattr(error, "field_names", None) or ()), None),
        cell=getattr(error, "cell", None),
        kind=kind,
        why=why,
    )


def _identifier_check(
    identifiers: Mapping[str, str], as_of: datetime.date, profile: Mapping[str, Any]
) -> Any:
    check_class, _ = _identifier_classes()
    return check_class(identifiers=dict(identifiers), as_of=as_of, profile=profile)


@functools.cache
def _identifier_classes() -> tuple[type, type]:
    """A frictionless check that runs ``checks.identifiers`` on every row."""
    import attrs
    from frictionless import Check, errors

    from spbe_lint.checks import identifiers as judge

    class IdentifierError(errors.CellError):
        type = "spbe-identifier"
        title = "Identifier Error"
        description = "An Indonesian identifier does not validate."
        template = 'The cell "{cell}" in field "{fieldName}" is not a valid {note}'

    @attrs.define(kw_only=True, repr=False)
    class IdentifierCheck(Check):
        type = "spbe-identifier"
        Errors = [IdentifierError]  # noqa: RUF012
        identifiers: dict[str, str]
        as_of: datetime.date
        profile: Any
        seen: dict[Any, Any] = attrs.field(factory=dict)

        def validate_row(self, row: Any) -> Any:
            # Samples repeat values (region codes above all): judge each once.
            seen = self.seen
            for name, kind in self.identifiers.items():
                value = row[name]
                if value is None:
                    continue
                key = (kind, value)
                if key in seen:
                    found = seen[key]
                else:
                    found = judge.problem(kind, value, self.as_of, self.profile)
                    if len(seen) < 100_000:
                        seen[key] = found
                if found:
                    yield IdentifierError.from_row(
                        row, note=f"{kind}:{found}", field_name=name
                    )

    return IdentifierCheck, IdentifierError
