"""Waivers through the real CLI: Diskominfo's waiver file, inline x-spbe-waive
entries, reviewer mode, expiry on --as-of, unused and unknown waivers."""

from __future__ import annotations

import datetime
import json
import shutil
import textwrap
from pathlib import Path

import pytest

from spbe_lint import waiverfile, waivers
from spbe_lint.findings import Evidence, Finding, Location, Severity, Status, Waiver
from spbe_lint.i18n import LocalText
from tests.conftest import EXAMPLES
from tests.standards import assert_valid_junit, assert_valid_sarif

APP = "APP-1571-2024-017"
NIP = "197805062005011002"
AS_OF = "2026-03-01"  # the broken hosting example fails HOST-004 twice on this day
FQDN, HEALTH = "/domain/fqdn", "/endpoints/health_url"


@pytest.fixture
def hosting(workdir: Path) -> Path:
    """The broken hosting example: HOST-004 fails at domain.fqdn and at
    endpoints.health_url."""
    target = workdir / "spbe.yaml"
    shutil.copy(EXAMPLES / "broken" / "hosting" / "spbe.yaml", target)
    return target


def waiver(rule: str = "HOST-004", **fields: object) -> dict:
    entry = {
        "id": "W-2026-001",
        "rule": rule,
        "scope": {"app": APP, "pointer": FQDN},
        "reason": "Subdomain sedang diproses Diskominfo",
        "approver": {"name": "Budi Santoso", "nip": NIP},
        "decision_ref": "800/045/Diskominfo/2026",
        "issued": "2026-01-05",
        "expires": "2026-06-30",
    }
    entry.update(fields)
    return entry


def write_waivers(folder: Path, *entries: dict, **top: object) -> Path:
    path = folder / "spbe-waivers.yaml"
    data = {"spbe-waivers": 1, **top, "waivers": list(entries)}
    path.write_text(json.dumps(data, indent=2), "utf-8")  # JSON is YAML
    return path


def host_004(report: dict) -> dict[str, str | None]:
    """HOST-004's failures by pointer, with the waiver id each carries."""
    return {
        f["location"]["pointer"]: (f["waiver"] or {}).get("id")
        for f in report["findings"]
        if f["rule"] == "HOST-004" and f["status"] == "fail"
    }


def rules_of(report: dict, status: str = "fail") -> list[str]:
    return [f["rule"] for f in report["findings"] if f["status"] == status]


@pytest.mark.parametrize(
    ("scope", "waived"),
    [
        ({"app": APP, "pointer": FQDN}, {FQDN}),
        ({"app": APP}, {FQDN, HEALTH}),
        ({"path": "spbe.yaml"}, {FQDN, HEALTH}),
        ({"path": "*.yaml", "pointer": "/endpoints"}, {HEALTH}),  # below a pointer
        ({"path": "*.yaml", "pointer": "/endpoint"}, set()),  # whole segments only
        ({"path": "apps/*/spbe.yaml"}, set()),
        ({"app": "APP-1571-2024-999"}, set()),
        ({"app": APP, "path": "other.yaml"}, set()),  # every part must hold
        ({"endpoint": "https://sipelita.onrender.com/*"}, set()),  # not a manifest
    ],
)
def test_scope_by_app_glob_and_pointer(run, hosting: Path, scope: dict, waived: set):
    write_waivers(hosting.parent, waiver(scope=scope))
    result = run("check", "--as-of", AS_OF, "--documents", "manual", "-f", "json")
    report = result.json()
    assert {p for p, w in host_004(report).items() if w} == waived
    assert set(host_004(report)) == {FQDN, HEALTH}  # waived ones stay in the report
    unused = "WAIVE-002" in rules_of(report)
    assert unused == (not waived)
    assert result.status == 1  # SSO-003 still fails; a waiver hides nothing else


