"""Issue 13, reading: a hostile or broken submission never makes spbe-lint read
outside the folder it was given, never crashes it, never makes it hang.

Every case goes through the real command (``run``: the entry point in-process),
and the ones where the process matters (a FIFO, /dev/zero, a 3 GB line) through
a subprocess of the installed ``spbe-lint`` with a timeout. Where a test needs a
folder that cannot be read and runs as root (chmod does not stop root), the
refusal is provoked by making ``os.scandir`` raise EACCES for that folder: the
same error the system gives, at the same call.
"""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import edit, submission

SCRIPT = Path(sys.executable).with_name("spbe-lint")
ENV = {**os.environ, "SPBE_LINT_LANG": "en"}
SECRET = "RAHASIA-REVIEWER-7f3a"  # what a file outside the submission says


def spbe(*args: str, cwd: Path, timeout: float = 30) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(SCRIPT), *args],
        cwd=cwd,
        env=ENV,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    """A file outside the working folder, like the reviewer's own files."""
    outside = tmp_path.parent / f"{tmp_path.name}-outside"
    outside.mkdir()
    target = outside / "secret.yaml"
    target.write_text(f"spbe: 1\napp:\n  title: {SECRET}\n", "utf-8")
    return target


def everything(workdir: Path, *results: object) -> str:
    """Every output of a run and every file it wrote, as one text to search."""
    text = "".join(
        f"{getattr(r, 'stdout', '')}{getattr(r, 'stderr', '')}" for r in results
    )
    for path in workdir.rglob("*"):
        if path.is_file() and not path.is_symlink() and path.suffix != ".yaml":
            text += path.read_text("utf-8", "replace")
    return text


def unreadable(monkeypatch: pytest.MonkeyPatch, folder: Path) -> None:
    """Make *folder* unreadable: chmod 000, or, as root (whom chmod does not
    stop), ``os.scandir`` raising EACCES for it as the system would."""
    if os.geteuid() != 0:
        folder.chmod(0)
        return
    real = os.scandir
    blocked = os.path.realpath(folder)

    def scandir(path: object = ".") -> object:
        if os.path.realpath(os.fspath(path)) == blocked:  # type: ignore[arg-type]
            raise PermissionError(errno.EACCES, "Permission denied", os.fspath(path))
        return real(path)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "scandir", scandir)


# ---- never read outside the submission ---------------------------------------


def test_a_manifest_linked_outside_the_folder_is_refused_naming_the_link(
    run, workdir: Path, secret: Path
):
    submission(workdir / "apps" / "baik")
    (workdir / "apps" / "jahat").mkdir()
    (workdir / "apps" / "jahat" / "spbe.yaml").symlink_to(secret)
    result = run(
        "check", "apps", "--format", "json", "-o", "json=r.json", "--lang", "en"
    )
    assert result.status == 2
    assert result.stderr.strip() == (
        "apps/jahat/spbe.yaml: error: this path (a symbolic link or ../) leads "
        "outside the folder being checked (apps); spbe-lint reads only files inside "
        "that folder"
    )
    report = json.loads((workdir / "r.json").read_text("utf-8"))
    assert [i["path"] for i in report["inputs"]] == ["apps/baik/spbe.yaml"]
    assert [e["path"] for e in report["errors"]] == ["apps/jahat/spbe.yaml"]
    assert SECRET not in everything(workdir, result)
    assert str(secret) not in everything(workdir, result)  # nor where it leads


@pytest.mark.parametrize("how", ["file argument", "working folder"])
def test_a_named_manifest_that_leads_outside_its_folder_is_refused(
    run, workdir: Path, secret: Path, how: str
):
    (workdir / "spbe.yaml").symlink_to(secret)
    args = ["spbe.yaml"] if how == "file argument" else []
    result = run("check", *args, "--lang", "en")
    assert result.status == 2
    assert result.stderr.startswith("spbe.yaml: error: this path")
    assert SECRET not in result.stdout + result.stderr


