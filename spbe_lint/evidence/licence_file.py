"""The repository's licence file against ``handover.license`` (HAND-008).

What is recognised, and how:

- an ``SPDX-License-Identifier:`` line in the first lines of a licence file
  (``LICENSE``, ``LICENCE``, ``COPYING``, ``UNLICENSE``, with any extension or
  suffix such as ``LICENSE-MIT`` or ``COPYING.LESSER``), parsed by
  license-expression;
- the REUSE layout: ``LICENSES/<SPDX id>.txt`` names its licence;
- the full text of a well-known licence: the 35 texts of choosealicense.com
  that pre-commit's ``identify`` carries (GPL, LGPL, AGPL, Apache, MIT, BSD, MPL,
  EUPL, ...), matched as ``identify.license_id`` does (copyright lines dropped,
  white space folded, then equal or within 5 % edit distance, by ukkonen) on
  the bytes read here;
- without any licence file, the SPDX headers of the repository's files.

Not recognised: any other text (a vendor's own licence, a licence with its
terms changed): a person compares it (``manual``). A text says which licence,
not which version grant: the GPL-3.0 text agrees with both ``GPL-3.0-only``
and ``GPL-3.0-or-later``; only an SPDX header can tell them apart.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from spbe_lint.evidence import files
from spbe_lint.findings import Location, Span, Violation

if TYPE_CHECKING:
    from spbe_lint.evidence.settings import EvidenceContext

MAX_BYTES = 256 * 1024  # the longest well-known licence text is about 35 KiB
HEADER_FILES = 2_000  # files whose first bytes are searched for an SPDX header
HEADER_BYTES = 4096
_NAME = re.compile(r"^(un)?licen[cs]e|^copying", re.IGNORECASE)
_HEADER = re.compile(
    r"SPDX-License-Identifier:\s*([^\n\r]*?)\s*(?:\*/|-->|#\}|$)", re.M
)
_WHERE = ("handover", "license")


@dataclass(frozen=True)
class Shown:
    """What one file says about the licence."""

    path: str  # relative to the repository
    keys: tuple[str, ...]  # SPDX licence keys; () when the text is not recognised
    line: int = 1
    how: str = "text"  # text | header | name (REUSE)


def licence_file(
    manifest: Any, params: Mapping[str, Any], context: EvidenceContext
) -> Iterator[Violation]:
    """The licence files agree with ``handover.license``: each licence they show
    is declared, and each declared licence is shown by one of them."""
    declared = _declared(manifest)
    if declared is None:
        return  # missing or not SPDX: the spdx-licence check says so
    expression, keys = declared
    if not context.documents_present or context.folder is None:
        yield Violation(
            path=_WHERE,
            params={"value": expression},
            kind="licence-manual",
            needs_review=True,
        )
        return
    shown = find(context.folder)
    if not shown:
        yield Violation(
            path=_WHERE, params={"value": expression}, kind="licence-missing"
        )
        return
    yield from _compare(expression, keys, shown, context)


def _declared(manifest: Any) -> tuple[str, tuple[str, ...]] | None:
    handover = manifest.get("handover") if isinstance(manifest, dict) else None
    value = handover.get("license") if isinstance(handover, dict) else None
    if not isinstance(value, str) or not value.strip():
        return None
    from spbe_lint.checks import licences  # the declared licence, analysed once

    normalised, _, _ = licences.analyse(value)
    if normalised is None:
        return None
    return value, keys_of(normalised)


def keys_of(expression: str) -> tuple[str, ...]:
    """The licence keys of an SPDX expression (``LicenseRef-`` ones included)."""
    from spbe_lint.checks import licences  # remembered in the cache, like analyse

    return licences.symbols(expression)


def family(key: str) -> str:
    """A licence without its version grant: GPL-3.0-only, GPL-3.0-or-later,
    GPL-3.0+ and identify's GPL-3.0 are one licence text."""
    key = key.lower()
    for suffix in ("-only", "-or-later", "+"):
        key = key.removesuffix(suffix)
    return key


def _compare(
    expression: str, keys: tuple[str, ...], shown: list[Shown], context: EvidenceContext
) -> Iterator[Violation]:
    declared = {family(k): k for k in keys}
    covered: set[str] = set()
    mismatched = False
    for item in shown:
        other = [k for k in item.keys if family(k) not in declared]
        covered.update(family(k) for k in item.keys if family(k) in declared)
        if other:
            mismatched = True
            where = context.display(files.printable(item.path))
            yield Violation(
                params={
                    "file": where,
                    "found": " AND ".join(other),
                    "value": expression,
                },
                kind="licence-mismatch",
                location=Location(where, "", Span(item.line, 1, item.line, 1)),
            )
    missing = [key for fam, key in declared.items() if fam not in covered]
    if not missing or mismatched:  # a file carrying another licence says enough
        return
    unrecognised = [item for item in shown if not item.keys]
    params = {"value": expression, "missing": ", ".join(missing)}
    if unrecognised:
        where = context.display(files.printable(unrecognised[0].path))
        yield Violation(
            params={**params, "file": where},
            kind="licence-unrecognised",
            needs_review=True,
            location=Location(where, "", Span(1, 1, 1, 1)),
        )
    else:
        names = ", ".join(
            context.display(files.printable(item.path)) for item in shown[:3]
        )
        yield Violation(
            path=_WHERE, params={**params, "file": names}, kind="licence-uncovered"
        )


