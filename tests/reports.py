"""Reports for reporter tests: real runs on the examples, plus the parts the
checks of this release never produce (waivers, probe evidence, manual results)."""

from __future__ import annotations

import datetime
import shutil
from dataclasses import replace
from pathlib import Path

from spbe_lint import app
from spbe_lint.findings import Evidence, Report, Status, Waiver
from spbe_lint.i18n import LocalText
from tests.conftest import EXAMPLES, referenced_documents, write_document

BROKEN = ("hosting", "sso", "data")
AS_OF = datetime.date(2026, 11, 28)


def copy_examples(workdir: Path, names: tuple[str, ...] = BROKEN) -> list[str]:
    """Broken examples copied to NAME/spbe.yaml under the working folder, each
    with the documents it names (a repository, as a vendor would submit it)."""
    for name in names:
        (workdir / name).mkdir()
        target = workdir / name / "spbe.yaml"
        shutil.copy(EXAMPLES / "broken" / name / "spbe.yaml", target)
        shutil.copy(EXAMPLES / "LICENSE", workdir / name / "LICENSE")
        for document in referenced_documents(target):
            write_document(workdir / name, document, "dokumen / document\n")
    return list(names)


def checked(workdir: Path, *names: str, lang: str = "id") -> Report:
    return app.check(
        app.RunOptions(
            paths=tuple(Path(n) for n in names),
            lang=lang,
            isolated=True,
            cwd=workdir,
            as_of=AS_OF,  # golden files must not change with the calendar
        )
    )


def with_extras(report: Report) -> Report:
    """A waived failure, a failure with probe evidence, a manual result, and text
    that must be escaped in every format."""
    findings = list(report.findings)
    failures = [i for i, f in enumerate(findings) if f.status is Status.FAIL]
    passes = [i for i, f in enumerate(findings) if f.status is Status.PASS]
    waived, probed = failures[0], failures[-1]
    findings[waived] = replace(
        findings[waived],
        waiver=Waiver(
            "W-2026-001",
            "Subdomain requested <pending> & approved by letter 12/2026",
            approved_by="Kepala Diskominfo",
            expires="2026-12-31",
        ),
    )
    findings[probed] = replace(
        findings[probed],
        evidence=(
            Evidence(
                method="GET",
                url="https://sipelita.jambikota.go.id/",
                address="10.71.0.15",
                status=200,
                headers=(
                    ("server", "nginx"),
                    ("set-cookie", "a=1"),
                    ("set-cookie", "b=2"),
                ),
                facts=(("tls_version", "TLSv1.3"),),
            ),
            Evidence(method="HEAD", url="http://sipelita.jambikota.go.id/"),
        ),
    )
    findings[passes[0]] = replace(
        findings[passes[0]],
        status=Status.MANUAL,
        message=LocalText(
            "periksa dokumen <script>alert(1)</script> 100% secara manual",
            "check the document <script>alert(1)</script> 100% by hand",
        ),
    )
    return replace(report, findings=tuple(findings))
