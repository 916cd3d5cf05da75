"""Indonesian identifiers: NIK, NIP, NPWP and Kemendagri region codes.

One implementation of each, used for the manifest's ``data.fields[]``, the rows
of a dataset sample and the fields of its Table Schema (``evidence.data``):

- NIK and NPWP through python-stdnum (``stdnum.id.nik``, ``stdnum.id.npwp``):
  the NIK's shape, birth date (day + 40 for women) and province of registration;
  the NPWP's check digit (Luhn over its first 9 digits, 10 in the 16-digit
  form) or, for a 16-digit NPWP not starting with 0, the NIK it is.
  We add what stdnum leaves out: a NIK's kab/kota part cannot be 00 and its
  serial cannot be 0000; stdnum's province table predates Kalimantan Utara (65)
  and the 2022 Papua provinces (92-96), so a province in the Kemendagri list is
  accepted; a 15-digit NPWP is legacy from 2024 (PMK 112/PMK.03/2022).
- NIP (PNS): 18 digits ``YYYYMMDD YYYYMM G NNN`` (Perka BKN 22/2007), our own
  code: python-stdnum has no NIP. PPPK numbers share the length but not the
  meaning, so only a number declared as a PNS NIP gets this check.
- Kode wilayah: shape and existence (``spbe_lint.evidence.regions``).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from spbe_lint import deferred
from spbe_lint.evidence import regions
from spbe_lint.findings import Violation
from spbe_lint.i18n import LocalText

if TYPE_CHECKING:
    from spbe_lint.checks import CheckContext

NPWP_LEGACY_UNTIL = datetime.date(2023, 12, 31)

# What python-stdnum's module tops import for helpers never called here
# (pydoc, ssl), and what importlib.resources imports for extracting package
# data to a temporary file (tempfile, which brings shutil and the compression
# modules) when stdnum reads its region table from a folder: each imported only
# if used (spbe_lint.deferred).
STDNUM_UNUSED = ("pydoc", "ssl", "tempfile", "zipfile")

# What each problem means, for messages: rule texts say "{field} = {value}: {why}".
WHY = {
    "format": LocalText("bentuknya tidak sesuai", "it does not have the right shape"),
    "type": LocalText(
        "nilainya bukan teks (tulis identitas di antara tanda kutip)",
        "the value is not text (write identifiers in quotes)",
    ),
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
    "checksum": LocalText(
        "digit pemeriksanya (Luhn) tidak cocok; periksa kembali angkanya",
        "its check digit (Luhn) does not match; check the digits",
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
    "province": LocalText(
        "tidak ada provinsi dengan kode ini dalam daftar Kemendagri",
        "no province has this code in the Kemendagri list",
    ),
    "regency": LocalText(
        "tidak ada kabupaten/kota dengan kode ini dalam daftar Kemendagri",
        "no kabupaten/kota has this code in the Kemendagri list",
    ),
    "not-kelurahan": LocalText(
        "wilayah kota hanya terdiri atas kelurahan, yang kodenya diawali 1",
        "the city has kelurahan only, whose codes start with 1",
    ),
    "unknown": LocalText(
        "kode ini tidak ada dalam daftar kecamatan dan kelurahan kota",
        "the code is not in the city's list of kecamatan and kelurahan",
    ),
}

_DIGITS = re.compile(r"^[0-9]+$")


def _date(year: int, month: int, day: int) -> datetime.date | None:
    try:
        return datetime.date(year, month, day)
    except ValueError:
        return None


def nik_problem(value: str) -> str | None:
    """Why *value* is not a NIK (a violation kind), or None."""
    if len(value) != 16 or not _DIGITS.match(value):
        return "format"  # stdnum would strip separators; a stored NIK has none
    with deferred.only_for(STDNUM_UNUSED):
        verdict = _stdnum_nik(value)
    if verdict is not None:
        return verdict
    if value[2:4] == "00":
        return "region"
    if value[12:] == "0000":
        return "serial"
    return None


def _stdnum_nik(value: str) -> str | None:
    from stdnum.exceptions import InvalidComponent, ValidationError
    from stdnum.id import nik

    try:
        nik.validate(value)
    except InvalidComponent:
        try:
            nik.get_birth_date(value)
        except InvalidComponent:
            return "date"
        if not _known_province(value[:2]):
            return "region"
    except ValidationError:
        return "format"
    return None


def _known_province(code: str) -> bool:
    return code in regions.national()


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
    """Why *value* is not an NPWP on *as_of* (dots and dashes are allowed)."""
    digits = value.replace(".", "").replace("-", "")
    if not _DIGITS.match(digits) or len(digits) not in (15, 16):
        return "format"
    if len(digits) == 16 and not digits.startswith("0"):
        return nik_problem(digits)  # a resident individual's NPWP is the NIK
    with deferred.only_for(STDNUM_UNUSED):
        verdict = _stdnum_npwp(digits)
    if verdict is not None:
        return verdict
    if len(digits) == 15 and as_of > NPWP_LEGACY_UNTIL:
        return "legacy"
    return None


def _stdnum_npwp(digits: str) -> str | None:
    from stdnum.exceptions import InvalidChecksum, ValidationError
    from stdnum.id import npwp

    try:
        npwp.validate(digits)
    except InvalidChecksum:
        return "checksum"
    except ValidationError:
        return "format"
    return None


def kode_wilayah_problem(value: str, profile: Mapping[str, Any]) -> str | None:
    """Shape and existence of a region code (see ``evidence.regions.problem``)."""
    return regions.problem(value, profile)


# The identifier types a field may declare (data.fields[].type, a Table Schema
# field's ``x-identifier``): each judged by one function of (text, day, profile).
Judge = Callable[[str, datetime.date, Mapping[str, Any]], str | None]
JUDGES: dict[str, Judge] = {
    "nik": lambda text, day, profile: nik_problem(text),
    "nip": lambda text, day, profile: nip_problem(text),
    "npwp": lambda text, day, profile: npwp_problem(text, day),
    "kode_wilayah": lambda text, day, profile: kode_wilayah_problem(text, profile),
    "nitku": lambda text, day, profile: None,  # the catalogue does not know its format
}


def problem(
    kind: str, value: Any, as_of: datetime.date, profile: Mapping[str, Any]
) -> str | None:
    """Why *value* is not an identifier of *kind*, or None. A value of the wrong
    type is a problem (``type``), never a crash; an integer is read as its digits
    (YAML and CSV readers turn unquoted identifiers into numbers)."""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        return "type"
    judge = JUDGES.get(kind)
    return judge(str(value), as_of, profile) if judge else None


def _identifier(
    kind: str,
) -> Callable[[Any, Mapping[str, Any], CheckContext], Iterator[Violation]]:
    def check(
        value: Any, params: Mapping[str, Any], context: CheckContext
    ) -> Iterator[Violation]:
        found = (
            problem(kind, value, context.as_of, _profile(params, context))
            if isinstance(value, str)
            else "format"
        )
        if found:
            yield Violation(
                params={
                    "value": value,
                    "region": params.get("region"),
                    "why": WHY[found],
                },
                kind=found,
            )

    check.__doc__ = f"The selected value is a valid {kind}."
    return check


def _profile(params: Mapping[str, Any], context: CheckContext) -> Mapping[str, Any]:
    """The profile, with the rule's ``region`` parameter when it gives one."""
    region = params.get("region")
    if region and region != context.profile.get("region_code"):
        return {**context.profile, "region_code": region}
    return context.profile


nik = _identifier("nik")
nip = _identifier("nip")
npwp = _identifier("npwp")
kode_wilayah = _identifier("kode_wilayah")


def of_types(field: Any, params: Mapping[str, Any]) -> bool:
    """Is *field* (``data.fields[]``) of a type ``params["types"]`` names, or
    can that not be told (its type is not text)?"""
    kind = field.get("type") if isinstance(field, dict) else None
    return "types" not in params or not isinstance(kind, str) or kind in params["types"]


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
    values = field.get("samples")
    for index, value in enumerate(values if isinstance(values, list) else ()):
        found = problem(str(kind), value, context.as_of, _profile(params, context))
        if found:
            yield Violation(
                path=("samples", index),
                params={"value": value, "type": kind, "why": WHY[found]},
                kind="sample",
            )