def test_a_link_inside_the_folder_is_followed(run, workdir: Path):
    real = submission(workdir / "asli")
    (workdir / "spbe.yaml").symlink_to(real)
    (workdir / "docs").symlink_to(workdir / "asli" / "docs")
    (workdir / "LICENSE").symlink_to(workdir / "asli" / "LICENSE")
    result = run("check", "spbe.yaml", "--lang", "en")
    assert result.status == 0, result.stdout + result.stderr


def test_documents_linked_outside_or_unreadable_are_findings(
    run, workdir: Path, secret: Path
):
    manifest = submission(workdir)
    (workdir / "docs" / "perencanaan.pdf").unlink()
    (workdir / "docs" / "perencanaan.pdf").symlink_to(secret)
    os.mkfifo(workdir / "fifo.pdf")
    edit(manifest, "docs/pemeliharaan.md", "fifo.pdf")
    edit(manifest, "docs/evaluasi.md", "a" * 300 + "/" + "b" * 300 + ".pdf")
    result = run("check", "--format", "json", "--lang", "en")
    assert result.status == 1, result.stderr
    messages = {
        f["message_i18n"]["en"]
        for f in result.json()["findings"]
        if f["status"] == "fail"
    }
    assert any(
        m.endswith(
            "= docs/perencanaan.pdf: the path leaves the manifest's folder; documents "
            "must be inside the submitted repository"
        )
        for m in messages
    ), messages
    assert any(
        "= fifo.pdf: the file cannot be read (not a regular file: a FIFO, device or "
        "socket)" in m
        for m in messages
    ), messages
    assert any(
        "the file cannot be read (the file name is longer than the file system "
        "allows)" in m
        for m in messages
    ), messages
    assert SECRET not in result.stdout


def test_audit_folder_inventory_confines_and_goes_on(run, workdir: Path, secret: Path):
    submission(workdir / "apps" / "baik")
    (workdir / "apps" / "tautan").mkdir()
    (workdir / "apps" / "tautan" / "spbe.yaml").symlink_to(secret)
    (workdir / "apps" / "folder-luar").symlink_to(secret.parent)
    (workdir / "apps" / "putar").mkdir()
    (workdir / "apps" / "putar" / "spbe.yaml").symlink_to("spbe.yaml")
    result = run(
        "audit", "apps", "--csv", "a.csv", "--dashboard", "d.html", "--lang", "en"
    )
    assert result.status == 1, result.stderr
    found = {
        r["app"]: r
        for r in map(
            json.loads, (workdir / "spbe-audit.jsonl").read_text().splitlines()
        )
        if r["kind"] == "application"
    }
    assert found["baik"]["verdict"] == "ready"
    for app in ("tautan", "folder-luar"):
        assert found[app]["state"] == "broken"
        assert (
            "leads outside the folder being checked"
            in (found[app]["problem"]["message"]["en"])
        )
    assert found["putar"]["state"] == "broken"
    assert "symbolic link loop" in found["putar"]["problem"]["message"]["en"]
    assert SECRET not in everything(workdir, result)


def test_audit_csv_manifests_stay_inside_the_csv_folder(
    run, workdir: Path, secret: Path
):
    submission(workdir / "repos" / "baik")
    (workdir / "inventaris.csv").write_text(
        "id,manifest\n"
        "A-1,repos/baik\n"
        f"A-2,../{secret.parent.name}/secret.yaml\n"
        f"A-3,{secret}\n",
        "utf-8",
    )
    result = run("audit", "inventaris.csv", "--csv", "a.csv", "--lang", "en")
    assert result.status == 1, result.stderr
    found = {
        r["app"]: r
        for r in map(
            json.loads, (workdir / "spbe-audit.jsonl").read_text().splitlines()
        )
        if r["kind"] == "application"
    }
    assert found["A-1"]["verdict"] == "ready"
    for app in ("A-2", "A-3"):
        assert found[app]["state"] == "broken", found[app]
        assert "leads outside" in found[app]["problem"]["message"]["en"]
    assert SECRET not in everything(workdir, result)


