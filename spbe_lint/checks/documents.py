"""Document references: files in the submission that a reviewer will read.

A reference is a path relative to the manifest's folder or an https URL. When
the repository (or the submission folder) is present, a path must name a
readable, non-empty regular file inside that folder (``confine``: links
included). When only the manifest was submitted, existence cannot be judged
offline: the result is ``manual``, a clear "a person must check this", never a
pass. Nothing here opens a document; its status is all a check needs.
"""

from __future__ import annotations

import functools
import os
import stat
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from spbe_lint.confine import Refused, Root
from spbe_lint.findings import Violation
from spbe_lint.i18n import LocalText

if TYPE_CHECKING:
    from spbe_lint.checks import CheckContext


def is_url(reference: str) -> bool:
    return reference.startswith(("https://", "http://"))


def resolve(folder: Path, reference: str) -> Path | None:
    """The real path of the file *reference* names inside *folder*, or None if
    it would leave it (links included) or cannot be resolved at all."""
    try:
        return admit(folder, reference)
    except Refused:
        return None


def admit(folder: Path, reference: str) -> Path:
    """The real path of *reference* inside *folder*, or Refused (``kind``:
    outside, unreadable) naming the reference as the manifest wrote it."""
    if reference.startswith(("/", "\\")) or "\\" in reference or "\0" in reference:
        raise Refused(_ABSOLUTE, path=reference, kind="outside")
    root = _root(folder.absolute())  # keyed absolute: the working folder may change
    return root.admit(root.real / reference, reference)


_ABSOLUTE = LocalText(
    "path dokumen harus relatif terhadap folder manifest",
    "a document path must be relative to the manifest's folder",
)


@functools.lru_cache(maxsize=256)
def _root(folder: Path) -> Root:
    """A submission folder as a root, resolved once: a manifest names dozens
    of documents, and an audit checks each application's twice."""
    return Root.at(folder, "")


@dataclass(frozen=True)
class Status:
    """What a reference names, without opening it."""

    kind: str  # file | empty | not-found | outside | unreadable
    real: Path | None = None
    size: int = 0
    mtime_ns: int = 0
    reason: LocalText | None = None  # for outside and unreadable


def examine(folder: Path, reference: str) -> Status:
    """Is *reference* a readable regular file inside *folder*? Only metadata is
    read: a FIFO, a device or a folder is ``unreadable``, never opened."""
    try:
        real = admit(folder, reference)
    except Refused as exc:
        return Status(exc.kind, reason=exc.reason or exc.message)
    try:
        info = real.stat()
    except (FileNotFoundError, NotADirectoryError):
        return Status("not-found", real)
    except OSError as exc:
        from spbe_lint.confine import reason

        return Status("unreadable", real, reason=reason(exc))
    if stat.S_ISDIR(info.st_mode):
        return Status("not-found", real)  # a folder where a document should be
    if not stat.S_ISREG(info.st_mode):
        return Status("unreadable", real, reason=_NOT_A_FILE)
    if not os.access(real, os.R_OK):
        return Status("unreadable", real, reason=_DENIED)
    kind = "file" if info.st_size else "empty"
    return Status(kind, real, info.st_size, info.st_mtime_ns)


_DENIED = LocalText("izin ditolak", "permission denied")
_NOT_A_FILE = LocalText(
    "bukan berkas biasa: FIFO, perangkat atau soket",
    "not a regular file: a FIFO, device or socket",
)


def present(folder: Path | None, references: list[str]) -> bool:
    """Is the submission there, or only the manifest? Present when the folder is a
    repository (has ``.git``) or any referenced document exists in it."""
    if folder is None:
        return False
    try:
        if (folder / ".git").exists():
            return True
    except OSError:
        pass
    names = _names(folder)
    for reference in references:
        if is_url(reference) or not _may_exist(reference, names):
            continue
        if examine(folder, reference).kind in ("file", "empty", "unreadable"):
            return True
    return False


def _names(folder: Path) -> frozenset[str] | None:
    """The folder's entries, case-folded (None if it cannot be listed): when only
    the manifest was submitted, no reference needs resolving one by one."""
    try:
        return frozenset(entry.name.casefold() for entry in folder.iterdir())
    except OSError:
        return None


def _may_exist(reference: str, names: frozenset[str] | None) -> bool:
    """False only when *reference* cannot name anything in the folder: its first
    part is not an entry there (case-folded, so a case-insensitive file system
    is never wrongly judged). Anything unusual is examined as before."""
    if names is None:
        return True
    parts = [part for part in reference.split("/") if part not in ("", ".")]
    if not parts or parts[0] == ".." or "\\" in reference:
        return True
    return parts[0].casefold() in names


def document_exists(
    value: Any, params: Mapping[str, Any], context: CheckContext
) -> Iterator[Violation]:
    if isinstance(value, (dict, list)):
        return  # a group of documents: its members are selected one by one
    if not isinstance(value, str) or not value.strip():
        yield Violation(params={"value": value}, kind="invalid")
        return
    if is_url(value):
        # A link cannot be opened offline: the reviewer follows it, unless the
        # rule accepts links because the probe fetches them (an API spec).
        if params.get("links") != "accept":
            yield Violation(
                params={"value": value}, kind="manual-link", needs_review=True
            )
        return
    if not context.documents_present or context.folder is None:
        yield Violation(params={"value": value}, kind="manual", needs_review=True)
        return
    found = examine(context.folder, value)
    if found.kind == "file":
        return
    params_ = {"value": value}
    if found.reason is not None:
        params_["reason"] = found.reason  # type: ignore[assignment]
    yield Violation(params=params_, kind=found.kind)
