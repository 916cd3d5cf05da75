"""Detectors spbe-lint adds to detect-secrets' own, as a detect-secrets plugin file.

detect-secrets loads custom plugins from a file path (its ``plugins_used`` entry
with ``path``), importing the file on its own: this module therefore imports
nothing from spbe_lint.
"""

from __future__ import annotations

import re

from detect_secrets.plugins.base import RegexBasedDetector


class LaravelAppKeyDetector(RegexBasedDetector):
    """Laravel's APP_KEY (``base64:`` and 32 random bytes): it encrypts the
    application's cookies and sessions, and detect-secrets' own plugins miss it
    (the ``base64:`` prefix keeps it out of the high-entropy string plugin)."""

    secret_type = "Laravel APP_KEY"

    denylist = (re.compile(r"(?<![A-Za-z0-9+/])base64:([A-Za-z0-9+/]{43}=)"),)


# A git commit (SHA-1, 40 hex digits) or a SHA-256 digest named as such: a pinned
# revision (`rev:` in .pre-commit-config.yaml, `commit:` in spbe.yaml), a lock
# file's checksum. detect-secrets' hex entropy plugin reports them all.
_DIGEST = re.compile(r"[0-9a-fA-F]{40}|[0-9a-fA-F]{64}")
_NAMED = re.compile(
    r"(?i)(?<![A-Za-z0-9])(commit|sha(1|256|512)?|rev|revision|ref|checksum|digest)"
    r"(?![A-Za-z0-9])[\"']?\s*[:=@]"
)


def is_commit_reference(secret: str, line: str) -> bool:
    """A detect-secrets filter: True (not a secret) for a commit hash or digest
    whose key says it is one."""
    return bool(_DIGEST.fullmatch(secret)) and bool(_NAMED.search(line))