@pytest.fixture
def verifiable(run, workdir: Path) -> Path:
    """A report of ``sub/spbe.yaml`` and its folder, ready for verify --inputs."""
    submission(workdir / "sub")
    assert run("check", "sub", "-o", "json=report.json").status in (0, 1)
    return workdir / "sub" / "spbe.yaml"


def test_verify_inputs_refuses_a_link_outside(run, verifiable: Path, secret: Path):
    verifiable.unlink()
    verifiable.symlink_to(secret)
    result = run("verify", "report.json", "--inputs", ".", "--lang", "en")
    assert result.status == 1
    assert "sub/spbe.yaml: this path (a symbolic link or ../) leads outside" in (
        result.stdout
    )
    assert SECRET not in result.stdout + result.stderr


@pytest.mark.parametrize("kind", ["/dev/zero", "fifo"])
def test_verify_inputs_never_reads_a_device_or_a_fifo(verifiable: Path, kind: str):
    """Through the installed command: /dev/zero was read until MemoryError and
    a FIFO hung; both are refused before they are opened."""
    verifiable.unlink()
    if kind == "fifo":
        os.mkfifo(verifiable)
    else:
        verifiable.symlink_to("/dev/zero")
    started = time.monotonic()
    result = spbe(
        "verify", "report.json", "--inputs", ".", cwd=verifiable.parent.parent
    )
    assert time.monotonic() - started < 20
    assert result.returncode == 1, result.stderr
    expected = "leads outside" if kind == "/dev/zero" else "not a regular file"
    assert expected in result.stdout, result.stdout


@pytest.mark.parametrize(
    "args",
    [
        ("check", "/dev/zero"),
        ("report", "/dev/zero"),
        ("check", "--baseline", "/dev/zero"),
        ("audit", "--from-results", "/dev/zero"),
    ],
)
def test_a_device_the_user_names_is_refused_unopened(workdir: Path, args):
    submission(workdir)
    result = spbe(*args, cwd=workdir, timeout=20)
    assert result.returncode == 2, result.stderr
    assert "not a regular file" in result.stderr
    assert "Traceback" not in result.stderr


# ---- every input is bounded ---------------------------------------------------

DEEP = "[" * 200_000


@pytest.mark.parametrize(
    ("args", "name"),
    [
        (("report", "deep.json"), "deep.json"),
        (("check", "--baseline", "deep.json"), "deep.json"),
        (("baseline", "create", "--from", "deep.json", "-o", "b.json"), "deep.json"),
        (("diff", "deep.json", "deep.json"), "deep.json"),
        (("verify", "deep.json", "--inputs", "."), "deep.json"),
    ],
)
def test_deeply_nested_json_the_user_gives_is_exit_2(run, workdir: Path, args, name):
    submission(workdir)
    (workdir / name).write_text(DEEP, "utf-8")
    result = run(*args, "--lang", "en")
    assert result.status == 2, result.stderr
    assert result.stderr.strip() == (
        f"{name}:1:129: nesting too deep (the limit is 128 levels)"
    )


def test_deeply_nested_results_lines_are_exit_2(run, workdir: Path):
    (workdir / "r.jsonl").write_text(DEEP + "\n", "utf-8")
    result = run("audit", "--from-results", "r.jsonl", "--lang", "en")
    assert result.status == 2
    assert result.stderr.strip() == (
        "r.jsonl:1: not a spbe-lint audit record (spbe-lint-audit/1): nesting too "
        "deep (the limit is 128 levels)"
    )


