"""Reporters: pure functions from a Report to text. One module per format.

The formats whose documents grow with the run (JSON, SARIF, JUnit) also give
their text in pieces (``chunks``), for a writer to write as they come: the
same text, never whole in memory."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass

from spbe_lint.findings import Report


@dataclass(frozen=True)
class RenderOptions:
    """How a report is rendered: colour, width and what text lists."""

    color: bool = False
    # Text output: the terminal's width (None: unknown, taken as 80), and what
    # --show lists beyond failures (manual, na, passed).
    width: int | None = None
    show: frozenset[str] = frozenset()


Render = Callable[[Report, RenderOptions], str]

# Format name -> (module in spbe_lint.reporters, function). Only the formats a
# run asks for are imported: the pre-commit path (text) never pays for SARIF,
# JUnit or the HTML template engine.
_REGISTRY: dict[str, tuple[str, str]] = {
    "text": ("text", "render"),
    "concise": ("text", "render_concise"),
    "json": ("json_", "render"),
    "sarif": ("sarif", "render"),
    "junit": ("junit", "render"),
    "github": ("github", "render"),
    "markdown": ("markdown", "render"),
    "html": ("html", "render"),
}


# Format -> (module, function) of the formats rendered in pieces: the pieces
# joined are what REPORTERS renders.
_CHUNKED: dict[str, tuple[str, str]] = {
    "json": ("json_", "chunks"),
    "sarif": ("sarif", "chunks"),
    "junit": ("junit", "chunks"),
}
IN_PIECES = frozenset(_CHUNKED)


def chunks(fmt: str, report: Report, options: RenderOptions) -> Iterable[str]:
    """*report* in format *fmt*, in pieces (one piece for a format that is not
    made in pieces)."""
    if fmt not in _CHUNKED:
        return (REPORTERS[fmt](report, options),)
    module, function = _CHUNKED[fmt]
    render = getattr(importlib.import_module(f"{__name__}.{module}"), function)
    pieces: Iterable[str] = render(report, options)
    return pieces


class _Reporters(Mapping[str, Render]):
    """The registry above as a mapping of render functions, imported on use."""

    def __getitem__(self, name: str) -> Render:
        module, function = _REGISTRY[name]
        return getattr(importlib.import_module(f"{__name__}.{module}"), function)

    def __iter__(self) -> Iterator[str]:
        return iter(_REGISTRY)

    def __len__(self) -> int:
        return len(_REGISTRY)


REPORTERS: Mapping[str, Render] = _Reporters()
