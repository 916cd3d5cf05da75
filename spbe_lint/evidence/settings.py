"""How a run judges a repository's own files (secrets, licence, SBOM)."""

from __future__ import annotations

from dataclasses import dataclass

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
