"""spbe-lint diff over pairs of golden reports (tests/data/diff): two
submissions of one application, made from different folders, between which
findings were fixed and added, declarations changed and waivers expired,
were added and removed.

The saved reports are inputs; SPBE_UPDATE_GOLDEN=1 makes them again from the
examples (``make_pair``) and rewrites the golden outputs."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from tests.conftest import EXAMPLES, ROOT, assert_valid_report, edit
from tests.standards import assert_golden, assert_valid_sarif
from tests.test_waivers import APP, waiver, write_waivers

DATA = ROOT / "tests" / "data" / "diff"
OLD, NEW = DATA / "kiriman-1.json", DATA / "kiriman-2.json"


def make_pair(run, folder: Path) -> None:
    """The first submission as of 2026-03-01 with two waivers; the second, moved
    to another folder, as of 2026-08-01: one waiver expired, one removed, one
    added, the BCP test date fixed, the hosting provider changed."""
    first = folder / "kiriman-1"
    first.mkdir()
    shutil.copy(EXAMPLES / "broken" / "hosting" / "spbe.yaml", first / "spbe.yaml")
    write_waivers(
        folder,
        waiver(scope={"app": APP, "pointer": "/domain/fqdn"}),
        waiver("SEC-006", id="W-2026-002", scope={"path": "kiriman-*/spbe.yaml"}),
    )
    common = ("--documents", "manual", "--select", "HOST,SEC-006,SSO", "--exit-zero")
    run("check", "kiriman-1", "--as-of", "2026-03-01", *common, "-o", f"json={OLD}")
    second = folder / "kiriman-2"
    second.mkdir()
    shutil.copy(first / "spbe.yaml", second / "spbe.yaml")
    manifest = second / "spbe.yaml"
    edit(manifest, "provider: pusat_data_daerah", "provider: pihak_ketiga")
    edit(manifest, "last_test_date: 2026-03-02", "last_test_date: 2026-02-02")
    write_waivers(
        folder,
        waiver(scope={"app": APP, "pointer": "/domain/fqdn"}),
        waiver(
            "SSO-003",
            id="W-2026-003",
            scope={"app": APP},
            reason="IdP kota belum mendaftarkan subdomain baru",
            issued="2026-07-01",
            expires="2026-12-31",
        ),
    )
    run("check", "kiriman-2", "--as-of", "2026-08-01", *common, "-o", f"json={NEW}")


@pytest.fixture
def pair(run, workdir: Path) -> tuple[str, str]:
    if os.environ.get("SPBE_UPDATE_GOLDEN") == "1":
        DATA.mkdir(parents=True, exist_ok=True)
        make_pair(run, workdir)
    for path in (OLD, NEW):
        shutil.copy(path, workdir / path.name)
        assert_valid_report(json.loads(path.read_text("utf-8")))
    return OLD.name, NEW.name


def test_text(run, pair):
    result = run("diff", *pair, "--lang", "en")
    assert result.status == 1  # the HOST-004 waiver expired; HOST-002 is new
    assert_golden("diff.txt", result.stdout)
    lines = result.stdout.splitlines()
    assert lines[0] == (
        "Report comparison: kiriman-1.json → kiriman-2.json "
        "(application APP-1571-2024-017)"
    )
    assert any(
        line.startswith("+ kiriman-2/spbe.yaml:") and " HOST-002 " in line
        for line in lines
    )
    assert any(
        line.startswith("- kiriman-1/spbe.yaml:60:21: warning HOST-006 ")
        for line in lines
    )
    assert (
        "  kiriman-2/spbe.yaml /hosting/provider: pusat_data_daerah → pihak_ketiga"
        in lines
    )


def test_json(run, pair):
    result = run("diff", *pair, "--format", "json", "--lang", "en")
    assert result.status == 1
    data = json.loads(result.stdout)
    states = {(f["state"], f["rule"], f["pointer"]) for f in data["findings"]}
    # the manifest moved folders: its findings are matched, not new and fixed
    assert ("unchanged", "SSO-003", "/auth/sso/redirect_uris/0") in states
    assert ("fixed", "HOST-006", "/hosting/bcp/last_test_date") in states
    assert ("new", "HOST-002", "/hosting/approval_ref") in states
    assert ("new", "WAIVE-001", "/waivers/0") in states
    assert data["summary"]["errors"] == 2  # HOST-002, and HOST-004 unwaived again
    assert {
        (d["pointer"], d["old"], d["new"])
        for d in data["declarations"]
        if d["state"] == "changed"
    } == {
        ("/hosting/provider", "pusat_data_daerah", "pihak_ketiga"),
        ("/hosting/bcp/last_test_date", "2026-03-02", "2026-02-02"),
    }
    assert sorted((w["state"], w["id"]) for w in data["waivers"]) == [
        ("added", "W-2026-003"),
        ("expired", "W-2026-001"),
        ("removed", "W-2026-002"),
    ]


def test_markdown(run, pair):
    result = run("diff", *pair, "--format", "markdown", "-o", "diff.md")
    assert result.status == 1
    assert_golden("diff.md", Path("diff.md").read_text("utf-8"))


def test_sarif_sets_baseline_state(run, pair):
    result = run("diff", *pair, "--format", "sarif", "--lang", "en")
    sarif = json.loads(result.stdout)
    assert_valid_sarif(sarif)
    states = {
        (r["ruleId"], r["baselineState"])
        for r in sarif["runs"][0]["results"]
        if r["kind"] == "fail"
    }
    assert ("HOST-002", "new") in states
    assert ("SSO-003", "unchanged") in states
    assert ("HOST-006", "absent") in states
    assert all(
        "baselineState" in r for r in sarif["runs"][0]["results"] if r["kind"] == "fail"
    )


def test_the_same_report_twice_changes_nothing(run, pair):
    result = run("diff", pair[1], pair[1], "--lang", "en", "--format", "json")
    assert result.status == 0
    data = json.loads(result.stdout)
    assert {f["state"] for f in data["findings"]} == {"unchanged"}
    assert data["declarations"] == [] and data["waivers"] == []


def test_reports_of_different_applications_are_refused(run, pair):
    data = json.loads(Path(pair[1]).read_text("utf-8"))
    data["inputs"][0]["identity"]["app.id"] = "APP-1571-2025-001"
    Path("other.json").write_text(json.dumps(data), "utf-8")
    result = run("diff", pair[0], "other.json", "--lang", "en")
    assert result.status == 2
    assert result.stderr == (
        "spbe-lint: not the same application: OLD APP-1571-2024-017, NEW "
        "APP-1571-2025-001 (app.id)\n"
    )


def _without_app_id(source: str, target: str) -> str:
    data = json.loads(Path(source).read_text("utf-8"))
    for item in data["inputs"]:
        del item["identity"]["app.id"]
    Path(target).write_text(json.dumps(data), "utf-8")
    return target


@pytest.mark.parametrize("which", ["new", "old", "both"])
def test_a_report_without_app_id_is_refused(run, pair, which: str):
    """Nothing then says both reports are of one application: refused like two
    different ids, never compared with another application's report."""
    old, new = pair
    if which in ("old", "both"):
        old = _without_app_id(old, "old-no-id.json")
    if which in ("new", "both"):
        new = _without_app_id(new, "new-no-id.json")
    result = run("diff", old, new, "--lang", "en", "-o", "diff.txt")
    assert (result.status, result.stdout) == (2, "")
    named = ("OLD", old) if which != "new" else ("NEW", new)
    assert result.stderr == (
        f"spbe-lint: {named[0]} ({named[1]}) records no app.id: nothing says both "
        "reports are of the same application; give the manifest an app.id and "
        "check it again\n"
    )
    assert not Path("diff.txt").exists()
    result = run("diff", old, new)  # in Indonesian by default
    assert result.status == 2 and "tidak mencatat app.id" in result.stderr


