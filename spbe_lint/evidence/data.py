"""Judge the evidence a submission carries about its datasets.

A dataset (``data.datasets[]``) may point to a Frictionless Table Schema
(``schema``, JSON or YAML), a sample of fictitious rows (``sample``, CSV, JSON
or YAML) and its metadata (``metadata``, our JSON Schema or a Data Package
descriptor). They are read once per manifest (``judge``) and the problems are
sorted by aspect; each rule's check (``dataset_evidence``) takes the aspects it
judges for the reference it was given. Findings point into the file: line,
column and JSON Pointer; for a CSV sample the row and field
(``/<record index>/<field>``, 0-based like a JSON array of rows).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from spbe_lint.checks import identifiers
from spbe_lint.checks.documents import is_url
from spbe_lint.evidence import datafile, metadata, samples
from spbe_lint.evidence.judgement import (
    Context,
    Dataset,
    Judgement,
    at,
    missing_or_unreadable,
    others,
    read_structured,
    resource_name,
)
from spbe_lint.findings import Violation
from spbe_lint.i18n import LocalText, escape_controls

if TYPE_CHECKING:
    from spbe_lint.source import Document

ASPECTS = (
    "schema",
    "sample",
    "documentation",
    "personal",
    "region",
    "identifier",
    "metadata",
)
IDENTIFIER_KINDS = frozenset(identifiers.JUDGES)
# Column names that hold region codes or personal identifiers, for schemas and
# samples that do not declare them (``x-identifier``).
_REGION_NAME = re.compile(
    r"^kode_(wilayah|prov|provinsi|kab|kabupaten|kota|kec|kecamatan|kel|kelurahan|desa)"
)
_PERSONAL_NAME = re.compile(r"^(nik|nip|npwp|no_ktp|nomor_ktp)(_|$)")
_NAME = re.compile(r"^(nama|name)(_|$)")
_ADDRESS = re.compile(r"^(alamat|address)(_|$)")


_CACHE: dict[int, tuple[Any, Judgement]] = {}


def judge(context: Context) -> Judgement:
    """Every dataset of the manifest judged once (rules ask for their aspects)."""
    cached = _CACHE.get(id(context))
    if cached is not None and cached[0] is context:
        return cached[1]
    from spbe_lint.evidence import datacache

    result = datacache.judged(context, _judge)
    if len(_CACHE) >= 8:  # an audit checks many manifests: keep the last few
        _CACHE.pop(next(iter(_CACHE)))
    _CACHE[id(context)] = (context, result)
    return result


def dataset_evidence(
    value: Any, params: Mapping[str, Any], context: Context
) -> Iterator[Violation]:
    """The problems of the aspects ``params["aspects"]`` names, for the schema,
    sample or metadata file *value* names."""
    if not isinstance(value, str) or not value.strip():
        return  # MAN-005 says the reference has the wrong type
    if is_url(value):
        yield Violation(params={"value": value}, kind="manual-link", needs_review=True)
        return
    if not context.documents_present or context.folder is None:
        yield Violation(params={"value": value}, kind="manual", needs_review=True)
        return
    judgement = judge(context)
    for aspect in params.get("aspects", ()):
        if (value, aspect) not in judgement.served:
            judgement.served.add((value, aspect))
            yield from judgement.found.get((value, aspect), ())


def _judge(context: Context) -> Judgement:
    result = Judgement()
    data = context.manifest.get("data")
    entries = data.get("datasets") if isinstance(data, dict) else None
    if not isinstance(entries, list) or context.folder is None:
        return result
    declared = _declared_identifiers(data)
    datasets: list[Dataset] = []
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict):
            continue
        name = (
            entry.get("name")
            if isinstance(entry.get("name"), str)
            else f"dataset-{index}"
        )
        dataset = Dataset(index, str(name), entry)
        datasets.append(dataset)
        dataset.schema_ref = _local(entry.get("schema"))
        dataset.sample_ref = _local(entry.get("sample"))
        if dataset.schema_ref:
            dataset.schema = _load_schema(context, dataset.schema_ref, result)
        if dataset.sample_ref:
            dataset.table = _load_sample(context, dataset.sample_ref, result)
        meta = _local(entry.get("metadata"))
        if meta:
            metadata.judge(context, meta, result)
    # Dataset name -> the name frictionless knows it by; the first of a name wins.
    names = {d.name: resource_name(d.index) for d in reversed(datasets)}
    tables = []
    for dataset in datasets:
        kinds = dict(declared)
        if dataset.schema is not None:
            kinds.update(_schema_aspects(context, dataset, names, result))
        if dataset.table is not None:
            _header_aspects(dataset, kinds, result)
        if dataset.table is not None and dataset.schema is not None:
            tables.append((dataset, kinds))
        elif dataset.table is not None:
            result.add(dataset.sample_ref or "", "sample", Violation(kind="no-schema"))
    if tables:
        samples.validate(context, tables, result, names)
    return result


def _local(reference: Any) -> str | None:
    return (
        reference
        if isinstance(reference, str) and reference and not is_url(reference)
        else None
    )


def _declared_identifiers(data: Mapping[str, Any]) -> dict[str, str]:
    """The manifest's data.fields[]: identifier type by column name."""
    fields = data.get("fields")
    found = {}
    for item in fields if isinstance(fields, list) else ():
        if (
            isinstance(item, dict)
            and isinstance(item.get("type"), str)  # a list cannot be looked up
            and item["type"] in IDENTIFIER_KINDS
            and isinstance(item.get("name"), str)
        ):
            found[item["name"]] = item["type"]
    return found