def test_a_waived_error_does_not_fail_the_run_but_stays_in_every_report(
    run, hosting: Path
):
    write_waivers(hosting.parent, waiver(scope={"app": APP}))
    result = run(
        "check",
        "--as-of",
        AS_OF,
        "--documents",
        "manual",
        "--select",
        "HOST-004",
        "--lang",
        "en",
        "-o",
        "json=r.json",
        "-o",
        "sarif=r.sarif",
        "-o",
        "junit=r.xml",
        "-o",
        "markdown=r.md",
        "-o",
        "html=r.html",
    )
    assert result.status == 0, result.stdout
    lines = result.stdout.splitlines()
    assert lines[0].startswith("spbe.yaml:39:9: waived:error HOST-004 domain.fqdn:")
    assert (
        "waived: W-2026-001 (800/045/Diskominfo/2026), approved by Budi Santoso (NIP "
        f"{NIP}), until 2026-06-30: Subdomain sedang diproses Diskominfo"
    ) in " ".join(result.stdout.split())  # wrapped to 80 columns
    assert "2 failure(s) waived: they stay in the report and do not fail the run." in (
        result.stdout
    )
    assert "Waivers spbe-waivers.yaml (sha256 " in result.stdout
    report = json.loads(Path("r.json").read_text("utf-8"))
    assert report["summary"]["exit_status"] == 0
    assert report["summary"]["results"]["fail"] == 2
    assert report["summary"]["failures_by_severity"] == {}
    recorded = next(f["waiver"] for f in report["findings"] if f["waiver"])
    assert recorded == {
        "id": "W-2026-001",
        "reason": "Subdomain sedang diproses Diskominfo",
        "approved_by": "Budi Santoso",
        "expires": "2026-06-30",
        "approver_nip": NIP,
        "decision_ref": "800/045/Diskominfo/2026",
        "issued": "2026-01-05",
        "compensating_control": None,
        "scope": {"app": APP},
        "source": "file",
    }
    assert report["review"]["waiver_sha256"] == _sha256(Path("spbe-waivers.yaml"))
    assert [(e["state"], e["matched"]) for e in report["review"]["waivers"]] == [
        ("applied", 2)
    ]
    sarif = json.loads(Path("r.sarif").read_text("utf-8"))
    assert_valid_sarif(sarif)
    suppressions = [r.get("suppressions") for r in sarif["runs"][0]["results"]]
    assert all(s and s[0]["kind"] == "external" for s in suppressions)
    assert suppressions[0][0]["justification"] == "Subdomain sedang diproses Diskominfo"
    assert suppressions[0][0]["properties"]["decision_ref"] == "800/045/Diskominfo/2026"
    junit = Path("r.xml").read_text("utf-8")
    assert_valid_junit(junit)
    assert "<failure" not in junit and "W-2026-001" in junit
    assert "W-2026-001" in Path("r.md").read_text("utf-8")
    assert "W-2026-001" in Path("r.html").read_text("utf-8")