def test_a_file_that_is_not_a_report_is_exit_2(run, pair):
    Path("bad.json").write_text("{}", "utf-8")
    result = run("diff", pair[0], "bad.json", "--lang", "en")
    assert result.status == 2
    assert result.stderr == (
        "bad.json: not an spbe-lint JSON report (no report_version)\n"
    )


def test_fail_on_warning_counts_new_warnings(run, pair):
    # HOST-002 and WAIVE-001 are new; with --fail-on warning both count
    data = json.loads(run("diff", *pair, "-f", "json", "--fail-on", "warning").stdout)
    assert data["summary"]["errors"] == 3  # and HOST-004, no longer waived


@pytest.mark.parametrize(
    "command",
    [["diff", "--help"], ["baseline", "create", "--help"], ["check", "--help"]],
)
def test_help_shows_examples_of_the_review_workflow(run, command):
    result = run(*command)
    assert result.status == 0
    assert "Examples:" in result.stdout
    expected = {"diff": "spbe-lint diff", "baseline": "--from", "check": "--reviewer"}
    assert expected[command[0]] in result.stdout


def test_a_report_of_version_1_1_is_still_read(run, pair):
    """Reports saved before the review workflow (1.1: no review, no declarations)."""
    data = json.loads(Path(pair[0]).read_text("utf-8"))
    data["report_version"] = "1.1"
    del data["review"]
    for item in data["inputs"]:
        del item["declarations"]
    for finding in data["findings"]:
        if finding["waiver"]:
            finding["waiver"] = {
                k: finding["waiver"][k]
                for k in ("id", "reason", "approved_by", "expires")
            }
    Path("old.json").write_text(json.dumps(data), "utf-8")
    assert run("report", "old.json", "--format", "sarif").status == 0
    result = run("diff", "old.json", pair[1], "--format", "json")
    assert result.status == 1
    assert json.loads(result.stdout)["declarations"] == []  # nothing recorded before
