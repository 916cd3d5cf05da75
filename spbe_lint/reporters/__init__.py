"""Reporters: pure functions from a Report to text. One module per format."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from spbe_lint.findings import Report
from spbe_lint.reporters import github, html, json_, junit, markdown, sarif, text


@dataclass(frozen=True)
class RenderOptions:
    color: bool = False


Render = Callable[[Report, RenderOptions], str]

REPORTERS: dict[str, Render] = {
    "text": text.render,
    "concise": text.render_concise,
    "json": json_.render,
    "sarif": sarif.render,
    "junit": junit.render,
    "github": github.render,
    "markdown": markdown.render,
    "html": html.render,
}
