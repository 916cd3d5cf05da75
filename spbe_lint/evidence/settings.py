"""How a run judges a repository's own files (secrets, licence, SBOM)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

SECRET_MODES = ("scan", "skip")


@dataclass(frozen=True)
class EvidenceSettings:
    """Run options the repository judges read (``CheckContext.evidence``).

    ``secrets``: ``scan`` the repository's files for committed secrets, or
    ``skip`` them (the manifest's pre-commit hook: the secrets hook scans the
    files being committed, and scanning the whole repository on every commit of
    the manifest would be slow). ``reviewer``: Diskominfo's reviewer mode, in
    which the vendor's own suppressions (``.secrets.baseline``, ``pragma:
    allowlist secret`` comments) are not honoured, like inline waivers.
    """

    secrets: str = "scan"
    reviewer: bool = False


class EvidenceContext(Protocol):
    """What the repository judges read of ``checks.CheckContext`` (named here,
    below the checks package that registers them, so neither imports the other
    in a circle)."""

    manifest: Mapping[str, Any]
    folder: Path | None
    documents_present: bool
    evidence: EvidenceSettings

    def display(self, reference: str) -> str: ...
