"""Where a run's reports go: ``-o [FORMAT=]PATH`` values as (format, path) targets.

One evaluation, several reports: each target names a format and a file, or
standard output (None). ``FORMAT=PATH`` writes that format to PATH; a plain
PATH takes ``--format``'s report off standard output; ``FORMAT=-`` claims
standard output. A value whose part before ``=`` is a bare word (letters,
digits, ``-`` and ``_``) names a format: an unknown one (``srif=out.sarif``)
is a usage error naming the known formats, never a file called
``srif=out.sarif``. A file whose name holds ``=`` stays reachable:
``./a=b.json``.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from pathlib import Path

from spbe_lint.errors import UsageError
from spbe_lint.i18n import LocalText

Target = tuple[str, Path | None]  # (format, file); None is standard output

_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")


def parse(fmt: str, outputs: Sequence[str], formats: Collection[str]) -> list[Target]:
    """The targets of ``--format fmt`` and the ``--output`` values; a
    UsageError (exit 2) for a value that cannot be one."""
    targets: list[Target] = []
    plain: list[str] = []
    for value in outputs:
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
        targets.append((name, None if path == "-" else Path(path)))
    if len(plain) > 1:
        raise _error(
            LocalText(
                "beri satu PATH polos (untuk --format); sebutkan format yang lain: "
                "FORMAT=PATH",
                "give one plain PATH (for --format); name the format of the others: "
                "FORMAT=PATH",
            )
        )
    main_target = Path(plain[0]) if plain and plain[0] != "-" else None
    if plain or not any(path is None for _, path in targets):
        targets.insert(0, (fmt, main_target))
    if sum(path is None for _, path in targets) > 1:
        raise _error(
            LocalText(
                "dua laporan ke keluaran standar", "two reports to standard output"
            )
        )
    seen = [str(path) for _, path in targets if path is not None]
    if len(seen) != len(set(seen)):
        raise _error(LocalText("dua laporan ke satu berkas", "two reports to one file"))
    return targets


def _unknown(name: str, value: str, formats: Collection[str]) -> UsageError:
    import difflib

    close = difflib.get_close_matches(name.lower(), list(formats), n=1)
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
