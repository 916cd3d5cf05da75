"""The reviewer can trust what a report says about itself (issue 13): a
re-rendered signed report shows its signature as holding only once verified
with the key given to ``spbe-lint report --key``; without a key it says
plainly that it was not verified; a tampered one (failures deleted) or one
another key signed is marked so and never shows "siap serah terima" as a
signed verdict. ``verify`` and ``report`` refuse a report whose JSON repeats
a key."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from spbe_lint import signing
from spbe_lint.reporters import RenderOptions, json_
from tests.reports import copy_examples

READY_ID = "siap serah terima"


@pytest.fixture
def keys(run, workdir: Path) -> tuple[Path, Path, str]:
    private, public, key_id = run("keygen", "-o", "office").stdout.splitlines()
    return workdir / private, workdir / public, key_id


@pytest.fixture
def signed(run, workdir: Path, keys) -> Path:
    """A signed report of the broken hosting example (HOST-004 fails, so the
    verdict is "belum siap")."""
    copy_examples(workdir, ("hosting",))
    result = run("check", "hosting", "--sign", str(keys[0]), "-o", "json=r.json")
    assert result.status == 1
    return workdir / "r.json"


@pytest.fixture
def tampered(signed: Path) -> Path:
    """The signed report with every failure deleted: the score and verdict
    computed from what is left say "siap serah terima"."""
    data = json.loads(signed.read_text("utf-8"))
    data["findings"] = [f for f in data["findings"] if f["status"] != "fail"]
    path = signed.with_name("tampered.json")
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False), "utf-8")
    return path


def verdict(html: str) -> str:
    (found,) = re.findall(r'<span class="verdict [a-z_]+">([^<]*)</span>', html)
    return found


def test_a_fresh_signed_report_shows_its_signature(run, signed: Path, keys):
    html = run("check", "hosting", "--sign", str(keys[0]), "-f", "html").stdout
    assert f"Ditandatangani (Ed25519), sidik kunci {keys[2]}" in html


def test_without_a_key_the_signature_is_said_not_verified(run, signed, keys):
    for fmt in ("html", "markdown", "text"):
        result = run("report", signed.name, "--format", fmt)
        assert result.status == 0, result.stderr
        shown = " ".join(result.stdout.split())  # text wraps to 80 columns
        assert f"(kunci {keys[2]}) yang TIDAK diverifikasi" in shown, fmt
        assert "Ditandatangani" not in result.stdout
    english = run("report", signed.name, "-f", "html", "--lang", "en").stdout
    assert f"(key {keys[2]}) that was NOT verified" in english


def test_with_the_key_the_signature_is_verified(run, signed, keys):
    for lang in ("id", "en"):  # both languages travel in the signed report
        result = run(
            "report", signed.name, "-f", "html", "--key", str(keys[1]), "--lang", lang
        )
        assert result.status == 0, result.stderr
        expected = {
            "id": f"Tanda tangan Ed25519 diverifikasi dengan kunci {keys[2]} yang "
            "diberikan",
            "en": f"Ed25519 signature verified with the key given, {keys[2]}",
        }[lang]
        assert expected in result.stdout
        assert "signature-warning" not in result.stdout
    # The recorded language re-renders the same signed JSON, which verifies.
    same = run("report", signed.name, "-f", "json", "--key", str(keys[1]))
    assert same.stdout == signed.read_text("utf-8")
    # Another language is another JSON text: it carries no signature then.
    other = json.loads(run("report", signed.name, "-f", "json", "--lang", "en").stdout)
    assert "signature" not in other


def test_a_tampered_report_is_marked_and_its_verdict_withheld(
    run, tampered: Path, keys
):
    # Without a key nothing can tell: the verdict stands, next to a warning.
    unchecked = run("report", tampered.name, "-f", "html").stdout
    assert verdict(unchecked) == READY_ID
    assert "TIDAK diverifikasi" in unchecked
    # With the key: marked as changed after signing, and no verdict of its own.
    result = run("report", tampered.name, "-f", "html", "--key", str(keys[1]))
    assert result.status == 1
    assert result.stderr == (
        "tampered.json: tanda tangan tidak sah: laporan diubah setelah ditandatangani\n"
    )
    assert verdict(result.stdout) == "tidak dapat dipercaya (tanda tangan tidak sah)"
    assert READY_ID not in result.stdout.split("<section>")[0]  # the header
    assert "TANDA TANGAN TIDAK SAH: laporan ini diubah setelah ditandatangani" in (
        result.stdout
    )
    markdown = run(
        "report", tampered.name, "-f", "markdown", "--key", str(keys[1]), "--lang", "en"
    ).stdout
    assert "**Verdict: cannot be trusted (signature not valid)**" in markdown
    assert "ready for handover" not in markdown.split("<details>")[0]
    text = run("report", tampered.name, "--key", str(keys[1]), "--lang", "en").stdout
    assert "No problems found." not in text
    assert (
        " ".join(text.split()).endswith("its content cannot be trusted")
        and "SIGNATURE NOT VALID" in text
    )


def test_a_report_resigned_with_another_key_is_not_verified(
    run, tampered: Path, keys, workdir: Path
):
    """The attacker deletes the failures and signs again with a key of their
    own: the office's key says it is not theirs."""
    run("keygen", "-o", "attacker")
    report = json_.from_dict(json.loads(tampered.read_text("utf-8")))
    key = signing.load_private(workdir / "attacker.key")
    resigned = json_.render(signing.sign(report, key), RenderOptions())
    (workdir / "resigned.json").write_text(resigned, "utf-8")
    result = run(
        "report", "resigned.json", "-f", "html", "--key", str(keys[1]), "--lang", "en"
    )
    assert result.status == 1
    assert verdict(result.stdout) == "cannot be trusted (signature not valid)"
    assert f"not the key given ({keys[2]})" in result.stdout


