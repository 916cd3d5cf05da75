"""Dataset evidence through the real command: schemas, samples, metadata,
identifiers and region codes (issue 16). Findings point into the evidence file;
hostile files are findings or one clear line, never a crash or a hang."""

from __future__ import annotations

import http.server
import json
import os
import shutil
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT, Result

MANIFEST = """\
spbe: 1
app:
  name: sipelita
  status: development
data:
  reference_codes:
    wilayah: kemendagri
  datasets:
{datasets}
"""
DATA_RULES = ("DATA-011", "DATA-012", "DATA-015", "DATA-016", "DATA-017", "DATA-018")


def dataset(name: str, classification: str = "terbatas", **refs: str) -> str:
    lines = [f"    - name: {name}", f"      classification: {classification}"]
    lines += [f"      {key}: {value}" for key, value in refs.items()]
    return "\n".join(lines)


def write(folder: Path, files: dict[str, str | bytes], *datasets: str) -> None:
    for name, content in files.items():
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, "utf-8")
    (folder / "spbe.yaml").write_text(
        MANIFEST.format(datasets="\n".join(datasets)), "utf-8"
    )


def check(run: Callable[..., Result], *extra: str) -> tuple[Result, list[dict]]:
    args = ["check", "--format", "json", "--lang", "en"]
    for rule in DATA_RULES:
        args += ["--select", rule]
    result = run(*args, *extra)
    assert result.status in (0, 1), result.stderr
    return result, result.json()["findings"]


def problems(findings: list[dict], rule: str | None = None) -> list[dict]:
    return [
        f
        for f in findings
        if f["status"] in ("fail", "manual") and (rule is None or f["rule"] == rule)
    ]


def place(finding: dict) -> tuple[str, str, int | None, int | None]:
    location = finding["location"]
    return (
        location["path"],
        location["pointer"],
        location.get("line"),
        location.get("column"),
    )


SCHEMA = {
    "fields": [
        {"name": "nik", "type": "string", "x-identifier": "nik", "title": "NIK"},
        {"name": "nip", "type": "string", "x-identifier": "nip", "title": "NIP"},
        {"name": "npwp", "type": "string", "x-identifier": "npwp", "title": "NPWP"},
        {"name": "kel", "type": "string", "x-identifier": "kode_wilayah"},
        {"name": "jumlah", "type": "integer", "constraints": {"minimum": 0}},
    ]
}
GOOD_ROW = "1571015203900001,198703122010012003,0213456700331000,15.71.01.1001,3"


@pytest.mark.parametrize(
    ("column", "bad", "rule", "why"),
    [
        ("nik", "1571013203900001", "DATA-012", "birth-date part"),
        ("nik", "1571011203900000", "DATA-012", "serial number"),
        ("nip", "198713122010012003", "DATA-012", "first 8 digits"),
        ("nip", "198703122010013003", "DATA-012", "gender"),
        ("npwp", "0213456790331000", "DATA-012", "check digit"),
        ("npwp", "013121660091000", "DATA-012", "15-digit NPWP is the old format"),
        ("kel", "15.71.02.1001", "DATA-012" if False else "DATA-011", "city's list"),
        ("kel", "15.99.01.1001", "DATA-011", "no kabupaten/kota"),
        ("kel", "15.71.01.2001", "DATA-011", "kelurahan only"),
    ],
)
def test_every_identifier_type_in_a_csv_sample(
    run, workdir: Path, column: str, bad: str, rule: str, why: str
):
    header = "nik,nip,npwp,kel,jumlah"
    cells = GOOD_ROW.split(",")
    index = header.split(",").index(column)
    broken = ",".join(bad if i == index else c for i, c in enumerate(cells))
    write(
        workdir,
        {
            "data/s.json": json.dumps(SCHEMA, indent=1),
            "data/s.csv": f"{header}\n{GOOD_ROW}\n{broken}\n",
        },
        dataset("izin", schema="data/s.json", sample="data/s.csv"),
    )
    _, findings = check(run)
    found = [f for f in problems(findings) if f["rule"] in ("DATA-011", "DATA-012")]
    assert len(found) == 1, [f["message"] for f in found]
    (finding,) = found
    assert finding["rule"] == rule
    column_at = broken.index(bad) + 1
    assert place(finding) == ("data/s.csv", f"/1/{column}", 3, column_at)
    assert why in finding["message"] and "row 2" in finding["message"]


