"""Committed secrets (SEC-012): which files are scanned, read how, remembered
how, and what becomes a finding. detect-secrets decides what a secret is
(``detection``); the reading is spbe-lint's: bounded, regular files, no link
followed, and nothing handed to the library by name for it to open.

A secret's value never leaves this module: not in a finding, a message, a log
line or an exception. A finding carries the file, the line, the kind, and a tag
derived from detect-secrets' hash of the value (so that its fingerprint survives
lines moving, and a baseline or waiver can name it).
"""

from __future__ import annotations

import hashlib
import io
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from spbe_lint.evidence import detection, files, secrets_baseline
from spbe_lint.evidence.detection import Secret, tag

__all__ = ["ScanResult", "Secret", "committed_secrets", "scan", "tag", "violations"]
from spbe_lint.evidence.files import Unreadable, read_bounded
from spbe_lint.findings import Location, Span, Violation

if TYPE_CHECKING:
    from spbe_lint.evidence.settings import EvidenceContext

MAX_FILE_BYTES = 2 * 1024 * 1024  # larger files are skipped (and counted)
MAX_LINE = 10_000  # a longer line means minified or generated code: skipped
# Names of minified bundles: their long random-looking identifiers are noise.
_MINIFIED = (".min.js", ".min.mjs", ".min.cjs", ".min.css", "-min.js", ".bundle.js")


@dataclass(frozen=True)
class ScanResult:
    secrets: tuple[Secret, ...] = ()
    scanned: int = 0  # files read and scanned
    skipped: tuple[tuple[str, str], ...] = ()  # (path, reason), reasons below
    accepted: int = 0  # secrets the baseline lists (not reported)
    baseline: secrets_baseline.Baseline | None = None

    def skipped_by_reason(self) -> Counter[str]:
        return Counter(reason for _, reason in self.skipped)


# Why a file was not scanned: detect-secrets' own file filters ("filtered": lock
# files, images, archives, swagger files...), spbe-lint's bounds, or the file.
SKIP_REASONS = (
    "filtered",
    "minified",
    "binary",
    "too-large",
    "link",
    "outside",
    "not-regular",
    "unreadable",
    "scanner-error",
)


def scan(
    root: Path,
    paths: Iterable[str],
    *,
    baseline: secrets_baseline.Baseline | None = None,
    allowlist: bool = True,
) -> ScanResult:
    """Scan *paths* (relative to *root*) for secrets. *baseline* accepts the
    secrets it lists; *allowlist* honours ``pragma: allowlist secret`` comments."""
    usable = baseline if baseline is not None and baseline.problem is None else None
    known = {(name, tag(digest)) for name, digest in usable.known} if usable else set()
    plugins = usable.plugins if usable else None
    memory = _Memory(root, detection.settings_key(plugins, allowlist))
    found: list[Secret] = []
    skipped: list[tuple[str, str]] = []
    scanned = accepted = 0
    with detection.settings(plugins, allowlist=allowlist):
        for path in paths:
            if path == secrets_baseline.NAME:
                continue  # its hashes look like secrets; it is read above
            outcome = _scan_one(root, path, memory)
            if isinstance(outcome, str):
                skipped.append((path, outcome))
                continue
            scanned += 1
            for secret in outcome:
                if (path, secret.tag) in known:
                    accepted += 1
                    continue
                found.append(secret)
    memory.save()
    return ScanResult(tuple(found), scanned, tuple(skipped), accepted, baseline)


class _Memory:
    """What earlier scans of this folder found, by file name and bytes: one
    cache entry per folder and settings (spbe_lint.cache, kind ``secrets``),
    read once and written once, holding line, kind and tag only (never a value
    or detect-secrets' hash of one), or the reason a file was skipped."""

    LIMIT = 200_000  # entries kept per folder; past it, only this scan's

    def __init__(self, root: Path, settings: str) -> None:
        from spbe_lint import cache

        self.key = hashlib.sha256(
            f"{settings}\0{root.absolute()}".encode("utf-8", "surrogateescape")
        ).hexdigest()[:40]
        old = cache.read(self.key, kind="secrets")
        self.old: dict[str, Any] = old if isinstance(old, dict) else {}
        self.used: dict[str, Any] = {}
        self.fresh = False

    @staticmethod
    def entry(path: str, raw: bytes) -> str:
        name = path.encode("utf-8", "surrogateescape")  # a name need not be UTF-8
        return hashlib.sha256(name + b"\0" + hashlib.sha256(raw).digest()).hexdigest()[
            :32
        ]

    def get(self, entry: str) -> Any:
        found = self.old.get(entry)
        if found is not None:
            self.used[entry] = found
        return found

    def put(self, entry: str, value: Any) -> None:
        self.used[entry] = value
        self.fresh = True

    def save(self) -> None:
        if not self.fresh:
            return
        from spbe_lint import cache

        kept = {**self.old, **self.used}
        if len(kept) > self.LIMIT:
            kept = self.used
        cache.write(self.key, kept, kind="secrets")