def _sha256(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize(
    ("as_of", "state", "exit_status"),
    [
        ("2026-01-04", "pending", 1),  # not issued yet on that day
        ("2026-01-05", "applied", 0),
        ("2026-06-30", "applied", 0),  # the expiry day still holds
        ("2026-07-01", "expired", 1),
    ],
)
def test_expiry_is_judged_on_the_as_of_day(
    run, hosting: Path, as_of: str, state: str, exit_status: int
):
    write_waivers(hosting.parent, waiver(scope={"app": APP}))
    result = run(
        "check", "--as-of", as_of, "--select", "HOST-004", "-f", "json", "--lang", "en"
    )
    report = result.json()
    assert result.status == exit_status
    assert report["review"]["waivers"][0]["state"] == state
    waived = [w for w in host_004(report).values() if w]
    assert len(waived) == (2 if state == "applied" else 0)
    expired = [f for f in report["findings"] if f["rule"] == "WAIVE-001"]
    if state == "expired":
        (finding,) = expired
        assert finding["location"]["path"] == "spbe-waivers.yaml"
        assert (finding["location"]["line"], finding["location"]["column"]) == (4, 5)
        assert finding["severity"] == "warning"
        assert finding["message"] == (
            "waiver W-2026-001 for HOST-004 expired on 2026-06-30; it no longer "
            "suppresses anything (2 finding(s) count again)"
        )
    else:
        assert expired == []


def test_an_unused_waiver_is_a_warning_at_its_line(run, hosting: Path):
    write_waivers(
        hosting.parent,
        waiver(scope={"app": APP}),
        waiver("SSO-001", id="W-2026-002", scope={"path": "spbe.yaml"}),
    )
    result = run("check", "--as-of", AS_OF, "--select", "HOST,SSO", "--lang", "en")
    assert result.status == 1  # SSO-003 fails; the unused waiver is a warning only
    assert (
        "spbe-waivers.yaml:19:5: warning WAIVE-002 waiver W-2026-002 for SSO-001 "
        "matches no failure: fixed, or a wrong scope"
    ) in " ".join(result.stdout.split())
    # a waiver of a rule this run did not run is neither used nor unused
    only = run("check", "--as-of", AS_OF, "--select", "HOST", "-f", "json").json()
    assert "WAIVE-002" not in rules_of(only)
    assert [e["state"] for e in only["review"]["waivers"]] == [
        "applied",
        "rule_not_run",
    ]


def _lines(text: str) -> str:
    return textwrap.dedent(text).lstrip()


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (
            json.dumps({"spbe-waivers": 1, "waivers": [waiver("HOST-999")]}, indent=1),
            "spbe-waivers.yaml:6:12: unknown rule 'HOST-999'; see: spbe-lint rules list",
        ),
        (
            _lines(
                """
                spbe-waivers: 1
                waivers:
                  - id: W-1
                    rule: HOST-004
                    scope: {app: APP-1}
                    approver: {name: Budi, nip: "197805062005011002"}
                    decision_ref: "800/1/2026"
                    issued: 2026-01-05
                    expires: 2026-06-30
                """
            ),
            "spbe-waivers.yaml:3:5: waivers[0].reason: is required",
        ),
        (
            _lines(
                """
                spbe-waivers: 1
                waivers:
                  - id: W-1
                    rule: MAN-001
                    scope: {app: APP-1}
                    reason: the file cannot be read
                    approver: {name: Budi, nip: "197805062005011002"}
                    decision_ref: "800/1/2026"
                    issued: 2026-01-05
                    expires: 2026-06-30
                """
            ),
            "spbe-waivers.yaml:4:11: rule MAN-001 cannot be waived: a file that cannot "
            "be read must never look clean",
        ),
        (
            _lines(
                """
                spbe-waivers: 1
                waivers:
                  - id: W-1
                    rule: HOST-004
                    scope: {app: APP-1}
                    reason: r
                    approver: {name: Budi, nip: "197805062005013002"}
                    decision_ref: "800/1/2026"
                    issued: 2026-01-05
                    expires: 2026-06-30
                """
            ),
            "spbe-waivers.yaml:7:33: approver.nip 197805062005013002 is not a valid "
            "civil-servant NIP",
        ),
        (
            _lines(
                """
                spbe-waivers: 1
                waivers:
                  - id: W-1
                    rule: HOST-004
                    scope: {app: APP-1}
                    reason: r
                    approver: {name: Budi, nip: "197805062005011002"}
                    decision_ref: "800/1/2026"
                    issued: 2026-01-05
                    expires: 2027-01-06
                """
            ),
            "spbe-waivers.yaml:10:14: valid for too long: at most 12 months from "
            "2026-01-05 (until 2027-01-05)",
        ),
        (
            _lines(
                """
                spbe-waivers: 1
                max-months: 3
                waivers:
                  - id: W-1
                    rule: HOST-004
                    scope: {app: APP-1}
                    reason: r
                    approver: {name: Budi, nip: "197805062005011002"}
                    decision_ref: "800/1/2026"
                    issued: 2025-11-30
                    expires: 2026-03-01
                """
            ),
            "spbe-waivers.yaml:11:14: valid for too long: at most 3 months from "
            "2025-11-30 (until 2026-02-28)",
        ),
        (
            _lines(
                """
                spbe-waivers: 1
                waivers:
                  - id: W-1
                    rule: HOST-004
                    scope: {app: APP-1}
                    reason: r
                    approver: {name: Budi, nip: "197805062005011002"}
                    decision_ref: "800/1/2026"
                    issued: 2026-01-05
                    expires: 2026-01-04
                """
            ),
            "spbe-waivers.yaml:10:14: expires 2026-01-04 is before issued 2026-01-05",
        ),
        (
            _lines(
                """
                spbe-waivers: 1
                waivers:
                  - id: W-1
                    rule: HOST-004
                    scope: {pointer: /domain}
                    reason: r
                    approver: {name: Budi, nip: "197805062005011002"}
                    decision_ref: "800/1/2026"
                    issued: 2026-01-05
                    expires: 2026-02-30
                """
            ),
            "spbe-waivers.yaml:5:5: scope needs app, path or endpoint (pointer only narrows "
            "them)",
        ),
        (
            "spbe-waivers: 1\nwaivers: [\n",
            "spbe-waivers.yaml:3:1: invalid YAML: did not find the expected value",
        ),
        ("", "spbe-waivers.yaml: file is empty: a manifest needs at least `spbe: 1`"),
    ],
)
def test_a_bad_waiver_file_is_one_line_and_exit_2(
    run, hosting: Path, content: str, expected: str
):
    (hosting.parent / "spbe-waivers.yaml").write_text(content, "utf-8")
    result = run("check", "--lang", "en")
    assert result.status == 2
    assert result.stdout == ""
    assert len(result.stderr.splitlines()) == 1, result.stderr
    assert result.stderr.startswith(expected), result.stderr


