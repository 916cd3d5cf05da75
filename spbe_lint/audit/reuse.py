"""Reuse an application's static result when nothing that produced it changed.

An audit is often run again on submissions that have not changed (a new
dashboard, a retried shard, a few submissions fixed). An application's static
result (its findings, what ``--resume``
compares, its inline waivers) depends on three things only, and the entry is
keyed by all three, so that a changed input is a miss, never an old verdict:

- every file below the manifest's folder (the checks read nothing outside it:
  ``confine``): each name, its type, a link's target, a file's size and the
  SHA-256 of its bytes (files past ``HASHED_WHOLE``: their first bytes, size,
  modification and change times and inode, so that a 20 GB document is not read
  on every run), and for a git repository the tracked files ``git ls-files``
  lists (the secret scan reads those);
- the run: its options, configuration, rules in force, rule pack and the day
  judged on (``context_key``);
- what computed it: every file of the installed spbe-lint (code, rules,
  schemas), every installed distribution's version and Python's
  (``cache.fingerprint("application")``).

The folder is hashed before the checks and again after them: a result is kept
only when nothing changed while it was computed. Entries live in the cache
(``spbe_lint.cache``, kind ``application``: bounded, ``SPBE_LINT_NO_CACHE=1``
turns it off) and hold no more than the results file does (findings carry a
file, line, kind and tag for a secret, never its value). A run that probes
reuses them too (under its own run key): what the probe needs, the manifest's
endpoints and data, is never remembered but read again from the manifest
(``audit.endpoints``).

Entries are pickled (frozen findings round-trip exactly) and read back with the
cache's restricted unpickler (``cache.restricted_loads``), which builds
spbe-lint's own value classes and plain values and nothing else: a cache entry
someone else wrote is a miss or an error, never code run.
"""

from __future__ import annotations

import base64
import hashlib
import os
import pickle
import stat
import zlib
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from spbe_lint.findings import Finding
    from spbe_lint.rule import Rule

_KIND = "application"
HASHED_WHOLE = 4 << 20  # bigger files: by their start and stat
_BLOCK = 1 << 20


def context_key(run: Any, settings: Any, run_key: str) -> str:
    """What besides the files decides an application's static result: the run's
    options (as given), its merged configuration and the run key (rules in
    force with their severities, rule pack, day judged on, waiver file...)."""
    text = "\0".join((run_key, repr(run), repr(settings.config), settings.lang))
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()


def key(context: str, application: Any) -> str | None:
    """The entry's key for *application*, or None when its folder cannot be
    described (then it is checked, not reused)."""
    manifest = application.manifest
    if manifest is None:
        return None
    folder = manifest.parent
    tree = tree_digest(folder)
    if tree is None:
        return None
    fields = (
        context,
        application.id,
        str(application.folder),
        str(manifest),
        str(manifest.absolute()),
        application.display,
        str(application.opd),
        str(application.url),
        tree,
    )
    text = "\0".join(fields)
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()


def tree_digest(folder: Path) -> str | None:
    """Every entry below *folder*, links not followed: name, type, a link's
    target, a file's size and content digest. None if the folder cannot be
    listed."""
    digest = hashlib.sha256()
    try:
        top = os.lstat(folder)
    except OSError:
        return None
    digest.update(f"top\0{stat.S_IFMT(top.st_mode)}\n".encode())
    pending = [("", os.fspath(folder))]
    while pending:
        relative, path = pending.pop()
        try:
            with os.scandir(path) as listing:
                entries = sorted(listing, key=lambda e: e.name)
        except OSError as exc:
            digest.update(f"unlisted\0{relative}\0{exc.errno}\n".encode())
            continue
        for entry in entries:
            name = f"{relative}{entry.name}"
            encoded = name.encode("utf-8", "surrogateescape")
            digest.update(b"entry\0" + encoded + b"\0" + _describe(entry).encode())
            digest.update(b"\n")
            if entry.is_dir(follow_symlinks=False) and not (
                relative == "" and entry.name == ".git"
            ):
                pending.append((name + "/", entry.path))
    if (folder / ".git").exists():  # as files.list_files asks
        # The secret scan reads the tracked files: what git lists is an input.
        from spbe_lint.evidence import files

        listing = files.list_files(folder)
        digest.update(f"git\0{listing.source}\0{listing.problem!r}\n".encode())
        for path in listing.paths:
            digest.update(path.encode("utf-8", "surrogateescape") + b"\0")
    return digest.hexdigest()


