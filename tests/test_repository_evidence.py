"""The repository's licence file (HAND-008) and the SBOM (HAND-010), judged on
the files themselves through the real entry point: what is recognised, where a
problem is (file, line, column, JSON Pointer), and hostile files."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from identify.vendor.licenses import LICENSES

from spbe_lint.evidence import licence_file, sbom
from tests.conftest import edit, submission

ARGS = ("--as-of", "2026-11-28", "--lang", "en", "-f", "json")
TEXTS = dict(LICENSES)
SBOM = "docs/serah-terima/sbom.cdx.json"


def results(run, rule: str) -> list[dict]:
    report = run("check", *ARGS).json()
    return [f for f in report["findings"] if f["rule"] == rule]


def failures(run, rule: str) -> list[dict]:
    return [f for f in results(run, rule) if f["status"] != "pass"]


# -- the licence file ------------------------------------------------------------


def test_the_full_gpl_text_agrees_with_or_later_and_only(run, workdir: Path):
    manifest = submission(workdir)  # LICENSE: the GPL-3.0 text; GPL-3.0-or-later
    assert [f["status"] for f in results(run, "HAND-008")] == ["pass"]
    edit(manifest, "license: GPL-3.0-or-later", "license: GPL-3.0-only")
    assert [f["status"] for f in results(run, "HAND-008")] == ["pass"]


def test_a_licence_text_of_another_licence_fails_at_the_file(run, workdir: Path):
    submission(workdir)
    (workdir / "LICENSE").write_text(
        "Copyright (c) 2026 PT Contoh\n\n" + TEXTS["MIT"].split("\n", 2)[2], "utf-8"
    )
    (finding,) = failures(run, "HAND-008")
    assert finding["kind"] == "licence-mismatch"
    assert finding["location"]["path"] == "LICENSE"
    assert finding["location"]["line"] == 1
    assert (
        "this file carries MIT, but handover.license = GPL-3.0-or-later"
        in finding["message_i18n"]["en"]
    )


def test_an_edited_text_within_five_percent_is_still_recognised():
    text = TEXTS["Apache-2.0"].replace("Licensor", "Pemberi Lisensi", 3)
    assert licence_file.match_text(text) == "Apache-2.0"
    assert licence_file.match_text("Hak cipta dilindungi undang-undang.") is None
    assert licence_file.match_text("") is None


def test_no_licence_file_names_what_is_missing(run, workdir: Path):
    submission(workdir)
    (workdir / "LICENSE").unlink()
    (finding,) = failures(run, "HAND-008")
    assert finding["kind"] == "licence-missing"
    assert finding["location"]["pointer"] == "/handover/license"
    assert (
        "no licence file (LICENSE, COPYING, LICENSES/)" in finding["message_i18n"]["en"]
    )


def test_spdx_headers_speak_when_there_is_no_licence_file(run, workdir: Path):
    submission(workdir)
    (workdir / "LICENSE").unlink()
    (workdir / "src").mkdir()
    for name in ("a.php", "b.php"):
        (workdir / "src" / name).write_text(
            "<?php\n// SPDX-License-Identifier: GPL-3.0-or-later\n", "utf-8"
        )
    (workdir / "src" / "vendored.js").write_text(
        "/* SPDX-License-Identifier: MIT */\n", "utf-8"
    )
    assert [f["status"] for f in results(run, "HAND-008")] == ["pass"]
    for name in ("a.php", "b.php"):
        edit(workdir / "src" / name, "GPL-3.0-or-later", "Apache-2.0")
    (finding,) = failures(run, "HAND-008")
    assert finding["kind"] == "licence-mismatch"
    assert finding["location"]["path"] == "src/a.php"
    assert finding["location"]["line"] == 2


def test_an_unrecognised_licence_text_is_for_a_reviewer(run, workdir: Path):
    submission(workdir)
    (workdir / "LICENSE").write_text("Lisensi khusus PT Contoh.\n", "utf-8")
    (finding,) = failures(run, "HAND-008")
    assert finding["status"] == "manual"
    assert finding["kind"] == "licence-unrecognised"


def test_a_licence_file_that_is_a_link_or_huge_is_not_read(
    run, workdir: Path, tmp_path_factory: pytest.TempPathFactory
):
    submission(workdir)
    outside = tmp_path_factory.mktemp("elsewhere") / "LICENSE"
    outside.write_text(TEXTS["GPL-3.0"], "utf-8")
    (workdir / "LICENSE").unlink()
    (workdir / "LICENSE").symlink_to(outside)
    assert failures(run, "HAND-008")[0]["kind"] == "licence-missing"
    (workdir / "LICENSE").unlink()
    with (workdir / "LICENSE").open("wb") as handle:
        handle.truncate(64 * 1024 * 1024)  # sparse: 64 MiB of nothing
    assert failures(run, "HAND-008")[0]["kind"] == "licence-missing"
    (workdir / "LICENSE").unlink()
    os.mkfifo(workdir / "LICENSE")
    assert failures(run, "HAND-008")[0]["kind"] == "licence-missing"


# -- the SBOM --------------------------------------------------------------------


def cyclonedx(spec: str, **extra: object) -> dict:
    return {
        "bomFormat": "CycloneDX",
        "specVersion": spec,
        "version": 1,
        "metadata": {"component": {"type": "application", "name": "sipelita"}},
        "components": [
            {"type": "library", "name": "laravel/framework", "version": "10.48.4"}
        ],
        **extra,
    }


# SPDX 2.2 requires these of every package; NOASSERTION says "not determined".
UNKNOWN = {
    "downloadLocation": "NOASSERTION",
    "licenseConcluded": "NOASSERTION",
    "licenseDeclared": "NOASSERTION",
    "copyrightText": "NOASSERTION",
}


def spdx(version: str) -> dict:
    return {
        "spdxVersion": version,
        "dataLicense": "CC0-1.0",
        "SPDXID": "SPDXRef-DOCUMENT",
        "name": "sipelita-sbom",
        "documentNamespace": "https://sipelita.jambikota.go.id/spdx/1",
        "creationInfo": {
            "created": "2026-06-01T00:00:00Z",
            "creators": ["Tool: syft-1.0"],
        },
        "packages": [
            {"SPDXID": "SPDXRef-app", "name": "sipelita", **UNKNOWN},
            {"SPDXID": "SPDXRef-guzzle", "name": "guzzlehttp/guzzle", **UNKNOWN},
        ],
        "relationships": [
            {
                "spdxElementId": "SPDXRef-DOCUMENT",
                "relationshipType": "DESCRIBES",
                "relatedSpdxElement": "SPDXRef-app",
            }
        ],
    }


@pytest.mark.parametrize(
    "document",
    [cyclonedx(v) for v in sbom.CYCLONEDX] + [spdx(v) for v in sbom.SPDX],
    ids=[f"cyclonedx-{v}" for v in sbom.CYCLONEDX] + list(sbom.SPDX),
)
def test_every_supported_version_validates_against_its_official_schema(
    run, workdir: Path, document: dict
):
    submission(workdir)
    (workdir / SBOM).write_text(json.dumps(document, indent=2), "utf-8")
    assert [f["status"] for f in results(run, "HAND-010")] == ["pass"]


def write_sbom(folder: Path, text: str) -> None:
    submission(folder)
    (folder / SBOM).write_text(text, "utf-8")


@pytest.mark.parametrize(
    ("text", "kind", "line", "column", "pointer", "words"),
    [
        (
            '{"bomFormat": "CycloneDX",\n  "specVersion": }',
            "sbom-invalid",
            2,
            18,
            "",
            "not JSON",
        ),
        ('{"a": 1, "a": 2}', "sbom-invalid", 1, 10, "", "appears twice"),
        ("[" * 100_000, "sbom-invalid", 1, 129, "", "nesting too deep"),
        (
            "<bom xmlns='http://cyclonedx.org/schema/bom/1.5'/>",
            "sbom-invalid",
            1,
            1,
            "",
            "not JSON",
        ),
        ('{"name": "sipelita"}', "sbom-format", 1, 1, "", "neither a CycloneDX"),
        (
            json.dumps(cyclonedx("1.3"), indent=1),
            "sbom-version",
            3,
            17,
            "/specVersion",
            "CycloneDX version 1.3 is not supported",
        ),
        (
            json.dumps(cyclonedx("1.6", version="satu"), indent=1),
            "sbom-schema",
            4,
            13,
            "/version",
            "must be an integer",
        ),
        (
            json.dumps({**cyclonedx("1.5"), "components": []}, indent=1),
            "sbom-empty",
            11,
            2,
            "/components",
            "lists no component",
        ),
    ],
    ids=["syntax", "duplicate", "deep", "xml", "format", "version", "schema", "empty"],
)
def test_an_invalid_or_empty_sbom_fails_at_its_position(
    run, workdir: Path, text, kind, line, column, pointer, words
):
    write_sbom(workdir, text)
    found = failures(run, "HAND-010")
    assert [f["kind"] for f in found] == [kind]
    where = found[0]["location"]
    assert (where["path"], where["line"], where["column"], where["pointer"]) == (
        SBOM,
        line,
        column,
        pointer,
    )
    if words:
        assert words in found[0]["message_i18n"]["en"]


def test_the_sbom_must_name_this_application(run, workdir: Path):
    document = cyclonedx("1.6")
    document["metadata"]["component"]["name"] = "simpeg"
    write_sbom(workdir, json.dumps(document, indent=2))
    (finding,) = failures(run, "HAND-010")
    assert finding["kind"] == "sbom-other-application"
    assert finding["location"]["pointer"] == "/metadata/component/name"
    assert "names the application simpeg" in finding["message_i18n"]["en"]
    del document["metadata"]
    write_sbom(workdir, json.dumps(document, indent=2))
    assert [f["kind"] for f in failures(run, "HAND-010")] == ["sbom-no-application"]
    document = spdx("SPDX-2.3")
    document["relationships"] = []
    write_sbom(workdir, json.dumps(document, indent=2))
    assert [f["kind"] for f in failures(run, "HAND-010")] == ["sbom-no-application"]


def test_a_hostile_sbom_file_is_refused_without_reading_it(
    run, workdir: Path, tmp_path_factory: pytest.TempPathFactory
):
    submission(workdir)
    target = workdir / SBOM
    target.unlink()
    with target.open("wb") as handle:
        handle.truncate(40 * 1024 * 1024)
    (finding,) = failures(run, "HAND-010")
    assert finding["kind"] == "sbom-unreadable"
    assert "(too-large)" in finding["message_i18n"]["en"]
    target.unlink()
    outside = tmp_path_factory.mktemp("elsewhere") / "sbom.json"
    outside.write_text(json.dumps(cyclonedx("1.5")), "utf-8")
    target.symlink_to(outside)
    (finding,) = failures(run, "HAND-010")
    assert finding["kind"] == "outside"  # document-exists: it leaves the folder


def test_schema_references_never_leave_the_shipped_files():
    """The official schemas' $refs resolve among the files in schemas/sbom/."""
    for version in sbom.CYCLONEDX:
        validator = sbom._validator("CycloneDX", version)
        assert validator.is_valid(cyclonedx(version))
        assert not validator.is_valid({**cyclonedx(version), "version": "x"})
    for version in sbom.SPDX:
        assert sbom._validator("SPDX", version).is_valid(spdx(version))
