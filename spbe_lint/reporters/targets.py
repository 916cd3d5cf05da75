"""Where a run's reports go: ``-o [FORMAT=]PATH`` values as (format, path) targets.

One evaluation, several reports: each target names a format and a file, or
standard output (None). The command line turns a ValueError into a usage error
on --output.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from pathlib import Path

Target = tuple[str, Path | None]  # (format, file); None is standard output


def parse(fmt: str, outputs: Sequence[str], formats: Collection[str]) -> list[Target]:
    """The targets of ``--format fmt`` and the ``--output`` values. ``FORMAT=PATH``
    names a format only when FORMAT is one of *formats* (a file may be called
    ``a=b.json``); a plain PATH takes --format's report off standard output."""
    targets: list[Target] = []
    plain: list[str] = []
    for value in outputs:
        name, sep, path = value.partition("=")
        if sep and name in formats:
            if not path:
                raise ValueError(f"no path after {name}=")
            targets.append((name, None if path == "-" else Path(path)))
        else:
            plain.append(value)
    if len(plain) > 1:
        raise ValueError(
            "give one plain PATH (for --format); name the format of the others: "
            "FORMAT=PATH"
        )
    main_target = Path(plain[0]) if plain and plain[0] != "-" else None
    if not any(path is None for _, path in targets) or plain:
        targets.insert(0, (fmt, main_target))
    seen = [str(path) for _, path in targets if path is not None]
    if len(seen) != len(set(seen)):
        raise ValueError("two reports to one file")
    return targets