def _load_schema(
    context: Context, reference: str, result: Judgement
) -> Document | None:
    document = read_structured(context, reference, result, "schema")
    if document is not None and not isinstance(document.data.get("fields"), list):
        result.add(
            reference,
            "schema",
            at(document, ("fields",), "schema-invalid", reason=_NO_FIELDS),
        )
        return None
    return document


def _load_sample(
    context: Context, reference: str, result: Judgement
) -> samples.Sample | None:
    assert context.folder is not None
    try:
        raw = datafile.read(
            context.folder, reference, context.display(reference), datafile.SAMPLE_LIMIT
        )
        return samples.load(raw, reference)
    except datafile.Unreadable as problem:
        result.add(
            reference, "sample", missing_or_unreadable(context, reference, problem)
        )
        return None


_NO_FIELDS = LocalText(
    "Table Schema harus memuat daftar fields",
    "a Table Schema must hold a list of fields",
)


def _schema_aspects(
    context: Context,
    dataset: Dataset,
    names: Mapping[str, str],
    result: Judgement,
) -> dict[str, str]:
    """Schema-level judgements; returns the identifier type of each field."""
    from spbe_lint.evidence import tables

    document = dataset.schema
    assert document is not None and dataset.schema_ref is not None
    reference = dataset.schema_ref
    schema = document.data
    cleaned, dropped = tables.clean(schema, others(names, dataset))
    for index in dropped:
        target = _foreign_target(schema["foreignKeys"][index])
        result.add(
            reference,
            "schema",
            at(
                document,
                ("foreignKeys", index, "reference"),
                "foreign-key-outside",
                target=escape_controls(target),
                datasets=", ".join(sorted(others(names, dataset))) or "-",
            ),
        )
    problems = tables.schema_problems(cleaned)
    for path, note in problems:
        result.add(
            reference,
            "schema",
            at(document, path, "schema-invalid", reason=_note(note)),
        )
    if problems:
        dataset.schema = None  # frictionless cannot use it: the sample is not judged
    kinds: dict[str, str] = {}
    personal: list[tuple[int, str]] = []
    for index, item in enumerate(schema["fields"]):
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            continue
        name = item["name"]
        declared = item.get("x-identifier")
        if declared is not None and (
            not isinstance(declared, str) or declared not in IDENTIFIER_KINDS
        ):
            result.add(
                reference,
                "schema",
                at(
                    document,
                    ("fields", index, "x-identifier"),
                    "unknown-identifier",
                    value=declared,
                    known=", ".join(sorted(IDENTIFIER_KINDS)),
                ),
            )
            continue
        if declared:
            kinds[name] = declared
            if item.get("type", "string") != "string":
                aspect = "region" if declared == "kode_wilayah" else "identifier"
                result.add(
                    reference,
                    aspect,
                    at(
                        document,
                        ("fields", index, "type"),
                        "identifier-type",
                        value=item.get("type"),
                        identifier=declared,
                    ),
                )
        elif _REGION_NAME.match(name.lower()):
            result.add(
                reference,
                "region",
                at(document, ("fields", index), "no-reference", column=name),
            )
        missing = [k for k in ("title", "description") if not _text(item.get(k))]
        if missing:
            result.add(
                reference,
                "documentation",
                at(
                    document,
                    ("fields", index),
                    "undocumented",
                    column=name,
                    missing=", ".join(missing),
                ),
            )
        personal.append((index, name))
    if dataset.entry.get("classification") == "publik":
        for index, kind, name in _personal(personal, kinds):
            result.add(
                reference,
                "personal",
                at(
                    document,
                    ("fields", index),
                    "personal-data",
                    column=name,
                    identifier=kind,
                ),
            )
    return kinds


def _foreign_target(key: Any) -> str:
    reference = key.get("reference") if isinstance(key, dict) else None
    target = reference.get("resource") if isinstance(reference, dict) else None
    return target if isinstance(target, str) else str(target)


def _text(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _note(note: str) -> LocalText:
    text = escape_controls(note)[:300]
    return LocalText(text, text)


def _personal(
    columns: list[tuple[int, str]], kinds: Mapping[str, str]
) -> list[tuple[int, str, str]]:
    """Columns that hold personal identifiers: NIK, NIP, NPWP (declared or by
    name), and a name together with an address (UU PDP Pasal 4: data that
    identify a person)."""
    found = []
    for index, name in columns:
        kind = kinds.get(name)
        lowered = name.lower()
        if kind in ("nik", "nip", "npwp"):
            found.append((index, name, kind))
        elif kind is None and _PERSONAL_NAME.match(lowered):
            found.append((index, name, lowered.split("_")[0]))
    names = [(i, n) for i, n in columns if _NAME.match(n.lower())]
    addresses = [(i, n) for i, n in columns if _ADDRESS.match(n.lower())]
    if names and addresses:
        found.append((names[0][0], names[0][1], "nama+alamat"))
    return found


def _header_aspects(
    dataset: Dataset, kinds: Mapping[str, str], result: Judgement
) -> None:
    """What a sample's own columns say: personal data in a public dataset (when
    no schema said it already)."""
    table = dataset.table
    assert table is not None and dataset.sample_ref is not None
    if dataset.entry.get("classification") != "publik" or dataset.schema_ref:
        return
    columns = list(enumerate(table.header))
    for index, kind, name in _personal(columns, kinds):
        result.add(
            dataset.sample_ref,
            "personal",
            Violation(
                params={"column": name, "identifier": kind},
                kind="personal-data",
                location=table.header_location(index),
            ),
        )
