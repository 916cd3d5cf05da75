"""spbe-lint audit: a portfolio of submissions, through the real command."""

from __future__ import annotations

import csv
import html
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from spbe_lint import engine, resources, schema
from tests.conftest import assert_valid_report, edit, submission
from tests.standards import assert_valid_sarif

OPD = "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu"


def portfolio(root: Path) -> Path:
    """Four submissions: compliant, failing (third-party host outside the city
    domain), a YAML syntax error, and a folder without a manifest."""
    apps = root / "apps"
    submission(apps / "perizinan")
    failing = submission(apps / "pajak")
    edit(failing, "app:\n  id: APP-1571-2024-017", "app:\n  id: APP-1571-2024-018")
    edit(failing, "owner_opd: " + OPD, "owner_opd: Badan Pendapatan Daerah")
    edit(failing, "fqdn: sipelita.jambikota.go.id", "fqdn: pajak.example.com")
    broken = submission(apps / "rusak")
    broken.write_text(broken.read_text("utf-8") + "broken: [unclosed\n", "utf-8")
    (apps / "kosong").mkdir()
    return apps


def records(path: Path) -> list[dict]:
    """The lines of a results file, each validated by the shipped schema."""
    found = [json.loads(line) for line in path.read_text("utf-8").splitlines()]
    for record in found:
        errors = list(_AUDIT_SCHEMA.iter_errors(record))
        assert not errors, [f"{list(e.absolute_path)}: {e.message}" for e in errors]
    return found


_AUDIT_SCHEMA = schema.compile_schema(resources.schema("audit"))


def apps_of(path: Path) -> dict[str, dict]:
    return {r["app"]: r for r in records(path) if r["kind"] == "application"}


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as stream:
        return list(csv.DictReader(stream))


def test_a_folder_of_submissions_gives_results_csv_dashboard_and_reports(
    run, workdir: Path
):
    apps = portfolio(workdir)
    result = run(
        "audit",
        str(apps),
        "--lang",
        "en",
        "--csv",
        "audit.csv",
        "--dashboard",
        "audit.html",
        "--reports",
        "reports",
        "--report-format",
        "json",
        "--report-format",
        "sarif",
    )
    assert result.status == 1, result.stderr
    assert (
        "4 application(s): 1 ready, 1 not ready, 2 could not be read" in result.stdout
    )
    # Broken submissions are named with their place, one line each.
    assert (
        "rusak: apps/rusak/spbe.yaml:" in result.stderr
        and "invalid YAML syntax" in result.stderr
    )
    assert "kosong: apps/kosong/spbe.yaml: no spbe.yaml in the application folder" in (
        result.stderr
    )

    lines = records(workdir / "spbe-audit.jsonl")
    assert lines[0]["kind"] == "run" and lines[0]["as_of"] == "2026-11-28"
    assert lines[0]["rules"]["HOST-004"]["cites"]["en"]  # titles and basis, once
    found = apps_of(workdir / "spbe-audit.jsonl")
    assert set(found) == {"perizinan", "pajak", "rusak", "kosong"}
    assert found["perizinan"]["state"] == "checked"
    assert found["perizinan"]["verdict"] == "ready" and found["perizinan"]["exit"] == 0
    assert found["pajak"]["verdict"] == "not_ready" and found["pajak"]["exit"] == 1
    assert found["pajak"]["opd"] == "Badan Pendapatan Daerah"
    failing = {f["rule"]: f for f in found["pajak"]["failures"]}
    assert "HOST-004" in failing
    text = (apps / "pajak" / "spbe.yaml").read_text("utf-8").splitlines()
    where = failing["HOST-004"]
    assert "pajak.example.com" in text[where["line"] - 1][where["column"] - 1 :]
    assert found["rusak"]["state"] == "broken"
    broken = (apps / "rusak" / "spbe.yaml").read_text("utf-8").splitlines()
    assert broken[-1] == "broken: [unclosed"  # the parser notices at the end
    assert found["rusak"]["problem"]["line"] == len(broken) + 1
    assert found["kosong"]["state"] == "broken"

    rows = {row["app"]: row for row in read_csv(workdir / "audit.csv")}
    assert (
        rows["perizinan"]["verdict"] == "ready" and rows["perizinan"]["score"] == "100"
    )
    assert "HOST-004" in rows["pajak"]["failing_rules"].split()
    assert (
        rows["rusak"]["state"] == "broken"
        and "apps/rusak/spbe.yaml:" in (rows["rusak"]["problem"])
    )

    page = html.unescape((workdir / "audit.html").read_text("utf-8"))
    assert "City-wide SPBE application audit" in page
    assert "Badan Pendapatan Daerah" in page and OPD in page
    assert "HOST-004" in page and "Permenkominfo" in page  # rule with its basis
    assert "The probe did not run" in page  # certificates: not silently empty

    report = json.loads((workdir / "reports" / "pajak.json").read_text("utf-8"))
    assert_valid_report(report)
    assert any(f["rule"] == "HOST-004" for f in report["findings"])
    assert_valid_sarif(json.loads((workdir / "reports" / "pajak.sarif").read_text()))
    assert found["pajak"]["reports"]["json"].endswith("reports/pajak.json")


