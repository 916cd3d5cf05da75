"""An audit reuses an application's static result only when nothing that
produced it changed: its folder's files, the run, spbe-lint (issue 18)."""

from __future__ import annotations

import base64
import datetime
import hashlib
import json
import os
import pickle
import sys
import zlib
from pathlib import Path

import pytest

from spbe_lint import cache, engine
from spbe_lint.audit import reuse
from spbe_lint.findings import Finding, Location, Span, Status
from spbe_lint.i18n import LocalText
from spbe_lint.rule import Severity
from tests.conftest import Judged, edit, submission
from tests.test_audit import portfolio, records
from tests.test_secrets import AWS_SECRET, SECRET_FILES, VALUES, write


def comparable(path: Path) -> list[dict]:
    return [
        {k: v for k, v in r.items() if k not in ("seconds", "started")}
        for r in records(path)
    ]


def audit(run, apps: Path, results: str, *args: str) -> list[dict]:
    run("audit", str(apps), "--results", results, "--force", *args)
    return comparable(Path(results))


def failing_rules(found: list[dict], app: str) -> set[str]:
    entry = next(r for r in found if r.get("app") == app)
    return {f["rule"] for f in entry.get("failures", ())}


def test_an_unchanged_portfolio_is_reused_with_the_same_records(
    run, workdir: Path, private_cache: Path, checked: Judged
):
    apps = portfolio(workdir)
    reports = ("--report-format", "json", "--report-format", "sarif")
    first = audit(
        run, apps, "one.jsonl", "--csv", "one.csv", "--reports", "a", *reports
    )
    assert checked() == ["pajak", "perizinan", "rusak"]  # not "kosong": no manifest
    assert len(list(private_cache.glob("application-*.json"))) == 3
    checked.clear()
    second = audit(
        run, apps, "two.jsonl", "--csv", "two.csv", "--reports", "b", *reports
    )
    assert checked() == []  # nothing judged again

    def unlike_the_reports_folder(found: list[dict]) -> list[dict]:
        return [{k: v for k, v in r.items() if k != "reports"} for r in found]

    assert unlike_the_reports_folder(second) == unlike_the_reports_folder(first)
    assert Path("one.csv").read_bytes() == Path("two.csv").read_bytes()
    # Each application's whole report (every finding with its references) too.
    written = sorted(p.name for p in Path("a").iterdir())
    assert len(written) == 8 and written == sorted(p.name for p in Path("b").iterdir())
    for name in written:
        assert (Path("a") / name).read_bytes() == (Path("b") / name).read_bytes()
    assert '"references"' in (Path("b") / "perizinan.json").read_text("utf-8")


def test_a_file_changed_anywhere_in_the_folder_is_checked_again(
    run, workdir: Path, private_cache: Path, checked: Judged
):
    """A committed key in a file the manifest does not name (the secret scan
    reads every file): reusing the earlier verdict would hide it."""
    apps = portfolio(workdir)
    clean = audit(run, apps, "r.jsonl")
    assert "SEC-012" not in failing_rules(clean, "perizinan")
    write(apps / "perizinan", {"config/aws.py": SECRET_FILES["config/aws.py"]})
    checked.clear()
    leaked = audit(run, apps, "r.jsonl")
    assert checked() == ["perizinan"]
    assert "SEC-012" in failing_rules(leaked, "perizinan")
    # Same size, other bytes: still noticed (content, not size or time).
    target = apps / "perizinan" / "config" / "aws.py"
    text = target.read_text("utf-8")
    target.write_text(text.replace(AWS_SECRET, "x" * len(AWS_SECRET)), "utf-8")
    checked.clear()
    audit(run, apps, "r.jsonl")
    assert checked() == ["perizinan"]
    # Back as it was: the earlier result is the right one again.
    target.unlink()
    target.parent.rmdir()
    checked.clear()
    assert audit(run, apps, "r.jsonl") == clean
    assert checked() == []


def test_another_run_or_another_spbe_lint_is_a_miss(
    run, workdir: Path, private_cache: Path, checked: Judged, monkeypatch
):
    apps = portfolio(workdir)
    audit(run, apps, "r.jsonl")
    for args in (
        ("--as-of", "2026-12-01"),
        ("--secrets", "skip"),
        ("--ignore", "HOST-004"),
    ):
        checked.clear()
        audit(run, apps, "r.jsonl", *args)
        assert checked() == ["pajak", "perizinan", "rusak"], args
    # Any file of spbe-lint edited (its code, a rule, a schema): a miss.
    real = cache._package_digest
    monkeypatch.setattr(cache, "_package_digest", lambda package: real(package) + "!")
    cache.fingerprint.cache_clear()
    checked.clear()
    audit(run, apps, "r.jsonl")
    assert checked() == ["pajak", "perizinan", "rusak"]
    monkeypatch.setattr(cache, "_package_digest", real)
    # Another library version installed: a miss.
    real_installed = cache._installed
    monkeypatch.setattr(
        cache,
        "_installed",
        lambda name: (
            real_installed(name) + ("; detect-secrets 9" if name == "*" else "")
        ),
    )
    cache.fingerprint.cache_clear()
    checked.clear()
    audit(run, apps, "r.jsonl")
    assert checked() == ["pajak", "perizinan", "rusak"]


def test_nothing_is_reused_with_the_cache_off(
    run, workdir: Path, checked: Judged, monkeypatch
):
    monkeypatch.setenv("SPBE_LINT_NO_CACHE", "1")
    apps = portfolio(workdir)
    audit(run, apps, "r.jsonl")
    audit(run, apps, "r.jsonl")
    assert checked() == ["pajak", "pajak", "perizinan", "perizinan", "rusak", "rusak"]