def _describe(entry: os.DirEntry[str]) -> str:
    try:
        info = entry.stat(follow_symlinks=False)
    except OSError as exc:
        return f"gone:{exc.errno}"
    kind = stat.S_IFMT(info.st_mode)
    if stat.S_ISLNK(info.st_mode):
        try:
            return f"link:{Path(entry.path).readlink()}"
        except OSError as exc:
            return f"link?:{exc.errno}"
    if stat.S_ISDIR(info.st_mode):
        return "dir"
    if not stat.S_ISREG(info.st_mode):
        return f"special:{kind}"
    content = hashlib.sha256()
    try:
        fd = os.open(entry.path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError as exc:
        return f"file:{info.st_size}:unreadable:{exc.errno}"
    try:
        left = HASHED_WHOLE
        while left > 0 and (block := os.read(fd, min(_BLOCK, left))):
            content.update(block)
            left -= len(block)
    except OSError as exc:
        return f"file:{info.st_size}:unreadable:{exc.errno}"
    finally:
        os.close(fd)
    if info.st_size <= HASHED_WHOLE:
        return f"file:{info.st_size}:{content.hexdigest()}"
    # ctime cannot be set back by a user: any rewrite of a big file is a miss.
    return (
        f"big:{info.st_size}:{info.st_mtime_ns}:{info.st_ctime_ns}:{info.st_ino}:"
        f"{content.hexdigest()}"
    )


# The fields of a static result an entry holds (runner.Static's, but the
# application's own and the time taken).
FIELDS = frozenset(
    {
        "inputs",
        "info",
        "findings",
        "shared",
        "unparsed",
        "suppressions",
        "inline_problems",
        "endpoints",
        "declared",
        "manifest",
        "where",
    }
)


def remembered(
    context: str | None, application: Any, previous: Any, done: Callable[..., Any]
) -> Any:
    """The remembered static result when nothing that produced it changed
    (``done(**fields)``; only "resumed" when ``--resume`` recorded the same
    inputs as *previous*), else the key to remember this one under (None: not
    remembered: nothing is reused in this run, or no manifest)."""
    if context is None or application.manifest is None:
        return None
    entry_key, fields = lookup(context, application)
    if fields is None:
        return entry_key
    if previous == fields["inputs"]:  # --resume: recorded before, skipped
        return done(inputs=fields["inputs"], resumed=True)
    return done(**fields)


def lookup(context: str, application: Any) -> tuple[str | None, dict[str, Any] | None]:
    """(the entry's key, its fields when remembered): (None, None) when the
    application's folder cannot be described."""
    entry_key = key(context, application)
    if entry_key is None:
        return None, None
    fields = load(entry_key)
    if fields is None or set(fields) != FIELDS:
        return entry_key, None
    return entry_key, fields


def remember(
    context: str, application: Any, entry_key: str, fields: dict[str, Any]
) -> None:
    """Keep *fields* under *entry_key* if the folder is still as it was when
    the key was made (a file changed while it was checked: not kept)."""
    if key(context, application) == entry_key:
        save(entry_key, fields)


def lean(
    findings: Sequence[Finding], rules: Sequence[Rule]
) -> tuple[tuple[Finding, ...], tuple[int, ...]]:
    """The findings with the references of their rule left out (two thirds of
    their pickled size), and which ones: ``full`` puts them back."""
    by_rule = {rule.id: rule.references for rule in rules}
    kept: list[Finding] = []
    shared: list[int] = []
    for index, finding in enumerate(findings):
        own = by_rule.get(finding.rule)
        if finding.references and own is not None and finding.references == own:
            kept.append(replace(finding, references=()))
            shared.append(index)
        else:
            kept.append(finding)
    return tuple(kept), tuple(shared)


def full(
    findings: Sequence[Finding], shared: Sequence[int], rules: Sequence[Rule]
) -> list[Finding]:
    """The findings ``lean`` gave, with their rule's references back."""
    if not shared:
        return list(findings)
    by_rule = {rule.id: rule.references for rule in rules}
    restored = list(findings)
    for index in shared:
        finding = restored[index]
        restored[index] = _with_references(finding, by_rule[finding.rule])
    return restored


def _with_references(finding: Finding, references: tuple[Any, ...]) -> Finding:
    """``replace(finding, references=...)`` without re-running the dataclass's
    construction (a warm audit restores some 90,000 findings: a tenth of it)."""
    fields = getattr(finding, "__dict__", None)
    if fields is None:  # slots: the slow, general way
        return replace(finding, references=references)
    copy = object.__new__(type(finding))
    copy.__dict__.update(fields)
    copy.__dict__["references"] = references
    return copy


def load(entry_key: str) -> dict[str, Any] | None:
    """The fields of a remembered static result, or None (a miss, or an entry
    that is damaged or not one of ours)."""
    from spbe_lint import cache

    stored = cache.read(entry_key, kind=_KIND)
    if not isinstance(stored, dict) or not isinstance(stored.get("static"), str):
        return None
    try:
        raw = zlib.decompress(base64.b64decode(stored["static"], validate=True))
        value = cache.restricted_loads(raw)
    except Exception:  # damaged, or not ours: checked again
        return None
    return value if isinstance(value, dict) else None


def save(entry_key: str, fields: dict[str, Any]) -> None:
    from spbe_lint import cache

    raw = pickle.dumps(fields, protocol=pickle.HIGHEST_PROTOCOL)
    packed = base64.b64encode(zlib.compress(raw, 1)).decode("ascii")
    cache.write(entry_key, {"static": packed}, kind=_KIND)
