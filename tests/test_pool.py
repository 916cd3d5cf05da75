"""spbe_lint.pool: results in the items' order, whatever crashes. Generated
runs (Hypothesis) kill the worker process on chosen items, raise on others:
every item comes back once, in order, with its own result, its own exception,
or WorkerCrashed with the signal, and never a neighbour's fate. Each run is a
Python process of its own: the test runner is never forked."""

from __future__ import annotations

import json
import subprocess
import sys

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

RUN = """
import json, os, signal, sys
from multiprocessing import get_context
from spbe_lint import pool

poison = set(json.loads(sys.argv[1]))
count, jobs, ahead = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])

def work(n):
    if n in poison:
        os.kill(os.getpid(), signal.SIGKILL)
    if n % 7 == 3:
        raise ValueError(f"bad {n}")
    return n * n

def start():
    pass

out = []
for item, future in pool.ordered(
    range(count),
    lambda workers, n: workers.submit(work, n),
    jobs=jobs,
    ahead=ahead,
    context=get_context("fork"),
    initializer=start,
    initargs=(),
):
    try:
        out.append([item, "ok", future.result()])
    except pool.WorkerCrashed as crash:
        out.append([item, "crashed", crash.exitcode])
    except ValueError as exc:
        out.append([item, "error", str(exc)])
print(json.dumps(out))
"""


def expected(count: int, poison: set[int]) -> list[list]:
    return [
        [n, "crashed", -9]
        if n in poison
        else [n, "error", f"bad {n}"]
        if n % 7 == 3
        else [n, "ok", n * n]
        for n in range(count)
    ]


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    count=st.integers(0, 24),
    poison=st.sets(st.integers(0, 23), max_size=4),
    jobs=st.integers(1, 3),
    ahead=st.integers(1, 3),
)
def test_every_item_comes_back_in_order_with_its_own_fate(
    count: int, poison: set[int], jobs: int, ahead: int
):
    poison = {n for n in poison if n < count}
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            RUN,
            json.dumps(sorted(poison)),
            str(count),
            str(jobs),
            str(ahead),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == expected(count, poison)


RESTART = """
import json, os, signal, sys
from multiprocessing import get_context
from spbe_lint import pool

def work(n):
    if n == 3:
        os.kill(os.getpid(), signal.SIGKILL)
    return [n * n, sys.modules["__main__"].__name__]

def start(tag):
    assert tag == "args for processes started anew"

if __name__ == "__main__":
    out = []
    for item, future in pool.ordered(
        range(12),
        lambda workers, n: workers.submit(work, n),
        jobs=2,
        ahead=1,
        context=get_context("fork"),
        initializer=start,
        initargs=("args for processes started anew",),
        restart=(get_context("spawn"), ("args for processes started anew",)),
    ):
        try:
            out.append(future.result())
        except pool.WorkerCrashed as crash:
            out.append(crash.exitcode)
    print(json.dumps(out))
"""


def test_processes_started_after_a_crash_use_the_restart_context(tmp_path):
    """A caller whose threads run by the time a pool breaks (audit --probe)
    has the processes started after it spawned, not forked: a forked child
    of a threaded process may hang on a lock another thread held."""
    script = tmp_path / "restart.py"  # spawn imports the main module by path
    script.write_text(RESTART, "utf-8")
    done = subprocess.run(
        [sys.executable, str(script)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out[3] == -9
    results = [r for i, r in enumerate(out) if i != 3]
    assert [r[0] for r in results] == [n * n for n in range(12) if n != 3]
    makers = {r[1] for r in results}
    assert "__mp_main__" in makers  # spawned after the crash (forked: "__main__")
    assert results[-1][1] == "__mp_main__"
