"""Reporters: pure functions from a Report to text. One module per format."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator, Mapping
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
