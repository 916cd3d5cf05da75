"""Where a run's reports go: ``--format`` and the ``-o [FORMAT=]PATH`` values.

``FORMAT=PATH`` writes that format to PATH; a plain PATH takes ``--format``'s
report off standard output; ``FORMAT=-`` claims standard output. A value
whose part before ``=`` is a bare word (letters, digits, ``-`` and ``_``)
names a format: an unknown one (``srif=out.sarif``) is a usage error naming
the known formats, never a file called ``srif=out.sarif``. A file whose name
holds ``=`` is still reachable: ``./a=b.json``.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from spbe_lint.errors import UsageError
from spbe_lint.i18n import LocalText

# The keys of reporters.REPORTERS (not imported here: the pre-commit path
# stays fast); a test keeps the two equal.
FORMATS = (
    "text",
    "concise",
    "json",
    "sarif",
    "junit",
    "github",
    "markdown",
    "html",
)
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")


@dataclass(frozen=True)
class Target:
    """One report of the run: its format, and its file (None: standard output)."""

    format: str
    path: Path | None


def parse(
    fmt: str, values: Sequence[str], formats: Sequence[str] = FORMATS
) -> list[Target]:
    """The reports a run writes, from ``--format`` and the ``-o`` values."""
    targets: list[Target] = []
    plain: list[str] = []
    for value in values:
        name, sep, path = value.partition("=")
        if not sep or not _WORD.fullmatch(name):
            plain.append(value)
            continue
        if name not in formats:
            raise _unknown(name, value, formats)
        if not path:
            raise _error(
                LocalText(f"tidak ada path setelah {name}=", f"no path after {name}=")
            )
        targets.append(Target(name, None if path == "-" else Path(path)))
    if len(plain) > 1:
        raise _error(
            LocalText(
                "beri satu PATH polos (untuk --format); sebutkan format yang lain: "
                "FORMAT=PATH",
                "give one plain PATH (for --format); name the format of the others: "
                "FORMAT=PATH",
            )
        )
    main_path = Path(plain[0]) if plain and plain[0] != "-" else None
    if plain or not any(t.path is None for t in targets):
        targets.insert(0, Target(fmt, main_path))
    if sum(t.path is None for t in targets) > 1:
        raise _error(
            LocalText(
                "dua laporan ke keluaran standar", "two reports to standard output"
            )
        )
    files = [str(t.path) for t in targets if t.path is not None]
    if len(files) != len(set(files)):
        raise _error(LocalText("dua laporan ke satu berkas", "two reports to one file"))
    return targets


def _unknown(name: str, value: str, formats: Sequence[str]) -> UsageError:
    close = difflib.get_close_matches(name.lower(), formats, n=1)
    hint_id = f" (maksudnya {close[0]}?)" if close else ""
    hint_en = f" (did you mean {close[0]}?)" if close else ""
    known = ", ".join(formats)
    return _error(
        LocalText(
            f"format tidak dikenal '{name}' di '{value}'{hint_id}; format: {known} "
            f"(berkas yang namanya memuat '=': ./{value})",
            f"unknown format '{name}' in '{value}'{hint_en}; formats: {known} "
            f"(for a file whose name holds '=': ./{value})",
        )
    )


def _error(message: LocalText) -> UsageError:
    return UsageError(LocalText(f"--output: {message.id}", f"--output: {message.en}"))
