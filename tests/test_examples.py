"""The bundled examples do what their comments say, through the real CLI.

Examples are judged as of a fixed day so that "no older than" checks (the
pentest within 12 months, say) do not rot as the calendar moves on.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from tests.conftest import (
    EXAMPLES,
    assert_valid_report,
    referenced_documents,
    submission,
)

AS_OF = "2026-11-28"
BROKEN = {
    "hosting": {"HOST-004", "SSO-003"},  # the callback stays on the old host
    "sso": {"SSO-001"},
    "data": {"DATA-005"},
    "interop": {"INT-001"},
    "security": {"SEC-006"},
    "handover": {"HAND-001"},
    "governance": {"GOV-003", "MAN-005"},
    # typos (hostng:, sesion:) hide whole sections from the rules that need them
    "manifest": {"MAN-002", "MAN-005", "MAN-006", "MAN-007"}
    | {"HOST-001", "HOST-002", "HOST-006", "HOST-007", "HOST-008", "SSO-005"},
    "syntax": {"MAN-001"},
}
TYPICAL = EXAMPLES / "typical-first-submission" / "spbe.yaml"


def _check(run, *args: str):
    return run("check", *args, "--format", "json", "--as-of", AS_OF)


def test_the_compliant_example_fails_no_rule(run):
    """With its documents beside it (examples/docs/), every rule passes, does not
    apply, or awaits the probe (endpoint rules)."""
    result = _check(run, str(EXAMPLES / "spbe.yaml"))
    report = result.json()
    assert_valid_report(report)
    assert result.status == 0
    results = report["summary"]["results"]
    assert results["fail"] == 0 and results["manual"] == 0
    endpoint = {r["id"] for r in report["rules"] if r["target"] == "endpoint"}
    inconclusive = {
        f["rule"] for f in report["findings"] if f["status"] == "inconclusive"
    }
    assert inconclusive == endpoint
    assert {f["rule"] for f in report["findings"]} == {r["id"] for r in report["rules"]}


def test_the_manifest_alone_leaves_the_documents_to_a_reviewer(run, workdir: Path):
    """Only the manifest submitted (no repository, none of its documents): the
    document evidence is manual, never passed and never failed."""
    alone = workdir / "kiriman"
    alone.mkdir()
    shutil.copy(EXAMPLES / "spbe.yaml", alone / "spbe.yaml")
    report = _check(run, str(alone)).json()
    assert report["summary"]["results"]["fail"] == 0
    manual = [f for f in report["findings"] if f["status"] == "manual"]
    assert manual and all(
        "only the manifest was submitted" in f["message_i18n"]["en"] for f in manual
    )
    documents = {r["id"] for r in report["rules"] if r["evidence_type"] == "document"}
    # Dataset schemas, samples and metadata are judged when present (DATA-011,
    # -012, -015...-018); with only the manifest, a reviewer must look at them.
    data_evidence = {
        "DATA-011",
        "DATA-012",
        "DATA-015",
        "DATA-016",
        "DATA-017",
        "DATA-018",
    }
    # The repository's own evidence: its committed secrets, its licence file;
    # and the API description's server addresses (INT-007, judged when present).
    api_servers = {"INT-007"}
    repository = {"SEC-012", "HAND-008"}
    assert (
        repository
        <= {f["rule"] for f in manual}
        <= documents | data_evidence | repository | api_servers
    )
    manual = [f for f in manual if f["rule"] not in repository]
    named = set(referenced_documents(EXAMPLES / "spbe.yaml"))
    assert {
        f["message_i18n"]["en"].split(" = ")[1].split(":")[0] for f in manual
    } <= named


def test_the_compliant_submission_with_its_documents_is_clean(run, workdir: Path):
    """The same manifest in a repository with the documents it names: nothing
    for a reviewer to chase, and a missing document is a failure."""
    target = submission(workdir)  # the documents, the example's SBOM and LICENSE
    documents = referenced_documents(target)
    report = _check(run).json()
    assert report["summary"]["results"]["manual"] == 0
    assert report["summary"]["results"]["fail"] == 0
    (workdir / documents[0]).unlink()
    failures = [f for f in _check(run).json()["findings"] if f["status"] == "fail"]
    assert len(failures) == 1 and documents[0] in failures[0]["message"]
    assert "no such file next to the manifest" in failures[0]["message_i18n"]["en"]


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_each_broken_example_fails_in_its_domain(run, name: str):
    result = _check(
        run, str(EXAMPLES / "broken" / name / "spbe.yaml"), "--fail-on", "warning"
    )
    report = result.json()
    assert_valid_report(report)
    failures = [f for f in report["findings"] if f["status"] == "fail"]
    assert {f["rule"] for f in failures} == BROKEN[name]
    assert result.status == 1
    domains = {f["domain"] for f in failures}
    assert name in domains or (name == "syntax" and domains == {"manifest"})


def test_a_typical_first_submission_fails_in_every_domain(run):
    result = _check(run, str(TYPICAL))
    report = result.json()
    assert_valid_report(report)
    assert result.status == 1
    failures = [f for f in report["findings"] if f["status"] == "fail"]
    assert {f["domain"] for f in failures} >= {
        "hosting", "sso", "data", "interop", "security", "handover", "governance"
    }  # fmt: skip
    assert len(failures) >= 40
    # Every finding on a value that is in the file points at that value as
    # written (read here with PyYAML, independently of spbe-lint's loader).
    text = TYPICAL.read_text("utf-8")
    lines, data = text.splitlines(), yaml.safe_load(text)
    judged = 0
    for finding in failures:
        where = finding["location"]
        node = _at(data, where["pointer"])
        if node is None or isinstance(node, dict | list):
            continue  # missing (points at its parent) or a whole section
        written = lines[where["line"] - 1][where["column"] - 1 :].lstrip("\"'")
        shown = str(node).lower() if isinstance(node, bool) else str(node)
        assert written.startswith(shown), (finding["rule"], where, written)
        judged += 1
    assert judged >= 10
    by_place = {
        (f["rule"], f["location"]["line"], f["location"]["column"]) for f in failures
    }
    assert {
        ("HOST-004", 26, 9),  # fqdn: sikesal.majusehat.co.id
        ("INT-004", 19, 33),  # functions: [..., pengaduan]
        ("INT-001", 60, 18),  # direct_db: true
        ("SEC-006", 66, 20),  # open_critical: 1
        ("HAND-008", 70, 12),  # license: proprietary
        ("DATA-012", 54, 47),  # a NIK sample born on the 32nd
        ("SSO-001", 39, 14),  # enabled: false
    } <= by_place
    messages = {f["rule"]: f["message_i18n"]["en"] for f in failures}
    assert "not a subdomain of jambikota.go.id" in messages["HOST-004"]
    assert "SP4N-LAPOR!" in messages["INT-004"]


def _at(data, pointer: str):
    """The node a JSON Pointer names, or None when it is not there."""
    node = data
    for part in pointer.split("/")[1:]:
        if isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        elif isinstance(node, dict) and part in node:
            node = node[part]
        else:
            return None
    return node


def test_checking_the_examples_folder_finds_every_manifest(run):
    result = _check(run, str(EXAMPLES))
    paths = [i["path"] for i in result.json()["inputs"]]
    assert len(paths) == 2 + len(BROKEN)
    assert paths == sorted(paths)
