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
