"""Nothing is lost or overwritten unasked (issue 13): every output is written
to a temporary file beside it and renamed, so a full disk leaves the old file
whole; a typo in a format name is a usage error, not a file called
``srif=out.sarif``; ``init --schema`` and ``baseline create`` replace nothing
without ``--force``; an audit replaces its results only with ``--force``.

The full disk is real: the installed command runs under RLIMIT_FSIZE, which
makes the kernel refuse writes past the limit with EFBIG, as a full disk
refuses them with ENOSPC."""

from __future__ import annotations

import json
import resource
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import submission
from tests.test_audit import portfolio, read_csv
from tests.test_processes import ENV, SCRIPT

FORMATS = "text, concise, json, sarif, junit, github, markdown, html"


def limited(*args: str, cwd: Path, limit: int) -> subprocess.CompletedProcess[str]:
    """The installed command with files capped at *limit* bytes."""

    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return subprocess.run(
        [str(SCRIPT), *args],
        cwd=cwd,
        # no cache and no bytecode: the only files the run writes are its outputs
        env={**ENV, "SPBE_LINT_NO_CACHE": "1", "PYTHONDONTWRITEBYTECODE": "1"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        preexec_fn=cap,
    )


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def test_a_full_disk_leaves_the_old_report_whole(workdir: Path):
    submission(workdir)
    old = workdir / "report.json"
    assert (
        subprocess.run(
            [str(SCRIPT), "check", "-f", "json", "-o", "report.json"],
            cwd=workdir,
            env=ENV,
            check=False,
        ).returncode
        == 0
    )
    before = old.read_bytes()
    json.loads(before)  # a valid report to lose
    (workdir / "spbe.yaml").write_text(
        (workdir / "spbe.yaml").read_text("utf-8").replace("production", "staging"),
        "utf-8",
    )
    done = limited("check", "-f", "json", "-o", "report.json", cwd=workdir, limit=4096)
    assert done.returncode == 2, done.stderr
    assert done.stderr == (
        "report.json: cannot write: File too large; the file there (if any) is "
        "unchanged\n"
    )
    assert old.read_bytes() == before
    assert leftovers(workdir) == []
    # Several reports of one run: each either whole or not written.
    done = limited(
        "check",
        "-o",
        "sarif=r.sarif",
        "-o",
        "json=report.json",
        cwd=workdir,
        limit=4096,
    )
    assert done.returncode == 2
    assert old.read_bytes() == before and leftovers(workdir) == []


def test_a_full_disk_leaves_the_dashboard_and_csv_whole(run, workdir: Path):
    apps = portfolio(workdir)
    assert run("audit", str(apps), "--dashboard", "d.html", "--csv", "c.csv").status
    dashboard, table = (
        (workdir / "d.html").read_bytes(),
        (workdir / "c.csv").read_bytes(),
    )
    for option, name in (("--csv", "c.csv"), ("--dashboard", "d.html")):
        done = limited(
            "audit",
            "--from-results",
            "spbe-audit.jsonl",
            option,
            name,
            cwd=workdir,
            limit=len(table) // 2,  # smaller than either output
        )
        assert done.returncode == 2, done.stderr
        assert done.stderr.startswith(f"{name}: cannot write: File too large")
    assert (workdir / "d.html").read_bytes() == dashboard
    assert (workdir / "c.csv").read_bytes() == table
    assert leftovers(workdir) == []


@pytest.mark.parametrize(
    ("value", "hint"),
    [
        ("srif=out.sarif", " (did you mean sarif?)"),
        ("JSON=out.json", " (did you mean json?)"),
        ("htm=r.html", " (did you mean html?)"),
        ("pdf=r.pdf", ""),
    ],
)
def test_an_unknown_format_name_is_a_usage_error(run, workdir, value: str, hint):
    submission(workdir)
    result = run("check", "-o", value, "--lang", "en")
    assert (result.status, result.stdout) == (2, "")
    name = value.split("=", maxsplit=1)[0]
    assert result.stderr == (
        f"spbe-lint: --output: unknown format '{name}' in '{value}'{hint}; formats: "
        f"{FORMATS} (for a file whose name holds '=': ./{value})\n"
    )
    assert list(workdir.glob("*=*")) == [] and not list(workdir.glob("out*"))
    # The same for a saved report rendered again.
    run("check", "-f", "json", "-o", "r.json")
    assert run("report", "r.json", "-o", value).status == 2


def test_a_file_name_with_an_equals_sign_is_still_possible(run, workdir: Path):
    submission(workdir)
    result = run("check", "-o", "./srif=out.txt", "-o", "sarif=reports/a=b.sarif")
    assert result.status == 0, result.stderr
    assert (workdir / "srif=out.txt").read_text("utf-8").startswith("Tidak ada")
    assert json.loads((workdir / "reports" / "a=b.sarif").read_text("utf-8"))


def test_a_folder_in_the_way_is_one_line_and_exit_2(run, workdir: Path):
    submission(workdir)
    (workdir / "r.json").mkdir()
    result = run("check", "-o", "json=r.json", "--lang", "en")
    assert (result.status, result.stdout) == (2, "")
    assert result.stderr == "r.json: this is a folder, not a file: not written\n"


def test_devices_are_written_in_place(run, workdir: Path):
    submission(workdir)
    assert run("check", "-o", "json=/dev/null").status == 0
    assert leftovers(Path("/dev")) == []


def test_outputs_keep_the_mode_of_the_file_they_replace(run, workdir: Path):
    submission(workdir)
    report = workdir / "r.json"
    report.write_text("{}", "utf-8")
    report.chmod(0o640)
    assert run("check", "-o", "json=r.json").status == 0
    assert report.stat().st_mode & 0o777 == 0o640
    assert json.loads(report.read_text("utf-8"))["report_version"]


def test_init_schema_never_replaces_a_file_without_force(run, workdir: Path):
    schema = workdir / "spbe.schema.json"
    schema.write_text('{"mine": true}\n', "utf-8")
    essentials = ("--no-input", "--title", "Sistem Informasi Perizinan", "--opd", "X")
    result = run("init", *essentials, "--schema", "spbe.schema.json", "--lang", "en")
    assert (result.status, result.stdout) == (2, "")
    assert result.stderr == (
        "spbe.schema.json: the file exists; use --force to replace it\n"
    )
    assert schema.read_text("utf-8") == '{"mine": true}\n'
    assert not (workdir / "spbe.yaml").exists()  # nothing half done
    result = run("init", *essentials, "--schema", "spbe.schema.json", "--force")
    assert result.status == 0, result.stderr
    assert json.loads(schema.read_text("utf-8"))["$schema"]


def test_baseline_create_never_replaces_a_baseline_without_force(run, workdir):
    shutil.copy(
        Path(__file__).parent.parent / "examples" / "broken" / "hosting" / "spbe.yaml",
        workdir / "spbe.yaml",
    )
    assert run("baseline", "create").status == 0
    baseline = workdir / "spbe-baseline.json"
    before = baseline.read_bytes()
    (workdir / "spbe.yaml").write_text(
        (workdir / "spbe.yaml").read_text("utf-8").replace("pusat_data", "pihak_ke"),
        "utf-8",
    )
    result = run("baseline", "create", "--lang", "en")
    assert (result.status, result.stdout) == (2, "")
    assert result.stderr == (
        "spbe-baseline.json: the file exists; use --force to replace it\n"
    )
    assert baseline.read_bytes() == before
    assert run("baseline", "create", "--force").status == 0
    assert baseline.read_bytes() != before


def test_an_audit_starts_again_only_with_force(run, workdir: Path):
    apps = portfolio(workdir)
    assert run("audit", str(apps)).status == 1
    results = workdir / "spbe-audit.jsonl"
    results.write_text(results.read_text("utf-8") + results.read_text("utf-8"))
    forced = run("audit", str(apps), "--force", "--csv", "c.csv")
    assert forced.status == 1, forced.stderr
    lines = results.read_text("utf-8").splitlines()
    assert len(lines) == 5  # one run line and four applications: started again
    assert len(read_csv(workdir / "c.csv")) == 4
    both = run("audit", str(apps), "--force", "--resume")
    assert both.status == 2 and "--force" in both.stderr


def test_hostile_destinations(run, workdir: Path):
    submission(workdir)
    # A link is followed: what it points to is replaced, the link stays.
    (workdir / "real.json").write_text("{}", "utf-8")
    (workdir / "link.json").symlink_to("real.json")
    assert run("check", "-o", "json=link.json").status == 0
    assert (workdir / "link.json").is_symlink()
    assert json.loads((workdir / "real.json").read_text("utf-8"))["report_version"]
    # A file where a folder of the path should be.
    result = run("check", "-o", "json=spbe.yaml/r.json", "--lang", "en")
    assert result.status == 2
    assert result.stderr.endswith(
        "spbe.yaml/r.json: cannot write: spbe.yaml is not a folder\n"
    )
    # The audit's results file must be a file it can lock and append to.
    result = run("audit", ".", "--results", "/dev/null", "--lang", "en")
    assert (result.status, result.stderr) == (
        2,
        "/dev/null: the audit results file must be a regular file\n",
    )
    assert leftovers(workdir) == []


def test_a_key_that_is_a_fifo_or_a_device_is_refused_at_once(run, workdir: Path):
    import os

    os.mkfifo(workdir / "vendor.pub")
    submission(workdir)
    run("check", "-f", "json", "-o", "r.json")
    for key in ("vendor.pub", "/dev/zero"):
        for command in ("report", "verify"):
            result = run(command, "r.json", "--key", key, "--lang", "en")
            assert (result.status, result.stderr) == (
                2,
                f"{key}: a key must be a regular file (not a device or FIFO)\n",
            )
