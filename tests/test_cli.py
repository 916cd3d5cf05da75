"""The command line, end to end through ``spbe_lint.cli.main``."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from pathlib import Path

import pytest

from spbe_lint import engine, resources, rulepack
from tests.conftest import COMPLIANT, EXAMPLES, ROOT, assert_valid_report, edit

PACK = rulepack.load_pack()

HEADLINE = re.compile(
    r"^(?P<path>[^:\s]+):(?P<line>\d+):(?P<col>\d+): "
    r"(?P<sev>error|warning|info) (?P<rule>[A-Z]+-\d{3}) .+$"
)
ANSI = "\x1b["


def test_check_finds_spbe_yaml_in_the_working_folder(run, compliant: Path):
    result = run("check")
    assert result.status == 0
    assert "Tidak ada masalah." in result.stdout
    assert "1 manifest diperiksa" in result.stdout


def test_check_accepts_the_hidden_name_too(run, workdir: Path):
    shutil.copy(COMPLIANT, workdir / ".spbe.yaml")
    report = run("check", "--format", "json").json()
    assert [i["path"] for i in report["inputs"]] == [".spbe.yaml"]


def test_no_manifest_in_the_working_folder_is_exit_2(run, workdir: Path):
    result = run("check", "--lang", "en")
    assert result.status == 2
    assert result.stderr.strip() == (
        ".: error: no manifest (spbe.yaml or .spbe.yaml) here; create one with "
        "`spbe-lint init` or give its path"
    )


def test_folders_are_searched_skipping_hidden_and_vendor_folders(run, workdir: Path):
    for folder in ("apps/a", "apps/b/nested", ".git/x", "apps/node_modules/pkg"):
        (workdir / folder).mkdir(parents=True, exist_ok=True)
        shutil.copy(COMPLIANT, workdir / folder / "spbe.yaml")
    shutil.copy(COMPLIANT, workdir / "apps" / "a" / "other-name.yaml")
    report = run("check", "apps", "--format", "json").json()
    assert [i["path"] for i in report["inputs"]] == [
        "apps/a/spbe.yaml",
        "apps/b/nested/spbe.yaml",
    ]
    # a file given by name is checked whatever it is called
    report = run("check", "apps/a/other-name.yaml", "--format", "json").json()
    assert [i["path"] for i in report["inputs"]] == ["apps/a/other-name.yaml"]


def test_text_output_is_flake8_style_with_basis_fix_and_summary(run, compliant: Path):
    edit(compliant, "fqdn: sipelita.jambikota.go.id", "fqdn: sipelita-jambikota.go.id")
    edit(compliant, "open_high: 0", "open_high: 3")
    result = run("check", "--lang", "en")
    assert result.status == 1
    lines = result.stdout.splitlines()
    headlines = [m.groupdict() for line in lines if (m := HEADLINE.match(line))]
    assert [
        (h["path"], h["line"], h["col"], h["sev"], h["rule"]) for h in headlines
    ] == [
        ("spbe.yaml", "36", "9", "error", "HOST-004"),
        ("spbe.yaml", "66", "9", "error", "SSO-003"),  # callbacks stay on the old host
        ("spbe.yaml", "147", "16", "error", "SEC-006"),
    ]
    assert "    basis: Permenkominfo 4/2024 Pasal 29 ayat (3)–(4)" in result.stdout
    assert "    fix: Request a subdomain from Diskominfo" in result.stdout
    endpoint = sum(1 for rule in PACK.rules if rule.target == "endpoint")
    passed = len(PACK.rules) - 3 - endpoint - 4  # failed, endpoint, not applicable
    # wrapped to 80 columns: compare the words
    assert (
        f"1 manifest(s) checked, 3 failed (3 error(s)), {endpoint} endpoint rules "
        f"await spbe-lint probe. Not listed above: {passed} passed, 4 not applicable "
        "(list them with --show passed,na)."
    ) in " ".join(result.stdout.split())
    assert all(len(line) <= 80 for line in result.stdout.splitlines())
    assert "  hosting     1 error(s)" in result.stdout
    assert "  sso         1 error(s)" in result.stdout
    assert "  security    1 error(s)" in result.stdout
    assert ANSI not in result.stdout


def test_concise_output_is_one_line_per_failure(run, compliant: Path):
    edit(compliant, "fqdn: sipelita.jambikota.go.id", "fqdn: sipelita.example.com")
    result = run("check", "--format", "concise")
    assert result.stdout.splitlines() == [
        "spbe.yaml:36:9: error HOST-004 domain.fqdn: sipelita.example.com bukan "
        "subdomain dari jambikota.go.id",
        "spbe.yaml:66:9: error SSO-003 auth.sso.redirect_uris[0] = "
        "https://sipelita.jambikota.go.id/callback: host sipelita.jambikota.go.id "
        "bukan subdomain aplikasi ini (sipelita.example.com); IdP hanya boleh "
        "mengirim kode otorisasi ke aplikasi itu sendiri",
    ]


def test_colour_only_when_asked_or_on_a_terminal(run, compliant: Path, monkeypatch):
    edit(compliant, "fqdn: sipelita.jambikota.go.id", "fqdn: sipelita.example.com")
    assert ANSI in run("check", "--color", "always").stdout
    assert ANSI not in run("check", "--color", "never").stdout
    monkeypatch.setattr("sys.stdout.isatty", lambda: True)
    assert ANSI in run("check").stdout
    monkeypatch.setenv("NO_COLOR", "1")
    assert ANSI not in run("check").stdout


def test_json_report_records_versions_hashes_and_findings(run, compliant: Path):
    edit(compliant, "      via: splpd", "      via: direct")
    result = run("check", "--format", "json")
    report = result.json()
    assert_valid_report(report)
    assert report["tool"]["name"] == "spbe-lint"
    assert report["rule_pack"]["name"] == "spbe-kota-jambi"
    assert len(report["rule_pack"]["sha256"]) == 64
    (manifest,) = report["inputs"]
    assert manifest["sha256"] == hashlib.sha256(compliant.read_bytes()).hexdigest()
    assert manifest["bytes"] == compliant.stat().st_size
    (failure,) = [f for f in report["findings"] if f["status"] == "fail"]
    assert failure["rule"] == "INT-001"
    assert failure["domain"] == "interop"
    assert failure["severity"] == "error"
    assert failure["location"] == {
        "path": "spbe.yaml",
        "pointer": "/interop/integrations/1/via",
        "line": 129,
        "column": 12,
        "end_line": 129,
        "end_column": 18,
    }
    assert failure["references"][0] == {
        "regulation": "Peraturan Menteri Komunikasi dan Informatika Nomor 4 Tahun 2024 "
        "tentang Penyelenggaraan Urusan Pemerintahan Konkuren Bidang Komunikasi dan "
        "Informatika",
        "short": "Permenkominfo 4/2024",
        "article": "Pasal 40 ayat (7) huruf b–c, Pasal 53 ayat (1)–(2), Pasal 54",
        "confidence": "high",
        "url": "https://peraturan.bpk.go.id/Details/299331/permenkominfo-no-4-tahun-2024",
        "note": None,
        "kind": "binding",
        "provision": None,
    }
    assert failure["references"][2]["note"] == {
        "id": "kriteria 89",
        "en": "criterion 89",
    }
    assert failure["message"] == failure["message_i18n"]["id"]
    assert failure["message_i18n"]["en"] == (
        "interop.integrations[1].via = direct: integrations must go through "
        "SPLP/SPLPD, not a direct link"
    )
    assert report["summary"]["exit_status"] == result.status == 1


def test_fingerprints_survive_lines_moving(run, compliant: Path):
    edit(compliant, "fqdn: sipelita.jambikota.go.id", "fqdn: sipelita.example.com")
    before = [
        f
        for f in run("check", "--format", "json").json()["findings"]
        if f["status"] == "fail"
    ]
    edit(compliant, "spbe: 1\n", "spbe: 1\n\n# a comment added above\n\n")
    after = [
        f
        for f in run("check", "--format", "json").json()["findings"]
        if f["status"] == "fail"
    ]
    assert after[0]["location"]["line"] == before[0]["location"]["line"] + 3
    assert after[0]["fingerprint"] == before[0]["fingerprint"]


def test_not_applicable_rules_say_why(run, compliant: Path):
    edit(compliant, "status: production ", "status: development ")
    edit(compliant, "processed: true", "processed: false")
    report = run("check", "--format", "json", "--lang", "en").json()
    reasons = {
        f["rule"]: f["message"]
        for f in report["findings"]
        if f["status"] == "not_applicable"
    }
    assert reasons["SEC-006"] == (
        "applies when app.status is staging, production; this manifest is development"
    )
    assert reasons["DATA-005"].startswith(
        "the application declares it processes no personal data"
    )


@pytest.mark.parametrize(
    ("args", "status"),
    [
        ((), 1),
        (("--exit-zero",), 0),
        (("--fail-on", "warning"), 1),
    ],
)
def test_exit_status_for_errors(run, compliant: Path, args, status):
    edit(compliant, "category: aplikasi_khusus", "category: lainnya")
    assert run("check", *args).status == status


@pytest.mark.parametrize(
    ("args", "status"),
    [((), 0), (("--fail-on", "warning"), 1), (("--fail-on", "info"), 1)],
)
def test_exit_status_for_warnings(run, compliant: Path, args, status):
    edit(
        compliant,
        "  provider: pusat_data_daerah",
        "  provider: pusat_data_daerah\n  provder: typo",
    )
    assert run("check", *args).status == status


def test_one_unreadable_file_is_reported_and_the_others_are_checked(run, workdir: Path):
    for name in ("a", "b", "c"):
        (workdir / name).mkdir()
        shutil.copy(COMPLIANT, workdir / name / "spbe.yaml")
    (workdir / "b" / "spbe.yaml").write_bytes(b"spbe: 1\n\xff\xfe\x00binary")
    result = run("check", ".", "--format", "json", "--exit-zero", "--lang", "en")
    assert result.status == 2  # --exit-zero never hides an input error
    report = result.json()
    assert_valid_report(report)
    assert [i["path"] for i in report["inputs"]] == ["a/spbe.yaml", "c/spbe.yaml"]
    assert report["errors"] == [
        {
            "path": "b/spbe.yaml",
            "line": 2,
            "column": 3,
            "sha256": hashlib.sha256(
                (workdir / "b" / "spbe.yaml").read_bytes()
            ).hexdigest(),
            "message": "binary file (contains a NUL byte), not a YAML manifest",
            "message_i18n": report["errors"][0]["message_i18n"],
        }
    ]
    assert result.stderr == (
        "b/spbe.yaml:2:3: error: binary file (contains a NUL byte), not a YAML manifest\n"
    )


def test_missing_path_is_reported_with_the_others_checked(run, compliant: Path):
    result = run("check", "spbe.yaml", "nope.yaml", "--lang", "en")
    assert result.status == 2
    assert result.stderr == "nope.yaml: error: no such file or folder\n"
    assert "1 manifest(s) checked" in result.stdout


def test_select_and_ignore_on_the_command_line(run, compliant: Path):
    report = run(
        "check", "--select", "host,SSO-001", "--select", "DATA", "--format", "json"
    ).json()
    # the rules that say a file could not be read stay in force whatever is selected
    expected = [r.id for r in PACK.rules if r.id.startswith(("HOST-", "DATA-"))]
    expected += ["MAN-001", "MAN-003", "MAN-004", "SSO-001"]
    assert [r["id"] for r in report["rules"]] == sorted(expected)
    report = run("check", "--ignore", "MAN", "--format", "json").json()
    assert [r["id"] for r in report["rules"] if r["id"].startswith("MAN")] == [
        "MAN-001", "MAN-003", "MAN-004",
    ]  # fmt: skip
    result = run("check", "--ignore", "MAN-001", "--lang", "en")
    assert result.status == 2
    assert "rule MAN-001 cannot be ignored" in result.stderr
    result = run("check", "--select", "HOST-404", "--lang", "en")
    assert result.status == 2
    assert result.stderr.strip() == (
        "spbe-lint: unknown rule 'HOST-404' in pack spbe-kota-jambi; see: spbe-lint rules list"
    )


def test_output_file(run, compliant: Path):
    result = run("check", "--format", "json", "-o", "report.json")
    assert result.stdout == ""
    assert_valid_report(
        json.loads((compliant.parent / "report.json").read_text("utf-8"))
    )


def test_another_rule_pack_with_rules(
    run, compliant: Path, tmp_path_factory: pytest.TempPathFactory
):
    # Outside the submission: its rule examples are not the application's files.
    pack = tmp_path_factory.mktemp("packs") / "other-pack"
    shutil.copytree(
        ROOT / "rules", pack, ignore=shutil.ignore_patterns("__*", "MAN-00[2567]*")
    )
    edit(pack / "pack.yaml", "name: spbe-kota-jambi", "name: spbe-kota-contoh")
    edit(pack / "pack.yaml", "domain: jambikota.go.id", "domain: contoh.go.id")
    report = run("check", "--rules", str(pack), "--format", "json").json()
    assert report["rule_pack"]["name"] == "spbe-kota-contoh"
    failing = {f["rule"] for f in report["findings"] if f["status"] == "fail"}
    # the URLs on jambikota.go.id are not under the other city's domain
    assert failing == {"HOST-004", "DATA-003", "DATA-014", "INT-007"}
    (pack / "MAN-001.yaml").unlink()  # a pack must say when a file cannot be read
    result = run("check", "--rules", str(pack), "--lang", "en")
    assert result.status == 2
    assert (
        "a rule pack needs `always: true` rules for builtin: yaml-syntax"
        in result.stderr
    )


def test_rules_list_in_both_languages(run, workdir: Path):
    result = run("rules", "list")
    assert result.status == 0
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["ID", "DOMAIN", "TINGKAT", "JUDUL"]
    assert any(
        line.startswith("HOST-004")
        and "hosting" in line
        and "error" in line
        and "subdomain dari domain Pemerintah Kota" in line
        for line in lines
    )
    english = run("rules", "list", "--lang", "en").stdout
    assert "The application's address is a subdomain of the city domain" in english
    data = json.loads(run("rules", "list", "--format", "json").stdout)
    assert {r["id"] for r in data["rules"]} >= {
        "HOST-004",
        "SSO-001",
        "DATA-005",
        "INT-001",
        "SEC-006",
        "HAND-001",
        "GOV-003",
    }


def test_rules_explain(run, workdir: Path):
    result = run("rules", "explain", "data-005", "--lang", "en")
    assert result.status == 0
    text = result.stdout
    assert text.startswith(
        "DATA-005 · data · error\nA data-protection officer is appointed\n"
    )
    for heading in (
        "Why",
        "Legal basis (binding regulations)",
        "Applies",
        "How to fix",
        "Passing example",
        "Failing example",
    ):
        assert f"\n{heading}" in text
    assert (
        "Undang-Undang Nomor 27 Tahun 2022 tentang Pelindungan Data Pribadi, "
        "Pasal 53 ayat (1) huruf a (high confidence)"
    ) in " ".join(text.split())
    assert "no article can be cited yet" in text
    assert "    data:\n      personal_data:\n        processed: true" in text
    indonesian = run("rules", "explain", "DATA-005").stdout
    assert "\nDasar hukum (peraturan yang mengikat)\n" in indonesian
    assert "\nPerbaikan\n" in indonesian


def test_rules_explain_shows_configured_severity(run, workdir: Path):
    (workdir / ".spbe-lint.yaml").write_text("severity:\n  SSO-001: error\n", "utf-8")
    first = run("rules", "explain", "SSO-001", "--lang", "en").stdout.splitlines()[0]
    assert first == "SSO-001 · sso · error (changed by configuration; default warning)"


def test_rules_explain_unknown_id_suggests(run, workdir: Path):
    result = run("rules", "explain", "HOTS-004", "--lang", "en")
    assert result.status == 2
    assert result.stderr.startswith("spbe-lint: no rule 'HOTS-004' (HOST-004")
    assert result.stderr.strip().endswith("?); see: spbe-lint rules list")


def test_schema_command_prints_the_manifest_schema(run, workdir: Path):
    result = run("schema")
    assert json.loads(result.stdout) == resources.schema("manifest")
    assert run("schema", "-o", "manifest.json").stdout == ""
    assert json.loads((workdir / "manifest.json").read_text("utf-8"))["$id"].endswith(
        "manifest.schema.json"
    )


def test_version_and_help(run):
    assert run("--version").stdout.startswith("spbe-lint, version ")
    for command in (
        ["--help"],
        ["check", "--help"],
        ["rules", "list", "--help"],
        ["rules", "explain", "--help"],
        ["schema", "--help"],
    ):
        result = run(*command)
        assert result.status == 0
        assert "Example" in result.stdout, command


def test_usage_errors_exit_2(run, workdir: Path):
    result = run("check", "--format", "yaml", "--lang", "en")
    assert result.status == 2
    assert "Invalid value for '-f' / '--format'" in result.stderr
    # the language chosen (Bahasa Indonesia by default) holds for click's errors
    result = run("check", "--format", "yaml")
    assert result.status == 2
    assert "Kesalahan: Nilai tidak sah untuk '-f' / '--format': 'yaml' bukan" in (
        result.stderr
    )
    assert result.stderr.startswith("Penggunaan: spbe-lint check [OPTIONS]")
    assert run("frobnicate").status == 2
    assert "Tidak ada perintah 'frobnicate'." in run("frobnicate").stderr


def test_internal_errors_exit_3_with_a_short_message(run, compliant: Path, monkeypatch):
    def broken(*args, **kwargs):
        raise ZeroDivisionError("boom")

    monkeypatch.setattr(engine, "evaluate", broken)
    result = run("check")
    assert result.status == 3
    assert result.stderr.splitlines() == [
        "spbe-lint: internal error (ZeroDivisionError: boom). This is a bug; rerun with "
        "--debug and report the output."
    ]
    assert "Traceback" in run("--debug", "check").stderr


def test_examples_folder_exists_for_the_quickstart():
    assert (EXAMPLES / "spbe.yaml").read_text("utf-8").count("spbe: 1") == 1


def test_a_broken_rule_pack_is_one_line_exit_2(run, compliant: Path, tmp_path: Path):
    pack = tmp_path / "pack"
    shutil.copytree(ROOT / "rules", pack, ignore=shutil.ignore_patterns("__*"))
    edit(pack / "SSO-001.yaml", "severity: warning", "severity: [warning]")
    result = run("check", "--rules", str(pack), "--lang", "en")
    assert result.status == 2
    assert result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert line.endswith(
        "pack/SSO-001.yaml:3:1: severity: must be one of: error, warning, info"
    )


def test_a_file_that_cannot_be_read_is_never_clean(run, workdir: Path):
    (workdir / "spbe.yaml").write_text("spbe: 1\napp: [unclosed\n", "utf-8")
    result = run("check", "--select", "HOST,SSO", "--format", "json", "--lang", "en")
    assert result.status == 1  # MAN-001 stays in force whatever is selected
    statuses = {f["rule"]: f["status"] for f in result.json()["findings"]}
    assert statuses.pop("MAN-001") == "fail"
    assert set(statuses.values()) == {"inconclusive"}  # never "pass"
    report = run("check", "--format", "json", "--lang", "en").json()
    unjudged = [f for f in report["findings"] if f["status"] == "inconclusive"]
    assert len(unjudged) == len(report["rules"]) - 1
    assert (
        unjudged[0]["message"]
        == "not evaluated: the file is not valid YAML (see MAN-001)"
    )


def test_a_control_character_is_a_finding_and_the_other_files_are_checked(run, workdir):
    (workdir / "a").mkdir()
    (workdir / "a" / "spbe.yaml").write_text(
        'spbe: 1\napp:\n  title: "x\x01"\n', "utf-8"
    )
    (workdir / "b").mkdir()
    shutil.copy(COMPLIANT, workdir / "b" / "spbe.yaml")
    result = run("check", ".", "--format", "concise", "--lang", "en")
    assert result.status == 1
    assert result.stdout.startswith(
        "a/spbe.yaml:3:12: error MAN-001 invalid YAML syntax: character U+0001"
    )


def test_values_cannot_break_a_finding_onto_several_lines(run, compliant: Path):
    edit(
        compliant,
        "category: aplikasi_khusus",
        'category: "aplikasi\\nfake.yaml:1:1: error FAKE-001 injected\\e[31m"',
    )
    result = run("check", "--format", "concise")
    lines = result.stdout.splitlines()
    assert all(line.startswith("spbe.yaml:") for line in lines), lines
    assert "\x1b" not in result.stdout
    assert "aplikasi\\nfake.yaml" in result.stdout


def test_a_value_of_the_wrong_type_is_not_judged_by_domain_rules(run, compliant: Path):
    edit(compliant, "open_critical: 0", 'open_critical: "0"')
    report = run("check", "--format", "json", "--lang", "en").json()
    by_rule = {(f["rule"], f["status"]): f for f in report["findings"]}
    assert ("SEC-006", "fail") not in by_rule
    unjudged = by_rule["SEC-006", "inconclusive"]
    assert unjudged["message"] == (
        "security.pentest.open_critical: cannot be judged because its value is not "
        "valid (see MAN-005)"
    )
    assert (
        by_rule["MAN-005", "fail"]["location"]["pointer"]
        == "/security/pentest/open_critical"
    )


def test_repeated_findings_have_distinct_fingerprints(run, compliant: Path):
    edit(compliant, "  title: Sistem", "  title: a\n  title: b\n  title: Sistem")
    report = run("check", "--format", "json", "--lang", "en").json()
    twice = [f for f in report["findings"] if f["rule"] == "MAN-002"]
    assert [f["message"] for f in twice] == [
        "key 'title' appears twice (first on line 9); only the last value is used"
    ] * 2
    assert len({f["fingerprint"] for f in twice}) == 2


def test_debug_is_accepted_after_the_subcommand(run, compliant: Path, monkeypatch):
    monkeypatch.setattr(engine, "evaluate", lambda *a, **k: 1 / 0)
    result = run("check", "--debug")
    assert result.status == 3
    assert "Traceback" in result.stderr


def test_a_file_named_twice_is_checked_once(run, compliant: Path):
    report = run("check", ".", "spbe.yaml", "./spbe.yaml", "--format", "json").json()
    assert [i["path"] for i in report["inputs"]] == ["spbe.yaml"]


def test_a_configuration_path_that_is_not_a_file_is_an_error(run, compliant: Path):
    (compliant.parent / ".spbe-lint.yaml").mkdir()
    result = run("check", "--lang", "en")
    assert result.status == 2
    assert result.stderr.strip() == ".spbe-lint.yaml: not a regular file"


@pytest.mark.parametrize(
    ("old", "new", "rule"),
    [
        (
            "url: https://sipelita.jambikota.go.id/",
            "url: https://evil.example.net\\@sipelita.jambikota.go.id/",
            "HOST-004",
        ),
        (
            "repository_url: https://git.jambikota.go.id/dpmptsp/sipelita",
            "repository_url: https://github.com\\@git.jambikota.go.id/vendor/sipelita",
            "HAND-001",
        ),
        (
            "repository_url: https://git.jambikota.go.id/dpmptsp/sipelita",
            "repository_url: https://git.jambikota.go.id/dpmptsp/../../vendor/x",
            "HAND-001",
        ),
    ],
)
def test_urls_that_parsers_read_differently_do_not_pass(run, compliant, old, new, rule):
    edit(compliant, old, new)
    report = run("check", "--format", "json").json()
    assert rule in {f["rule"] for f in report["findings"] if f["status"] == "fail"}
    assert report["summary"]["exit_status"] == 1


def test_a_negative_count_is_not_read_as_open_findings(run, compliant: Path):
    edit(compliant, "open_high: 0", "open_high: -1")
    report = run("check", "--format", "json", "--lang", "en").json()
    statuses = {(f["rule"], f["status"]) for f in report["findings"]}
    assert ("SEC-006", "inconclusive") in statuses
    assert ("SEC-006", "fail") not in statuses
    assert ("MAN-005", "fail") in statuses


def test_inconclusive_results_show_in_text_and_are_never_clean(run, compliant: Path):
    edit(compliant, "open_high: 0", 'open_high: "2"')
    result = run("check", "--select", "SEC", "--lang", "en")
    assert "No problems found." not in result.stdout
    assert (
        "inconclusive SEC-006 security.pentest.open_high: cannot be judged"
        in " ".join(result.stdout.split())
    )
    assert "1 inconclusive" in result.stdout


@pytest.mark.parametrize(
    ("text", "failing", "reason"),
    [
        ("- spbe: 1\n", "MAN-003", "the manifest's top level is not a mapping"),
        (
            "spbe: 2\napp: {name: a, status: production}\n",
            "MAN-004",
            "format version is unknown",
        ),
    ],
)
def test_rules_that_cannot_run_are_inconclusive(
    run, workdir: Path, text, failing, reason
):
    (workdir / "spbe.yaml").write_text(text, "utf-8")
    result = run("check", "--format", "json", "--lang", "en")
    assert result.status == 1
    report = result.json()
    findings = report["findings"]
    assert {f["rule"] for f in findings if f["status"] == "fail"} == {failing}
    endpoint = {r["id"] for r in report["rules"] if r["target"] == "endpoint"}
    unjudged = [
        f
        for f in findings
        if f["status"] == "inconclusive" and f["rule"] not in endpoint
    ]
    assert unjudged and all(reason in f["message"] for f in unjudged)
    assert not [
        f for f in findings if f["status"] == "pass" and not f["rule"].startswith("MAN")
    ]


def test_fingerprints_tell_files_and_places_apart(run):
    report = run("check", str(EXAMPLES / "broken"), "--format", "json").json()
    failures = [f for f in report["findings"] if f["status"] == "fail"]
    assert len({f["fingerprint"] for f in failures}) == len(failures)
    host = [f for f in failures if f["rule"] == "HOST-004"]
    assert len({f["location"]["pointer"] for f in host}) == 2  # one file, two places


def test_a_condition_value_that_is_not_valid_is_inconclusive(run, compliant: Path):
    edit(compliant, "processed: true", 'processed: "true"')
    report = run("check", "--format", "json", "--lang", "en").json()
    (data005,) = [f for f in report["findings"] if f["rule"] == "DATA-005"]
    assert data005["status"] == "inconclusive"
    assert data005["message"].startswith("cannot tell whether this rule applies")


def test_text_for_an_unreadable_file_shows_only_the_reason(run, workdir: Path):
    (workdir / "spbe.yaml").write_text("spbe: 1\napp: [unclosed\n", "utf-8")
    result = run("check", "--lang", "en")
    headlines = [line for line in result.stdout.splitlines() if HEADLINE.match(line)]
    assert len(headlines) == 1 and " MAN-001 " in headlines[0]
    # every rule but MAN-001 (which says why) and the endpoint rules
    endpoint = sum(1 for rule in PACK.rules if rule.target == "endpoint")
    inconclusive = len(PACK.rules) - 1 - endpoint
    assert f", {inconclusive} inconclusive, {endpoint} endpoint rules await" in (
        " ".join(result.stdout.split())
    )


def test_file_names_cannot_break_lines(run, workdir: Path):
    folder = workdir / "odd\nname"
    folder.mkdir()
    (folder / "spbe.yaml").write_text("spbe: 1\napp: [unclosed\n", "utf-8")
    (workdir / "empty\ndir").mkdir()
    result = run(
        "check", "odd\nname", "empty\ndir", "--format", "concise", "--lang", "en"
    )
    assert result.stdout.startswith("odd\\nname/spbe.yaml:3:1: error MAN-001")
    assert len(result.stdout.splitlines()) == 1
    assert result.stderr.startswith("empty\\ndir: error: no manifest")
    assert len(result.stderr.splitlines()) == 1


def test_findings_are_sorted_by_position_not_rule(run, compliant: Path):
    edit(compliant, "category: aplikasi_khusus", "category: lain")  # GOV-003, early
    edit(compliant, "      via: splpd", "      via: direct")  # INT-001, later
    edit(
        compliant,
        "  provider: pusat_data_daerah",
        "  provider: pusat_data_daerah\n  x: 1",
    )
    lines = run("check", "--format", "concise").stdout.splitlines()
    positions = [tuple(int(n) for n in line.split(":")[1:3]) for line in lines]
    assert positions == sorted(positions)
    assert [line.split()[2] for line in lines][:2] == ["GOV-003", "MAN-005"]


def test_configured_severities_show_in_json_and_rules_list(run, compliant: Path):
    (compliant.parent / ".spbe-lint.yaml").write_text(
        "severity:\n  SSO-001: error\n", "utf-8"
    )
    rules = {r["id"]: r for r in run("check", "--format", "json").json()["rules"]}
    assert (rules["SSO-001"]["severity"], rules["SSO-001"]["default_severity"]) == (
        "error",
        "warning",
    )
    listing = run("rules", "list").stdout
    assert any(
        line.split()[:3] == ["SSO-001", "sso", "error"] for line in listing.splitlines()
    )
