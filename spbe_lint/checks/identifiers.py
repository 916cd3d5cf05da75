"""Indonesian identifiers: NIK, NIP, NPWP and Kemendagri region codes.

Formats from the requirement catalogue (regulations.md section 3.2):

- NIK: 16 digits ``PPKKCC DDMMYY NNNN``: region of first registration, birth
  date with 40 added to the day for women, serial from 0001 (PP 37/2007).
- NIP (PNS): 18 digits ``YYYYMMDD YYYYMM G NNN``: birth date, TMT CPNS, gender
  1 or 2, serial (Perka BKN 22/2007). PPPK numbers share the length but not the
  meaning, so only a number declared as a PNS NIP gets the semantic check.
- NPWP: 16 digits; the old 15-digit form is legacy since PMK 112/PMK.03/2022
  and no longer accepted by services from 1 January 2024.
- Kode wilayah: ``NN.NN.NN.NNNN`` (or undotted), province, kab/kota,
  kecamatan, desa/kelurahan; kelurahan numbers start with 1, desa with 2.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from spbe_lint.findings import Violation
from spbe_lint.i18n import LocalText

if TYPE_CHECKING:
    from spbe_lint.checks import CheckContext

# Kemendagri province codes, including the Papua provinces formed in 2022.
PROVINCES = frozenset(
    {11, 12, 13, 14, 15, 16, 17, 18, 19, 21, 31, 32, 33, 34, 35, 36, 51, 52, 53}
    | {61, 62, 63, 64, 65, 71, 72, 73, 74, 75, 76, 81, 82, 91, 92, 93, 94, 95, 96}
)
NPWP_LEGACY_UNTIL = datetime.date(2023, 12, 31)

# What each problem means, for messages: rule texts say "{field} = {value}: {why}".
WHY = {
    "format": LocalText("bentuknya tidak sesuai", "it does not have the right shape"),
    "region": LocalText(
        "kode wilayah di awalnya tidak dikenal", "its leading region code is unknown"
    ),
    "date": LocalText(
        "bagian tanggal lahirnya (DDMMYY, tanggal + 40 untuk perempuan) tidak mungkin",
        "its birth-date part (DDMMYY, day + 40 for women) is impossible",
    ),
    "serial": LocalText(
        "nomor urutnya tidak boleh nol semua", "its serial number cannot be all zeros"
    ),
    "birth-date": LocalText(
        "8 digit pertamanya bukan tanggal lahir yang mungkin (YYYYMMDD)",
        "its first 8 digits are not a possible birth date (YYYYMMDD)",
    ),
    "tmt": LocalText(
        "digit 9-14 bukan TMT CPNS yang mungkin (YYYYMM, setelah usia 17 tahun)",
        "digits 9-14 are not a possible TMT CPNS (YYYYMM, after age 17)",
    ),
    "gender": LocalText(
        "digit ke-15 (jenis kelamin) harus 1 atau 2",
        "digit 15 (gender) must be 1 or 2",
    ),
    "legacy": LocalText(
        "NPWP 15 digit adalah format lama; sejak 1 Januari 2024 layanan memakai NPWP "
        "16 digit (NIK bagi orang pribadi penduduk)",
        "a 15-digit NPWP is the old format; since 1 January 2024 services use the "
        "16-digit NPWP (the NIK for resident individuals)",
    ),
    "not-kelurahan": LocalText(
        "wilayah kota hanya terdiri atas kelurahan, yang kodenya diawali 1",
        "the city has kelurahan only, whose codes start with 1",
    ),
}

_DIGITS = re.compile(r"^[0-9]+$")
_KODE = re.compile(r"^(\d{2})(?:\.(\d{2})(?:\.(\d{2})(?:\.(\d{4}))?)?)?$")
_KODE_UNDOTTED = re.compile(r"^(\d{2})(\d{2})?(\d{2})?(\d{4})?$")


def _date(year: int, month: int, day: int) -> datetime.date | None:
    try:
        return datetime.date(year, month, day)
    except ValueError:
        return None


def nik_problem(value: str) -> str | None:
    """Why *value* is not a NIK (a violation kind), or None."""
    if len(value) != 16 or not _DIGITS.match(value):
        return "format"
    if int(value[:2]) not in PROVINCES or value[2:4] == "00":
        return "region"
    day, month = int(value[6:8]), int(value[8:10])
    day = day - 40 if day > 40 else day  # women: day + 40
    # The year has two digits: any century will do for checking day and month.
    if _date(2000, month, day) is None:
        return "date"
    if value[12:] == "0000":
        return "serial"
    return None


def nip_problem(value: str) -> str | None:
    """Why *value* is not a PNS NIP (a violation kind), or None."""
    if len(value) != 18 or not _DIGITS.match(value):
        return "format"
    birth = _date(int(value[:4]), int(value[4:6]), int(value[6:8]))
    if birth is None or birth.year < 1900:
        return "birth-date"
    tmt_year, tmt_month = int(value[8:12]), int(value[12:14])
    if not 1 <= tmt_month <= 12 or tmt_year < birth.year + 17:
        return "tmt"
    if value[14] not in "12":
        return "gender"
    if value[15:] == "000":
        return "serial"
    return None


def npwp_problem(value: str, as_of: datetime.date) -> str | None:
    digits = value.replace(".", "").replace("-", "")
    if not _DIGITS.match(digits) or len(digits) not in (15, 16):
        return "format"
    if len(digits) == 15 and as_of > NPWP_LEGACY_UNTIL:
        return "legacy"
    return None


def kode_wilayah_problem(value: str, region: str | None = None) -> str | None:
    """Shape of a region code; a code inside *region* (the city) that reaches the
    village level must be a kelurahan (Kota Jambi has kelurahan only)."""
    match = _KODE.match(value) or _KODE_UNDOTTED.match(value)
    if match is None:
        return "format"
    parts = [p for p in match.groups() if p]
    if int(parts[0]) not in PROVINCES or any(int(p) == 0 for p in parts[1:]):
        return "format"
    if region:
        own = region.split(".")
        if (
            parts[: len(own)] == own
            and len(parts) == 4
            and not parts[3].startswith("1")
        ):
            return "not-kelurahan"
    return None


def _identifier(
    problem: Callable[[str], str | None],
) -> Callable[[Any, Mapping[str, Any], CheckContext], Iterator[Violation]]:
    def check(
        value: Any, params: Mapping[str, Any], context: CheckContext
    ) -> Iterator[Violation]:
        text = value if isinstance(value, str) else None
        kind = problem(text) if text is not None else "format"
        if kind:
            yield Violation(params={"value": value, "why": WHY[kind]}, kind=kind)

    check.__doc__ = problem.__doc__
    return check


nik = _identifier(nik_problem)
nip = _identifier(nip_problem)


def npwp(
    value: Any, params: Mapping[str, Any], context: CheckContext
) -> Iterator[Violation]:
    kind = npwp_problem(value, context.as_of) if isinstance(value, str) else "format"
    if kind:
        yield Violation(params={"value": value, "why": WHY[kind]}, kind=kind)


def kode_wilayah(
    value: Any, params: Mapping[str, Any], context: CheckContext
) -> Iterator[Violation]:
    region = params.get("region")
    kind = kode_wilayah_problem(value, region) if isinstance(value, str) else "format"
    if kind:
        yield Violation(
            params={"value": value, "region": region, "why": WHY[kind]}, kind=kind
        )


def samples(
    field: Any, params: Mapping[str, Any], context: CheckContext
) -> Iterator[Violation]:
    """A declared identifier field (``data.fields[]``) names its validator, and the
    sample values it gives validate as that identifier. ``params["types"]``
    limits the check to some identifier types."""
    if not isinstance(field, dict):
        return
    kind = field.get("type")
    if kind not in params.get("types", (kind,)):
        return  # another rule's identifier (DATA-011 region codes, DATA-012 the rest)
    if not field.get("validator"):
        yield Violation(path=(), params={"type": kind}, kind="no-validator")
    for index, value in enumerate(field.get("samples") or ()):
        text = str(value) if isinstance(value, (str, int)) else None
        problem: str | None
        if text is None:
            problem = "format"
        elif kind == "nik":
            problem = nik_problem(text)
        elif kind == "nip":
            problem = nip_problem(text)
        elif kind == "npwp":
            problem = npwp_problem(text, context.as_of)
        elif kind == "kode_wilayah":
            problem = kode_wilayah_problem(text, params.get("region"))
        else:  # NITKU: the catalogue does not know its format
            problem = None
        if problem:
            yield Violation(
                path=("samples", index),
                params={"value": value, "type": kind, "why": WHY[problem]},
                kind="sample",
            )
