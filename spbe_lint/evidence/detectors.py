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


# A hex string that names itself a digest: a pinned revision (`rev:` in
# .pre-commit-config.yaml, `commit:` in spbe.yaml), a checksum, a fingerprint
# (spbe-lint's own reports and spbe-baseline.json carry many). detect-secrets' hex
# entropy plugin reports them all; its other plugins still see the line (a
# `password_hash:` stays a Secret Keyword).
_HEX = re.compile(r"[0-9a-fA-F]{12,128}")
_NAMED = re.compile(
    r"(?i)(?<![A-Za-z0-9])[\w./-]*?"
    r"(commit|sha-?(1|224|256|384|512)?|rev|revision|checksum|digest|hash|fingerprint"
    r"|etag|integrity)[\w./-]*?[\"']?\s*(?:[:=@]|\s+value=)"
)
_HEX_PLUGIN = "Hex High Entropy String"


def is_named_digest(secret: str, line: str, plugin: object) -> bool:
    """A detect-secrets filter: True (not a secret) for what the hex entropy
    plugin found when it is 16 hex digits at most (64 bits: a fingerprint, not a
    key) or a digest its key names as one."""
    if getattr(plugin, "secret_type", None) != _HEX_PLUGIN:
        return False
    return len(secret) <= 16 or (
        bool(_HEX.fullmatch(secret)) and bool(_NAMED.search(line))
    )