def _scan_one(root: Path, path: str, memory: _Memory) -> str | list[Secret]:
    """The secrets of one file, or why it was skipped; remembered in *memory*."""
    from detect_secrets.core import scan as ds_scan

    if path.endswith(_MINIFIED):
        return "minified"
    if ds_scan._is_filtered_out(required_filter_parameters=["filename"], filename=path):
        return "filtered"
    try:
        raw = read_bounded(root, path, MAX_FILE_BYTES)
    except Unreadable as exc:
        return exc.reason
    if b"\0" in raw:
        return "binary"
    entry = memory.entry(path, raw)
    remembered = memory.get(entry)
    if isinstance(remembered, list):
        if remembered and isinstance(remembered[0], str):
            return remembered[0]  # skipped before, for the same reason
        try:
            return [Secret(path, int(n), str(k), str(t)) for n, k, t in remembered]
        except (TypeError, ValueError):
            pass  # a damaged entry: scanned again
    outcome = _read_and_detect(path, raw)
    if isinstance(outcome, str):
        memory.put(entry, [outcome])
    else:
        memory.put(entry, [[s.line, s.kind, s.tag] for s in outcome])
    return outcome


def _read_and_detect(path: str, raw: bytes) -> str | list[Secret]:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return "binary"  # as detect-secrets: what is not text is not scanned
    # Universal newlines, as detect-secrets' open() reads: line numbers agree.
    lines = io.StringIO(text, newline=None).readlines()
    if any(len(line) > MAX_LINE for line in lines):
        return "minified"
    try:
        return detection.detect(path, text, lines)
    except Exception:  # the library's own error could quote the line: not shown
        return "scanner-error"


def committed_secrets(
    manifest: Any, params: Mapping[str, Any], context: EvidenceContext
) -> Iterator[Violation]:
    """SEC-012 on a repository: every secret committed in the manifest's folder
    (its tracked files in a git repository, every file of a submission folder),
    at its file and line. When only the manifest was submitted, or the run skips
    the scan, a person must look: ``manual``, never passed."""
    settings = context.evidence
    if settings.secrets == "skip":
        yield Violation(kind="secrets-skipped", needs_review=True)
        return
    if not context.documents_present or context.folder is None:
        yield Violation(kind="secrets-manual", needs_review=True)
        return
    folder = context.folder
    listing = files.list_files(folder)
    if listing.problem is not None:
        yield Violation(
            kind="secrets-unlisted",
            params={"reason": listing.problem},
            needs_review=True,
        )
        return
    baseline = None if settings.reviewer else secrets_baseline.find(folder)
    result = scan(
        folder, listing.paths, baseline=baseline, allowlist=not settings.reviewer
    )
    yield from violations(result, context.display)


def violations(
    result: ScanResult, display: Callable[[str], str]
) -> Iterator[Violation]:
    """The findings of a scan: one per secret (kind ``secret``), and one for a
    baseline that could not be used (kind ``secrets-baseline``). *display* names
    a file the way reports do."""
    baseline = result.baseline
    if baseline is not None and baseline.problem is not None:
        line = baseline.line or 1
        yield Violation(
            kind="secrets-baseline",
            params={"file": display(baseline.path), "reason": baseline.problem},
            location=Location(
                display(baseline.path),
                "",
                Span(line, baseline.column or 1, line, baseline.column or 1),
            ),
        )
    for secret in result.secrets:
        shown = display(files.printable(secret.path))
        yield Violation(
            kind="secret",
            params={"file": shown, "line": secret.line, "secret_type": secret.kind},
            location=Location(
                shown, secret.pointer, Span(secret.line, 1, secret.line, 1)
            ),
        )
