"""Reviewer mode inside the vendor's folder (issue 13): nothing inside the
submission decides how it is judged. A waiver file (or a configuration file)
in the submission is never discovered; only the file the reviewer names, or
one found outside the submission (Diskominfo's)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import EXAMPLES
from tests.test_waivers import APP, AS_OF, FQDN, HEALTH, host_004, waiver, write_waivers

ARGS = ("check", "--as-of", AS_OF, "--documents", "manual", "-f", "json")


@pytest.fixture
def kiriman(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The vendor's submission (its own repository, its own waiver file
    waiving both HOST-004 failures) inside Diskominfo's review folder; the
    reviewer works inside it."""
    folder = workdir / "kiriman"
    (folder / ".git").mkdir(parents=True)
    shutil.copy(EXAMPLES / "broken" / "hosting" / "spbe.yaml", folder / "spbe.yaml")
    write_waivers(folder, waiver(scope={"app": APP}))
    monkeypatch.chdir(folder)
    return folder


def test_the_vendors_own_run_uses_its_waiver_file(run, kiriman: Path):
    report = run(*ARGS).json()
    assert host_004(report) == {FQDN: "W-2026-001", HEALTH: "W-2026-001"}


def test_reviewer_mode_never_discovers_the_submissions_waiver_file(run, kiriman):
    result = run(*ARGS, "--reviewer")
    assert result.status == 1
    report = result.json()
    assert host_004(report) == {FQDN: None, HEALTH: None}
    assert report["review"]["reviewer"] is True
    assert report["review"]["waiver_file"] is None
    # The same with the manifest named, or the folder, from inside or above it.
    for args in (("spbe.yaml",), (".",), (str(kiriman),)):
        report = run(*ARGS, "--reviewer", *args).json()
        assert host_004(report) == {FQDN: None, HEALTH: None}, args


def test_diskominfos_file_outside_the_submission_is_found(
    run, kiriman: Path, workdir: Path
):
    """Found above the submission, past the vendor's own .git."""
    outside = write_waivers(
        workdir, waiver(id="W-2026-009", scope={"app": APP, "pointer": HEALTH})
    )
    report = run(*ARGS, "--reviewer").json()
    assert host_004(report) == {FQDN: None, HEALTH: "W-2026-009"}
    assert report["review"]["waiver_file"] == outside.as_posix()


def test_a_link_outside_pointing_into_the_submission_is_not_followed(
    run, kiriman: Path, workdir: Path
):
    (workdir / "spbe-waivers.yaml").symlink_to(kiriman / "spbe-waivers.yaml")
    report = run(*ARGS, "--reviewer").json()
    assert host_004(report) == {FQDN: None, HEALTH: None}
    assert report["review"]["waiver_file"] is None


def test_the_file_the_reviewer_names_is_used(run, kiriman: Path):
    report = run(*ARGS, "--reviewer", "--waivers", "spbe-waivers.yaml").json()
    assert host_004(report) == {FQDN: "W-2026-001", HEALTH: "W-2026-001"}


def test_the_submissions_configuration_is_not_used_either(
    run, kiriman: Path, workdir: Path
):
    """A vendor's .spbe-lint.yaml could ignore the rules it fails or lower
    their severity: in reviewer mode only one outside the submission counts."""
    (kiriman / ".spbe-lint.yaml").write_text(
        "ignore: [HOST-004]\nseverity:\n  HOST-002: info\n", "utf-8"
    )
    vendor = run(*ARGS).json()
    assert "HOST-004" not in {r["id"] for r in vendor["rules"]}
    reviewed = run(*ARGS, "--reviewer").json()
    assert {r["id"]: r["severity"] for r in reviewed["rules"]}["HOST-004"] == "error"
    assert host_004(reviewed) == {FQDN: None, HEALTH: None}
    # Diskominfo's own configuration, outside the submission, is read.
    (workdir / ".spbe-lint.yaml").write_text("lang: en\n", "utf-8")
    assert run(*ARGS, "--reviewer").json()["settings"]["lang"] == "en"
