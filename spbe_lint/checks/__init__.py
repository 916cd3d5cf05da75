"""Named Python checks for what a JSON Schema cannot say.

A check receives one selected node, the rule's parameters (profile values
already filled in) and the run context, and yields Violations: what is wrong
and where (a path relative to the node). The engine attaches rule id, severity
and position. Register a check here; rule files refer to it by name.
"""

from __future__ import annotations

import datetime
import posixpath
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from spbe_lint.checks import dates, documents, hosts, identifiers, licences, services
from spbe_lint.evidence import licence_file, sbom, secrets
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


CHECKS: dict[str, CheckFn] = {
    "city-subdomain": hosts.city_subdomain,
    "url-under": hosts.url_under,
    "redirect-uris": hosts.redirect_uris,
    "max-age": dates.max_age,
    "not-expired": dates.not_expired,
    "nik": identifiers.nik,
    "nip": identifiers.nip,
    "npwp": identifiers.npwp,
    "kode-wilayah": identifiers.kode_wilayah,
    "identifier-samples": identifiers.samples,
    "spdx-licence": licences.spdx_licence,
    "document-exists": documents.document_exists,
    "aplikasi-umum": services.aplikasi_umum,
    "dataset-evidence": _dataset_evidence,
    "committed-secrets": secrets.committed_secrets,
    "licence-file": licence_file.licence_file,
    "sbom": sbom.sbom,
    "openapi-document": _openapi_document,
}
