"""Judgements of submitted API descriptions remembered between runs.

Validating a large description costs seconds (openapi-spec-validator walks
every schema); a pre-commit hook runs on every commit while the description
rarely changes. A judgement depends only on the description's bytes, the
files its references read, what the manifest declares about the API and the
spbe-lint version, so it is kept under a key made of those (``spbe_lint.cache``:
``SPBE_LINT_NO_CACHE=1`` turns it off). A referenced file that changed, went
missing or left the folder is a miss; so is any entry that does not read back
whole.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from spbe_lint import __version__, cache
from spbe_lint.evidence.apiresult import Judgement, Placed

if TYPE_CHECKING:
    from spbe_lint.evidence.apiproblem import Api

_KIND = "openapi"
_FORMAT = 1  # bump when the stored shape or any judgement changes meaning


def judged(
    raw: bytes,
    name: str,
    api: Api,
    folder: Path | None,
    make: Callable[[], Judgement],
) -> Judgement:
    """The remembered judgement of *raw*, or *make*'s, remembered."""
    key = hashlib.sha256(
        json.dumps(
            [_FORMAT, __version__, name, repr(api), hashlib.sha256(raw).hexdigest()]
        ).encode()
    ).hexdigest()
    stored = cache.read(key, _KIND)
    if stored is not None and folder is not None:
        judgement = _load(stored, folder)
        if judgement is not None:
            return judgement
    judgement = make()
    if folder is not None:
        hashes = [_hash(folder, f) for f in judgement.files]
        if all(hashes):
            cache.write(key, _dump(judgement, hashes), _KIND)
    return judgement


def _hash(folder: Path, reference: str) -> str | None:
    from spbe_lint.apidoc import MAX_BYTES
    from spbe_lint.checks.documents import admit
    from spbe_lint.confine import Refused
    from spbe_lint.errors import InputError
    from spbe_lint.i18n import LocalText
    from spbe_lint.reading import read_bytes

    try:
        real = admit(folder, reference)
        data = read_bytes(real, reference, MAX_BYTES, LocalText("", ""))
    except (Refused, InputError, OSError):
        return None
    return hashlib.sha256(data).hexdigest()


def _dump(judgement: Judgement, hashes: list[str | None]) -> dict[str, Any]:
    return {
        "name": judgement.name,
        "described": judgement.described,
        "files": [[f, h] for f, h in zip(judgement.files, hashes, strict=True)],
        "placed": [
            [
                p.aspect,
                p.detail.id,
                p.detail.en,
                p.pointer,
                [p.span.line, p.span.column, p.span.end_line, p.span.end_column],
                p.review,
            ]
            for p in judgement.placed
        ],
    }


def _load(stored: Any, folder: Path) -> Judgement | None:
    from spbe_lint.findings import Span
    from spbe_lint.i18n import LocalText

    try:
        for reference, digest in stored["files"]:
            if _hash(folder, reference) != digest:
                return None
        return Judgement(
            stored["name"],
            tuple(
                Placed(a, LocalText(i, e), pointer, Span(*span), bool(review))
                for a, i, e, pointer, span, review in stored["placed"]
            ),
            bool(stored["described"]),
            tuple(f for f, _ in stored["files"]),
        )
    except (KeyError, TypeError, ValueError):
        return None  # not an entry this version wrote whole: a miss