def test_a_good_sample_passes_every_data_rule(run, workdir: Path):
    write(
        workdir,
        {
            "data/s.json": json.dumps(SCHEMA),
            "data/s.csv": f"nik,nip,npwp,kel,jumlah\n{GOOD_ROW}\n",
        },
        dataset("izin", schema="data/s.json", sample="data/s.csv"),
    )
    _, findings = check(run)
    statuses = {(f["rule"], f["status"]) for f in findings}
    assert ("DATA-015", "pass") in statuses and ("DATA-012", "pass") in statuses
    assert ("DATA-011", "pass") in statuses
    # fields without descriptions are the only problem of this schema
    assert {f["rule"] for f in problems(findings)} == {"DATA-017"}


def test_manifest_fields_name_identifier_columns_of_samples(run, workdir: Path):
    """data.fields[] declares nik_pemohon a NIK: the sample's column of that name
    is judged by the same NIK check as the manifest's own samples."""
    schema = {"fields": [{"name": "nik_pemohon", "type": "string"}]}
    write(
        workdir,
        {
            "s.json": json.dumps(schema),
            "s.csv": "nik_pemohon\n1571015203900001\n15710152039000\n",
        },
        dataset("izin", schema="s.json", sample="s.csv"),
    )
    text = (workdir / "spbe.yaml").read_text()
    text += "  fields:\n    - {name: nik_pemohon, type: nik, validator: Nik.php}\n"
    (workdir / "spbe.yaml").write_text(text)
    _, findings = check(run)
    (finding,) = problems(findings, "DATA-012")
    assert place(finding)[:3] == ("s.csv", "/1/nik_pemohon", 3)
    assert "right shape" in finding["message"]


def test_json_rows_sample_is_located_by_pointer(run, workdir: Path):
    rows = [{"kode": "A", "jumlah": 1}, {"kode": "B", "jumlah": "dua"}]
    write(
        workdir,
        {
            "s.yaml": "fields:\n  - {name: kode, type: string}\n"
            "  - {name: jumlah, type: integer}\n",
            "s.json": json.dumps(rows, indent=2),
        },
        dataset("izin", schema="s.yaml", sample="s.json"),
    )
    _, findings = check(run)
    (finding,) = problems(findings, "DATA-015")
    assert place(finding) == ("s.json", "/1/jumlah", 8, 15)
    assert "row 2, field jumlah: wrong type" in finding["message"]


def test_csv_record_spanning_lines_is_placed_at_its_first_line(run, workdir: Path):
    schema = {
        "fields": [
            {"name": "catatan", "type": "string"},
            {"name": "n", "type": "integer"},
        ]
    }
    write(
        workdir,
        {"s.json": json.dumps(schema), "s.csv": 'catatan,n\n"dua\nbaris",1\nok,x\n'},
        dataset("izin", schema="s.json", sample="s.csv"),
    )
    _, findings = check(run)
    (finding,) = problems(findings, "DATA-015")
    assert place(finding) == ("s.csv", "/1/n", 4, 4)


def test_foreign_keys_between_the_submissions_datasets(run, workdir: Path):
    kelurahan = {"fields": [{"name": "kode", "type": "string"}], "primaryKey": ["kode"]}
    izin = {
        "fields": [
            {"name": "nomor", "type": "string"},
            {"name": "kel", "type": "string"},
        ],
        "foreignKeys": [
            {
                "fields": ["kel"],
                "reference": {"resource": "kelurahan", "fields": ["kode"]},
            }
        ],
    }
    write(
        workdir,
        {
            "k.json": json.dumps(kelurahan),
            "k.csv": "kode\n15.71.01.1001\n",
            "i.json": json.dumps(izin),
            "i.csv": "nomor,kel\nA,15.71.01.1001\nB,15.71.01.1002\n",
        },
        dataset("kelurahan", schema="k.json", sample="k.csv"),
        dataset("izin", schema="i.json", sample="i.csv"),
    )
    _, findings = check(run)
    (finding,) = problems(findings, "DATA-015")
    assert place(finding)[:3] == ("i.csv", "/1/kel", 3)
    assert "not in the referenced dataset" in finding["message"]


