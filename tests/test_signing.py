"""Tamper evidence: keygen, check --sign, verify --key and verify --inputs."""

from __future__ import annotations

import json
import shutil
import stat
from pathlib import Path
from typing import Any

import pytest

from spbe_lint import signing
from tests.conftest import ROOT, assert_valid_report
from tests.reports import copy_examples


@pytest.fixture
def keys(run, workdir: Path) -> tuple[Path, Path, str]:
    result = run("keygen", "-o", "keys/office")
    assert result.status == 0, result.stderr
    private, public, key_id = result.stdout.splitlines()
    return workdir / private, workdir / public, key_id


@pytest.fixture
def signed(run, workdir: Path, keys) -> Path:
    copy_examples(workdir, ("hosting",))
    result = run("check", "hosting", "--sign", str(keys[0]), "-o", "json=report.json")
    assert result.status == 1
    return workdir / "report.json"


def _load(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text("utf-8"))


def _save(path: Path, data: dict[str, Any], indent: int | None = 2) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=indent), "utf-8")


def test_keygen_writes_a_private_and_a_public_key(keys):
    private, public, key_id = keys
    assert stat.S_IMODE(private.stat().st_mode) == 0o600
    assert private.read_text().startswith("-----BEGIN PRIVATE KEY-----")
    assert public.read_text().startswith("-----BEGIN PUBLIC KEY-----")
    assert key_id == signing.fingerprint(signing.load_public(public))
    assert key_id.startswith("SHA256:") and len(key_id) == 50


def test_keygen_never_overwrites_a_key_by_accident(run, keys):
    before = keys[0].read_bytes()
    result = run("keygen", "-o", "keys/office", "--lang", "en")
    assert result.status == 2
    assert result.stderr.strip() == (
        "keys/office.key: the file exists; use --force to replace it"
    )
    assert keys[0].read_bytes() == before
    assert run("keygen", "-o", "keys/office", "--force").status == 0
    assert keys[0].read_bytes() != before


def test_a_signed_report_verifies(run, signed: Path, keys):
    data = _load(signed)
    assert_valid_report(data)
    assert data["signature"]["algorithm"] == "ed25519"
    assert data["signature"]["key_id"] == keys[2]
    result = run("verify", "report.json", "--key", str(keys[1]), "--lang", "en")
    assert result.status == 0, result.stdout + result.stderr
    assert result.stdout == f"signature valid: signed with key {keys[2]}\n"


def test_the_signature_is_over_canonical_json_not_the_layout(run, signed, keys):
    _save(signed, _load(signed), indent=None)  # one line, same content
    assert run("verify", "report.json", "--key", str(keys[1])).status == 0
    data = _load(signed)
    assert signing.canonical(data).startswith(b'{"$schema":"https://')
    assert b"signature" not in signing.canonical(data)


@pytest.mark.parametrize(
    "change",
    [
        "a finding's message",
        "a finding's status",
        "a finding removed",
        "the timestamp",
        "an input's sha256",
        "the verdict",
        "a member added",
        "the signature",
    ],
)
def test_any_change_breaks_the_signature(run, signed: Path, keys, change: str):
    data = _load(signed)
    failing = next(f for f in data["findings"] if f["status"] == "fail")
    if change == "a finding's message":
        failing["message_i18n"]["en"] += "."
    elif change == "a finding's status":
        failing["status"] = "pass"
    elif change == "a finding removed":
        data["findings"].remove(failing)
    elif change == "the timestamp":
        data["generated_at"] = "2026-01-02T00:00:00Z"
    elif change == "an input's sha256":
        data["inputs"][0]["sha256"] = "0" * 64
    elif change == "the verdict":
        data["score"]["verdict"] = "ready"
    elif change == "a member added":
        data["tool"]["note"] = "x"
    else:
        value = data["signature"]["value"]
        data["signature"]["value"] = ("B" if value[0] == "A" else "A") + value[1:]
    _save(signed, data)
    result = run("verify", "report.json", "--key", str(keys[1]), "--lang", "en")
    assert result.status in (1, 2)  # 2 when the change also breaks the schema
    assert "Traceback" not in result.stderr
    if result.status == 1:
        assert result.stdout == (
            "report.json: the signature is not valid: the report was changed after "
            "it was signed\n"
        )


