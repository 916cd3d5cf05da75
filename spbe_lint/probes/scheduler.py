"""The workers of a probe session and the order they take tasks in.

Each fact is one small task (a redirect chain, a TLS handshake series, one
request) on one host. Workers take tasks from the scheduler instead of a queue
in fixed order: a task whose host already has ``per_host`` tasks running stays
in the scheduler rather than holding a worker that waits for a connection lane,
so the workers go to hosts that can take a request now. A host's first task in
a submission opens its first HTTPS connection, whose TLS facts and kept-alive
connection the others reuse, so the others start once it is done. Within a
submission, tasks are taken on a diagonal (the k-th task of the h-th host ranks
h + k * spread): hosts keep joining while earlier ones reuse their connections,
instead of every handshake at the start and every version probe at the end.
Submissions are served oldest first and planned only when the ones in hand
leave a worker idle, so results complete progressively and a thousand
submissions handed over at once cost their arguments, not a thousand plans or
threads.

What a submission's tasks are is its own business (``Submission.tasks``:
``probes.session`` plans them with ``probes.plan``); the scheduler runs them and
resolves the submission's Future with what *facts* makes of it.
"""

from __future__ import annotations

import abc
import heapq
import sys
import threading
from collections import Counter, deque
from collections.abc import Callable, Sequence
from concurrent.futures import CancelledError, Future
from typing import Any


class Task:
    """One fact of one submission (or of the session: the SSO discovery) on
    one host; *key* ranks it within its submission."""

    __slots__ = ("host", "key", "queue", "run")

    def __init__(
        self,
        host: str,
        run: Callable[[], Any],
        key: int = 0,
        queue: _Queue | None = None,
    ) -> None:
        self.host = host
        self.run = run
        self.key = key
        self.queue = queue


class _Queue:
    """A submission's tasks on one host, in order. Its first task runs alone
    (``gated`` while it runs): it opens the connection the others reuse."""

    __slots__ = ("gated", "host", "index", "opened", "submission", "tasks")

    def __init__(self, submission: Submission, host: str, index: int) -> None:
        self.submission = submission
        self.host = host
        self.index = index
        self.tasks: deque[Task] = deque()
        self.opened = False
        self.gated = False

    def entry(self) -> tuple[int, int, _Queue]:
        return (self.tasks[0].key, self.index, self)


class Submission(abc.ABC):
    """One application's work as the scheduler sees it: its tasks, planned when
    the scheduler takes the submission up (``tasks``), queued per host, and
    the Future its result or its first error goes to."""

    def __init__(self) -> None:
        self.future: Future[Any] = Future()
        self.queues: list[_Queue] = []
        self.ready: list[tuple[int, int, _Queue]] = []  # heap of queues to take from
        self.unfinished = 0  # tasks planned and not finished
        self.running = 0
        self.error: BaseException | None = None

    @abc.abstractmethod
    def tasks(self) -> Sequence[tuple[str, Callable[[], Any]]]:
        """Plan the submission: its tasks as (host, run), in order."""

    def activate(self, spread: int) -> list[Task]:
        """Plan the submission's tasks (now, not when submitted: a plan holds
        the facts as they come in); its tasks, ranked on the diagonal."""
        by_host: dict[str, _Queue] = {}
        tasks = []
        for host, run in self.tasks():
            queue = by_host.get(host)
            if queue is None:
                queue = by_host[host] = _Queue(self, host, len(by_host))
                self.queues.append(queue)
            task = Task(host, run, queue.index + len(queue.tasks) * spread, queue)
            queue.tasks.append(task)
            tasks.append(task)
        self.ready = [queue.entry() for queue in self.queues]
        heapq.heapify(self.ready)
        self.unfinished = len(tasks)
        return tasks