class _Recorder(http.server.BaseHTTPRequestHandler):
    seen: list[str] = []  # noqa: RUF012

    def do_GET(self) -> None:
        self.seen.append(self.path)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b'{"fields": []}')

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def loopback() -> Iterator[str]:
    _Recorder.seen = []
    server = http.server.HTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


@pytest.mark.allow_hosts(["127.0.0.1"])
def test_frictionless_reads_nothing_a_schema_names(run, workdir: Path, loopback: str):
    """A foreign key, a $schema and a profile naming a loopback server, and a
    path outside the folder: frictionless is handed none of them."""
    schema = {
        "$schema": f"{loopback}/profile.json",
        "profile": f"{loopback}/table-schema.json",
        "path": "../../../etc/passwd",
        "fields": [{"name": "kel", "type": "string", "title": "t", "description": "d"}],
        "foreignKeys": [
            {
                "fields": ["kel"],
                "reference": {"resource": f"{loopback}/x.csv", "fields": ["k"]},
            },
            {
                "fields": ["kel"],
                "reference": {"resource": "/etc/passwd", "fields": ["k"]},
            },
        ],
    }
    write(
        workdir,
        {"s.json": json.dumps(schema, indent=1), "s.csv": "kel\n15.71.01.1001\n"},
        dataset("izin", schema="s.json", sample="s.csv"),
    )
    _, findings = check(run)
    found = problems(findings, "DATA-015")
    assert [f["location"]["pointer"] for f in found] == [
        "/foreignKeys/0/reference",
        "/foreignKeys/1/reference",
    ]
    assert all("not a dataset of this submission" in f["message"] for f in found)
    assert _Recorder.seen == []


def test_personal_identifiers_in_a_public_dataset(run, workdir: Path):
    write(
        workdir,
        {
            "p.json": json.dumps(
                {
                    "fields": [
                        {"name": "npwp_badan", "type": "string"},
                        {"name": "n", "type": "integer"},
                    ]
                }
            ),
            "w.csv": "nip_petugas,nama_warga,alamat_warga\n1,2,3\n",
            "ok.csv": "kecamatan,jumlah\n15.71.01,3\n",
        },
        dataset("a", "publik", schema="p.json"),
        dataset("b", "publik", sample="w.csv"),
        dataset("c", "publik", sample="ok.csv"),
        dataset("d", "terbatas", sample="w.csv"),
    )
    _, findings = check(run)
    found = problems(findings, "DATA-016")
    assert sorted(place(f)[:3] for f in found) == [
        ("p.json", "/fields/0", 1),
        ("w.csv", "/header/nama_warga", 1),
        ("w.csv", "/header/nip_petugas", 1),
    ]
    assert all(f["severity"] == "error" for f in found)


def test_undocumented_schema_fields_warn(run, workdir: Path):
    schema = (
        "fields:\n  - name: a\n    title: A\n    description: Huruf a\n  - name: b\n"
    )
    write(workdir, {"s.yaml": schema}, dataset("x", schema="s.yaml"))
    _, findings = check(run)
    (finding,) = problems(findings, "DATA-017")
    assert place(finding)[:3] == ("s.yaml", "/fields/1", 5)
    assert (
        finding["severity"] == "warning" and "title, description" in finding["message"]
    )


def test_region_field_without_the_kemendagri_reference(run, workdir: Path):
    schema = {"fields": [{"name": "kode_kecamatan", "type": "string"}]}
    write(workdir, {"s.json": json.dumps(schema)}, dataset("x", schema="s.json"))
    _, findings = check(run)
    (finding,) = problems(findings, "DATA-011")
    assert place(finding)[:2] == ("s.json", "/fields/0")
    assert "x-identifier: kode_wilayah" in finding["message"]