def test_duplicate_keys_in_a_saved_report_are_refused_with_their_place(
    run, workdir: Path
):
    submission(workdir)
    assert run("check", "-o", "json=r.json").status == 0
    text = (workdir / "r.json").read_text("utf-8")
    # a second, empty "findings" member: a last-wins parser sees a clean report
    doubled = text.replace(
        '\n  "findings": [', '\n  "findings": [],\n  "findings": [', 1
    )
    (workdir / "r.json").write_text(doubled, "utf-8")
    line = doubled[: doubled.index('"findings": [\n')].count("\n") + 1
    for args in (
        ("report", "r.json"),
        ("verify", "r.json", "--inputs", "."),
        ("diff", "r.json", "r.json"),
    ):
        result = run(*args, "--lang", "en")
        assert result.status == 2, (args, result.stderr)
        assert result.stderr.strip() == (
            f"r.json:{line}:3: key 'findings' appears twice in one object"
        )


def test_a_3_gb_results_file_without_a_newline_is_refused_quickly(workdir: Path):
    """It used 6.4 GB and exited 0; the line is cut at 16 MiB and refused."""
    huge = workdir / "hasil.jsonl"
    with huge.open("wb") as stream:
        stream.truncate(3 << 30)  # sparse: no disk used
    # The command's own peak memory, measured by a parent of its own: this test
    # process's RUSAGE_CHILDREN also holds earlier tests' children (Chromium).
    command = [str(SCRIPT), "audit", "--from-results", "hasil.jsonl"]
    measured = (
        "import resource, subprocess, sys; status = subprocess.run(sys.argv[1:])"
        ".returncode; peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss; "
        "print(peak, file=sys.stderr); sys.exit(status)"
    )
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-c", measured, *command],
        cwd=workdir,
        env=ENV,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    seconds = time.monotonic() - started
    message, peak_kib = result.stderr.strip().rsplit("\n", 1)
    assert result.returncode == 2, result.stderr
    assert message == (
        "hasil.jsonl:1: a line longer than 16 MiB: not a spbe-lint audit "
        "record (spbe-lint-audit/1)"
    )
    assert seconds < 20
    assert int(peak_kib) < 400 * 1024  # far below the 3 GB it would take


def test_resume_refuses_a_file_that_is_not_results_without_cutting_it(
    run, workdir: Path
):
    submission(workdir / "apps" / "a")
    results = workdir / "hasil.jsonl"
    results.write_bytes(b"bukan hasil audit\n" + b"x" * 1000)  # no final newline
    result = run(
        "audit", "apps", "--results", "hasil.jsonl", "--resume", "--lang", "en"
    )
    assert result.status == 2
    assert results.stat().st_size == len("bukan hasil audit\n") + 1000


def test_audit_hashes_a_20_gb_document_quickly(run, workdir: Path):
    """The --resume digest of a document is capped: 4 MiB read, not 20 GB."""
    manifest = submission(workdir / "apps" / "besar")
    huge = workdir / "apps" / "besar" / "docs" / "perencanaan.pdf"
    with huge.open("wb") as stream:
        stream.truncate(20 << 30)
    started = time.monotonic()
    result = run("audit", "apps", "--lang", "en")
    assert result.status == 0, result.stdout + result.stderr
    assert time.monotonic() - started < 30
    first = json.loads((workdir / "spbe-audit.jsonl").read_text().splitlines()[-1])
    # a change in size is a change: --resume checks it again
    with huge.open("r+b") as stream:
        stream.truncate((20 << 30) + 1)
    run("audit", "apps", "--resume", "--lang", "en")
    again = json.loads((workdir / "spbe-audit.jsonl").read_text().splitlines()[-1])
    assert again["inputs"] != first["inputs"]
    assert manifest.exists()


# ---- folders ------------------------------------------------------------------


def _nest(top: Path, depth: int) -> None:
    """*depth* folders named d, one in the other, below *top* (by descriptor:
    the full path would exceed PATH_MAX)."""
    descriptor = os.open(top, os.O_RDONLY)
    try:
        for _ in range(depth):
            os.mkdir("d", dir_fd=descriptor)
            inner = os.open("d", os.O_RDONLY, dir_fd=descriptor)
            os.close(descriptor)
            descriptor = inner
    finally:
        os.close(descriptor)


