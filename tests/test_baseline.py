"""Baselines through the real CLI: create, lines moved, new and fixed failures,
bad baseline files."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.conftest import EXAMPLES, edit

AS_OF = "2026-03-01"
ARGS = ("--as-of", AS_OF, "--documents", "manual", "--lang", "en")


@pytest.fixture
def hosting(workdir: Path) -> Path:
    target = workdir / "spbe.yaml"
    shutil.copy(EXAMPLES / "broken" / "hosting" / "spbe.yaml", target)
    return target


def failing(report: dict) -> list[tuple[str, str]]:
    return [
        (f["rule"], f["location"]["pointer"])
        for f in report["findings"]
        if f["status"] == "fail"
    ]


def test_round_trip_survives_lines_moving(run, hosting: Path):
    before = run("check", *ARGS, "-f", "json").json()
    known = failing(before)
    assert len(known) == 5  # HOST-004 twice, HOST-006, SSO-003, SEC-006 (date)

    created = run("baseline", "create", *ARGS)
    assert created.status == 0
    assert created.stderr == "spbe-baseline.json: 5 known failure(s) written\n"
    data = json.loads(Path("spbe-baseline.json").read_text("utf-8"))
    assert sorted((e["rule"], e["pointer"]) for e in data["findings"]) == sorted(known)
    assert {e["fingerprint"] for e in data["findings"]} == {
        f["fingerprint"] for f in before["findings"] if f["status"] == "fail"
    }
    assert all("line" not in e for e in data["findings"])

    # Lines above every finding: nothing churns, nothing new.
    hosting.write_text("# kiriman kedua\n# second submission\n" + hosting.read_text())
    again = run("check", *ARGS, "--baseline", "spbe-baseline.json")
    assert again.status == 0, again.stdout
    assert (
        "Baseline spbe-baseline.json: 5 known failure(s) hidden, 0 entries fixed."
        in again.stdout
    )
    report = run("check", *ARGS, "--baseline", "spbe-baseline.json", "-f", "json")
    data = report.json()
    assert failing(data) == []
    assert len(data["review"]["hidden"]) == 5
    assert data["review"]["baseline_sha256"]

    # One fixed, one new: only the new one is reported; the fixed entry is named.
    edit(hosting, "last_test_date: 2026-03-02", "last_test_date: 2026-02-02")
    edit(hosting, "open_high: 0", "open_high: 2")
    result = run("check", *ARGS, "--baseline", "spbe-baseline.json")
    assert result.status == 1
    headlines = [line for line in result.stdout.splitlines() if ": error " in line]
    assert len(headlines) == 1 and " SEC-006 " in headlines[0]
    assert "4 known failure(s) hidden, 1 entry fixed (remove them):" in " ".join(
        result.stdout.split()
    )
    assert "  HOST-006 spbe.yaml /hosting/bcp/last_test_date (" in result.stdout


def test_waived_failures_are_not_written_and_not_hidden(run, hosting: Path):
    from tests.test_waivers import APP, waiver, write_waivers

    write_waivers(hosting.parent, waiver(scope={"app": APP}))
    run("baseline", "create", *ARGS)
    data = json.loads(Path("spbe-baseline.json").read_text("utf-8"))
    assert sorted(e["rule"] for e in data["findings"]) == [
        "HOST-006",
        "SEC-006",
        "SSO-003",
    ]


def test_create_from_a_saved_report_and_into_a_named_file(run, hosting: Path):
    run("check", *ARGS, "-o", "json=r.json", "--exit-zero")
    result = run("baseline", "create", "--from", "r.json", "-o", "b/base.json")
    assert result.status == 0
    fresh = run("baseline", "create", *ARGS, "-o", "fresh.json")
    assert fresh.status == 0
    saved = json.loads(Path("b/base.json").read_text("utf-8"))["findings"]
    assert saved == json.loads(Path("fresh.json").read_text("utf-8"))["findings"]
    both = run("baseline", "create", "spbe.yaml", "--from", "r.json")
    assert both.status == 2


def test_baseline_of_an_unreadable_manifest_is_refused(run, workdir: Path):
    (workdir / "spbe.yaml").write_bytes(b"\xff\xfe")
    result = run("baseline", "create", "--lang", "en")
    assert result.status == 2
    assert not Path("spbe-baseline.json").exists()


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (
            "{",
            "b.json:1:2: not JSON: Expecting property name enclosed in double quotes",
        ),
        (
            "[]",
            "b.json:1:1: not a valid spbe-lint baseline: /: must be a mapping "
            "(key: value), not a list",
        ),
        (
            '{\n  "spbe-baseline": 1,\n  "findings": [\n'
            '    {"fingerprint": "XYZ", "rule": "HOST-004", "path": "spbe.yaml", '
            '"pointer": ""}\n  ]\n}\n',
            "b.json:4:21: not a valid spbe-lint baseline: /findings/0/fingerprint: "
            "wrong format; expected: the finding's fingerprint (16 hex digits)",
        ),
        (
            '{"spbe-baseline": 2, "findings": []}',
            "b.json:1:19: not a valid spbe-lint baseline: /spbe-baseline: must be 1",
        ),
    ],
)
def test_a_bad_baseline_is_one_line_and_exit_2(
    run, hosting: Path, content: str, expected: str
):
    Path("b.json").write_text(content, "utf-8")
    result = run("check", *ARGS, "--baseline", "b.json")
    assert result.status == 2
    assert result.stdout == ""
    assert result.stderr == expected + "\n"


def test_a_missing_baseline_is_exit_2(run, hosting: Path):
    result = run("check", *ARGS, "--baseline", "none.json")
    assert result.status == 2
    assert result.stderr.startswith("none.json: cannot read the baseline:")