def find(folder: Path) -> list[Shown]:
    """What the licence files of *folder* show; without any, its SPDX headers."""
    shown = [_identify(folder, name) for name in _licence_files(folder)]
    shown += _reuse(folder)
    found = [item for item in shown if item is not None]
    return found or _headers(folder)


def _licence_files(folder: Path) -> list[str]:
    try:
        names = sorted(entry.name for entry in folder.iterdir())
    except OSError:
        return []
    return [name for name in names if _NAME.match(name)]


def _reuse(folder: Path) -> list[Shown]:
    """``LICENSES/<id>.<ext>`` (the REUSE specification): the name is the id."""
    if not (folder / "LICENSES").is_dir() or (folder / "LICENSES").is_symlink():
        return []
    found = []
    for path in sorted((folder / "LICENSES").iterdir()):
        keys = keys_of(path.stem)
        if keys and not path.is_symlink():
            found.append(Shown(f"LICENSES/{path.name}", keys, how="name"))
    return found


def _identify(folder: Path, name: str) -> Shown | None:
    try:
        raw = files.read_bounded(folder, name, MAX_BYTES, follow_links=True)
    except files.Unreadable:
        return None  # a folder called LICENSE, a link, a huge file: not a licence
    text = raw.decode("utf-8", "replace")
    header = _header(text)
    if header is not None:
        line, expression = header
        return Shown(name, keys_of(expression), line, "header")
    spdx = _remembered_match(text)
    return Shown(name, keys_of(spdx) if spdx else ())


def _remembered_match(text: str) -> str | None:
    """``match_text``, remembered by the text's hash and identify's installed
    texts (spbe_lint.cache): a repository's LICENSE rarely changes, and matching a GPL
    costs a tenth of a second on every pre-commit run."""
    import hashlib
    import importlib.util

    from spbe_lint import cache

    # The installed texts by their file's size and time (importlib.metadata would
    # import the email package, and with it the socket module, on the hook path).
    # Found, not imported: the module is a third of a megabyte of licence texts,
    # loaded only when a text is matched.
    spec = importlib.util.find_spec("identify.vendor.licenses")
    origin = spec.origin if spec and spec.origin else "(identify not found)"
    try:
        stat = Path(origin).stat()
    except OSError:
        return match_text(text)  # match_text says what is wrong with identify
    known = f"{origin}\0{stat.st_size}\0{stat.st_mtime_ns}"
    key = hashlib.sha256(f"{known}\0{text}".encode()).hexdigest()[:32]
    found = cache.read(key, kind="licence-text")
    if isinstance(found, dict) and "spdx" in found:
        return found["spdx"] if isinstance(found["spdx"], str) else None
    spdx = match_text(text)
    cache.write(key, {"spdx": spdx}, kind="licence-text")
    return spdx


def _header(text: str) -> tuple[int, str] | None:
    head = "\n".join(text.splitlines()[:20])
    match = _HEADER.search(head)
    if match is None or not match.group(1):
        return None
    return head.count("\n", 0, match.start()) + 1, match.group(1)


def match_text(text: str) -> str | None:
    """The SPDX id of a well-known licence text, as ``identify.license_id``
    decides it (equal once normalised, else the closest within 5 % edit
    distance), or None. Only texts of about the same length are normalised and
    compared (normalising all 35 costs more than the rest of a pre-commit run)."""
    import ukkonen
    from identify.vendor.licenses import LICENSES

    text = _norm(text)
    if not text:
        return None
    # Normalising folds white space: a text shrinks, it never grows.
    near = [
        (spdx, _known(spdx, raw))
        for spdx, raw in LICENSES
        if 0.95 * len(text) <= len(raw) <= 2 * len(text)
    ]
    for spdx, licence in near:
        if licence == text:
            return spdx
    cutoff = -(-len(text) * 5 // 100)  # 5 %, rounded up, as identify
    best, best_distance = None, cutoff
    for spdx, licence in near:
        if abs(len(text) - len(licence)) / len(text) > 0.05:
            continue
        distance = ukkonen.distance(text, licence, cutoff)
        if distance < best_distance:
            best, best_distance = spdx, distance
    return best


def _norm(value: str) -> str:
    from identify.identify import COPYRIGHT_RE, WS_RE

    return WS_RE.sub(" ", COPYRIGHT_RE.sub("", value)).strip()


@functools.cache
def _known(spdx: str, raw: str) -> str:
    return _norm(raw)


def _headers(folder: Path) -> list[Shown]:
    """The SPDX headers of the repository's files (tracked ones in git)."""
    listing = files.list_files(folder)
    found = []
    for path in listing.paths[:HEADER_FILES]:
        try:
            raw = files.read_bounded(folder, path, HEADER_BYTES, partial=True)
        except files.Unreadable:
            continue
        header = _header(raw.decode("utf-8", "replace"))
        if header is not None:
            keys = keys_of(header[1])
            if keys:
                found.append(Shown(path, keys, header[0], "header"))
    return _agreeing(found)


def _agreeing(found: list[Shown]) -> list[Shown]:
    """Headers of vendored files may name other licences: the most common
    licence speaks for the repository, shown by its first file."""
    if not found:
        return []
    counts: dict[tuple[str, ...], int] = {}
    for item in found:
        counts[item.keys] = counts.get(item.keys, 0) + 1
    common = max(counts, key=lambda keys: counts[keys])
    return [next(item for item in found if item.keys == common)]