def test_dashboard_lists_waivers_expiring_within_60_days(run, workdir: Path):
    apps = portfolio(workdir)
    (workdir / "spbe-waivers.yaml").write_text(
        "spbe-waivers: 1\n"
        "waivers:\n"
        "  - id: W-PAJAK-1\n"
        "    rule: HOST-004\n"
        "    scope: {app: APP-1571-2024-018}\n"
        "    reason: migrasi ke subdomain kota berjalan\n"
        '    approver: {name: Budi, nip: "197805062005011002"}\n'
        '    decision_ref: "800/1/2026"\n'
        "    issued: 2026-06-01\n"
        "    expires: 2027-01-10\n",
        "utf-8",
    )
    result = run(
        "audit", str(apps), "--waivers", "spbe-waivers.yaml", "--dashboard", "d.html"
    )
    assert result.status == 1
    pajak = apps_of(workdir / "spbe-audit.jsonl")["pajak"]
    assert pajak["waivers"] == [
        {
            "id": "W-PAJAK-1",
            "rule": "HOST-004",
            "state": "applied",
            "expires": "2027-01-10",
            "source": "file",
        }
    ]
    page = (workdir / "d.html").read_text("utf-8")
    section = page.split('id="waivers"')[1].split("</section>")[0]
    assert "W-PAJAK-1 (HOST-004)" in section and ">43<" in section  # days left


def test_resume_skips_what_is_recorded_and_reruns_what_changed(run, workdir: Path):
    apps = portfolio(workdir)
    assert run("audit", str(apps)).status == 1
    first = apps_of(workdir / "spbe-audit.jsonl")
    edit(apps / "pajak" / "spbe.yaml", "pajak.example.com", "pajak.jambikota.go.id")
    result = run("audit", str(apps), "--resume")
    assert "3 sudah tercatat" in result.stdout
    lines = records(workdir / "spbe-audit.jsonl")
    rerun = [r["app"] for r in lines[len(first) + 1 :] if r["kind"] == "application"]
    assert rerun == ["pajak"]  # only the changed application was checked again
    fixed = apps_of(workdir / "spbe-audit.jsonl")["pajak"]["failures"]
    assert "HOST-004" not in {f["rule"] for f in fixed}
    # A referenced document that changes is a changed input too.
    document = next(
        d
        for d in engine.document_references(
            __import__("yaml").safe_load((apps / "perizinan" / "spbe.yaml").read_text())
        )
        if not d.startswith("http")
    )
    (apps / "perizinan" / document).write_text("", "utf-8")  # now empty
    run("audit", str(apps), "--resume")
    assert apps_of(workdir / "spbe-audit.jsonl")["perizinan"]["failures"]  # empty doc
    # So is any file the checks read, named by the manifest or not: a secret
    # committed beside it is found on resume (SEC-012), not skipped as recorded.
    count = len(records(workdir / "spbe-audit.jsonl"))
    secret = "AKIA" + "QWERTYUIOPASDFGH"  # an AWS access key id's shape
    (apps / "pajak" / "deploy.env").write_text(f"AWS_ACCESS_KEY_ID={secret}\n", "utf-8")
    result = run("audit", str(apps), "--resume")
    assert "3 sudah tercatat" in result.stdout
    rerun = [r["app"] for r in records(workdir / "spbe-audit.jsonl")[count + 1 :]]
    assert rerun == ["pajak"]
    failing = {
        f["rule"] for f in apps_of(workdir / "spbe-audit.jsonl")["pajak"]["failures"]
    }
    assert "SEC-012" in failing
    # Another day judged on is another run: everything is checked again.
    count = len(records(workdir / "spbe-audit.jsonl"))
    result = run("audit", str(apps), "--resume", "--as-of", "2026-12-01")
    assert "sudah tercatat" not in result.stdout
    assert len(records(workdir / "spbe-audit.jsonl")) == count + 1 + 4


