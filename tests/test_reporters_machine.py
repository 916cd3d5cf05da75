"""SARIF, JUnit and GitHub output; several outputs from one run; re-rendering a
saved JSON report. Every SARIF and JUnit document is validated against the
official schema (tests/standards.py)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from spbe_lint.findings import Status
from spbe_lint.reporters import REPORTERS, RenderOptions, json_
from tests.conftest import assert_valid_report, edit
from tests.reports import checked, copy_examples, with_extras
from tests.standards import assert_golden, assert_valid_junit, assert_valid_sarif

PLAIN = RenderOptions()


@pytest.fixture
def examples(workdir: Path) -> list[str]:
    return copy_examples(workdir)


# --- SARIF ---


def test_sarif_of_the_broken_examples_is_valid_and_stable(run, examples):
    result = run("check", *examples, "--format", "sarif")
    assert result.status == 1
    assert_valid_sarif(json.loads(result.stdout))
    assert_golden("broken.sarif", result.stdout)


def test_sarif_has_what_github_code_scanning_requires(run, examples):
    sarif = json.loads(run("check", *examples, "--format", "sarif").stdout)
    assert sarif["$schema"] and sarif["version"] == "2.1.0"
    (run_,) = sarif["runs"]
    driver = run_["tool"]["driver"]
    assert driver["name"] == "spbe-lint"
    ids = [rule["id"] for rule in driver["rules"]]
    assert len(ids) == len(set(ids)) >= 14
    for rule in driver["rules"]:
        assert 0 < len(rule["shortDescription"]["text"]) <= 1024
        assert 0 < len(rule["fullDescription"]["text"]) <= 1024
        assert rule["help"]["text"] and rule["help"]["markdown"]
        assert rule["defaultConfiguration"]["level"] in ("error", "warning", "note")
    results = run_["results"]
    assert {r["ruleId"] for r in results} >= {"HOST-004", "SSO-001", "DATA-005"}
    for result in results:
        assert ids[result["ruleIndex"]] == result["ruleId"]
        assert result["message"]["text"]
        (location,) = result["locations"]
        physical = location["physicalLocation"]
        uri = physical["artifactLocation"]["uri"]
        assert not uri.startswith(("/", "file:")), "repository-relative URIs"
        assert uri.split("/")[0] in examples
        region = physical["region"]
        assert region["startLine"] >= 1 and region["startColumn"] >= 1
        assert region["endLine"] >= region["startLine"]
        assert len(result["partialFingerprints"]["primaryLocationLineHash"]) == 16
    assert run_["columnKind"] == "unicodeCodePoints"


def test_sarif_results_are_the_problems_only(run, examples):
    """GitHub turns every result into an alert, so passes stay out (counted)."""
    sarif = json.loads(run("check", *examples, "--format", "sarif").stdout)
    (run_,) = sarif["runs"]
    kinds = [r["kind"] for r in run_["results"]]
    assert set(kinds) <= {"fail", "review"}
    counts = run_["properties"]["results"]
    assert counts["pass"] > 0
    assert kinds.count("fail") == counts["fail"]
    assert len(kinds) <= counts["fail"] + counts["inconclusive"] + counts["manual"]


def test_sarif_citations_are_taxonomies_the_rules_point_at(run, examples):
    sarif = json.loads(run("check", *examples, "--format", "sarif").stdout)
    (run_,) = sarif["runs"]
    taxonomies = run_["taxonomies"]
    names = [t["name"] for t in taxonomies]
    assert "UU PDP 27/2022" in names and "Permenkominfo 4/2024" in names
    supported = run_["tool"]["driver"]["supportedTaxonomies"]
    assert [s["name"] for s in supported] == names
    rules = {r["id"]: r for r in run_["tool"]["driver"]["rules"]}
    targets = []
    for rule in rules.values():
        for relation in rule.get("relationships", []):
            target = relation["target"]
            taxonomy = taxonomies[target["toolComponent"]["index"]]
            assert taxonomy["name"] == target["toolComponent"]["name"]
            assert taxonomy["taxa"][target["index"]]["id"] == target["id"]
            targets.append((rule["id"], taxonomy["name"], target["id"]))
    assert ("DATA-005", "UU PDP 27/2022", "Pasal 53 ayat (1) huruf a") in targets
    assert "relationships" not in rules["MAN-001"]  # a file rule cites no law
    for result in run_["results"]:
        for taxon in result.get("taxa", []):
            taxonomy = taxonomies[taxon["toolComponent"]["index"]]
            assert taxonomy["taxa"][taxon["index"]]["id"] == taxon["id"]


def test_sarif_carries_both_languages(run, examples):
    sarif = json.loads(run("check", *examples, "--format", "sarif").stdout)
    (run_,) = sarif["runs"]
    assert run_["language"] == "id"
    rule = run_["tool"]["driver"]["rules"][0]
    assert rule["shortDescription"]["text"] == rule["properties"]["title_i18n"]["id"]
    assert rule["properties"]["title_i18n"]["en"]
    result = run_["results"][0]
    assert result["message"]["text"] == result["properties"]["message_i18n"]["id"]
    assert result["properties"]["message_i18n"]["en"]


def test_sarif_shows_waivers_evidence_and_review_items(workdir: Path, examples):
    report = with_extras(checked(workdir, *examples))
    sarif = json.loads(REPORTERS["sarif"](report, PLAIN))
    assert_valid_sarif(sarif)
    results = sarif["runs"][0]["results"]
    (waived,) = [r for r in results if "suppressions" in r]
    assert waived["suppressions"] == [
        {
            "kind": "external",
            "status": "accepted",
            "justification": "Subdomain requested <pending> & approved by letter 12/2026",
            "properties": {
                "id": "W-2026-001",
                "approved_by": "Kepala Diskominfo",
                "expires": "2026-12-31",
            },
        }
    ]
    (probed,) = [r for r in results if "webRequest" in r]
    assert probed["webRequest"] == {
        "method": "GET",
        "target": "https://sipelita.jambikota.go.id/",
        "properties": {"address": "10.71.0.15"},
    }
    assert probed["webResponse"]["statusCode"] == 200
    assert probed["webResponse"]["headers"]["set-cookie"] == "a=1, b=2"
    assert probed["properties"]["more_evidence"][0]["response"] == {
        "noResponseReceived": True
    }
    (manual,) = [r for r in results if r["properties"]["status"] == "manual"]
    assert manual["kind"] == "review" and manual["level"] == "note"


def test_sarif_reports_unreadable_files_as_notifications(run, workdir: Path):
    (workdir / "spbe.yaml").write_bytes(b"\xff\xfe not utf-8")
    result = run("check", "--format", "sarif")
    assert result.status == 2
    sarif = json.loads(result.stdout)
    assert_valid_sarif(sarif)
    (invocation,) = sarif["runs"][0]["invocations"]
    assert invocation["executionSuccessful"] is False
    assert invocation["exitCode"] == 2
    (note,) = invocation["toolExecutionNotifications"]
    assert note["level"] == "error"
    assert note["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == (
        "spbe.yaml"
    )


# --- JUnit ---


def test_junit_of_the_broken_examples_is_valid_and_stable(run, examples):
    result = run("check", *examples, "--format", "junit")
    assert result.status == 1
    assert_valid_junit(result.stdout)
    assert_golden("broken.junit.xml", result.stdout)


def test_junit_has_a_suite_per_manifest_and_a_case_per_rule(run, examples):
    root = ET.fromstring(run("check", *examples, "--format", "junit").stdout)
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == [f"{n}/spbe.yaml" for n in examples]
    rule_count = len(
        json.loads(run("rules", "list", "--format", "json").stdout)["rules"]
    )
    for suite in suites:
        cases = suite.findall("testcase")
        names = [c.get("name").split(":")[0] for c in cases]
        assert len(names) == len(set(names)) == rule_count == int(suite.get("tests"))
        assert int(suite.get("failures")) == len(suite.findall("testcase/failure"))
        assert int(suite.get("skipped")) == len(suite.findall("testcase/skipped"))
    hosting = suites[0]
    (case,) = [c for c in hosting if (c.get("name") or "").startswith("HOST-004:")]
    assert case.get("classname") == "spbe.hosting"
    failure = case.find("failure")
    assert failure is not None and failure.get("type") == "error"
    body = failure.text or ""
    # Both failing places, each with its position and citation.
    assert "hosting/spbe.yaml:39:9 (/domain/fqdn)" in body
    assert "hosting/spbe.yaml:45:15 (/endpoints/health_url)" in body
    assert body.count("Dasar hukum: Permenkominfo 4/2024 Pasal 29 ayat (3)–(4)") == 2


def test_junit_skips_not_applicable_waived_and_manual(workdir: Path, examples):
    report = with_extras(checked(workdir, *examples))
    text = REPORTERS["junit"](report, PLAIN)
    assert_valid_junit(text)
    root = ET.fromstring(text)
    kinds = {s.get("type") for s in root.iter("skipped")}
    assert {"waived", "manual"} <= kinds
    (waived,) = [s for s in root.iter("skipped") if s.get("type") == "waived"]
    assert "W-2026-001" in (waived.get("message") or "")
    assert "2026-12-31" in (waived.get("message") or "")


def test_junit_not_applicable_is_skipped_with_the_reason(run, compliant: Path):
    edit(compliant, "status: production", "status: development")
    root = ET.fromstring(run("check", "--format", "junit").stdout)
    skipped = [s for s in root.iter("skipped") if s.get("type") == "not_applicable"]
    assert skipped
    assert all("tidak berlaku" in (s.get("message") or "") for s in skipped)


def test_junit_reports_an_unreadable_file_as_an_error(run, workdir: Path):
    (workdir / "spbe.yaml").write_bytes(b"")
    result = run("check", "--format", "junit")
    assert result.status == 2
    assert_valid_junit(result.stdout)
    root = ET.fromstring(result.stdout)
    assert root.get("errors") == "1"
    assert root.find("testsuite/testcase/error") is not None


def test_junit_escapes_control_characters(workdir: Path, examples):
    from dataclasses import replace

    from spbe_lint.i18n import LocalText

    report = checked(workdir, *examples)
    findings = list(report.findings)
    index = next(i for i, f in enumerate(findings) if f.status is Status.FAIL)
    findings[index] = replace(
        findings[index], message=LocalText("bell \x07 and \x1b[31m", "bell")
    )
    text = REPORTERS["junit"](replace(report, findings=tuple(findings)), PLAIN)
    assert_valid_junit(text)
    assert "bell \\u0007 and \\u001b[31m" in text


# --- GitHub annotations ---


def test_github_annotations(run, examples):
    result = run("check", *examples, "--format", "github", "--lang", "en")
    assert result.status == 1
    lines = result.stdout.splitlines()
    (host_004,) = [line for line in lines if "line=39" in line and "HOST-004" in line]
    assert host_004 == (
        "::error file=hosting/spbe.yaml,line=39,col=9,endLine=39,endColumn=33,"
        "title=HOST-004 The application's address is a subdomain of the city domain"
        "::domain.fqdn: sipelita-jambikota.go.id is not a subdomain of "
        "jambikota.go.id%0ALegal basis: Permenkominfo 4/2024 Pasal 29 ayat (3)–(4); "
        "PP 71/2019 Pasal 85 ayat (2); Permenkominfo 23/2013 Pasal 21 ayat (2), "
        "Pasal 39 ayat (1)%0AHow to fix: Request a subdomain from Diskominfo (e.g. "
        "appname.jambikota.go.id), put it in domain.fqdn, and make endpoints.url, "
        "login_url and health_url use that host."
    )
    assert all(
        line.startswith(("::error ", "::warning ", "::notice ")) for line in lines
    )
    findings = run("check", *examples, "--format", "json").json()["findings"]
    assert len(lines) == sum(f["status"] == "fail" for f in findings)


def test_github_escapes_and_skips_waived(workdir: Path, examples):
    report = with_extras(checked(workdir, *examples))
    text = REPORTERS["github"](report, PLAIN)
    lines = text.splitlines()
    assert all("\r" not in line for line in lines)
    assert not any("W-2026-001" in line for line in lines)
    failures = [f for f in report.failures if f.waiver is None]
    assert sum(line.startswith(("::error", "::warning")) for line in lines) == len(
        failures
    )
    (notice,) = [line for line in lines if line.startswith("::notice")]
    assert "100%25 " in notice  # % escaped in data
    assert "title=SSO-001" in notice or ",title=" in notice


def test_github_annotates_unreadable_files(run, workdir: Path):
    (workdir / "spbe.yaml").write_bytes(b"\xff")
    result = run("check", "--format", "github", "--lang", "en")
    assert result.status == 2
    assert result.stdout.startswith("::error file=spbe.yaml,")


# --- several outputs from one evaluation ---


def test_several_outputs_from_one_run(run, examples, workdir: Path):
    result = run(
        "check",
        *examples,
        "-o",
        "sarif=out/spbe.sarif",
        "--output",
        "junit=spbe.xml",
        "-o",
        "json=report.json",
    )
    assert result.status == 1
    assert "HOST-004" in result.stdout  # the text report still on standard output
    assert_valid_sarif(json.loads((workdir / "out/spbe.sarif").read_text("utf-8")))
    assert_valid_junit((workdir / "spbe.xml").read_text("utf-8"))
    assert_valid_report(json.loads((workdir / "report.json").read_text("utf-8")))


def test_a_plain_output_path_takes_the_format_off_stdout(run, examples, workdir: Path):
    result = run("check", *examples, "-f", "json", "-o", "r.json", "-o", "github=-")
    assert result.status == 1
    assert result.stdout.startswith("::error ")
    assert json.loads((workdir / "r.json").read_text("utf-8"))["findings"]


@pytest.mark.parametrize(
    ("outputs", "message"),
    [
        (["a.json", "b.json"], "give one plain PATH"),
        (["json=a.json", "sarif=a.json"], "two reports to one file"),
        (["sarif="], "no path after sarif="),
    ],
)
def test_bad_output_options_are_usage_errors(run, compliant, outputs, message):
    args = [arg for value in outputs for arg in ("-o", value)]
    result = run("check", *args, "--lang", "en")
    assert result.status == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_a_file_named_like_a_format_is_still_a_file(run, compliant, workdir: Path):
    # A bare word before '=' names a format (a typo is an error, tests/test_outputs.py);
    # a path that does not start with one is a file, '=' and all.
    result = run("check", "-f", "json", "-o", "./notaformat=x.json")
    assert result.status == 0
    assert (workdir / "notaformat=x.json").is_file()
    assert run("check", "-f", "json", "-o", "notaformat=y.json").status == 2
    assert not (workdir / "notaformat=y.json").exists()


# --- re-rendering a saved report ---


def test_a_saved_report_renders_exactly_as_the_run_did(run, examples, workdir: Path):
    assert run("check", *examples, "-f", "json", "-o", "r.json").status == 1
    saved = (workdir / "r.json").read_text("utf-8")
    for fmt in ("json", "sarif", "junit", "github", "text", "concise"):
        again = run("report", "r.json", "--format", fmt)
        assert again.status == 0, again.stderr
        assert again.stdout == run("check", *examples, "--format", fmt).stdout, fmt
    assert run("report", "r.json", "-f", "json").stdout == saved


def test_a_saved_report_renders_in_the_other_language(run, examples, workdir: Path):
    run("check", *examples, "-f", "json", "-o", "r.json")
    for fmt in ("text", "sarif", "junit", "github"):
        english = run("report", "r.json", "--format", fmt, "--lang", "en").stdout
        assert english == run("check", *examples, "-f", fmt, "--lang", "en").stdout


def test_the_json_report_rebuilds_the_report(workdir: Path, examples):
    report = with_extras(checked(workdir, *examples))
    data = json_.as_dict(report)
    assert_valid_report(data)
    rebuilt = json_.from_dict(json.loads(json.dumps(data)))
    assert json_.as_dict(rebuilt) == data
    assert rebuilt.findings == report.findings
    assert [f.fingerprint for f in rebuilt.findings] == [
        f.fingerprint for f in report.findings
    ]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("{not json", "r.json:1:2: error"),
        ('{"report_version": "1.1"}', "r.json: not a valid spbe-lint JSON report: /:"),
        ('{"report_version": "9.0"}', "r.json: report_version '9.0' is not supported"),
        ("[1, 2]", "r.json: not an spbe-lint JSON report (no report_version)"),
        ("\udcff", "r.json: the report is not UTF-8 text"),
    ],
)
def test_report_refuses_what_is_not_a_report(run, workdir: Path, content, expected):
    path = workdir / "r.json"
    if content == "\udcff":
        path.write_bytes(b"\xff\xfe")
    else:
        path.write_text(content, "utf-8")
    result = run("report", "r.json", "--lang", "en")
    assert result.status == 2
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(expected.replace(": error", "")), lines[0]


def test_report_of_a_missing_file_is_exit_2(run, workdir: Path):
    result = run("report", "missing.json", "--lang", "en")
    assert result.status == 2
    assert result.stderr.strip() == (
        "missing.json: cannot read the report: No such file or directory"
    )


def test_report_of_a_report_with_a_wrong_field(run, examples, workdir: Path):
    run("check", *examples, "-f", "json", "-o", "r.json")
    data = json.loads((workdir / "r.json").read_text("utf-8"))
    data["findings"][0]["status"] = "maybe"
    (workdir / "r.json").write_text(json.dumps(data), "utf-8")
    result = run("report", "r.json", "--lang", "en")
    assert result.status == 2
    assert result.stderr.startswith(
        "r.json: not a valid spbe-lint JSON report: /findings/0/status: 'maybe'"
    )
