"""Kemendagri region codes (kode wilayah): does a code exist, not only its shape.

Two lists, each as far as it can be verified: the province and kab/kota codes of
the whole country ship with spbe-lint (``kode-wilayah.tsv``, read once, lazily,
through importlib.resources); the city's kecamatan and kelurahan codes are in the
rule pack's profile (``profile.wilayah``), so another city brings its own. Below
kab/kota, a code outside the city is judged by its shape only.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from typing import Any

_DOTTED = re.compile(r"^(\d{2})(?:\.(\d{2})(?:\.(\d{2})(?:\.(\d{4}))?)?)?$")
_UNDOTTED = re.compile(r"^(\d{2})(\d{2})?(\d{2})?(\d{4})?$")


@functools.cache
def national() -> Mapping[str, str]:
    """Province and kab/kota codes (``15``, ``15.71``) with their names."""
    from spbe_lint.resources import package_files

    found = package_files("spbe_lint.evidence").joinpath("kode-wilayah.tsv")
    text = found.read_text("utf-8")
    codes: dict[str, str] = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            code, _, name = line.partition("\t")
            codes[code] = name
    return codes


def parts(value: str) -> list[str] | None:
    """The levels of a code written ``15.71.01.1001`` or ``1571011001``."""
    match = _DOTTED.match(value) or _UNDOTTED.match(value)
    return [p for p in match.groups() if p] if match else None


def name(code: str, profile: Mapping[str, Any]) -> str | None:
    """The region a dotted code names, in the national list or the city's."""
    return national().get(code) or _city_codes(profile).get(code)


def problem(value: str, profile: Mapping[str, Any]) -> str | None:
    """Why *value* is not a Kemendagri region code (a violation kind), or None.

    ``format``: not NN[.NN[.NN[.NNNN]]]; ``province`` / ``regency``: no such
    province or kab/kota; ``not-kelurahan``: a desa number (2xxx) inside the city,
    which has kelurahan only; ``unknown``: inside the city but not in its list.
    """
    levels = parts(value)
    if levels is None or any(int(p) == 0 for p in levels):
        return "format"
    codes = national()
    if levels[0] not in codes:
        return "province"
    if len(levels) > 1 and ".".join(levels[:2]) not in codes:
        return "regency"
    region = str(profile.get("region_code") or "")
    own = region.split(".") if region else []
    if not own or levels[: len(own)] != own or len(levels) <= len(own):
        return None  # outside the city: verified as far as the national list goes
    if len(levels) == 4 and not levels[3].startswith("1"):
        return "not-kelurahan"
    city = _city_codes(profile)
    if city and ".".join(levels) not in city:
        return "unknown"
    return None


def _city_codes(profile: Mapping[str, Any]) -> Mapping[str, str]:
    wilayah = profile.get("wilayah")
    codes = wilayah.get("codes") if isinstance(wilayah, Mapping) else None
    return codes if isinstance(codes, Mapping) else {}


def edition(profile: Mapping[str, Any]) -> str:
    """Which list the city's codes come from, for messages."""
    wilayah = profile.get("wilayah")
    if isinstance(wilayah, Mapping) and wilayah.get("edition"):
        return str(wilayah["edition"])
    return "Kepmendagri"