def test_resume_cuts_a_torn_line_and_keeps_the_interrupted_runs_day(run, workdir: Path):
    apps = portfolio(workdir)
    run("audit", str(apps), "--as-of", "2026-10-01")
    results = workdir / "spbe-audit.jsonl"
    kept = results.read_text("utf-8").splitlines(keepends=True)
    results.write_text("".join(kept[:-1]) + kept[-1][:40], "utf-8")  # torn last line
    lost = json.loads(kept[-1])["app"]
    result = run("audit", str(apps), "--resume")
    assert "3 sudah tercatat" in result.stdout
    final = records(results)  # every line parses: the torn one was cut off
    assert final[-1]["app"] == lost and final[-1]["as_of"] == "2026-10-01"


def test_an_interrupted_audit_resumes_where_it_stopped(workdir: Path):
    """A real interruption: the process is killed while it writes results."""
    apps = workdir / "apps"
    base = submission(workdir / "template")
    # Enough applications that the kill lands mid-run (a record per application
    # is written as it is judged), few enough to keep the suite quick.
    for i in range(40):
        folder = apps / f"app-{i:03d}"
        folder.mkdir(parents=True)
        for item in (workdir / "template").iterdir():
            target = folder / item.name
            if item.is_dir():
                __import__("shutil").copytree(item, target)
            else:
                target.write_bytes(item.read_bytes())
    assert base.exists()
    results = workdir / "r.jsonl"
    command = [
        sys.executable,
        "-m",
        "spbe_lint",
        "audit",
        "apps",
        "--results",
        "r.jsonl",
    ]
    env = {**os.environ, "CI": "1"}
    process = subprocess.Popen(command, cwd=workdir, env=env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if results.exists() and results.read_text("utf-8").count("\n") > 8:
            break
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait()
    done = len(apps_of(results))
    assert 8 <= done < 40, done
    finished = subprocess.run(
        [*command, "--resume"],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert finished.returncode == 0, finished.stderr
    assert f"{done} sudah tercatat" in finished.stdout
    assert len(apps_of(results)) == 40
    applications = [r["app"] for r in records(results) if r["kind"] == "application"]
    assert len(applications) == 40  # nothing recorded twice


def test_a_csv_inventory_names_manifests_opds_and_urls(run, workdir: Path):
    submission(workdir / "repos" / "perizinan")
    (workdir / "inventaris.csv").write_bytes(
        "\ufeffid_aplikasi;perangkat_daerah;manifest;url\r\n"
        "A-1;Dinas Perizinan;repos/perizinan;https://sipelita.jambikota.go.id/\r\n"
        "A-2;Dinas Lama;repos/hilang/spbe.yaml;\r\n"
        ";;;\r\n"  # spreadsheets end with blank rows
        'A-3;=HYPERLINK("x");;https://lama.jambikota.go.id/\r\n'.encode()
    )
    result = run("audit", "inventaris.csv", "--csv", "a.csv", "--lang", "en")
    assert result.status == 1
    found = apps_of(workdir / "spbe-audit.jsonl")
    assert found["A-1"]["opd"] == "Dinas Perizinan"  # the inventory's OPD wins
    assert found["A-1"]["verdict"] == "ready"
    assert found["A-2"]["state"] == "broken"
    assert found["A-2"]["problem"]["message"]["en"] == (
        "no such manifest: repos/hilang/spbe.yaml"
    )
    assert found["A-3"]["problem"]["message"]["en"] == "the inventory names no manifest"
    rows = {row["app"]: row for row in read_csv(workdir / "a.csv")}
    assert rows["A-3"]["opd"] == '\'=HYPERLINK("x")'  # no formula in a spreadsheet


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"opd,manifest\nX,a\n", "inventaris.csv:1:1: the CSV header has no id column"),
        (
            b"id,manifest\nA,a\nB,b\nA,c\n",
            "inventaris.csv:4:1: application id 'A' is already used on line 2",
        ),
        (b"id,manifest\nA,caf\xe9\n", "inventaris.csv:2:6: not UTF-8"),
        (b"id,manifest\n\x00\x01\x02", "inventaris.csv:2: a binary file, not CSV"),
        (b"id,opd\nA,B\n", "the CSV header has neither a manifest nor a url column"),
        (b"", "inventaris.csv:1: the CSV file is empty"),
    ],
)
def test_a_bad_inventory_is_one_line_and_exit_2(
    run, workdir: Path, content: bytes, message: str
):
    (workdir / "inventaris.csv").write_bytes(content)
    result = run("audit", "inventaris.csv", "--lang", "en")
    assert result.status == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


