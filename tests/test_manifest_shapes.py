"""Issue 13, shapes: a wrong type or an odd value anywhere in a manifest is a
finding, never a crash.

Every named check declares the shape of node it reads (``spbe_lint/checks/shapes.py``)
and the engine holds it to that before calling it; what a shape cannot say (a
licence that does not parse, a file name too long for the file system) the
check turns into a finding. Each case runs through the real command
(``spbe_lint.cli.main`` in-process); the property-based test
(``tests/test_properties.py``) generates the rest of the class.
"""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from spbe_lint.checks import CHECKS, shapes
from tests.conftest import edit, submission

NOT_SPDX = [
    ("Apache License, Version 2.0", "Invalid license key: the valid characters are"),
    ("MIT/X11", "Invalid license key: the valid characters are"),
    ("GPL 3.0; see LICENSE", "Invalid license key: the valid characters are"),
    ("MIT OR", "OR requires two or more licenses as in: MIT OR BSD"),
]
LICENCE_LINE = "  license: GPL-3.0-or-later"


def findings(result, rule: str) -> list[dict]:
    assert result.status in (0, 1), result.stderr
    return [f for f in result.json()["findings"] if f["rule"] == rule]


@pytest.mark.parametrize(("licence", "reason"), NOT_SPDX)
def test_a_licence_that_is_no_spdx_expression_is_hand_008_with_the_reason(
    run, compliant: Path, licence: str, reason: str
):
    edit(compliant, LICENCE_LINE, f"  license: {json.dumps(licence)}")
    result = run("check", "--format", "json", "--lang", "en")
    assert result.status == 1, result.stderr
    (found,) = [f for f in findings(result, "HAND-008") if f["status"] == "fail"]
    assert found["location"]["pointer"] == "/handover/license"
    message = found["message_i18n"]["en"]
    assert message.startswith(
        f"handover.license = {licence}: not an SPDX licence expression "
        f"(license-expression: {reason}"
    ), message
    assert "(license-expression: " in found["message_i18n"]["id"]


def test_a_licence_left_empty_is_missing_not_a_wrong_shape(run, compliant: Path):
    edit(compliant, LICENCE_LINE, "  license:")
    result = run("check", "--format", "json", "--lang", "en")
    (found,) = [f for f in findings(result, "HAND-008") if f["status"] == "fail"]
    assert found["kind"] == "missing", found


def test_eupl_or_later_is_valid_spdx_and_passes(run, compliant: Path):
    edit(compliant, LICENCE_LINE, "  license: EUPL-1.2+")
    result = run("check", "--format", "json", "--lang", "en")
    hand = findings(result, "HAND-008")
    assert not [f for f in hand if f["kind"] in ("not-spdx", "closed")], hand
    # The example's LICENSE is the GPL: the licence file now disagrees, and says so.
    assert any(f["kind"] == "licence-mismatch" for f in hand), hand


@pytest.mark.parametrize("licence", [case[0] for case in NOT_SPDX] + ["EUPL-1.2+"])
def test_init_from_publiccode_keeps_any_licence_as_written(
    run, workdir: Path, licence: str
):
    (workdir / "publiccode.yml").write_text(
        'publiccodeYmlVersion: "0.4"\nname: Layanan Aduan\n'
        f"legal:\n  license: {json.dumps(licence)}\n",
        "utf-8",
    )
    result = run("init", "--no-input", "--from-publiccode", ".", "--lang", "en")
    assert result.status == 0, result.stderr
    written = (workdir / "spbe.yaml").read_text("utf-8")
    assert f"license: {licence}" in written or json.dumps(licence) in written
    flagged = f"'{licence}' is not an SPDX licence expression" in result.stdout
    assert flagged == (licence != "EUPL-1.2+"), result.stdout
    assert run("check", "--format", "json").status in (0, 1)


def test_a_scalar_where_samples_are_a_list_is_reported_once_and_judged_nowhere(
    run, compliant: Path
):
    edit(compliant, 'samples: ["1571015203900001"]', "samples: 1571015203900001")
    result = run("check", "--format", "json", "--lang", "en")
    assert result.status == 1, result.stderr
    at = "/data/fields/0/samples"
    man = [f for f in findings(result, "MAN-005") if f["location"]["pointer"] == at]
    assert [f["message_i18n"]["en"] for f in man] == [
        "data.fields[0].samples: must be a list, not an integer"
    ]
    # The identifier rule does not guess: it cannot judge the samples, and says why.
    (data_012,) = [
        f for f in findings(result, "DATA-012") if f["location"]["pointer"] == at
    ]
    assert data_012["status"] == "inconclusive"
    assert data_012["message_i18n"]["en"] == (
        "data.fields[0].samples: cannot be judged because its value is not valid "
        "(see MAN-005)"
    )
    # A NIK field is none of DATA-011's business (region codes): it stays silent.
    assert not [
        f for f in findings(result, "DATA-011") if f["location"]["pointer"] == at
    ]


