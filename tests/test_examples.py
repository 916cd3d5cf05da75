"""The bundled examples do what their comments say, through the real CLI."""

from __future__ import annotations

import pytest

from tests.conftest import EXAMPLES, assert_valid_report

BROKEN = {
    "hosting": {"HOST-004"},
    "sso": {"SSO-001"},
    "data": {"DATA-005"},
    "interop": {"INT-001"},
    "security": {"SEC-006"},
    "handover": {"HAND-001"},
    "governance": {"GOV-003", "MAN-005"},
    "manifest": {"MAN-002", "MAN-005", "MAN-006", "MAN-007"},
    "syntax": {"MAN-001"},
}


def test_the_compliant_example_passes_every_rule(run):
    result = run("check", str(EXAMPLES / "spbe.yaml"), "--format", "json")
    report = result.json()
    assert_valid_report(report)
    assert result.status == 0
    assert report["summary"]["results"]["fail"] == 0
    assert report["summary"]["results"]["pass"] == len(report["rules"])


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_each_broken_example_fails_in_its_domain(run, name: str):
    result = run(
        "check",
        str(EXAMPLES / "broken" / name / "spbe.yaml"),
        "--format",
        "json",
        "--fail-on",
        "warning",
    )
    report = result.json()
    assert_valid_report(report)
    failures = [f for f in report["findings"] if f["status"] == "fail"]
    assert {f["rule"] for f in failures} == BROKEN[name]
    assert result.status == 1
    domains = {f["domain"] for f in failures}
    assert name in domains or (name == "syntax" and domains == {"manifest"})


def test_checking_the_examples_folder_finds_every_manifest(run):
    result = run("check", str(EXAMPLES), "--format", "json")
    paths = [i["path"] for i in result.json()["inputs"]]
    assert len(paths) == 1 + len(BROKEN)
    assert paths == sorted(paths)