def test_another_key_is_named(run, signed, workdir: Path):
    other = run("keygen", "-o", "other").stdout.splitlines()
    result = run("verify", "report.json", "--key", other[1], "--lang", "en")
    assert result.status == 1
    assert result.stdout.startswith("report.json: signed with another key (SHA256:")
    assert result.stdout.rstrip().endswith(f"not {other[2]}")


def test_an_unsigned_report_does_not_verify(run, workdir: Path, keys):
    copy_examples(workdir, ("hosting",))
    run("check", "hosting", "-f", "json", "-o", "plain.json")
    result = run("verify", "plain.json", "--key", str(keys[1]), "--lang", "en")
    assert result.status == 1
    assert result.stdout == "plain.json: the report is not signed\n"


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("check", "--sign", "nokey.pem"), "nokey.pem: cannot read the key: No such"),
        (("check", "--sign", "spbe.yaml"), "spbe.yaml: not an Ed25519 private key"),
        (
            ("verify", "r.json", "--key", "spbe.yaml"),
            "spbe.yaml: not an Ed25519 public key",
        ),
        (("verify", "r.json", "--key", "nokey.pub"), "nokey.pub: cannot read the key"),
        (("verify", "missing.json", "--key", "spbe.yaml"), "missing.json: cannot read"),
        (("verify", "r.json"), "give --key PUB, --inputs DIR, or both"),
    ],
)
def test_unusable_keys_and_reports_are_one_line_and_exit_2(
    run, compliant, args, expected
):
    run("check", "-f", "json", "-o", "r.json")
    result = run(*args, "--lang", "en")
    assert result.status == 2
    assert expected in result.stderr.strip().splitlines()[-1]
    assert "Traceback" not in result.stderr


def test_html_shows_the_signature_and_key(run, signed: Path, keys):
    html = run("report", "report.json", "--format", "html").stdout
    # Rendered again without a key: the signature is named, and said not verified.
    assert f"(kunci {keys[2]}) yang TIDAK diverifikasi" in html
    assert "Ditandatangani" not in html
    # Both languages travel in the signed report: the English rendering names
    # the signature too, as not verified (tests/test_signed_reports.py verifies).
    english = run("report", "report.json", "--format", "html", "--lang", "en").stdout
    assert f"(key {keys[2]}) that was NOT verified" in english
    # The same language renders the same signed JSON, which still verifies.
    assert run("report", "report.json", "-f", "json").stdout == signed.read_text(
        "utf-8"
    )


def test_every_output_of_a_signed_run_shows_the_same_signature(run, workdir, keys):
    copy_examples(workdir, ("hosting",))
    run(
        "check",
        "hosting",
        "--sign",
        str(keys[0]),
        "-o",
        "json=r.json",
        "-o",
        "html=r.html",
    )
    key_id = _load(workdir / "r.json")["signature"]["key_id"]
    assert key_id in (workdir / "r.html").read_text("utf-8")
    assert run("verify", "r.json", "--key", str(keys[1])).status == 0


# --- verify --inputs: does the report match the submitted manifests? ---


@pytest.fixture
def submission(run, workdir: Path) -> Path:
    """A report and the manifests it was made from, copied elsewhere."""
    copy_examples(workdir, ("hosting", "sso"))
    run("check", "hosting", "sso", "-f", "json", "-o", "report.json")
    folder = workdir / "submission"
    folder.mkdir()
    for name in ("hosting", "sso"):
        shutil.copytree(workdir / name, folder / name)
    return folder


def test_a_report_matches_its_inputs(run, workdir: Path, submission: Path):
    count = len(_load(workdir / "report.json")["findings"])
    result = run("verify", "report.json", "--inputs", "submission", "--lang", "en")
    assert result.status == 0, result.stdout + result.stderr
    assert result.stdout.splitlines() == [
        "2 file(s) match their recorded sha256",
        f"checking again gives the same {count} result(s) as the report",
    ]


