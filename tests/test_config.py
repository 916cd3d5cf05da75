from __future__ import annotations

from pathlib import Path

import pytest

from spbe_lint import config
from tests.conftest import edit


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, "utf-8")
    return path


def test_discovery_walks_up_to_the_repository_root(tmp_path: Path):
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    found = write(repo / ".spbe-lint.yaml", "lang: en\n")
    deep = repo / "a" / "b"
    deep.mkdir(parents=True)
    assert config.discover(deep) == found
    write(tmp_path / "outside" / ".spbe-lint.yaml", "lang: en\n")
    inner = tmp_path / "outside" / "repo2"
    (inner / ".git").mkdir(parents=True)
    assert config.discover(inner) is None  # never above the repository root


def test_config_changes_language_threshold_and_severity(run, compliant: Path):
    edit(
        compliant,
        "issuer: https://sso.jambikota.go.id/realms/jambikota",
        "issuer: https://x.example/r",
    )
    assert run("check").status == 0  # SSO-001 is a warning
    write(compliant.parent / ".spbe-lint.yaml", "lang: en\nfail-on: warning\n")
    result = run("check")
    assert result.status == 1
    assert "staff access must go through the city SSO" in " ".join(
        result.stdout.split()
    )
    write(compliant.parent / ".spbe-lint.yaml", "severity:\n  SSO-001: error\n")
    result = run("check", "--format", "concise")
    assert result.status == 1
    assert ": error SSO-001 " in result.stdout


def test_command_line_options_win_over_the_file(run, compliant: Path):
    edit(
        compliant,
        "issuer: https://sso.jambikota.go.id/realms/jambikota",
        "issuer: https://x.example/r",
    )
    write(
        compliant.parent / ".spbe-lint.yaml",
        "lang: en\nfail-on: warning\nignore: [MAN]\n",
    )
    result = run("check", "--lang", "id", "--fail-on", "error", "--format", "json")
    report = result.json()
    assert (result.status, report["settings"]["lang"]) == (0, "id")
    manifest_rules = [r["id"] for r in report["rules"] if r["id"].startswith("MAN")]
    assert manifest_rules == ["MAN-001", "MAN-003", "MAN-004"]  # always in force


def test_select_and_ignore_from_config(run, compliant: Path):
    write(
        compliant.parent / ".spbe-lint.yaml", "select: [HOST, SSO]\nignore: [SSO-001]\n"
    )
    report = run("check", "--format", "json").json()
    rules = [r["id"] for r in report["rules"]]
    families = [r for r in rules if r.startswith(("HOST-", "SSO-"))]
    assert "HOST-004" in families and "SSO-002" in families
    assert "SSO-001" not in rules
    assert rules == sorted([*families, "MAN-001", "MAN-003", "MAN-004"])


def test_profile_override_in_config(run, compliant: Path):
    edit(
        compliant,
        "issuer: https://sso.jambikota.go.id/realms/jambikota",
        "issuer: https://sso.example.go.id/realms/kota",
    )
    write(
        compliant.parent / ".spbe-lint.yaml",
        "profile:\n  sso:\n    issuer: https://sso.example.go.id/realms/kota\nfail-on: warning\n",
    )
    # the API description names the same SSO (INT-003 compares it with the profile)
    edit(
        compliant.parent / "docs" / "api" / "openapi.yaml",
        "https://sso.jambikota.go.id/realms/jambikota/",
        "https://sso.example.go.id/realms/kota/",
    )
    assert run("check").status == 0


def test_explicit_config_and_isolated(run, compliant: Path):
    other = write(compliant.parent / "ci" / "strict.yaml", "fail-on: info\nlang: en\n")
    write(compliant.parent / ".spbe-lint.yaml", "lang: id\n")
    report = run("check", "--config", str(other), "--format", "json").json()
    assert report["settings"] == {
        "lang": "en",
        "fail_on": "info",
        "exit_zero": False,
        "as_of": "2026-11-28",  # SOURCE_DATE_EPOCH, set for every test
        "documents": "auto",
    }
    report = run("check", "--isolated", "--format", "json").json()
    assert report["settings"]["fail_on"] == "error"


def test_an_empty_config_file_means_defaults(run, compliant: Path):
    write(compliant.parent / ".spbe-lint.yaml", "# nothing configured yet\n")
    assert run("check").status == 0


@pytest.mark.parametrize(
    ("text", "position", "message"),
    [
        (
            "fail-on: sometimes\n",
            ":1:10:",
            "fail-on: must be one of: error, warning, info",
        ),
        ("select: [HOST, NOPE-001]\n", ":1:16:", "unknown rule 'NOPE-001'"),
        ("ignore:\n  - SSO-009\n", ":2:5:", "unknown rule 'SSO-009'"),
        ("severity:\n  HOST-999: info\n", ":2:3:", "unknown rule 'HOST-999'"),
        (
            "severity:\n  HOST-004: fatal\n",
            ":2:13:",
            "must be one of: error, warning, info",
        ),
        ("lang: en\nfailon: warning\n", ":2:1:", "unknown key 'failon'"),
        ("lang: [en\n", ":2:1:", "invalid YAML"),
        ("profile:\n  domain: 42\n", ":2:11:", "profile.domain: must be text"),
        ("lang: [\n", ":2:1:", "invalid YAML: did not find the expected value"),
        ("lang: en\nlang: id\n", ":2:1:", "key 'lang' appears twice (first on line 1)"),
        ("- a\n", ":1:1:", "the file must hold a mapping (key: value)"),
        ("profile:\n  x-foo: 1\n", ":2:3:", "unknown key 'x-foo'; available:"),
    ],
)
def test_bad_configuration_is_one_line_with_position(
    run, compliant: Path, text: str, position: str, message: str
):
    write(compliant.parent / ".spbe-lint.yaml", text)
    result = run("check", "--lang", "en")
    assert result.status == 2
    assert result.stdout == ""
    line = result.stderr.strip()
    assert "\n" not in line
    assert line.startswith(".spbe-lint.yaml" + position), line
    assert message in line


def test_errors_after_the_configuration_use_its_language(run, compliant: Path):
    write(compliant.parent / ".spbe-lint.yaml", "lang: en\n")
    result = run("check", "--select", "HOST-404")
    assert result.status == 2
    assert result.stderr.startswith("spbe-lint: unknown rule 'HOST-404'")


def test_a_rules_folder_in_the_configuration_is_relative_to_the_file(
    run, compliant: Path, tmp_path: Path
):
    import shutil

    from tests.conftest import ROOT

    shutil.copytree(ROOT / "rules", compliant.parent / "city-pack")
    edit(
        compliant.parent / "city-pack" / "pack.yaml",
        "name: spbe-kota-jambi",
        "name: my-city",
    )
    write(compliant.parent / "ci" / "spbe.yaml", "rules: ../city-pack\n")
    report = run("check", "--config", "ci/spbe.yaml", "--format", "json").json()
    assert report["rule_pack"]["name"] == "my-city"
