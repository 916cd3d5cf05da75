"""Document references: files in the submission that a reviewer will read.

A reference is a path relative to the manifest's folder or an https URL. When
the repository (or the submission folder) is present, a path must name a
readable, non-empty file inside that folder. When only the manifest was
submitted, existence cannot be judged offline: the result is ``manual``, a
clear "a person must check this", never a pass.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from spbe_lint.findings import Violation

if TYPE_CHECKING:
    from spbe_lint.checks import CheckContext


def is_url(reference: str) -> bool:
    return reference.startswith(("https://", "http://"))


def resolve(folder: Path, reference: str) -> Path | None:
    """The file *reference* names inside *folder*, or None if it would leave it
    (symbolic links included: the real path must stay inside)."""
    if reference.startswith(("/", "\\")) or "\\" in reference or "\0" in reference:
        return None
    base = _real(folder.absolute())  # keyed absolute: the working folder may change
    target = (base / reference).resolve()
    return target if target.is_relative_to(base) else None


@functools.lru_cache(maxsize=256)
def _real(folder: Path) -> Path:
    """A submission folder's real path, worked out once: a manifest names
    dozens of documents, and an audit checks each application's twice."""
    return folder.resolve()


def present(folder: Path | None, references: list[str]) -> bool:
    """Is the submission there, or only the manifest? Present when the folder is a
    repository (has ``.git``) or any referenced document exists in it."""
    if folder is None:
        return False
    if (folder / ".git").exists():
        return True
    for reference in references:
        if is_url(reference):
            continue
        target = resolve(folder, reference)
        if target is not None and target.is_file():
            return True
    return False


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
    target = resolve(context.folder, value)
    if target is None:
        yield Violation(params={"value": value}, kind="outside")
    elif not target.is_file():
        yield Violation(params={"value": value}, kind="not-found")
    elif target.stat().st_size == 0:
        yield Violation(params={"value": value}, kind="empty")
