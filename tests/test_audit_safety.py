"""Nothing is lost or overwritten unasked, in the city-wide audit (issue 13):
a results file that holds results is never emptied without --resume or
--force, a second audit on a results file being written is refused (an OS
lock), and killing the audit leaves no worker process behind. The processes
are real: the installed command, killed with real signals."""

from __future__ import annotations

import fcntl
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.conftest import COMPLIANT
from tests.test_audit import apps_of, portfolio, records
from tests.test_processes import ENV, SCRIPT


def many(root: Path, count: int) -> Path:
    """*count* application folders, each with the compliant example's manifest
    (its documents missing: findings, which is what an audit is for)."""
    apps = root / "apps"
    for index in range(count):
        folder = apps / f"app-{index:04d}"
        folder.mkdir(parents=True)
        shutil.copy(COMPLIANT, folder / "spbe.yaml")
    return apps


def start(*args: str, cwd: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [str(SCRIPT), *args],
        cwd=cwd,
        env={**ENV, "SPBE_LINT_LANG": "en"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def children(pid: int) -> list[int]:
    """The processes whose parent is *pid* (Linux /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # ended meanwhile
        if int(fields[1]) == pid:
            found.append(int(entry.name))
    return found


def alive(pid: int) -> bool:
    """Running (a zombie waiting for its reaper has ended)."""
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1]
    except OSError:
        return False
    return state.split()[0] != "Z"


def wait_for(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def test_an_audit_never_empties_a_results_file_unasked(run, workdir: Path):
    apps = portfolio(workdir)
    first = run("audit", str(apps), "--lang", "en")
    assert first.status == 1
    before = (workdir / "spbe-audit.jsonl").read_bytes()
    again = run("audit", str(apps), "--lang", "en")
    assert (again.status, again.stdout) == (2, "")
    assert again.stderr == (
        "spbe-audit.jsonl: the results file already holds results; use --resume to "
        "carry on, or --force to start again (its results are lost)\n"
    )
    assert (workdir / "spbe-audit.jsonl").read_bytes() == before
    # --resume keeps it and carries on; an empty file is simply used.
    resumed = run("audit", str(apps), "--resume", "--lang", "en")
    assert resumed.status == 1 and "4 already recorded" in resumed.stdout
    (workdir / "empty.jsonl").write_bytes(b"")
    fresh = run("audit", str(apps), "--results", "empty.jsonl", "--lang", "en")
    assert fresh.status == 1
    assert len(apps_of(workdir / "empty.jsonl")) == 4


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc")
def test_a_second_audit_on_the_same_results_file_is_refused(workdir: Path):
    apps = many(workdir, 300)  # long enough for a second audit to start meanwhile
    first = start("audit", str(apps), "--jobs", "2", cwd=workdir)
    results = workdir / "spbe-audit.jsonl"
    try:
        # The lock is taken before the run's first line is written.
        assert wait_for(lambda: results.exists() and results.stat().st_size, 60)
        second = subprocess.run(
            [str(SCRIPT), "audit", str(apps), "--resume"],
            cwd=workdir,
            env={**ENV, "SPBE_LINT_LANG": "en"},
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert first.poll() is None, "the first audit ended too soon to test"
        assert (second.returncode, second.stdout) == (2, "")
        assert second.stderr == (
            "spbe-audit.jsonl: another audit is writing this results file (it is "
            "locked); wait for it to finish or use another --results\n"
        )
        _, err = first.communicate(timeout=300)
    finally:
        if first.poll() is None:
            first.kill()
            first.communicate()
    assert first.returncode == 0, err  # the copies of the example all pass
    # The first audit's results are whole: one run line, every application once.
    found = records(results)
    assert [r["kind"] for r in found].count("run") == 1
    assert len(apps_of(results)) == len(found) - 1 == 300


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc")
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_workers_end_with_a_killed_audit(workdir: Path, sig: signal.Signals):
    apps = many(workdir, 200)
    audit = start("audit", str(apps), "--jobs", "2", cwd=workdir)
    workers: list[int] = []
    try:
        assert wait_for(lambda: len(children(audit.pid)) >= 2, 60), (
            "no worker processes appeared"
        )
        workers += children(audit.pid)
        assert audit.poll() is None, "the audit ended too soon to test"
        os.kill(audit.pid, sig)
        audit.communicate(timeout=30)
        assert wait_for(lambda: not any(alive(w) for w in workers), 5), [
            w for w in workers if alive(w)
        ]
    finally:
        if audit.poll() is None:
            audit.kill()
            audit.communicate()
        for worker in workers:  # a failed test leaves no process behind
            if alive(worker):
                os.kill(worker, signal.SIGKILL)
    # Its lock ended with it and its workers: the results file is free again.
    with (workdir / "spbe-audit.jsonl").open("a") as stream:
        fcntl.flock(stream.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)


_ORPHAN = """
import os, sys, time
from spbe_lint.audit import lifeline
lifeline._death_signal = lambda: None  # only the portable watchdog is left
parent = os.getpid()
child = os.fork()
if child == 0:
    lifeline.bind(parent)
    time.sleep(60)
    os._exit(0)
print(child, flush=True)
time.sleep(60)
"""


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_the_portable_watchdog_ends_an_orphaned_worker():
    """Where PR_SET_PDEATHSIG does not exist, the watchdog notices the parent
    is gone (the worker was handed to another parent) and ends the worker."""
    import sys

    parent = subprocess.Popen(
        [sys.executable, "-c", _ORPHAN], stdout=subprocess.PIPE, text=True
    )
    assert parent.stdout is not None
    with parent.stdout:
        worker = int(parent.stdout.readline())
    try:
        assert alive(worker)
        parent.kill()
        parent.wait(timeout=10)
        assert wait_for(lambda: not alive(worker), 5)
    finally:
        if alive(worker):
            os.kill(worker, signal.SIGKILL)


# In every process of the audit (PYTHONPATH): checking app-0007 kills the
# process doing it, as the out-of-memory killer or a crash inside a C
# extension on a hostile submission would. Only workers check applications.
_POISON = """
import os, pathlib, signal
from spbe_lint.audit import runner
real = runner.static_part
def static_part(context, application, *args, **kwargs):
    if application.id == "app-0007":
        (pathlib.Path(os.environ["SPY_RECORD"]) / str(os.getpid())).touch()
        os.kill(os.getpid(), signal.SIGKILL)
    return real(context, application, *args, **kwargs)
runner.static_part = static_part
"""


def test_an_application_that_kills_its_worker_is_broken_and_the_audit_goes_on(
    workdir: Path, tmp_path: Path
):
    apps = many(workdir, 24)
    record = tmp_path / "pids"
    record.mkdir()
    spy = tmp_path / "spy"
    spy.mkdir()
    (spy / "sitecustomize.py").write_text(_POISON, "utf-8")
    done = subprocess.run(
        [str(SCRIPT), "audit", str(apps), "--jobs", "2"],
        cwd=workdir,
        env={
            **ENV,
            "SPBE_LINT_LANG": "en",
            "PYTHONPATH": str(spy),
            "SPY_RECORD": str(record),
        },
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr
    assert done.returncode == 1, done.stderr  # a submission could not be checked
    found = apps_of(workdir / "spbe-audit.jsonl")
    assert len(found) == 24
    crashed = found.pop("app-0007")
    assert crashed["state"] == "broken" and crashed["internal_error"] is None
    assert crashed["problem"]["message"]["en"] == (
        "the process checking it ended abruptly, twice (SIGKILL, signal 9): it "
        "needs more memory than there is, or crashes a library reading it"
    )
    # Its neighbours in flight when the pool broke were checked again, alone.
    assert {r["state"] for r in found.values()} == {"checked"}
    assert len(list(record.iterdir())) == 2  # killed in the pool, then alone
    # Without the poison, --resume checks it again (and only it).
    again = subprocess.run(
        [str(SCRIPT), "audit", str(apps), "--jobs", "2", "--resume"],
        cwd=workdir,
        env={**ENV, "SPBE_LINT_LANG": "en"},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert again.returncode == 0, again.stderr
    assert apps_of(workdir / "spbe-audit.jsonl")["app-0007"]["state"] == "checked"
