"""``spbe-lint init``: golden files for what it writes and says, the promise that
a fresh manifest passes the schema and fails only for evidence still to supply,
never overwriting, the terminal questions (through a real pseudo-terminal), and
the publiccode.yml import over real-world shapes.

Regenerate the golden files after a deliberate change with
``SPBE_UPDATE_GOLDEN=1 python -m pytest tests/test_init.py`` and read the diff.
"""

from __future__ import annotations

import os
import pty
import re
import select
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from spbe_lint import pointers
from tests.conftest import ROOT

DATA = ROOT / "tests" / "data"
PUBLICCODE = DATA / "publiccode"
GOLDEN = DATA / "init"
SCRIPT = Path(sys.executable).with_name("spbe-lint")
UPDATE = os.environ.get("SPBE_UPDATE_GOLDEN") == "1"

ESSENTIALS = (
    "--title",
    "Sistem Informasi Pelayanan Perizinan Terpadu",
    "--opd",
    "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu",
    "--url",
    "https://sipelita.jambikota.go.id/",
    "--vendor",
    "PT Contoh Solusi Digital",
)


def golden(name: str, actual: str) -> None:
    path = GOLDEN / name
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, "utf-8")
    assert path.is_file(), f"no golden file {path}: run with SPBE_UPDATE_GOLDEN=1"
    assert actual == path.read_text("utf-8"), f"differs from {path}"


def check_json(run, *args: str) -> dict:
    result = run("check", "--format", "json", "--as-of", "2026-01-15", *args)
    assert result.status in (0, 1), result.stderr
    return result.json()


def failures(report: dict) -> list[dict]:
    return [f for f in report["findings"] if f["status"] == "fail"]


# -- non-interactive -----------------------------------------------------------


def test_init_from_options_writes_the_golden_manifest_and_says_what_next(workdir, run):
    result = run("init", "--no-input", *ESSENTIALS)
    assert result.status == 0, result.stderr
    assert result.stderr == ""
    golden("options.spbe.yaml", (workdir / "spbe.yaml").read_text("utf-8"))
    golden("options.out", result.stdout)
    assert "spbe-lint check spbe.yaml" in result.stdout.splitlines()[-1]


def test_a_fresh_manifest_passes_the_schema_and_fails_only_for_missing_evidence(
    workdir, run
):
    assert run("init", "--no-input", *ESSENTIALS).status == 0
    data = yaml.safe_load((workdir / "spbe.yaml").read_text("utf-8"))
    assert data["app"]["name"] == "sistem-informasi-pelayanan-perizinan-terpadu"
    assert data["domain"]["fqdn"] == "sipelita.jambikota.go.id"
    report = check_json(run)
    by_rule = {}
    for finding in report["findings"]:
        by_rule.setdefault(finding["rule"], set()).add(finding["status"])
    man = {rule: s for rule, s in by_rule.items() if rule.startswith("MAN-")}
    assert len(man) >= 7
    assert all(statuses == {"pass"} for statuses in man.values()), man
    failed = failures(report)
    assert failed, "a new manifest cannot be complete: evidence is still missing"
    for finding in failed:
        pointer = finding["location"]["pointer"]
        # Every failure is about a field the vendor has not written yet, never
        # about a value init wrote.
        assert not list(pointers.select(data, pointer)), (finding["rule"], pointer)
        message = finding["message_i18n"]["en"]
        assert "is missing" in message, message
    assert by_rule["HOST-004"] == {"pass"}  # the URL's host, from the city domain


def test_every_commented_line_is_a_real_field_in_its_place(workdir, run):
    """Uncommenting every '# key:' line gives YAML whose keys the schema knows
    (no MAN-007 unknown key, no syntax error): the outline matches the schema."""
    assert run("init", "--no-input", *ESSENTIALS).status == 0
    text = (workdir / "spbe.yaml").read_text("utf-8")
    keyline = re.compile(r"^(\s*)# ((?:\s*- )?\s*[a-z_]+:.*)$")
    opened = "\n".join(
        keyline.sub(r"\1\2", line) if keyline.match(line) else line
        for line in text.splitlines()
    )
    (workdir / "spbe.yaml").write_text(opened, "utf-8")
    data = yaml.safe_load(opened)
    assert {"hosting", "auth", "data", "interop", "security", "handover"} <= set(data)
    assert data["hosting"]["location_country"] == "ID"
    assert (
        data["auth"]["sso"]["issuer"] == "https://sso.jambikota.go.id/realms/jambikota"
    )
    assert data["handover"]["ownership"] == "Pemerintah Kota Jambi"
    report = check_json(run)
    statuses = {f["rule"]: f["status"] for f in report["findings"]}
    assert statuses["MAN-001"] == "pass"
    assert statuses.get("MAN-007") != "fail", [
        f["message_i18n"]["en"] for f in failures(report) if f["rule"] == "MAN-007"
    ]