def test_shards_partition_the_inventory_and_merge_into_one_summary(run, workdir: Path):
    apps = portfolio(workdir)
    for k in (1, 2):
        run("audit", str(apps), "--shard", f"{k}/2", "--results", f"s{k}.jsonl")
    one, two = apps_of(workdir / "s1.jsonl"), apps_of(workdir / "s2.jsonl")
    assert not set(one) & set(two)
    assert set(one) | set(two) == {"perizinan", "pajak", "rusak", "kosong"}
    merged = run(
        "audit", "--from-results", "s1.jsonl", "--from-results", "s2.jsonl",
        "--csv", "merged.csv",
    )  # fmt: skip
    run("audit", str(apps), "--csv", "whole.csv")
    assert merged.status == 1
    assert "4 aplikasi: 1 siap, 1 belum siap, 2 tidak dapat dibaca" in merged.stdout

    def rows(name: str) -> dict[str, dict[str, str]]:
        return {r["app"]: r for r in read_csv(workdir / name)}

    assert rows("merged.csv") == rows("whole.csv")
    # As a shell expands `--from-results s*.jsonl`: the second shard is a word of
    # its own, read as one more results file, not as an inventory.
    globbed = run("audit", "--from-results", "s1.jsonl", "s2.jsonl", "--csv", "g.csv")
    assert globbed.status == 1, globbed.stderr
    assert rows("g.csv") == rows("whole.csv")
    folder = run("audit", "--from-results", "s1.jsonl", str(apps), "--lang", "en")
    assert folder.status == 2
    assert "is not a results file" in folder.stderr


def test_from_results_refuses_a_file_that_is_not_audit_results(run, workdir: Path):
    (workdir / "r.jsonl").write_text(
        '{"record": "spbe-lint-audit/1", "kind": "run"}\n[]\n'
    )
    result = run("audit", "--from-results", "r.jsonl", "--lang", "en")
    assert result.status == 2
    assert result.stderr.strip() == (
        "r.jsonl:2: not a spbe-lint audit record (spbe-lint-audit/1)"
    )


def test_progress_bar_only_when_asked_or_on_a_terminal(run, workdir: Path):
    apps = portfolio(workdir)
    quiet = run("audit", str(apps))
    assert "spbe-lint audit" not in quiet.stderr  # not a terminal: no bar
    shown = run("audit", str(apps), "--progress", "--results", "again.jsonl")
    assert "spbe-lint audit" in shown.stderr and "4/4" in shown.stderr
    assert "/s" in shown.stderr  # the rate, with the current application


