"""A dataset's metadata file against ``schemas/dataset-metadata.schema.json``.

The file is our metadata object (JSON or YAML) or a Frictionless Data Package
descriptor (``datapackage.json``, or any object with ``resources``). A Data
Package's standard properties are mapped (title, description, keywords,
licenses, contributors with the publisher role, their e-mail); the Satu Data
elements it has no property for (produsen_data, frekuensi, tanggal_pembaruan...)
are custom properties of the package with the same names, as Data Package
allows. Problems point to the property in the file (or the object that lacks
it). ``cakupan_wilayah`` must be a Kemendagri region code (DATA-011).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

from spbe_lint import schema
from spbe_lint.checks import identifiers
from spbe_lint.evidence.judgement import Context, Judgement, at, read_structured


@functools.cache
def _validator() -> schema.Validator:
    from spbe_lint import resources

    return schema.compile_schema(resources.schema("dataset-metadata"))


def is_data_package(reference: str, data: Mapping[str, Any]) -> bool:
    return reference.rsplit("/", 1)[-1] == "datapackage.json" or "resources" in data


def mapped(
    data: Mapping[str, Any],
) -> tuple[dict[str, Any], dict[str, tuple[Any, ...]]]:
    """A Data Package's metadata as our elements, and where each came from."""
    values: dict[str, Any] = {}
    source: dict[str, tuple[Any, ...]] = {}

    def take(key: str, value: Any, path: tuple[Any, ...]) -> None:
        if key not in values and value is not None:
            values[key] = value
            source[key] = path

    for key, value in data.items():  # Satu Data elements written as they are
        if key in _validator().schema["properties"]:
            take(key, value, (key,))
    take("judul", data.get("title"), ("title",))
    take("deskripsi", data.get("description"), ("description",))
    take("kata_kunci", data.get("keywords"), ("keywords",))
    licences = data.get("licenses")
    if isinstance(licences, list) and licences and isinstance(licences[0], dict):
        first = licences[0]
        take("lisensi", first.get("name") or first.get("title"), ("licenses", 0))
    contributors = data.get("contributors")
    for index, person in enumerate(
        contributors if isinstance(contributors, list) else ()
    ):
        if not isinstance(person, dict):
            continue
        roles = person.get("roles") or [person.get("role")]
        roles = roles if isinstance(roles, list) else [roles]
        if "publisher" in roles and person.get("title"):
            take("produsen_data", person["title"], ("contributors", index, "title"))
        if person.get("email"):
            take("kontak", person["email"], ("contributors", index, "email"))
    return values, source


def judge(context: Context, reference: str, result: Judgement) -> None:
    document = read_structured(context, reference, result, "metadata")
    if document is None:
        return
    data = document.data
    package = is_data_package(reference, data)
    values, source = mapped(data) if package else (data, {k: (k,) for k in data})
    for violation in schema.violations(_validator(), values):
        element = violation.path[0] if violation.path else None
        path = source.get(element, ()) if violation.kind != "required" else ()
        if violation.kind != "required" and element in source:
            path = (*source[element], *violation.path[1:])
        result.add(
            reference,
            "metadata",
            at(
                document,
                path,
                "metadata-" + violation.kind,
                element=".".join(str(p) for p in violation.path) or "metadata",
                detail=violation.params.get("detail"),
                carrier="Data Package" if package else "metadata",
            ),
        )
    region = values.get("cakupan_wilayah")
    if isinstance(region, str):
        found = identifiers.problem(
            "kode_wilayah", region, context.as_of, context.profile
        )
        if found:
            result.add(
                reference,
                "region",
                at(
                    document,
                    source["cakupan_wilayah"],
                    "metadata-region",
                    value=region,
                    why=identifiers.WHY[found],
                ),
            )