def test_a_changed_manifest_is_not_the_reported_one(run, submission: Path):
    manifest = submission / "hosting" / "spbe.yaml"
    manifest.write_text(manifest.read_text("utf-8") + "# edited\n", "utf-8")
    result = run("verify", "report.json", "--inputs", "submission", "--lang", "en")
    assert result.status == 1
    assert result.stdout.startswith("report.json: hosting/spbe.yaml: sha256 ")
    assert "not the file that was reported" in result.stdout


def test_a_missing_manifest_is_reported(run, submission: Path):
    shutil.rmtree(submission / "sso")
    result = run("verify", "report.json", "--inputs", "submission", "--lang", "en")
    assert result.status == 1
    assert "sso/spbe.yaml: cannot be read in submission" in result.stdout


def test_edited_findings_are_found_by_checking_again(run, workdir, submission):
    report = workdir / "report.json"
    data = _load(report)
    failing = next(f for f in data["findings"] if f["status"] == "fail")
    failing["status"] = "pass"  # a vendor hiding a failure (unsigned report)
    data["findings"] = [f for f in data["findings"] if f["rule"] != "SSO-001"]
    _save(report, data)
    result = run("verify", "report.json", "--inputs", "submission", "--lang", "en")
    assert result.status == 1
    lines = result.stdout.splitlines()
    assert any(
        line.startswith("report.json: differs: hosting/spbe.yaml HOST-004 ")
        and "report pass/error" in line
        and "checked again fail/error" in line
        for line in lines
    ), lines
    assert any(
        line.startswith("report.json: only when checked again: ") and "SSO-001" in line
        for line in lines
    ), lines


def test_the_recorded_settings_are_used_again(run, workdir: Path):
    copy_examples(workdir, ("hosting",))
    (workdir / ".spbe-lint.yaml").write_text(
        "severity: {SSO-001: error}\nignore: [GOV]\n"
        "profile: {datacentre_ranges: [10.71.0.0/16]}\n",
        "utf-8",
    )
    run("check", "hosting", "-f", "json", "-o", "report.json")
    folder = workdir / "elsewhere"
    shutil.copytree(workdir / "hosting", folder / "hosting")  # no configuration there
    result = run("verify", "report.json", "--inputs", "elsewhere", "--lang", "en")
    assert result.status == 0, result.stdout + result.stderr
    (left_out,) = [
        line
        for line in result.stdout.splitlines()
        if line.startswith("note: rules not run for this report: ")
    ]
    assert "GOV-003" in left_out.split(": ", 1)[1].split(", ")
    assert "note: severities changed by configuration: SSO-001 warning→error" in (
        result.stdout
    )


def test_another_rule_pack_is_refused(run, workdir: Path, submission: Path, tmp_path):
    pack = tmp_path / "pack"
    shutil.copytree(ROOT / "rules", pack)
    text = (pack / "pack.yaml").read_text("utf-8")
    (pack / "pack.yaml").write_text(text.replace("version: 0.2.0", "version: 0.3.0"))
    result = run(
        "verify",
        "report.json",
        "--inputs",
        "submission",
        "--rules",
        str(pack),
        "--lang",
        "en",
    )
    assert result.status == 2
    assert "the report was made with rule pack spbe-kota-jambi 0.2.0" in result.stderr
    assert "this one is spbe-kota-jambi 0.3.0" in result.stderr


def test_a_recorded_path_outside_the_folder_is_refused(run, workdir, submission):
    report = workdir / "report.json"
    data = _load(report)
    data["inputs"][0]["path"] = "../outside/spbe.yaml"
    _save(report, data)
    result = run("verify", "report.json", "--inputs", "submission", "--lang", "en")
    assert result.status == 1
    assert "outside the inputs folder" in result.stdout


def test_signature_and_inputs_together(run, workdir: Path, keys):
    copy_examples(workdir, ("hosting",))
    run("check", "hosting", "--sign", str(keys[0]), "-f", "json", "-o", "r.json")
    result = run(
        "verify", "r.json", "--key", str(keys[1]), "--inputs", ".", "--lang", "en"
    )
    assert result.status == 0, result.stdout + result.stderr
    assert result.stdout.splitlines()[0].startswith("signature valid")
