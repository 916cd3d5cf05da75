"""Bilingual text: every message a person reads exists in Bahasa Indonesia and English."""

from __future__ import annotations

import functools
import re
import string
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

DEFAULT_LANGUAGE = "id"


@dataclass(frozen=True)
class LocalText:
    """One message in both languages (``id`` is Bahasa Indonesia)."""

    id: str
    en: str

    def get(self, lang: str) -> str:
        return self.en if lang == "en" else self.id

    def format(self, params: Mapping[str, Any]) -> LocalText:
        """Fill ``{field}`` placeholders; LocalText values fill in their own language."""
        return LocalText(
            fill(self.id, _in_language(params, "id")),
            fill(self.en, _in_language(params, "en")),
        )

    def as_dict(self) -> dict[str, str]:
        return {"id": self.id, "en": self.en}

    @classmethod
    def from_data(cls, data: Mapping[str, str]) -> LocalText:
        return cls(data["id"], data["en"])


def _in_language(params: Mapping[str, Any], lang: str) -> Mapping[str, Any]:
    if not any(isinstance(value, LocalText) for value in params.values()):
        return params
    return {
        key: value.get(lang) if isinstance(value, LocalText) else value
        for key, value in params.items()
    }


def split_description(text: str) -> LocalText:
    """Schema descriptions are written ``"Bahasa Indonesia / English"``."""
    id_, sep, en = text.partition(" / ")
    return LocalText(id_, en) if sep else LocalText(text, text)


class _LenientFormatter(string.Formatter):
    """``str.format`` that leaves unknown fields visible instead of raising.

    Rule messages are data written by rule authors; a field a check did not
    supply must not crash a run, and ``{field}`` in the output shows the gap.
    """

    def get_field(self, field_name: str, args: Any, kwargs: Any) -> Any:
        try:
            return super().get_field(field_name, args, kwargs)
        except (KeyError, AttributeError, IndexError, TypeError):
            return "{" + field_name + "}", field_name

    def format_field(self, value: Any, format_spec: str) -> str:
        if isinstance(value, bool):
            value = "true" if value else "false"
        elif value is None:
            value = "null"
        return super().format_field(value, format_spec)


_FORMATTER = _LenientFormatter()


def fill(template: str, params: Mapping[str, Any]) -> str:
    if "{" not in template and "}" not in template:
        return template
    try:
        parts = _parsed(template)
        return _fill_simple(parts, params) or _FORMATTER.vformat(template, (), params)
    except ValueError:  # a malformed template (rule packs check theirs when loading)
        return template


@functools.lru_cache(maxsize=4096)
def _parsed(template: str) -> tuple[tuple[str, str | None, str, str | None], ...]:
    return tuple(_FORMATTER.parse(template))  # type: ignore[arg-type]


def _fill_simple(
    parts: tuple[tuple[str, str | None, str, str | None], ...],
    params: Mapping[str, Any],
) -> str | None:
    """What ``_FORMATTER.vformat`` gives when every field is a plain name present
    in *params* (most messages), without the Formatter's per-call machinery;
    None for anything else (attributes, conversions, gaps), left to it."""
    out: list[str] = []
    for literal, name, spec, conversion in parts:
        out.append(literal)
        if name is None:
            continue
        if conversion or "{" in spec or not name.isidentifier() or name not in params:
            return None
        value = params[name]
        if isinstance(value, bool):
            value = "true" if value else "false"
        elif value is None:
            value = "null"
        out.append(format(value, spec))
    return "".join(out)


_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]")
_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def escape_controls(text: str) -> str:
    """Line breaks and control characters made visible, so that a value from a
    manifest can neither break a one-line finding nor drive the terminal."""
    return _CONTROL.sub(
        lambda m: _ESCAPES.get(m.group(), f"\\u{ord(m.group()):04x}"), text
    )


_SEPARATORS = str.maketrans(",.", ".,")


def format_number(value: float, lang: str, decimals: int = 1) -> str:
    """A number as a reader of *lang* writes it: "3,6" and "1.250" in Bahasa
    Indonesia, "3.6" and "1,250" in English; trailing zeros dropped ("80")."""
    text = f"{value:,.{decimals}f}"
    if decimals:
        text = text.rstrip("0").rstrip(".")
    return text.translate(_SEPARATORS) if lang == "id" else text