def test_a_duplicate_waiver_id_names_the_first(run, hosting: Path):
    write_waivers(hosting.parent, waiver(), waiver())
    result = run("check", "--lang", "en")
    assert result.status == 2
    assert result.stderr.strip() == (
        "spbe-waivers.yaml:21:13: waiver id W-2026-001 is used twice (first on line 4)"
    )


def test_a_missing_waiver_file_is_exit_2(run, hosting: Path):
    result = run("check", "--waivers", "nowhere.yaml", "--lang", "en")
    assert result.status == 2
    assert result.stderr.strip() == (
        "nowhere.yaml: cannot read file: No such file or directory"
    )


def test_waiver_file_discovery_and_isolated(run, hosting: Path):
    (hosting.parent / "sub").mkdir()
    write_waivers(hosting.parent, waiver(scope={"app": APP}))
    args = ("--as-of", AS_OF, "--select", "HOST-004", "-f", "json")
    assert run("check", *args).status == 0
    assert run("check", *args, "--isolated").status == 1
    # --waivers names a file anywhere, and wins over discovery
    moved = hosting.parent / "sub" / "elsewhere.yaml"
    (hosting.parent / "spbe-waivers.yaml").rename(moved)
    assert run("check", *args).status == 1
    assert run("check", *args, "--isolated", "--waivers", str(moved)).status == 0


INLINE = """
x-spbe-waive:
  - rule: HOST-004
    pointer: /endpoints/health_url
    reason: Health check dipindah ke subdomain kota pada rilis 2.1
  - rule: SSO-003
    pointer: /auth/sso
"""


def test_inline_suppressions_and_reviewer_mode(run, hosting: Path):
    hosting.write_text(hosting.read_text("utf-8") + INLINE, "utf-8")
    args = ("check", "--as-of", AS_OF, "--select", "HOST-004,SSO-003", "--lang", "en")
    vendor = run(*args, "-f", "json", "-o", "sarif=v.sarif").json()
    assert host_004(vendor) == {FQDN: None, HEALTH: "x-spbe-waive/0"}
    (entry,) = [f for f in vendor["findings"] if f["rule"] == "WAIVE-003"]
    assert entry["location"]["pointer"] == "/x-spbe-waive/1"
    assert entry["message"] == (
        "x-spbe-waive does not hold: a reason is required: a suppression without one "
        "does not hold"
    )
    assert (entry["location"]["line"], entry["location"]["column"]) == (
        len(hosting.read_text("utf-8").splitlines()) - 1,
        5,
    )
    assert "SSO-003" in rules_of(vendor)  # the entry without a reason waives nothing
    sarif = json.loads(Path("v.sarif").read_text("utf-8"))
    kinds = [
        r["suppressions"][0]["kind"]
        for r in sarif["runs"][0]["results"]
        if "suppressions" in r
    ]
    assert kinds == ["inSource"]
    assert sarif["runs"][0]["properties"]["review"]["reviewerMode"] is False

    result = run(*args, "--reviewer")
    reviewer = run(*args, "--reviewer", "-f", "json").json()
    assert host_004(reviewer) == {FQDN: None, HEALTH: None}
    assert "WAIVE-003" not in rules_of(reviewer)
    assert reviewer["review"]["reviewer"] is True
    assert [e["state"] for e in reviewer["review"]["waivers"]] == ["ignored"]
    assert (
        "Reviewer mode: 1 inline suppression(s) (x-spbe-waive) ignored; only the "
        "waiver file counts." in " ".join(result.stdout.split())
    )


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ("- rule: HOST-999\n    reason: r", "unknown rule 'HOST-999'"),
        ("- rule: MAN-003\n    reason: r", "rule MAN-003 cannot be waived"),
        ("- rule: HOST-004\n    reason: '  '", "a reason is required"),
        (
            "- rule: HOST-004\n    reason: r\n    until: 2026-01-01",
            "unknown key 'until'",
        ),
        (
            "- rule: HOST-004\n    reason: r\n    pointer: domain",
            "must be a JSON Pointer",
        ),
        ("- HOST-004", "an entry must be a mapping"),
    ],
)
def test_unusable_inline_entries_are_findings(
    run, hosting: Path, entry: str, message: str
):
    hosting.write_text(
        hosting.read_text("utf-8") + f"x-spbe-waive:\n  {entry}\n", "utf-8"
    )
    report = run("check", "--as-of", AS_OF, "--lang", "en", "-f", "json").json()
    (problem,) = [f for f in report["findings"] if f["rule"] == "WAIVE-003"]
    assert message in problem["message"]
    assert all(w is None for w in host_004(report).values())