def test_an_internal_error_in_one_application_does_not_stop_the_run(
    run, workdir: Path, monkeypatch: pytest.MonkeyPatch
):
    apps = portfolio(workdir)
    real = engine.evaluate

    def failing_on_pajak(document, *args, **kwargs):
        if "pajak" in document.path:
            raise RuntimeError("boom")
        return real(document, *args, **kwargs)

    monkeypatch.setattr(engine, "evaluate", failing_on_pajak)
    result = run("audit", str(apps))
    assert result.status == 3
    assert "pajak: internal error (RuntimeError: boom)" in result.stderr
    found = apps_of(workdir / "spbe-audit.jsonl")
    assert found["pajak"]["state"] == "error"
    assert found["perizinan"]["verdict"] == "ready"  # the others were audited
    # A bug's victim is audited again on resume (once the bug is fixed).
    monkeypatch.setattr(engine, "evaluate", real)
    resumed = run("audit", str(apps), "--resume")
    assert "3 sudah tercatat" in resumed.stdout
    assert apps_of(workdir / "spbe-audit.jsonl")["pajak"]["state"] == "checked"


def test_audit_help_documents_the_workflow(run):
    result = run("audit", "--help")
    assert result.status == 0
    for option in ("--resume", "--from-results", "--shard", "--dashboard", "--csv"):
        assert option in result.stdout


def test_worker_processes_give_the_same_records_as_one_process(
    run, workdir: Path, monkeypatch: pytest.MonkeyPatch
):
    # Both runs check every application (the second would reuse the first's).
    monkeypatch.setenv("SPBE_LINT_NO_CACHE", "1")
    apps = portfolio(workdir)
    for i in range(14):  # enough applications for worker processes
        target = submission(apps / f"copy-{i:02d}")
        if i % 3 == 0:
            edit(target, "status: production", "status: development")
    run("audit", str(apps), "--jobs", "1", "--results", "one.jsonl")
    run("audit", str(apps), "--jobs", "2", "--results", "two.jsonl")

    def comparable(name: str) -> list[dict]:
        return [
            {k: v for k, v in r.items() if k not in ("seconds", "started")}
            for r in records(workdir / name)
        ]

    one, two = comparable("one.jsonl"), comparable("two.jsonl")
    assert len(one) == 19 and one == two


def test_report_file_names_stay_inside_the_reports_folder(run, workdir: Path):
    submission(workdir / "repo")
    (workdir / "inventaris.csv").write_text(
        'id,manifest\n"../../luar x",repo\n.tersembunyi,repo\n', "utf-8"
    )
    result = run(
        "audit", "inventaris.csv", "--reports", "laporan", "--report-format", "junit"
    )
    assert result.status == 0, result.stderr
    written = sorted(p.name for p in (workdir / "laporan").iterdir())
    assert written == ["_.._luar_x.xml", "tersembunyi.xml"]  # no "/", no leading dot
    assert not (workdir.parent / "luar x.xml").exists()


def test_the_secret_scan_can_be_skipped_in_an_audit(run, workdir: Path):
    """audit --secrets scan|skip, as check has it: by default a committed key in a
    submission fails SEC-012 in its report; skipped, the audit reads no file for it."""
    from tests.test_secrets import PEM

    folder = workdir / "apps" / "perizinan"
    submission(folder)
    (folder / "storage").mkdir()
    (folder / "storage" / "oauth-private.key").write_text(PEM, "utf-8")

    def secret_failures(secrets: str) -> list[dict]:
        reports = workdir / f"laporan-{secrets}"
        result = run(
            "audit", "apps", "--results", f"{secrets}.jsonl", "--secrets", secrets,
            "--reports", str(reports), "--report-format", "json", "--lang", "en",
        )  # fmt: skip
        assert result.status in (0, 1), result.stderr
        (report,) = reports.glob("*.json")
        findings = json.loads(report.read_text("utf-8"))["findings"]
        return [
            f
            for f in findings
            if f["rule"] == "SEC-012"
            and f["status"] == "fail"
            and f["kind"] == "secret"
        ]

    (found,) = secret_failures("scan")
    assert "storage/oauth-private.key" in found["location"]["path"]
    assert secret_failures("skip") == []