def _unnest(top: Path) -> None:
    """Remove what _nest made, bottom up without recursion (shutil.rmtree recurses)."""
    chain = [os.open(top, os.O_RDONLY)]
    try:
        while True:
            try:
                chain.append(os.open("d", os.O_RDONLY, dir_fd=chain[-1]))
            except FileNotFoundError:
                break
        for parent in reversed(chain[:-1]):
            child = chain[chain.index(parent) + 1]
            with os.scandir(child) as entries:
                names = [entry.name for entry in entries]
            for name in names:
                os.unlink(name, dir_fd=child)
            os.rmdir("d", dir_fd=parent)
    finally:
        for descriptor in chain:
            os.close(descriptor)


@pytest.fixture
def nested(workdir: Path) -> Iterator[Path]:
    top = workdir / "dalam"
    top.mkdir()
    _nest(top, 5000)
    yield top
    _unnest(top)


def test_5000_nested_folders_are_no_recursion_error(run, workdir: Path, nested: Path):
    submission(nested)
    result = run("check", "dalam", "--lang", "en")
    assert result.status == 2, result.stderr
    assert "RecursionError" not in result.stderr
    (problem,) = result.stderr.strip().splitlines()
    assert problem == (
        "dalam" + "/d" * 32 + ": error: folders nest more than 32 levels deep; the "
        "sub-folders below this one were not searched (give their path if they "
        "hold a manifest)"
    )
    assert "1 manifest(s) checked" in result.stdout


def test_a_looping_manifest_link_is_reported_and_its_neighbours_checked(
    run, workdir: Path
):
    submission(workdir / "apps" / "a")
    submission(workdir / "apps" / "c")
    (workdir / "apps" / "b").mkdir()
    (workdir / "apps" / "b" / "spbe.yaml").symlink_to("spbe.yaml")
    result = run("check", "apps", "--format", "json", "--lang", "en")
    assert result.status == 2
    assert result.stderr.strip() == (
        "apps/b/spbe.yaml: error: cannot read: a symbolic link loop (the link leads "
        "back to itself)"
    )
    assert [i["path"] for i in result.json()["inputs"]] == [
        "apps/a/spbe.yaml",
        "apps/c/spbe.yaml",
    ]


def test_an_unreadable_subfolder_is_reported_not_skipped(
    run, workdir: Path, monkeypatch: pytest.MonkeyPatch
):
    submission(workdir / "apps" / "a")
    hidden = workdir / "apps" / "terkunci"
    submission(hidden)
    unreadable(monkeypatch, hidden)
    try:
        result = run("check", "apps", "--format", "json", "--lang", "en")
    finally:
        hidden.chmod(0o755)
    assert result.status == 2
    assert result.stderr.strip() == (
        "apps/terkunci: error: this folder cannot be read (permission denied); "
        "manifests inside it were not checked"
    )
    assert [i["path"] for i in result.json()["inputs"]] == ["apps/a/spbe.yaml"]


def test_an_unreadable_application_folder_is_broken_and_the_audit_goes_on(
    run, workdir: Path, monkeypatch: pytest.MonkeyPatch
):
    submission(workdir / "apps" / "a")
    hidden = workdir / "apps" / "b"
    submission(hidden)
    submission(workdir / "apps" / "c")
    unreadable(monkeypatch, hidden)
    try:
        result = run("audit", "apps", "--csv", "a.csv", "--lang", "en")
    finally:
        hidden.chmod(0o755)
    assert result.status == 1, result.stderr
    found = {
        r["app"]: r
        for r in map(
            json.loads, (workdir / "spbe-audit.jsonl").read_text().splitlines()
        )
        if r["kind"] == "application"
    }
    assert found["a"]["verdict"] == found["c"]["verdict"] == "ready"
    assert found["b"]["state"] == "broken"
    assert found["b"]["problem"]["message"]["en"] == (
        "the application folder cannot be read: permission denied"
    )
    assert (workdir / "a.csv").exists()


