"""One application, one verdict: a report over several manifests has a section
per application (grouped by app.id), and manifests sharing an app.id are
named in a warning, in the report and once on standard error."""

from __future__ import annotations

import re
import shutil
from dataclasses import replace
from pathlib import Path

from spbe_lint.findings import Location
from spbe_lint.reporters import applications
from tests.conftest import EXAMPLES, edit, submission
from tests.reports import checked, copy_examples


def _first_submission(folder: Path) -> None:
    folder.mkdir(parents=True)
    shutil.copy(EXAMPLES / "typical-first-submission" / "spbe.yaml", folder)


def test_each_application_has_its_own_verdict_and_score(run, workdir: Path):
    submission(workdir / "patuh")
    _first_submission(workdir / "pertama")
    result = run("check", "patuh", "pertama", "-f", "html")
    assert result.status == 1
    assert "peringatan" not in result.stderr  # two app.ids: nothing shared
    page = result.stdout
    assert "2 aplikasi dari 2 manifest: 1 siap serah terima, 1 belum siap" in page
    sections = page.split('<section class="application"')[1:]
    assert len(sections) == 2
    assert "APP-1571-2024-017" in sections[0]
    assert '<span class="verdict ready">siap serah terima</span>' in sections[0]
    assert "Temuan (0)" in sections[0]
    assert '<span class="verdict not_ready">belum siap</span>' in sections[1]
    # The counts the text report and JUnit give, side by side.
    assert "Temuan (70 temuan dari 53 aturan)" in sections[1]
    assert "duplicate-id" not in page


def test_manifests_sharing_an_app_id_are_one_application_with_a_warning(
    run, workdir: Path
):
    submission(workdir / "a")
    submission(workdir / "b")
    result = run("check", "a", "b", "-f", "html", "-o", "json=r.json", "--lang", "en")
    assert result.status == 0
    warnings = [line for line in result.stderr.splitlines() if "warning:" in line]
    assert warnings == [
        "warning: inventory number APP-1571-2024-017 is in 2 manifests "
        "(a/spbe.yaml, b/spbe.yaml): judged as one application"
    ]
    page = result.stdout
    assert '<p class="warning duplicate-id">Inventory number APP-1571-2024-017' in page
    assert '<section class="application"' not in page  # one application: one verdict
    assert page.count('<span class="verdict ready">') == 1


def test_findings_follow_the_score_tables_domain_order(run, workdir: Path):
    _first_submission(workdir / "pertama")
    page = run("check", "pertama", "-f", "html").stdout
    scores = page.split("<h2>Skor per domain</h2>")[1].split("</table>")[0]
    table = re.findall(r"<tr><td>([^<]+)</td>", scores)
    findings = page.split("<h2>Temuan")[1].split("</section>")[0]
    groups = re.findall(r"<h3>([^<]+)</h3>", findings)
    assert len(groups) >= 5
    assert groups == [d for d in table if d in groups]


def test_grouping_by_app_id_and_by_path(workdir: Path):
    names = copy_examples(workdir, ("hosting", "sso"))
    edit(
        workdir / "sso" / "spbe.yaml", "id: APP-1571-2024-017", "id: APP-1571-2024-099"
    )
    report = checked(workdir, *names)
    groups = applications.group(report)
    assert [g.key for g in groups] == ["APP-1571-2024-017", "APP-1571-2024-099"]
    assert groups[0].manifests == ("hosting/spbe.yaml",)
    assert all(
        f.location.path == "hosting/spbe.yaml" for f in groups[0].report.findings
    )
    assert applications.duplicates(groups) == ()


def test_evidence_and_endpoint_findings_belong_to_their_manifest(workdir: Path):
    names = copy_examples(workdir, ("hosting", "sso"))
    edit(
        workdir / "sso" / "spbe.yaml", "id: APP-1571-2024-017", "id: APP-1571-2024-099"
    )
    report = checked(workdir, *names)
    template = report.findings[0]
    host = dict(report.inputs[1].identity)["domain.fqdn"]
    extra = (
        replace(template, location=Location("sso/docs/api/openapi.yaml", "/paths")),
        replace(template, location=Location(f"https://{host}/login")),
        replace(template, location=Location("https://elsewhere.example/")),
    )
    groups = applications.group(replace(report, findings=report.findings + extra))
    owner = {
        f.location.path: g.key for g in groups for f in g.report.findings if f in extra
    }
    assert owner == {
        "sso/docs/api/openapi.yaml": "APP-1571-2024-099",
        f"https://{host}/login": "APP-1571-2024-099",
        "https://elsewhere.example/": applications.OTHER,  # kept, not dropped
    }


def test_markdown_lists_each_applications_verdict(run, workdir: Path):
    submission(workdir / "a")
    submission(workdir / "b")
    _first_submission(workdir / "pertama")
    text = run("check", "a", "b", "pertama", "-f", "markdown", "--lang", "en").stdout
    assert "> Inventory number APP\\-1571\\-2024\\-017 is in 2 manifests" not in text
    assert "> Inventory number APP-1571-2024-017 is in 2 manifests" in text
    assert "### Applications in this report" in text
    assert (
        "| Sistem Informasi Pelayanan Perizinan Terpadu | APP-1571-2024-017 | 2 | "
        "ready for handover | 100% | 0 findings from 0 rules |"
    ) in text
    assert "| not ready | 3.6% | 70 findings from 53 rules |" in text
