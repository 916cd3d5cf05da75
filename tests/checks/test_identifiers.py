from __future__ import annotations

import datetime

import pytest

from spbe_lint import rulepack
from spbe_lint.checks import CheckContext, identifiers

PROFILE = rulepack.load_pack().profile
TODAY = CheckContext(profile=PROFILE, as_of=datetime.date(2026, 11, 28))


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("1571011203900001", None),  # man born 12 March 1990, Kota Jambi
        ("1571015203900001", None),  # woman: day 12 + 40 = 52
        ("1571017103900002", None),  # woman born on the 31st: 71
        ("157101120390001", "format"),  # 15 digits
        ("15710112039000012", "format"),  # 17 digits
        ("157101120390000A", "format"),
        ("1571 0112 0390 0001", "format"),
        ("9971011203900001", "region"),  # no province 99
        ("6501011203900001", None),  # Kalimantan Utara: stdnum's table lacks 65
        ("9601011203900001", None),  # Papua Barat Daya (2022): nor 92-96
        ("1500011203900001", "region"),  # kab/kota 00
        ("1571013203900001", "date"),  # day 32
        ("1571017203900001", "date"),  # day 72 (= 32 for a woman)
        ("1571011213900001", "date"),  # month 13
        ("1571013002900001", "date"),  # 30 February
        ("1571011203900000", "serial"),
    ],
)
def test_nik(value: str, problem: str | None):
    assert identifiers.nik_problem(value) == problem
    found = list(identifiers.nik(value, {}, TODAY))
    assert [v.kind for v in found] == ([problem] if problem else [])


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("198703122010012003", None),  # born 1987-03-12, TMT 2010-01, woman
        ("199001012015031001", None),
        ("19870312201001200", "format"),
        ("1987031220100120031", "format"),
        ("19870312201001200X", "format"),
        ("198713122010012003", "birth-date"),  # month 13
        ("198702302010012003", "birth-date"),  # 30 February
        ("198703122010132003", "tmt"),  # TMT month 13
        ("198703121990012003", "tmt"),  # TMT before the person was 17
        ("198703122010013003", "gender"),
        ("198703122010012000", "serial"),
    ],
)
def test_nip(value: str, problem: str | None):
    assert identifiers.nip_problem(value) == problem


@pytest.mark.parametrize(
    ("value", "as_of", "problem"),
    [
        ("0013121660091000", datetime.date(2026, 1, 1), None),  # check digit 0
        ("00.131.216.6-009.1000", datetime.date(2026, 1, 1), None),  # dots and dash
        ("0013121670091000", datetime.date(2026, 1, 1), "checksum"),
        ("013121660091000", datetime.date(2023, 6, 1), None),  # legacy, still accepted
        ("013121660091000", datetime.date(2024, 1, 1), "legacy"),
        ("01.312.166.0-091.000", datetime.date(2024, 1, 1), "legacy"),
        ("013121670091000", datetime.date(2023, 6, 1), "checksum"),
        ("1571015203900001", datetime.date(2026, 1, 1), None),  # a NIK as NPWP
        ("1571013203900001", datetime.date(2026, 1, 1), "date"),  # ... with day 32
        ("12345", datetime.date(2026, 1, 1), "format"),
        ("abcdefghijklmnop", datetime.date(2026, 1, 1), "format"),
    ],
)
def test_npwp_legacy_form_depends_on_the_day(value, as_of, problem):
    assert identifiers.npwp_problem(value, as_of) == problem


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("15", None),
        ("15.71", None),
        ("15.71.01", None),
        ("15.71.01.1001", None),
        ("1571011001", None),  # undotted
        ("15.05.01.2001", None),  # a desa outside the city
        ("15.71.01.2001", "not-kelurahan"),  # the city has kelurahan only
        ("15.7", "format"),
        ("15.71.1", "format"),
        ("15.71.01.101", "format"),
        ("99.71", "province"),  # no such province
        ("15.99", "regency"),  # no such kab/kota in Jambi
        ("65.01", None),  # Kalimantan Utara (2012)
        ("96.01", None),  # Papua Barat Daya (2022)
        ("15.71.12", "unknown"),  # Kota Jambi has 11 kecamatan
        ("15.71.02.1001", "unknown"),  # no such kelurahan in Jambi Selatan
        ("15.71.11.1006", None),  # Bakung Jaya, Paal Merah
        ("15.00", "format"),
        ("15-71", "format"),
    ],
)
def test_kode_wilayah(value: str, problem: str | None):
    assert identifiers.kode_wilayah_problem(value, PROFILE) == problem


def test_samples_need_a_validator_and_valid_values():
    field = {
        "name": "nik_pemohon",
        "type": "nik",
        "samples": ["1571011203900001", "1571013203900001", 12],
    }
    found = list(identifiers.samples(field, {"region": "15.71"}, TODAY))
    assert [(v.kind, v.path) for v in found] == [
        ("no-validator", ()),
        ("sample", ("samples", 1)),
        ("sample", ("samples", 2)),
    ]
    assert found[1].params["why"].en.startswith("its birth-date part")


def test_identifier_messages_exist_for_every_problem():
    kinds = {"format", "region", "date", "serial", "birth-date", "tmt", "gender"}
    assert kinds | {"legacy", "not-kelurahan"} <= set(identifiers.WHY)


def test_samples_can_be_limited_to_some_types():
    field = {"name": "kelurahan", "type": "kode_wilayah", "samples": ["15.71.01.2001"]}
    params = {"types": ["nik", "nip"], "region": "15.71"}
    assert list(identifiers.samples(field, params, TODAY)) == []
    params = {"types": ["kode_wilayah"], "region": "15.71"}
    found = list(identifiers.samples(field, params, TODAY))
    assert [v.kind for v in found] == ["no-validator", "sample"]