def _finding(path: str, pointer: str = "", url: str | None = None) -> Finding:
    return Finding(
        rule="SEC-001",
        domain="security",
        severity=Severity.ERROR,
        status=Status.FAIL,
        message=LocalText("x", "x"),
        location=Location(path, pointer),
        evidence=(Evidence("GET", url),) if url else (),
    )


@pytest.mark.parametrize(
    ("endpoint", "finding", "waived"),
    [
        ("https://a.jambikota.go.id/", _finding("https://a.jambikota.go.id/"), True),
        ("https://a.jambikota.go.id/*", _finding("https://a.jambikota.go.id/x"), True),
        ("https://a.jambikota.go.id/", _finding("https://b.jambikota.go.id/"), False),
        # a probe finding placed in the manifest, with the URL in its evidence
        (
            "https://a.jambikota.go.id/*",
            _finding("spbe.yaml", "/endpoints/url", "https://a.jambikota.go.id/login"),
            True,
        ),
        ("https://a.jambikota.go.id/", _finding("spbe.yaml", "/endpoints/url"), False),
    ],
)
def test_scope_by_endpoint(endpoint: str, finding: Finding, waived: bool):
    """Endpoint findings (spbe-lint probe) have the URL as their path."""
    entry = waiverfile.Entry(
        Waiver(
            "W-1",
            "r",
            scope=(("endpoint", endpoint),),
            issued="2026-01-01",
            expires="2026-12-31",
        ),
        "SEC-001",
        _span(),
        "/waivers/0",
    )
    file = waiverfile.WaiverFile("spbe-waivers.yaml", "0" * 64, 12, (entry,))
    applied = waivers.apply(
        [finding],
        waiver_file=file,
        as_of=datetime.date(2026, 3, 1),
        in_force=frozenset({"SEC-001"}),
        apps={},
    )
    assert (applied.findings[0].waiver is not None) == waived
    assert applied.entries[0].state == ("applied" if waived else "unused")


def _span():
    from spbe_lint.findings import Span

    return Span(3, 5, 3, 6)


def test_verify_inputs_rechecks_with_the_recorded_waiver_file(run, hosting: Path):
    waivers_path = write_waivers(hosting.parent, waiver(scope={"app": APP}))
    run("check", "--as-of", AS_OF, "-o", "json=r.json", "--exit-zero")
    result = run("verify", "r.json", "--inputs", ".", "--lang", "en")
    assert result.status == 0, result.stdout
    assert "2 file(s) match their recorded sha256" in result.stdout
    # the waivers decide the findings: another waiver file is another report
    waivers_path.write_text(waivers_path.read_text("utf-8") + "\n", "utf-8")
    changed = run("verify", "r.json", "--inputs", ".", "--lang", "en")
    assert changed.status == 1
    assert "r.json: spbe-waivers.yaml: sha256 " in changed.stdout
