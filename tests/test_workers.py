"""``spbe-lint check --jobs``: manifests judged in worker processes
(spbe_lint.workers) give byte for byte the one-process run's output and exit
status, and the workers really judge them. Every run is the installed command
in a process of its own: a test never forks the test runner."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from spbe_lint import workers
from spbe_lint.reporters import text
from tests.conftest import COMPLIANT, EXAMPLES
from tests.test_waivers import INLINE  # one usable inline waiver, one without a reason

SCRIPT = Path(sys.executable).with_name("spbe-lint")
COUNT = workers.MIN_FOR_WORKERS + 4
AS_OF = "2026-03-01"
# The compliant example's folder holds the others: copied without them.
OTHER_EXAMPLES = shutil.ignore_patterns("broken", "typical-first-submission", "ci")


def portfolio(folder: Path) -> None:
    """COUNT manifests that fail in different ways, some with inline waivers,
    one unreadable, named out of order (findings interleave across folders)."""
    broken = sorted(p for p in (EXAMPLES / "broken").iterdir() if p.is_dir())
    for index in range(COUNT):
        source = broken[index % len(broken)] if index % 4 else COMPLIANT.parent
        target = folder / f"app-{(index * 7) % COUNT:03d}"
        shutil.copytree(source, target, ignore=OTHER_EXAMPLES)
        if source.name == "hosting":  # its HOST-004 failure is waived inline
            manifest = target / "spbe.yaml"
            manifest.write_text(manifest.read_text("utf-8") + INLINE, "utf-8")
    (folder / "app-000" / "spbe.yaml").write_bytes(b"\xff\xfe not a manifest")


def spbe(*args: str, cwd: Path, env: dict[str, str] | None = None) -> tuple:
    done = subprocess.run(
        [str(SCRIPT), "check", ".", "--isolated", *args],
        cwd=cwd,
        env={**os.environ, "SPBE_LINT_LANG": "en", **(env or {})},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    return done.stdout, done.stderr, done.returncode


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    made = tmp_path_factory.mktemp("portfolio")
    portfolio(made)
    return made


@pytest.mark.parametrize(
    "extra",
    [
        ("--format", "concise"),
        ("--format", "github"),
        ("--as-of", AS_OF),
        ("--show", "passed,na,manual", "--as-of", AS_OF),
        (
            "-f",
            "concise",
            "-o",
            "text=report.txt",
            "--show",
            "manual",
            "--as-of",
            AS_OF,
        ),
    ],
)
def test_workers_write_what_one_process_writes(folder: Path, extra):
    one = spbe("--jobs", "1", *extra, cwd=folder)
    kept = (folder / "report.txt").read_text("utf-8") if "-o" in extra else None
    two = spbe("--jobs", "2", *extra, cwd=folder)
    assert two == one
    assert one[2] == 2 and "app-000/spbe.yaml" in one[1]  # the unreadable file
    assert one[0].count("\n") > COUNT  # something of every manifest, at least
    if kept is not None:
        assert (folder / "report.txt").read_text("utf-8") == kept
        assert "waived:" in kept  # the inline waivers applied in the workers


# Loaded by every Python process of the run (PYTHONPATH): it records which
# process judges each manifest, and may take fork away (as on macOS, Windows).
SPY = """
import multiprocessing, os, pathlib
if os.environ.get("SPY_START") == "spawn":
    multiprocessing.get_all_start_methods = lambda: ["spawn"]
from spbe_lint import workers
real = workers.judge
def judge(target, run):
    (pathlib.Path(os.environ["SPY_RECORD"]) / str(os.getpid())).touch()
    return real(target, run)