def test_comments_explain_fields_in_bahasa_with_the_rules_and_articles(workdir, run):
    assert run("init", "--no-input", *ESSENTIALS).status == 0
    text = (workdir / "spbe.yaml").read_text("utf-8")
    assert "#   HOST-004 Alamat aplikasi memakai subdomain" in text
    assert "Permenkominfo 4/2024 Pasal 29 ayat (3)–(4)" in text
    assert "# provider:  # pdn | pusat_data_daerah | pihak_ketiga; Penempatan" in text
    assert "  fqdn: sipelita.jambikota.go.id  # Subdomain aplikasi" in text


def test_init_never_overwrites_without_force(workdir, run):
    target = workdir / "spbe.yaml"
    target.write_text("spbe: 1\napp: {name: lama, status: planning}\n", "utf-8")
    before = target.read_bytes()
    result = run("init", "--no-input", *ESSENTIALS, "--lang", "en")
    assert result.status == 2
    assert result.stderr == (
        "spbe.yaml: file exists and was not replaced; check it with `spbe-lint check "
        "spbe.yaml`, or write it again with `spbe-lint init --force`\n"
    )
    assert target.read_bytes() == before
    assert run("init", "--no-input", *ESSENTIALS, "--force").status == 0
    assert "sipelita.jambikota.go.id" in target.read_text("utf-8")


def test_without_a_terminal_the_name_must_come_from_an_option(workdir, run):
    result = run("init", "--no-input", "--lang", "en")
    assert result.status == 2
    assert "give --title" in result.stderr
    assert not (workdir / "spbe.yaml").exists()


def test_a_url_outside_the_city_domain_is_written_and_flagged(workdir, run):
    result = run(
        "init", "--no-input", "--title", "Aduan", "--url", "https://aduan.example.com",
        "--lang", "en",
    )  # fmt: skip
    assert result.status == 0
    assert "aduan.example.com is not a subdomain of jambikota.go.id" in result.stdout
    statuses = {f["rule"]: f["status"] for f in failures(check_json(run))}
    assert statuses["HOST-004"] == "fail"


def test_a_bad_url_is_a_usage_error(workdir, run):
    result = run(
        "init", "--no-input", "--title", "A", "--url", "sipelita", "--lang", "en"
    )
    assert result.status == 2
    assert "'sipelita' is not an absolute URL" in result.stderr


def test_schema_option_writes_the_schema_and_the_editor_line(workdir, run):
    out = workdir / "apps" / "spbe.yaml"
    result = run("init", "--no-input", "--title", "A", "-o", str(out), "--schema",
                 "schemas/spbe.schema.json")  # fmt: skip
    assert result.status == 0, result.stderr
    first = out.read_text("utf-8").splitlines()[0]
    assert first == "# yaml-language-server: $schema=../schemas/spbe.schema.json"
    written = (workdir / "schemas" / "spbe.schema.json").read_text("utf-8")
    assert written == run("schema").stdout


# -- interactive, through a real pseudo-terminal --------------------------------