def test_report_with_a_key_on_an_unsigned_report_says_so(run, workdir: Path, keys):
    copy_examples(workdir, ("hosting",))
    run("check", "hosting", "-o", "json=plain.json")
    result = run("report", "plain.json", "-f", "html", "--key", str(keys[1]))
    assert result.status == 1
    assert result.stderr == "plain.json: laporan tidak ditandatangani\n"
    assert "Tidak ditandatangani" in result.stdout


def _duplicated(signed: Path) -> Path:
    """The signed report with a second "findings" member holding nothing: a
    reader keeping the first sees the failures, one keeping the last none."""
    text = signed.read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    assert text.rstrip().endswith("}")
    extra = text.rstrip()[:-1].rstrip() + ',\n  "findings": []\n}\n'
    path = signed.with_name("twice.json")
    path.write_text(extra, "utf-8")
    assert json.loads(extra)["findings"] == [] != data["findings"]
    return path


@pytest.mark.parametrize("command", ["verify", "report"])
def test_duplicate_json_keys_are_refused(run, signed: Path, keys, command: str):
    twice = _duplicated(signed)
    args = ["--key", str(keys[1])]
    result = run(command, twice.name, *args, "--lang", "en")
    assert (result.status, result.stdout) == (2, "")
    line = len(twice.read_text("utf-8").splitlines()) - 1  # the second "findings"
    assert result.stderr == (
        f"twice.json:{line}:3: key 'findings' appears twice in one object\n"
    )


def test_an_integer_past_a_doubles_precision_is_signed_exactly(
    run, workdir: Path, keys
):
    """An unquoted NIP (18 digits) is an integer RFC 8785 cannot hold exactly:
    the report is still signed (it crashed with exit 3), verifies, and a change
    to its last digit breaks the signature (as a double, both are one number)."""
    copy_examples(workdir, ("hosting",))
    manifest = workdir / "hosting" / "spbe.yaml"
    text = manifest.read_text("utf-8")
    assert 'nip: "198703122010012003"' in text
    manifest.write_text(
        text.replace('nip: "198703122010012003"', "nip: 198703122010012003")
    )
    result = run("check", "hosting", "--sign", str(keys[0]), "-o", "json=r.json")
    assert result.status == 1, result.stderr
    report = workdir / "r.json"
    raw = report.read_text("utf-8")
    assert ": 198703122010012003" in raw  # the value as the manifest wrote it
    assert run("verify", "r.json", "--key", str(keys[1])).status == 0
    report.write_text(raw.replace(": 198703122010012003", ": 198703122010012004"))
    assert float(198703122010012003) == float(198703122010012004)
    assert run("verify", "r.json", "--key", str(keys[1])).status != 0


@pytest.mark.parametrize("value", [".nan", ".inf", "-.inf"])
def test_a_value_json_has_no_number_for_is_reported_and_signed(
    run, workdir: Path, keys, value: str
):
    """YAML's .nan and .inf have no JSON number: the report says them as YAML
    spells them, stays strict JSON, and is signed (exit 3 before) and verified."""
    copy_examples(workdir, ("hosting",))
    manifest = workdir / "hosting" / "spbe.yaml"
    text = manifest.read_text("utf-8")
    assert "open_high: 0" in text
    manifest.write_text(text.replace("open_high: 0", f"open_high: {value}"), "utf-8")
    result = run("check", "hosting", "--sign", str(keys[0]), "-o", "json=r.json")
    assert result.status == 1, result.stderr

    def refuse(constant: str) -> None:
        raise ValueError(f"not JSON: {constant}")

    report = json.loads((workdir / "r.json").read_text("utf-8"), parse_constant=refuse)
    (declared,) = [i["declarations"] for i in report["inputs"]]
    assert declared["/security/pentest/open_high"] == value
    assert run("verify", "r.json", "--key", str(keys[1])).status == 0