workers.judge = judge
"""


@pytest.mark.parametrize("start", ["fork", "spawn"])
def test_the_workers_judge_the_manifests(folder: Path, tmp_path: Path, start: str):
    """Each manifest is judged by a worker process, not the one writing:
    forked (Linux), or spawned (where fork does not exist: the worker loads
    the settings itself), with the same output as one process."""
    record = tmp_path / "pids"
    record.mkdir()
    (tmp_path / "sitecustomize.py").write_text(SPY, "utf-8")
    run = subprocess.Popen(
        [str(SCRIPT), "check", ".", "--isolated", "-f", "concise", "-j", "2"],
        cwd=folder,
        env={
            **os.environ,
            "SPBE_LINT_LANG": "en",
            "PYTHONPATH": str(tmp_path),
            "SPY_RECORD": str(record),
            "SPY_START": start,
        },
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    stdout, stderr = run.communicate(timeout=300)
    assert run.returncode == 2, stderr
    assert stdout == spbe("-f", "concise", "-j", "1", cwd=folder)[0]
    pids = {int(p.name) for p in record.iterdir()}
    assert len(pids) == 2 and run.pid not in pids


def test_a_short_run_or_one_job_stays_in_this_process():
    assert workers.jobs_for(0, workers.MIN_FOR_WORKERS - 1) == 0
    assert workers.jobs_for(1, 10_000) == 0
    assert workers.jobs_for(4, workers.MIN_FOR_WORKERS) == 4
    assert workers.jobs_for(64, workers.MIN_FOR_WORKERS) == workers.MIN_FOR_WORKERS
    assert workers.jobs_for(0, 10_000) in (0, *range(2, 65))


def test_a_failure_is_never_sent_counted():
    tally = text.Tally()
    tally.add_counted("pass", "", 3)
    tally.add_counted("inconclusive", "needs-probe", 2)
    assert tally.statuses == {"pass": 3, "inconclusive": 2}
    assert tally.awaiting_probe == 2
    with pytest.raises(ValueError):
        tally.add_counted("fail", "", 1)


# A manifest whose reading kills the worker process (as the out-of-memory
# killer, or a crash inside a C extension on hostile input, would): the
# process is killed with SIGKILL, in a worker only, every time it is tried.
POISON = """
import os, pathlib, signal
from spbe_lint import workers
real = workers.judge
def judge(target, run):
    if target.display.startswith("app-013/"):
        (pathlib.Path(os.environ["SPY_RECORD"]) / str(os.getpid())).touch()
        os.kill(os.getpid(), signal.SIGKILL)
    return real(target, run)
workers.judge = judge
"""


def _findings_of_others(stdout: str) -> list[str]:
    return [
        line
        for line in stdout.splitlines()
        if line.startswith("app-") and not line.startswith("app-013/")
    ]


@pytest.mark.parametrize("start", ["fork", "spawn"])
def test_a_manifest_that_kills_its_worker_is_named_and_the_run_goes_on(
    folder: Path, tmp_path: Path, start: str
):
    """The pool breaks; the manifests that were in flight are judged again one
    at a time: the one that kills its process again is reported as not
    checked (exit 2), its neighbours are not blamed, the rest still run."""
    record = tmp_path / "pids"
    record.mkdir()
    no_fork = SPY.split("from spbe_lint", maxsplit=1)[0]  # imports, and spawn
    (tmp_path / "sitecustomize.py").write_text(no_fork + POISON, "utf-8")
    poisoned = spbe(
        "-f",
        "concise",
        "-j",
        "2",
        cwd=folder,
        env={
            "PYTHONPATH": str(tmp_path),
            "SPY_RECORD": str(record),
            "SPY_START": start,
        },
    )
    clean = spbe("-f", "concise", "-j", "1", cwd=folder)
    assert poisoned[2] == 2
    assert (
        "app-013/spbe.yaml: error: the process checking it ended abruptly, twice "
        "(SIGKILL, signal 9): it needs more memory than there is, or crashes a "
        "library reading it\n"
    ) in poisoned[1]
    assert "internal error" not in poisoned[1] and "Traceback" not in poisoned[1]
    assert "app-000/spbe.yaml" in poisoned[1]  # the unreadable one, as before
    assert _findings_of_others(poisoned[0]) == _findings_of_others(clean[0])
    assert any(line.startswith("app-013/") for line in clean[0].splitlines())
    assert not any(line.startswith("app-013/") for line in poisoned[0].splitlines())
    # Killed in the pool, then again alone: two processes, neither the parent.
    assert len(list(record.iterdir())) == 2