def test_metadata_file_and_data_package(run, workdir: Path):
    good = json.loads(
        (ROOT / "examples/docs/data/metadata-izin-usaha.json").read_text()
    )
    bad = {**good, "frekuensi": "kadang-kadang", "cakupan_wilayah": "15.71.99"}
    del bad["kontak"]
    package = {
        "title": "Rekap",
        "description": "Rekap bulanan izin",
        "contributors": [{"title": "DPMPTSP", "role": "author"}],
        "frekuensi": "bulanan",
        "tanggal_pembaruan": "2026-13-01",
        "resources": [{"name": "r", "path": "http://127.0.0.1/r.csv"}],
    }
    write(
        workdir,
        {
            "m/good.json": json.dumps(good),
            "m/bad.json": json.dumps(bad, indent=1),
            "m/datapackage.json": json.dumps(package, indent=1),
        },
        dataset("a", metadata="m/good.json"),
        dataset("b", metadata="m/bad.json"),
        dataset("c", metadata="m/datapackage.json"),
    )
    _, findings = check(run)
    found = sorted((place(f)[0], place(f)[1], f["rule"]) for f in problems(findings))
    assert found == [
        ("m/bad.json", "", "DATA-018"),  # kontak missing
        ("m/bad.json", "/cakupan_wilayah", "DATA-011"),
        ("m/bad.json", "/frekuensi", "DATA-018"),
        ("m/datapackage.json", "", "DATA-018"),  # produsen_data
        ("m/datapackage.json", "", "DATA-018"),  # kontak
        ("m/datapackage.json", "/tanggal_pembaruan", "DATA-018"),
    ]


def test_only_the_manifest_leaves_the_evidence_to_a_reviewer(
    run, tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)  # no .git, none of the files: only the manifest
    write(tmp_path, {}, dataset("x", schema="s.json", sample="s.csv"))
    (tmp_path / "s.json").unlink(missing_ok=True)
    result, findings = check(run, "--documents", "manual")
    assert result.status == 0
    assert {f["status"] for f in problems(findings)} == {"manual"}


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b'{"fields": [', "invalid YAML"),
        (b'{"fields": [], "fields": []}', "appears twice"),
        (b"\xff\xfe{}", "not valid UTF-8"),
        (b'{"a": ' * 200 + b"1" + b"}" * 200, "nesting too deep"),
        (b"[" * 200 + b"]" * 200, "must hold an object"),
        (b'"just text"', "must hold an object"),
        (b'{"no": "fields"}', "must hold a list of fields"),
    ],
)
def test_broken_schema_files_are_findings_in_the_file(
    run, workdir: Path, content: bytes, expected: str
):
    write(workdir, {"s.json": content}, dataset("x", schema="s.json"))
    _, findings = check(run)
    (finding,) = problems(findings, "DATA-015")
    assert finding["location"]["path"] == "s.json"
    assert expected in finding["message"]