def test_a_shape_the_schema_allows_but_a_check_cannot_read_fails_where_it_is(
    run, compliant: Path
):
    """An extension key (``x-``) is free for the schema; among the implementation
    manuals HAND-005 reads it as a document reference, and a number is none."""
    edit(
        compliant,
        "    implementasi:\n",
        "    implementasi:\n      x-catatan: 1571015203900001\n",
    )
    result = run("check", "--format", "json", "--lang", "en")
    assert result.status == 1, result.stderr
    (found,) = [
        f
        for f in findings(result, "HAND-005")
        if f["location"]["pointer"].endswith("x-catatan")
    ]
    assert found["status"] == "fail"
    assert found["message_i18n"]["en"] == (
        "expected text or a mapping (key: value) or a list at "
        "handover.documentation.implementasi.x-catatan, got an integer; this rule "
        "cannot be judged"
    )
    assert found["message_i18n"]["id"].startswith(
        "handover.documentation.implementasi.x-catatan harus berupa teks atau "
    )


@pytest.mark.parametrize(
    "reference",
    [
        "docs/data/izin-usaha.schema.json",
        "docs/data/izin-usaha.sample.csv",
        "docs/data/metadata-izin-usaha.json",
        "docs/serah-terima/sbom.cdx.json",
        "docs/api/openapi.yaml",
    ],
)
@pytest.mark.parametrize(
    "long",
    ["a" * 300 + ".json", "/".join(["d" * 200] * 30) + "/x.json"],
    ids=["NAME_MAX", "PATH_MAX"],
)
def test_an_evidence_path_too_long_for_the_file_system_is_a_finding(
    run, workdir: Path, reference: str, long: str
):
    manifest = submission(workdir / "app")
    edit(manifest, reference, long)
    result = run("check", "app", "--format", "json", "--lang", "en")
    assert result.status in (0, 1), result.stderr  # DATA-018 is a warning
    assert "ENAMETOOLONG" not in result.stdout + result.stderr
    shown = [
        f
        for f in result.json()["findings"]
        if f["status"] in ("fail", "manual", "inconclusive")
        and "longer than the file system allows" in f["message_i18n"]["en"]
    ]
    assert shown, "no finding names the path that is too long"


def test_every_check_declares_the_shape_it_reads():
    for name, check in CHECKS.items():
        assert check.accepts.get("type"), f"{name} accepts any node"
        jsonschema.Draft202012Validator.check_schema(check.accepts)
        words: set[str] = set()
        _keywords(check.accepts, words)
        assert words <= shapes.KEYWORDS, f"{name}: {words - shapes.KEYWORDS}"


def _keywords(node: dict, found: set[str]) -> None:
    for key, value in node.items():
        found.add(key)
        if key == "properties":
            for child in value.values():
                _keywords(child, found)
        elif key == "items":
            _keywords(value, found)


@pytest.mark.parametrize(
    ("contract", "node", "expected"),
    [
        (shapes.TEXT, "x", []),
        (shapes.TEXT, 5, [((), "text", "an integer")]),
        (
            shapes.mapping(samples=shapes.listing()),
            {"samples": 1571015203900001},
            [(("samples",), "a list", "an integer")],
        ),
        (
            shapes.mapping(a=shapes.listing(shapes.TEXT)),
            {"a": ["x", None, {"b": 1}]},
            [(("a", 1), "text", "null"), (("a", 2), "text", "a mapping (key: value)")],
        ),
        (shapes.mapping(a=shapes.TEXT), {"other": 5}, []),  # only what is read
        (shapes.mapping(a=shapes.TEXT), {"a": None}, []),  # null: not filled in
        (shapes.listing(shapes.TEXT), [None], [((0,), "text", "null")]),
        (
            shapes.one_of("string", "array"),
            True,
            [((), "text or a list", "true/false")],
        ),
    ],
)
def test_a_shape_mismatch_names_the_place_the_shape_and_what_was_found(
    contract, node, expected
):
    found = shapes.mismatches(contract, node)
    assert [
        (v.path, v.params["expected"].en, v.params["found"].en) for v in found
    ] == expected
    assert all(v.kind == shapes.WRONG_SHAPE for v in found)


def test_an_audit_records_odd_values_as_findings_not_internal_errors(
    run, workdir: Path
):
    """The same checks in the audit's workers: an application whose manifest holds
    an unparseable licence and a scalar for a list is checked, not an error."""
    odd = submission(workdir / "apps" / "aneh")
    edit(odd, LICENCE_LINE, '  license: "MIT OR"')
    edit(odd, 'samples: ["1571015203900001"]', "samples: 1571015203900001")
    submission(workdir / "apps" / "baik")
    result = run("audit", "apps", "--lang", "en")
    assert result.status == 1, result.stderr
    records = [
        json.loads(line)
        for line in (workdir / "spbe-audit.jsonl").read_text("utf-8").splitlines()
    ]
    found = {r["app"]: r for r in records if r["kind"] == "application"}
    assert found["aneh"]["state"] == "checked", found["aneh"]
    assert found["aneh"]["internal_error"] is None
    assert found["aneh"]["verdict"] == "not_ready"
    assert found["baik"]["verdict"] == "ready"