def _converse(cwd: Path, args: list[str], answers: list[tuple[str, str]]) -> str:
    """Run the installed command on a pseudo-terminal, answering each prompt."""
    main, child = pty.openpty()
    env = {**os.environ, "SPBE_LINT_LANG": "id", "COLUMNS": "200", "TERM": "dumb"}
    process = subprocess.Popen(
        [str(SCRIPT), *args], cwd=cwd, stdin=child, stdout=child, stderr=child,
        env=env, close_fds=True,
    )  # fmt: skip
    os.close(child)
    seen = b""
    position = 0  # each prompt is looked for after the previous one

    def read_until(text: str, deadline: float) -> None:
        nonlocal seen, position
        while seen.find(text.encode(), position) < 0:
            remaining = deadline - time.monotonic()
            assert remaining > 0, (
                f"no prompt {text!r}; got {seen.decode(errors='replace')!r}"
            )
            ready, _, _ = select.select([main], [], [], remaining)
            if ready:
                try:
                    chunk = os.read(main, 4096)
                except OSError:
                    chunk = b""
                assert chunk, (
                    f"ended before {text!r}: {seen.decode(errors='replace')!r}"
                )
                seen += chunk
        position = seen.find(text.encode(), position) + len(text)

    deadline = time.monotonic() + 30
    try:
        for prompt, answer in answers:
            read_until(prompt, deadline)
            os.write(main, answer.encode() + b"\n")
        assert process.wait(timeout=30) == 0, seen.decode(errors="replace")
        while True:
            ready, _, _ = select.select([main], [], [], 0.5)
            if not ready:
                break
            try:
                chunk = os.read(main, 4096)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
    finally:
        os.close(main)
        if process.poll() is None:
            process.kill()
    return seen.decode("utf-8").replace("\r\n", "\n")


def test_init_on_a_terminal_asks_for_the_essentials(workdir):
    transcript = _converse(
        workdir,
        ["init"],
        [
            ("Nama lengkap aplikasi", "Sistem Informasi Pelayanan Perizinan Terpadu"),
            ("Nama mesin", ""),  # the default, made from the title
            ("Perangkat Daerah pemilik", "DPMPTSP"),
            ("Alamat aplikasi (URL)", "bukan-url"),  # refused, asked again
            ("Alamat aplikasi (URL)", "https://sipelita.jambikota.go.id/"),
            ("Penyedia", "PT Contoh Solusi Digital"),
        ],
    )
    assert "'bukan-url' bukan URL lengkap" in transcript
    golden("terminal.out", transcript)
    data = yaml.safe_load((workdir / "spbe.yaml").read_text("utf-8"))
    assert data["app"] == {
        "name": "sistem-informasi-pelayanan-perizinan-terpadu",
        "title": "Sistem Informasi Pelayanan Perizinan Terpadu",
        "status": "development",
        "owner_opd": "DPMPTSP",
    }
    assert data["vendor"] == {"name": "PT Contoh Solusi Digital"}
    assert data["endpoints"] == {"url": "https://sipelita.jambikota.go.id/"}


def test_on_a_terminal_options_are_not_asked_again(workdir):
    transcript = _converse(
        workdir,
        ["init", "--title", "Aduan Warga", "--opd", "Diskominfo", "--vendor", "PT A"],
        [("Nama mesin", "aduan"), ("Alamat aplikasi (URL)", "")],
    )
    assert "Nama lengkap aplikasi" not in transcript
    assert "Perangkat Daerah" not in transcript
    data = yaml.safe_load((workdir / "spbe.yaml").read_text("utf-8"))
    assert data["app"]["name"] == "aduan"
    assert "endpoints" not in data  # no URL given: left for the vendor


# -- publiccode.yml import ----------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["valid.yml", "old-version.yaml", "wrong-types.yml", "minimal.yml"]
)
def test_publiccode_import_golden(workdir, run, name):
    shutil.copy(PUBLICCODE / name, workdir / name)
    # wrong-types.yml has no usable name: the title comes from the option
    title = ["--title", "Aduan Warga"] if name == "wrong-types.yml" else []
    result = run(
        "init", "--no-input", "--from-publiccode", name, *title, "--lang", "en"
    )
    assert result.status == 0, result.stderr
    stem = name.rsplit(".", 1)[0]
    golden(f"publiccode-{stem}.spbe.yaml", (workdir / "spbe.yaml").read_text("utf-8"))
    golden(f"publiccode-{stem}.out", result.stdout)
    report = check_json(run)
    assert all(
        f["status"] == "pass"
        for f in report["findings"]
        if f["rule"] in ("MAN-001", "MAN-005", "MAN-007")
    ), [
        f["message_i18n"]["en"] for f in failures(report) if f["rule"].startswith("MAN")
    ]