def test_the_package_digest_follows_every_file(tmp_path: Path):
    package = tmp_path / "pkg"
    (package / "sub").mkdir(parents=True)
    (package / "a.py").write_text("A = 1\n", "utf-8")
    (package / "sub" / "rules.yaml").write_text("x: 1\n", "utf-8")
    before = cache._package_digest(package)
    (package / "sub" / "rules.yaml").write_text("x: 2\n", "utf-8")
    assert cache._package_digest(package) != before
    (package / "sub" / "rules.yaml").write_text("x: 1\n", "utf-8")
    assert cache._package_digest(package) == before
    (package / "__pycache__").mkdir()
    (package / "__pycache__" / "a.cpython-311.pyc").write_bytes(b"\0")
    assert cache._package_digest(package) == before  # bytecode is not an input


def test_the_folder_digest_notices_every_change_but_times(tmp_path: Path):
    folder = tmp_path / "app"
    submission(folder)
    digest = reuse.tree_digest(folder)
    assert digest is not None and reuse.tree_digest(folder) == digest
    manifest = folder / "spbe.yaml"
    os.utime(manifest, ns=(1, 1))  # touched, same bytes: the same inputs
    assert reuse.tree_digest(folder) == digest
    changes = []
    edit(manifest, "status: production", "status: productiom")  # same size
    changes.append(reuse.tree_digest(folder))
    edit(manifest, "status: productiom", "status: production")
    assert reuse.tree_digest(folder) == digest
    (folder / "empty").write_text("", "utf-8")
    changes.append(reuse.tree_digest(folder))
    (folder / "empty").rename(folder / "kosong")
    changes.append(reuse.tree_digest(folder))
    (folder / "kosong").unlink()
    (folder / "folder").mkdir()
    changes.append(reuse.tree_digest(folder))
    (folder / "folder").rmdir()
    (folder / "link").symlink_to("spbe.yaml")
    changes.append(reuse.tree_digest(folder))
    (folder / "link").unlink()
    (folder / "link").symlink_to("LICENSE")
    changes.append(reuse.tree_digest(folder))
    assert digest not in changes and len(set(changes)) == len(changes)


def test_a_repositorys_tracked_files_are_an_input(tmp_path: Path):
    from tests.test_secrets import git

    folder = tmp_path / "repo"
    submission(folder)
    git(folder, "init", "-q")
    untracked = reuse.tree_digest(folder)
    git(folder, "add", "-A")  # the same files, now tracked: the scan reads them
    assert reuse.tree_digest(folder) != untracked


def test_no_secret_value_is_remembered(run, workdir: Path, private_cache: Path):
    folder = workdir / "apps" / "perizinan"
    submission(folder)
    write(folder, SECRET_FILES)
    found = audit(run, workdir / "apps", "r.jsonl")
    assert "SEC-012" in failing_rules(found, "perizinan")
    entries = list(private_cache.glob("application-*.json"))
    assert entries
    digests = [hashlib.sha1(v.encode()).hexdigest() for v in VALUES]
    for entry in entries:
        stored = entry.read_text("utf-8")
        unpacked = zlib.decompress(base64.b64decode(json.loads(stored)["static"]))
        assert b"spbe_lint.findings" in unpacked  # what it holds, readable
        for value in (*VALUES, *digests):
            assert value not in stored
            assert value.encode() not in unpacked  # pickled text is UTF-8


class _Evil:
    def __reduce__(self):
        return (os.system, ("touch pwned",))


def test_an_entry_that_is_not_ours_runs_nothing(
    workdir: Path, private_cache: Path, monkeypatch
):
    from spbe_lint.audit.journal import Journal

    for value in ({"findings": _Evil()}, {"findings": [Journal]}):
        raw = pickle.dumps(value)
        packed = base64.b64encode(zlib.compress(raw)).decode()
        cache.write("planted", {"static": packed}, kind="application")
        assert reuse.load("planted") is None
    assert not (workdir / "pwned").exists()
    # Only spbe-lint's value objects and plain values are rebuilt.
    for refused in (Journal, os.system, engine.evaluate, Path.unlink):
        with pytest.raises(pickle.UnpicklingError):
            cache.restricted_loads(pickle.dumps(refused))
    finding = Finding(
        rule="SEC-012",
        domain="keamanan",
        severity=Severity.ERROR,
        status=Status.FAIL,
        message=LocalText("a", "b"),
        location=Location("apps/x/.env", "/secret/abc", Span(2, 1, 2, 1)),
    )
    value = {"findings": (finding,), "day": datetime.date(2026, 12, 3)}
    assert cache.restricted_loads(pickle.dumps(value)) == value
    cache.write("planted", {"static": "not base64!"}, kind="application")
    assert reuse.load("planted") is None


@pytest.mark.skipif(sys.platform == "win32", reason="worker processes are forked")
def test_worker_processes_reuse_what_workers_remembered(
    run, workdir: Path, private_cache: Path, checked: Judged, monkeypatch
):
    """Entries written by worker processes are read back by worker processes,
    and give the records a run without any cache gives."""
    apps = portfolio(workdir)
    for i in range(14):  # enough applications for worker processes
        target = submission(apps / f"copy-{i:02d}")
        if i % 3 == 0:
            edit(target, "status: production", "status: development")
    first = audit(run, apps, "one.jsonl", "--jobs", "2")
    assert len(checked()) == 17  # every manifest, in the workers
    assert len(list(private_cache.glob("application-*.json"))) == 17
    checked.clear()
    reused = audit(run, apps, "two.jsonl", "--jobs", "2")
    assert checked() == []
    monkeypatch.setenv("SPBE_LINT_NO_CACHE", "1")
    fresh = audit(run, apps, "three.jsonl", "--jobs", "1")
    assert len(first) == 19 and first == reused == fresh