def test_hostile_references(run, workdir: Path, tmp_path_factory):
    outside = tmp_path_factory.mktemp("outside") / "secret.json"
    outside.write_text('{"fields": []}')
    (workdir / "link.json").symlink_to(outside)
    os.mkfifo(workdir / "fifo.csv")
    (workdir / "big.csv").write_bytes(b"a\n" + b"1\n" * (33_554_432 // 2))
    write(
        workdir,
        {},
        dataset("a", schema="link.json"),
        dataset("b", schema="../x.json"),
        dataset("c", sample="fifo.csv"),
        dataset("d", sample="big.csv"),
        dataset("e", schema="missing.json"),
    )
    _, findings = check(run)
    found = {
        f["location"]["pointer"] or f["location"]["path"]: f
        for f in problems(findings, "DATA-015")
    }
    messages = sorted(f["message"] for f in found.values())
    assert sum("leaves the manifest's folder" in m for m in messages) == 2
    assert any("not a regular file" in m for m in messages)
    assert any("file too large" in m for m in messages)
    assert any("no such file next to the manifest" in m for m in messages)
    assert all("secret" not in m for m in messages)


def test_sarif_and_github_point_into_the_evidence_files(run, workdir: Path):
    write(
        workdir,
        {
            "data/s.json": json.dumps(SCHEMA),
            "data/s.csv": "nik,nip,npwp,kel,jumlah\n"
            + GOOD_ROW.replace(",3", ",-1")
            + "\n",
        },
        dataset("izin", schema="data/s.json", sample="data/s.csv"),
    )
    select = [arg for rule in DATA_RULES for arg in ("--select", rule)]
    sarif = json.loads(run("check", "--format", "sarif", *select).stdout)
    results = sarif["runs"][0]["results"]
    located = {
        (
            r["ruleId"],
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            r["locations"][0]["physicalLocation"]["region"]["startLine"],
        )
        for r in results
    }
    assert ("DATA-015", "data/s.csv", 2) in located
    assert ("DATA-017", "data/s.json", 1) in located
    github = run("check", "--format", "github", "--lang", "en", *select).stdout
    assert any(
        line.startswith("::error file=data/s.csv,line=2,") and "DATA-015" in line
        for line in github.splitlines()
    ), github


def test_real_open_data_jabar_schema_and_sample_as_is(run, workdir: Path):
    """A real published dataset (tests/data/opendata-jabar/SOURCE), unchanged."""
    source = ROOT / "tests" / "data" / "opendata-jabar"
    shutil.copytree(source, workdir / "data")
    write(
        workdir,
        {},
        dataset(
            "banjir",
            "publik",
            schema="data/banjir.schema.json",
            sample="data/bpbd-od_17600_jml_kejadian_bencana_banjir__kabupatenkota_v3_data.csv",
        ),
    )
    result, findings = check(run)
    assert result.status == 0, [f["message"] for f in problems(findings)]
    statuses = {f["rule"]: f["status"] for f in findings}
    assert (
        statuses["DATA-015"] == statuses["DATA-011"] == statuses["DATA-016"] == "pass"
    )
    # the same file with one wrong kab/kota code and one negative count
    csv = (
        source / "bpbd-od_17600_jml_kejadian_bencana_banjir__kabupatenkota_v3_data.csv"
    )
    text = csv.read_text().replace("5,32,JAWA BARAT,3205,", "5,32,JAWA BARAT,3299,", 1)
    text = text.replace(
        "9,32,JAWA BARAT,3209,KABUPATEN CIREBON,0,",
        "9,32,JAWA BARAT,3209,KABUPATEN CIREBON,-4,",
        1,
    )
    (workdir / "data" / csv.name).write_text(text)
    _, findings = check(run)
    found = sorted((f["rule"], place(f)[1], place(f)[2]) for f in problems(findings))
    assert found == [
        ("DATA-011", "/4/kode_kabupaten_kota", 6),
        ("DATA-015", "/8/jumlah_banjir", 10),
    ]


@pytest.mark.parametrize(
    ("files", "refs", "rule"),
    [
        ({"s.json": '{"fields": [1, "x", null]}'}, {"schema": "s.json"}, "DATA-015"),
        (
            {"s.json": '{"fields": [{"name": "a", "x-identifier": ["nik"]}]}'},
            {"schema": "s.json"},
            "DATA-015",
        ),
        (
            {"s.json": '{"fields": [{"name": "a", "constraints": "wajib"}]}'},
            {"schema": "s.json"},
            "DATA-015",
        ),
        (
            {"s.json": '{"fields": [{"name": "a"}]}', "r.json": "[1, 2, 3]"},
            {"schema": "s.json", "sample": "r.json"},
            "DATA-015",
        ),
        (
            {"s.json": '{"fields": [{"name": "a"}]}', "r.json": '{"a": 1}'},
            {"schema": "s.json", "sample": "r.json"},
            "DATA-015",
        ),
        (
            {"m.json": '{"contributors": [{"roles": 7, "title": 1}], "resources": 3}'},
            {"metadata": "m.json"},
            "DATA-018",
        ),
        (
            {"m.json": '{"judul": ["x"], "kontak": 5}'},
            {"metadata": "m.json"},
            "DATA-018",
        ),
    ],
)
def test_wrong_types_in_evidence_are_findings(
    run, workdir: Path, files: dict[str, str], refs: dict[str, str], rule: str
):
    write(workdir, files, dataset("x", **refs))
    _, findings = check(run)  # exit 0 or 1 (never 3): the problem is a finding
    assert rule in {f["rule"] for f in problems(findings)}


def test_the_metadata_schema_is_printed_for_editors(run):
    printed = json.loads(run("schema", "--metadata").stdout)
    assert printed["$id"].endswith("/dataset-metadata.schema.json")
    assert {"judul", "deskripsi", "produsen_data", "kontak"} <= set(printed["required"])
    assert "--metadata" in run("schema", "--help").stdout
