"""Pictures for the HTML pages, drawn as inline SVG and CSS colours: no
script, no external font or image, so a page stays one file that prints.

``bars`` is the per-domain score chart of the handover report; ``heat`` the
background colour of a heat-map cell (the audit dashboard's OPD x domain
table). Text in an SVG is escaped here: domain names come from the rule pack.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

from markupsafe import Markup, escape

from spbe_lint.i18n import format_number

# Geometry in SVG user units; the SVG scales to its box (width: 100%). Each
# row is the domain's name above its bar, so the chart stays narrow enough to
# stand beside the score table on A4 portrait.
BAR = 200  # 100%
ROW = 30
TOP = 2
FONT = "DejaVu Sans, Liberation Sans, Arial, sans-serif"


def bars(
    rows: Sequence[tuple[str, float | None]],
    *,
    ready_at: float,
    caption: str,
    lang: str = "en",
) -> Any:
    """Horizontal bars, one per (label, percent); None draws no bar and "–".
    A dashed line marks the ready-at threshold; bars below it are red."""
    width = BAR + 46
    height = TOP + ROW * len(rows) + 4
    parts = [
        f'<svg class="chart" role="img" viewBox="0 0 {width} {height}" '
        f'xmlns="http://www.w3.org/2000/svg" font-family="{FONT}" font-size="11">',
        f"<title>{escape(caption)}</title>",
    ]
    for index, (label, percent) in enumerate(rows):
        y = TOP + ROW * index
        parts.append(f'<text x="0" y="{y + 11}">{escape(_shorten(label, 34))}</text>')
        parts.append(
            f'<rect x="0" y="{y + 15}" width="{BAR}" height="11" fill="#e6e6e6"/>'
        )
        if percent is not None:
            fill = "#1b6e3a" if percent >= ready_at else "#a4161a"
            parts.append(
                f'<rect class="bar" x="0" y="{y + 15}" '
                f'width="{BAR * max(0.0, min(percent, 100.0)) / 100:.1f}" '
                f'height="11" fill="{fill}"/>'
            )
        shown = "–" if percent is None else f"{format_number(percent, lang)}%"
        parts.append(f'<text x="{BAR + 4}" y="{y + 25}">{shown}</text>')
    x = BAR * min(max(ready_at, 0.0), 100.0) / 100
    parts.append(
        f'<line x1="{x:.1f}" y1="{TOP + 13}" x2="{x:.1f}" y2="{height - 2}" '
        'stroke="#111" stroke-width="1" stroke-dasharray="3 2"/>'
    )
    parts.append("</svg>")
    return Markup("".join(parts))


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


# From red (0%) through amber to green (100%): light enough for black text.
_STOPS = ((0.0, (244, 199, 195)), (50.0, (252, 232, 178)), (100.0, (196, 230, 200)))


def heat(percent: float | None) -> str:
    """A cell's background for a score; grey when there is none."""
    if percent is None:
        return "#eeeeee"
    value = max(0.0, min(float(percent), 100.0))
    for (low, a), (high, b) in itertools.pairwise(_STOPS):
        if value <= high:
            t = (value - low) / (high - low)
            r, g, bl = (round(x + (y - x) * t) for x, y in zip(a, b, strict=True))
            return f"#{r:02x}{g:02x}{bl:02x}"
    return "#c4e6c8"