def test_a_fifo_manifest_and_a_fifo_document_do_not_hang(workdir: Path):
    """Through the installed command, with a timeout."""
    submission(workdir / "a")
    os.mkfifo(workdir / "a" / "docs" / "fifo.pdf")
    edit(workdir / "a" / "spbe.yaml", "docs/pemeliharaan.md", "docs/fifo.pdf")
    (workdir / "b").mkdir()
    os.mkfifo(workdir / "b" / "spbe.yaml")
    result = spbe("check", "a", "b", "--format", "concise", cwd=workdir, timeout=20)
    assert result.returncode == 2, result.stderr
    assert result.stderr == "b/spbe.yaml: error: not a regular file\n"
    assert "docs/fifo.pdf: the file cannot be read (not a regular file" in result.stdout


def test_no_folder_walk_leaves_a_trace_of_recursion(tmp_path: Path):
    """The walker is iterative: a recursion limit far below the depth is fine."""
    from spbe_lint import discovery

    top = tmp_path / "t"
    top.mkdir()
    _nest(top, 200)
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(150)
    try:
        targets, problems = discovery.find([top], tmp_path)
    finally:
        sys.setrecursionlimit(limit)
        _unnest(top)
    assert targets == []
    assert len(problems) == 1


def test_the_help_says_what_is_never_read(run):
    assert "link leading out, a link loop, a FIFO or a device is" in " ".join(
        run("check", "--help").stdout.split()
    )
    assert "a link leading outside the inventory's folder" in " ".join(
        run("audit", "--help").stdout.split()
    )
    assert "a FIFO or a device is a difference, never read" in " ".join(
        run("verify", "--help").stdout.split()
    )


def test_a_number_longer_than_python_reads_is_exit_2_not_a_crash(run, workdir: Path):
    (workdir / "r.json").write_text('{"report_version": ' + "9" * 5000 + "}", "utf-8")
    result = run("report", "r.json", "--lang", "en")
    assert result.status == 2
    assert result.stderr.strip() == (
        "r.json:1:20: a number too long (more than 4300 digits)"
    )


def test_the_reference_resolver_stops_at_its_document_and_byte_limits(tmp_path: Path):
    """The caps the $ref resolver keeps per specification (spbe_lint.references)."""
    from referencing.exceptions import NoSuchResource

    from spbe_lint import apidoc, references

    for index in range(references.MAX_DOCUMENTS + 1):
        (tmp_path / f"s{index}.json").write_text('{"type": "string"}', "utf-8")
    resolver = references.Resolver(apidoc.parse, folder=tmp_path)
    for index in range(references.MAX_DOCUMENTS):
        resolver.retrieve(references.local_uri(f"s{index}.json"))
    with pytest.raises(NoSuchResource):
        resolver.retrieve(references.local_uri(f"s{references.MAX_DOCUMENTS}.json"))
    (problem,) = resolver.problems
    assert problem.text() == (
        f"$ref s{references.MAX_DOCUMENTS}.json: more than 64 documents referenced; "
        "the rest are not read"
    )
    # each document is read once however often it is named (references keeps
    # what it retrieved), so the bytes add up over distinct documents
    content = b'{"x": "' + b"a" * (references.MAX_BYTES - 16) + b'"}'
    for index in range(5):
        (tmp_path / f"besar{index}.json").write_bytes(content)
    resolver = references.Resolver(apidoc.parse, folder=tmp_path)
    for index in range(4):
        resolver.retrieve(references.local_uri(f"besar{index}.json"))
        resolver.retrieve(references.local_uri(f"besar{index}.json"))  # not again
    assert resolver.read == 4 * len(content)
    with pytest.raises(NoSuchResource):
        resolver.retrieve(references.local_uri("besar4.json"))
    assert resolver.problems[0].reason.en == (
        "the referenced documents exceed 64 MiB in all; the rest are not read"
    )
