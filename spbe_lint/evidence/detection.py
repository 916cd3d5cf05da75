"""detect-secrets run on text spbe-lint has read: its settings for one scan,
its reading of a file (transformers), and its findings merged into Secrets.

detect-secrets (Yelp) decides what a secret is: its plugins (cloud keys, private
keys, tokens, passwords after a keyword, high-entropy strings), its filters
(lock files, templated values, UUIDs...) and its transformers (YAML and INI
files read as key/value pairs), applied as its own ``scan_file`` does, with
spbe-lint's detector (Laravel's APP_KEY) and filter (digests) added through its
custom-plugin and custom-filter paths. Its settings are process-wide: they are
set for one scan and restored afterwards.
"""

from __future__ import annotations

import functools
import hashlib
import io
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

# Kinds that say only "this looks random" or "this follows the word password":
# when a specific detector saw the same value, its kind is the one reported.
_GENERIC = frozenset(
    {"Base64 High Entropy String", "Hex High Entropy String", "Secret Keyword"}
)


@dataclass(frozen=True)
class Secret:
    """A secret found: where and what kind, never the value."""

    path: str  # relative to the scanned root, POSIX
    line: int
    kind: str  # detect-secrets' type, e.g. "AWS Access Key"
    tag: str  # 12 hex digits derived from the value's hash: stable, not reversible

    @property
    def pointer(self) -> str:
        """The finding's place inside the file, for fingerprints and waivers
        (``/secret`` covers every secret of a file)."""
        return f"/secret/{self.tag}"


def settings_key(plugins: tuple[Any, ...] | None, allowlist: bool) -> str:
    """What a file's result depends on besides its name and bytes: the versions
    of detect-secrets and spbe-lint (its detectors and filter), the plugins."""
    import json

    from detect_secrets.__version__ import VERSION as detect_secrets_version

    from spbe_lint import __version__

    text = json.dumps(
        [detect_secrets_version, __version__, plugins, allowlist], sort_keys=True
    )
    return hashlib.sha256(text.encode()).hexdigest()


def detect(path: str, text: str, lines: list[str]) -> list[Secret]:
    """detect-secrets' ``scan_file`` on text already read: the file as its
    transformers see it, and as its eager transformers see it (a ``.env`` or INI
    file read as key/value pairs, so ``DB_PASSWORD=x`` is a quoted value).

    Unlike ``scan_file``, the second reading is not skipped when the first found
    something: a Laravel ``.env`` holds both an APP_KEY and a DB_PASSWORD, and
    reporting the second only once the first is fixed helps nobody."""
    from detect_secrets.transformers import get_transformed_file

    from spbe_lint.evidence import lines as line_scan

    scan_lines = line_scan.scanner()
    handle = _Named(text, path)
    first = get_transformed_file(handle) or lines
    found = list(scan_lines(list(enumerate(first, 1)), path))
    handle.seek(0)
    eager = get_transformed_file(handle, use_eager_transformers=True)
    if eager:
        found += scan_lines(list(enumerate(eager, 1)), path)
    return _merge(path, found)


def _merge(path: str, found: list[Any]) -> list[Secret]:
    """One secret per value and line: several plugins seeing one value (an AWS
    key is also a high-entropy string) give one finding, of the most specific
    kind."""
    kinds: dict[tuple[int, str], list[str]] = {}
    for potential in found:
        key = (int(potential.line_number), str(potential.secret_hash))
        kinds.setdefault(key, []).append(str(potential.type))
    merged = []
    for (line, digest), named in sorted(kinds.items()):
        specific = [k for k in named if k not in _GENERIC] or named
        merged.append(Secret(path, line, specific[0], tag(digest)))
    return merged


def tag(digest: str) -> str:
    """A short tag for detect-secrets' hash of a value (hex SHA-1): 48 bits of a
    SHA-256 over it, enough to tell a file's secrets apart and keep a
    fingerprint stable, without publishing the baseline's hash itself."""
    return hashlib.sha256(f"spbe-lint secret\0{digest}".encode()).hexdigest()[:12]


class _Named(io.StringIO):
    """The file-like object detect-secrets' transformers read: text and a name."""

    def __init__(self, text: str, name: str) -> None:
        super().__init__(text, newline=None)
        self.name = name


@functools.cache
def _quiet() -> None:
    """detect-secrets logs a skipped value at INFO ("Skipping "<secret>"..."):
    its logger is silenced for good, whatever level a caller configures."""
    logging.getLogger("detect-secrets").disabled = True
    from detect_secrets.core.log import log

    log.disabled = True


@contextmanager
def settings(plugins: tuple[Any, ...] | None, *, allowlist: bool) -> Iterator[None]:
    """detect-secrets' settings for one scan: its plugins (all built-in ones, or
    those a baseline chose) plus spbe-lint's detectors, and its default filters.
    Its settings are process-wide; they are restored afterwards."""
    _quiet()
    from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class
    from detect_secrets.settings import get_filters, transient_settings

    from spbe_lint.evidence import detectors

    if plugins is None:
        plugins = tuple(
            {"name": cls.__name__}
            for cls in get_mapping_from_secret_type_to_class().values()
            if cls.__module__.startswith("detect_secrets.")
        )
    ours = [{"name": "LaravelAppKeyDetector", "path": f"file://{detectors.__file__}"}]
    with transient_settings({"plugins_used": [*plugins, *ours]}) as settings:
        # Files are handed over by spbe-lint, not opened by name relative to the
        # working folder: detect-secrets' "is it a file?" filter would drop them.
        settings.disable_filters("detect_secrets.filters.common.is_invalid_file")
        # spbe-lint's filter: a commit hash, checksum or fingerprint is no secret.
        settings.filters[f"file://{detectors.__file__}::is_named_digest"] = {}
        if not allowlist:
            settings.disable_filters(
                "detect_secrets.filters.allowlist.is_line_allowlisted"
            )
        get_filters.cache_clear()
        get_mapping_from_secret_type_to_class.cache_clear()  # load our detector
        from spbe_lint.evidence import lines

        lines.scanner.cache_clear()  # prepared for these settings, on first use
        try:
            yield
        finally:
            get_mapping_from_secret_type_to_class.cache_clear()
            lines.scanner.cache_clear()