class Scheduler:
    """The session's workers and what they take next (see the module docstring).

    Every field is guarded by ``lock`` (the condition the idle workers wait on);
    futures are resolved and connections released outside it."""

    def __init__(
        self,
        workers: int,
        per_host: int,
        progress: bool,
        *,
        facts: Callable[[Submission], Any],
        release: Callable[[str], None],
        sso: Task | None = None,
        discovery: Future[Any] | None = None,
    ) -> None:
        self.facts = facts  # a finished submission's result
        self.release = release  # close a host's idle connections
        self.sso = sso  # the session's SSO discovery, run before all others
        self.discovery = discovery  # its Future: every result waits for it
        self.workers = workers
        self.per_host = per_host
        self.spread = 2 * workers  # a host's next task about two pool rounds later
        self.window = max(16, 4 * workers)  # submissions planned at once, at most
        self.progress = progress
        self.lock = threading.Condition()
        self.waiting: deque[Submission] = deque()  # submitted, not yet planned
        self.active: list[Submission] = []  # planned, oldest first
        self.urgent: deque[Task] = deque()  # session tasks, before all others
        self.running: Counter[str] = Counter()  # tasks running, per host
        self.left: Counter[str] = Counter()  # tasks planned, not finished, per host
        self.parked: dict[str, list[_Queue]] = {}  # queues whose host is full
        self.threads: list[threading.Thread] = []
        self.busy = 0  # tasks running
        self.done = 0
        self.total = 0
        self.shown = False
        self.closing = False

    # ---- what callers do ----------------------------------------------------

    def submit(self, submission: Submission) -> None:
        with self.lock:
            if self.closing:
                raise RuntimeError("the probe session is closed")
            sso = self.sso
            if sso is not None and not self.threads:  # the first submission
                self.urgent.append(sso)
                self.left[sso.host] += 1
                self.total += 1
            self.waiting.append(submission)
            while len(self.threads) < self.workers:
                thread = threading.Thread(
                    target=self._work,
                    name=f"spbe-lint-probe-{len(self.threads)}",
                    daemon=True,  # a session never closed does not hold up exit
                )
                self.threads.append(thread)
                thread.start()
            self.lock.notify(2)

    def close(self, cancel: bool) -> None:
        pending: list[Submission] = []
        stopped: list[Submission] = []
        with self.lock:
            self.closing = True
            if cancel:
                pending = list(self.waiting)
                self.waiting.clear()
                for submission in list(self.active):
                    submission.error = submission.error or _Cancelled()
                    self._drop(submission)
                    if submission.running == 0:
                        self.active.remove(submission)
                        stopped.append(submission)
                    # else: its last running task settles it
            self.lock.notify_all()
        for submission in pending:
            submission.future.cancel()  # not started: cancelled outright
        self._settle(stopped)  # started: CancelledError from result()
        for thread in self.threads:
            if thread is not threading.current_thread():  # closed from a callback
                thread.join()
        if self.shown:
            sys.stderr.write("\n")
            sys.stderr.flush()

    # ---- what workers do ----------------------------------------------------

    def _work(self) -> None:
        while True:
            settled: list[Submission] = []
            with self.lock:
                while True:
                    task, found = self._next()
                    settled += found
                    if task is not None or settled:
                        break
                    if self.closing and self._idle():
                        self.lock.notify_all()
                        return
                    self.lock.wait()
                if task is not None:
                    self.running[task.host] += 1
                    self.busy += 1
                    if task.queue is not None:
                        task.queue.submission.running += 1
                    if self._more():
                        self.lock.notify()  # a task is left for an idle worker
            # futures are resolved outside the lock: their callbacks are the
            # caller's code, which may submit again
            self._settle(settled)
            if task is not None:
                self._execute(task)

    def _execute(self, task: Task) -> None:
        value: Any = None
        error: BaseException | None = None
        try:
            value = task.run()
        except BaseException as exc:  # a bug in a collector is a bug: the future
            error = exc
        with self.lock:
            released, settled, woken = self._finish(task, error)
            if woken:
                self.lock.notify(woken)
            if self.closing and self._idle():
                self.lock.notify_all()
            self._report()
        for host in released:
            self.release(host)
        if task.queue is None:  # the session's SSO discovery
            future = self.discovery
            assert future is not None
            if error is None:
                future.set_result(value)
            else:
                future.set_exception(error)
        self._settle(settled)

    def _idle(self) -> bool:
        return not (self.waiting or self.active or self.urgent or self.busy)

    def _more(self) -> bool:
        return bool(self.urgent or self.waiting or any(s.ready for s in self.active))

    def _next(self) -> tuple[Task | None, list[Submission]]:
        """The task to run next, and submissions found to have nothing to run."""
        settled: list[Submission] = []
        for index, task in enumerate(self.urgent):
            if self.running[task.host] < self.per_host:
                del self.urgent[index]
                return task, settled
        for submission in self.active:
            task = self._take(submission)
            if task is not None:
                return task, settled
        while self.waiting and len(self.active) < self.window:
            submission = self.waiting.popleft()
            if not submission.future.set_running_or_notify_cancel():
                continue  # the caller cancelled it
            try:
                tasks = submission.activate(self.spread)
            except BaseException as exc:  # a bug in planning reaches the future
                submission.error = exc
                settled.append(submission)
                continue
            for task in tasks:
                self.left[task.host] += 1
            self.total += len(tasks)
            if not tasks:
                settled.append(submission)  # nothing to probe (all refused)
                continue
            self.active.append(submission)
            task = self._take(submission)
            if task is not None:
                return task, settled
        return None, settled

    def _take(self, submission: Submission) -> Task | None:
        ready = submission.ready
        while ready:
            queue = heapq.heappop(ready)[2]
            if self.running[queue.host] >= self.per_host:
                self.parked.setdefault(queue.host, []).append(queue)
                continue
            task = queue.tasks.popleft()
            if not queue.opened:
                queue.opened = queue.gated = True
            elif queue.tasks:
                heapq.heappush(ready, queue.entry())
            return task
        return None

    def _finish(
        self, task: Task, error: BaseException | None
    ) -> tuple[list[str], list[Submission], int]:
        """Account for a finished task: hosts now without tasks (to release),
        submissions now finished, and how many queues became ready."""
        released: list[str] = []
        settled: list[Submission] = []
        woken = 0
        self.busy -= 1
        self.done += 1
        self.running[task.host] -= 1
        for queue in self.parked.pop(task.host, ()):
            if queue.tasks and not queue.gated:
                heapq.heappush(queue.submission.ready, queue.entry())
                woken += 1
        self._left(task.host, 1, released)
        queue = task.queue
        if queue is None:
            return released, settled, woken
        submission = queue.submission
        submission.running -= 1
        submission.unfinished -= 1
        if error is not None and submission.error is None:
            submission.error = error
            released += self._drop(submission)
        elif queue.gated:
            queue.gated = False
            if queue.tasks:
                heapq.heappush(submission.ready, queue.entry())
                woken += 1
        if submission.unfinished == 0:
            self.active.remove(submission)
            settled.append(submission)
        return released, settled, woken

    def _drop(self, submission: Submission) -> list[str]:
        """Forget a failed or cancelled submission's tasks not yet started."""
        released: list[str] = []
        for queue in submission.queues:
            if queue.tasks:
                submission.unfinished -= len(queue.tasks)
                self._left(queue.host, len(queue.tasks), released)
                queue.tasks.clear()
        submission.ready.clear()
        return released

    def _left(self, host: str, count: int, released: list[str]) -> None:
        self.left[host] -= count
        if self.left[host] <= 0:
            del self.left[host]
            # no task of the submissions in hand needs the host again: its idle
            # kept-alive connections are closed (a long session does not hold
            # two idle connections to every host it has seen)
            released.append(host)

    def _settle(self, settled: list[Submission]) -> None:
        """Resolve finished submissions' futures (after the shared discovery)."""
        while settled:
            submission = settled.pop()
            discovery = self.discovery
            if submission.error is not None:
                _fail(submission, submission.error)
            elif discovery is None or discovery.done():
                self._resolve(submission)
            else:
                discovery.add_done_callback(
                    lambda _, submission=submission: self._resolve(submission)
                )

    def _resolve(self, submission: Submission) -> None:
        try:
            facts = self.facts(submission)
        except BaseException as exc:  # the discovery's error, or a bug
            _fail(submission, exc)
        else:
            submission.future.set_result(facts)

    def _report(self) -> None:
        if self.progress and self.total:
            sys.stderr.write(f"\rspbe-lint probe: {self.done}/{self.total} checks")
            sys.stderr.flush()
            self.shown = True


class _Cancelled(Exception):
    """The session closed on an error before the submission was done."""


def _fail(submission: Submission, error: BaseException) -> None:
    if isinstance(error, _Cancelled):
        error = CancelledError("the probe session closed before it was done")
    submission.future.set_exception(error)