def test_publiccode_fields_land_where_they_belong(workdir, run):
    assert run("init", "--no-input", "--from-publiccode", str(PUBLICCODE)).status == 2
    shutil.copy(PUBLICCODE / "valid.yml", workdir / "publiccode.yml")
    result = run("init", "--no-input", "--from-publiccode", ".", "--opd", "DPMPTSP")
    assert result.status == 0, result.stderr
    data = yaml.safe_load((workdir / "spbe.yaml").read_text("utf-8"))
    assert data["app"]["title"] == "Sistem Informasi Pelayanan Perizinan Terpadu"
    assert data["app"]["name"] == "sipelita"
    assert data["app"]["description"].startswith("Permohonan dan penerbitan izin")
    assert data["app"]["platforms"] == ["web", "mobile"]
    assert data["app"]["owner_opd"] == "DPMPTSP"
    assert data["vendor"] == {
        "name": "PT Contoh Solusi Digital",
        "contact": "proyek@contoh.co.id",
        "warranty_end": "2026-06-30",
    }
    assert data["handover"] == {
        "source_code": {
            "repository_url": "https://git.jambikota.go.id/dpmptsp/sipelita"
        },
        "license": "GPL-3.0-or-later",
    }
    assert data["x-publiccode"]["releaseDate"] == "2024-11-05"
    kinds = {f["kind"] for f in check_json(run)["findings"] if f["rule"] == "HAND-008"}
    # A valid SPDX licence: what is left is the repository's missing LICENSE file.
    assert kinds <= {"licence-missing", ""}


def test_old_publiccode_keeps_versions_as_written_and_flags_the_licence(workdir, run):
    shutil.copy(PUBLICCODE / "old-version.yaml", workdir / "publiccode.yaml")
    result = run("init", "--no-input", "--from-publiccode", ".", "--lang", "en")
    assert result.status == 0, result.stderr
    data = yaml.safe_load((workdir / "spbe.yaml").read_text("utf-8"))
    assert data["x-publiccode"]["softwareVersion"] == "1.10"  # not the number 1.1
    assert data["x-publiccode"]["publiccode-yaml-version"] == "0.1"
    assert data["handover"]["license"] == "GPL v3"  # kept as written...
    assert "'GPL v3' is not an SPDX licence expression" in result.stdout  # ...flagged
    assert "country sections (it) are unknown" in result.stdout
    assert data["app"]["pic"] == {
        "name": "Maria Rossi",
        "email": "maria.rossi@example.org",
    }
    hand = [f for f in failures(check_json(run)) if f["rule"] == "HAND-008"]
    assert hand and "not an SPDX" in hand[0]["message_i18n"]["en"]


def test_broken_publiccode_is_one_line_with_its_position_and_writes_nothing(
    workdir, run
):
    shutil.copy(PUBLICCODE / "broken.yml", workdir / "publiccode.yml")
    result = run("init", "--no-input", "--from-publiccode", "publiccode.yml",
                 "--title", "A", "--lang", "en")  # fmt: skip
    assert result.status == 2
    assert result.stderr == (
        "publiccode.yml:5:23: invalid YAML: the file ends before a quote or bracket "
        "is closed\n"
    )
    assert not (workdir / "spbe.yaml").exists()


def _commands(group, prefix=()):
    import click

    for name, command in group.commands.items():
        yield (*prefix, name), command
        if isinstance(command, click.Group):
            yield from _commands(command, (*prefix, name))


def test_every_command_has_help_with_an_example(run):
    from spbe_lint.cli import cli

    top = run("--help")
    assert top.status == 0 and "Examples:" in top.stdout
    assert "spbe-lint init" in top.stdout
    names = []
    for path, _ in _commands(cli):
        result = run(*path, "--help")
        assert result.status == 0, path
        assert re.search(
            r"Examples?:\n\s+spbe-lint " + " ".join(path), result.stdout
        ), path
        names.append(" ".join(path))
    assert {"init", "check", "schema", "report", "rules explain"} <= set(names)
    version = run("--version")
    assert version.status == 0
    assert re.fullmatch(r"spbe-lint, version \d+\.\d+\.\d+\n", version.stdout)
