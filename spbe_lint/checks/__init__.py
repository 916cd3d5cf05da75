"""Named Python checks for what a JSON Schema cannot say.

A check receives one selected node, the rule's parameters (profile values
already filled in) and the run context, and yields Violations: what is wrong
and where (a path relative to the node). The engine attaches rule id, severity
and position. Register a check here, with the shape of node it accepts
(``checks.shapes``): the engine calls it only on a node of that shape, and
reports any other shape where it is. Rule files refer to a check by name.
"""

from __future__ import annotations

import datetime
import importlib
import posixpath
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from spbe_lint.checks import (
    dates,
    documents,
    hosts,
    identifiers,
    licences,
    services,
    shapes,
)
from spbe_lint.checks.shapes import TEXT, listing, mapping, one_of
from spbe_lint.evidence.settings import EvidenceSettings
from spbe_lint.findings import Violation


@dataclass(frozen=True)
class CheckContext:
    """What a check may know besides its node: the city, the day, the submission."""

    profile: Mapping[str, Any]
    as_of: datetime.date = field(default_factory=datetime.date.today)
    manifest: Mapping[str, Any] = field(default_factory=dict)  # the whole manifest
    folder: Path | None = None  # the manifest's folder (document references)
    documents_present: bool = False  # is the repository there, or only the manifest?
    manifest_path: str = ""  # the manifest as the report names it (display path)
    # How the repository's own files are judged: scan for secrets or not, and
    # whether the vendor's own suppressions count (reviewer mode).
    evidence: EvidenceSettings = field(default_factory=EvidenceSettings)

    def display(self, reference: str) -> str:
        """How a report names a file the manifest refers to: beside the manifest's
        display path, so evidence findings read like manifest findings."""
        folder = posixpath.dirname(self.manifest_path)
        return posixpath.normpath(posixpath.join(folder, reference))


CheckFn = Callable[[Any, Mapping[str, Any], CheckContext], Iterator[Violation]]


def _deferred(module: str, name: str) -> CheckFn:
    """A check whose evidence module is imported when it first runs: a manifest
    that names no SBOM, or a run with ``--secrets skip``, never loads it."""

    def run(
        value: Any, params: Mapping[str, Any], context: CheckContext
    ) -> Iterator[Violation]:
        found = importlib.import_module(f"spbe_lint.evidence.{module}")
        return getattr(found, name)(value, params, context)

    run.__name__ = run.__qualname__ = name
    return run


_scan_secrets = _deferred("secrets", "committed_secrets")


def _committed_secrets(
    value: Any, params: Mapping[str, Any], context: CheckContext
) -> Iterator[Violation]:
    if context.evidence.secrets == "skip":
        # What the scanner itself answers to a skipped scan, said before it is
        # imported: the pre-commit hook runs with --secrets skip.
        return iter((Violation(kind="secrets-skipped", needs_review=True),))
    return _scan_secrets(value, params, context)


def _openapi_document(
    value: Any, params: Mapping[str, Any], context: CheckContext
) -> Iterator[Violation]:
    """The submitted OpenAPI description judged (spbe_lint.evidence.openapi),
    imported only when a manifest declares an API."""
    from spbe_lint.evidence import openapi

    return openapi.openapi_document(value, params, context)


def _dataset_evidence(
    value: Any, params: Mapping[str, Any], context: CheckContext
) -> Iterator[Violation]:
    """Dataset schemas, samples and metadata (spbe_lint.evidence.data), imported
    only when a manifest names one."""
    from spbe_lint.evidence import data

    return data.dataset_evidence(value, params, context)


@dataclass(frozen=True)
class Check:
    """A named check and the shape of node it is written for (a JSON Schema of
    types only, see ``checks.shapes``): ``accepts`` covers every part of the
    node the check reads, so no value of another type ever reaches it."""

    run: CheckFn
    accepts: Mapping[str, Any] = field(default_factory=dict)
    # Whether a node is the check's business at all under a rule's params (a
    # field of another identifier type is another rule's): a node that is not
    # is not held to the shape either, so one broken value is reported once.
    concerns: Callable[[Any, Mapping[str, Any]], bool] | None = None

    def mismatches(self, node: Any, params: Mapping[str, Any]) -> list[Violation]:
        """Where *node* is not of the accepted shape (empty when it is)."""
        if self.concerns is not None and not self.concerns(node, params):
            return []
        return shapes.mismatches(self.accepts, node)


# What the checks read of the whole manifest (rules that select "").
_LICENCE = mapping(handover=mapping(license=TEXT))
_DOCUMENT = one_of("string", "object", "array")  # a group's members come one by one

CHECKS: dict[str, Check] = {
    "city-subdomain": Check(hosts.city_subdomain, TEXT),
    "url-under": Check(hosts.url_under, TEXT),
    "redirect-uris": Check(hosts.redirect_uris, mapping(redirect_uris=listing())),
    "max-age": Check(dates.max_age, TEXT),
    "not-expired": Check(dates.not_expired, TEXT),
    "nik": Check(identifiers.nik, TEXT),
    "nip": Check(identifiers.nip, TEXT),
    "npwp": Check(identifiers.npwp, TEXT),
    "kode-wilayah": Check(identifiers.kode_wilayah, TEXT),
    "identifier-samples": Check(
        identifiers.samples,
        mapping(type=TEXT, validator=TEXT, samples=listing()),
        identifiers.of_types,
    ),
    "spdx-licence": Check(
        licences.spdx_licence,
        mapping(
            handover=mapping(license=TEXT),
            governance=mapping(closed_source_consideration_ref=TEXT),
        ),
    ),
    "document-exists": Check(documents.document_exists, _DOCUMENT),
    "aplikasi-umum": Check(
        services.aplikasi_umum,
        mapping(
            app=mapping(functions=listing(TEXT), category=TEXT),
            interop=mapping(integrations=listing(mapping(system=TEXT))),
            governance=mapping(similar_app_approval_ref=TEXT),
        ),
    ),
    "dataset-evidence": Check(_dataset_evidence, TEXT),
    "committed-secrets": Check(_committed_secrets, mapping()),
    "licence-file": Check(_deferred("licence_file", "licence_file"), _LICENCE),
    "sbom": Check(_deferred("sbom", "sbom"), TEXT),
    "openapi-document": Check(_openapi_document, mapping(spec=TEXT)),
}
