"""Work spread over worker processes: results in order, a crashed worker contained.

``check --jobs`` and ``audit --jobs`` both hand one item (a manifest, an
application) at a time to a pool of processes, keep a bounded number in
flight, and take the results back in the items' order. When a worker dies
instead of answering (the kernel's out-of-memory killer, a crash inside a C
extension on a hostile submission), ``concurrent.futures`` marks every
unfinished item broken and the pool is done for. One submission must not
take a whole run down with it, nor be blamed for its neighbours: the items
that were in flight are run again one at a time, each in a process of its own.
The ones that end their process again come back as ``WorkerCrashed`` (with the
signal); the others' results are kept; the rest of the run goes on in a new
pool.
"""

from __future__ import annotations

import signal
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future
from typing import Any, Protocol, TypeVar

from spbe_lint.i18n import LocalText

Item = TypeVar("Item")


class Submitter(Protocol):
    def submit(self, fn: Callable[..., Any], /, *args: Any) -> Future[Any]: ...


class WorkerCrashed(Exception):
    """The process working on an item ended without an answer, twice: the
    second time alone, so the item is the cause (or it needs more memory than
    the machine gives)."""

    def __init__(self, exitcode: int | None) -> None:
        self.exitcode = exitcode
        super().__init__(self.describe("en"))

    def message(self) -> LocalText:
        """What a report says of the item instead of its results."""
        return LocalText(self.describe("id"), self.describe("en"))

    def describe(self, lang: str) -> str:
        if lang == "en":
            how = _how(self.exitcode, "signal")
            return (
                f"the process checking it ended abruptly, twice ({how}): "
                "it needs more memory than there is, or crashes a library reading it"
            )
        how = _how(self.exitcode, "sinyal")
        return (
            f"proses yang memeriksanya berhenti mendadak, dua kali ({how}): "
            "butuh memori melebihi yang tersedia, atau membuat pustaka pembacanya gagal"
        )


def _how(exitcode: int | None, word: str) -> str:
    if exitcode is not None and exitcode < 0:
        try:
            return f"{signal.Signals(-exitcode).name}, {word} {-exitcode}"
        except ValueError:
            return f"{word} {-exitcode}"
    return f"exit {exitcode}"


def ordered(
    items: Iterable[Item],
    submit: Callable[[Submitter, Item], Future[Any]],
    *,
    jobs: int,
    ahead: int,
    context: Any,
    initializer: Callable[..., None],
    initargs: tuple[Any, ...],
    restart: tuple[Any, tuple[Any, ...]] | None = None,
) -> Iterator[tuple[Item, Future[Any]]]:
    """Each of *items* with its finished future, in order. *submit* gives an
    item's future from a pool (it may return one already done); at most
    *ahead* x *jobs* items are in flight. A future holds the worker's result
    or exception, or ``WorkerCrashed`` for an item whose process died twice.
    *restart*: the (context, initargs) processes are started with once the
    first pool broke, when they differ (a caller whose threads run by then
    must not fork)."""
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    upcoming = iter(items)

    def given(pool: Submitter, item: Item) -> Future[Any]:
        try:
            return submit(pool, item)
        except BrokenProcessPool as exc:  # broken since the last result: alone
            future: Future[Any] = Future()
            future.set_exception(exc)
            return future

    while True:
        queue: deque[tuple[Item, Future[Any]]] = deque()
        broken = False
        with ProcessPoolExecutor(
            max_workers=jobs,
            mp_context=context,
            initializer=initializer,
            initargs=initargs,
        ) as pool:
            for item in upcoming:
                queue.append((item, given(pool, item)))
                if len(queue) >= ahead * jobs:
                    break
            while queue:
                item, future = queue[0]
                if isinstance(future.exception(), BrokenProcessPool):
                    broken = True
                    break
                queue.popleft()
                following = next(upcoming, None)
                if following is not None:
                    queue.append((following, given(pool, following)))
                yield item, future
        if not broken:
            return
        if restart is not None:
            context, initargs = restart
        alone = _Alone(context, initializer, initargs)
        for item, future in queue:
            if not isinstance(future.exception(), BrokenProcessPool):
                yield item, future  # finished before the pool broke
            else:
                yield item, submit(alone, item)


class _Alone:
    """A pool of one process per item, run to the end before ``submit``
    returns: a process that dies is this item's doing, and its exit status is
    known."""

    def __init__(
        self, context: Any, initializer: Callable[..., None], initargs: tuple[Any, ...]
    ) -> None:
        self._context = context
        self._initializer = initializer
        self._initargs = initargs

    def submit(self, fn: Callable[..., Any], /, *args: Any) -> Future[Any]:
        receiving, sending = self._context.Pipe(duplex=False)
        process = self._context.Process(
            target=_run_alone,
            args=(sending, self._initializer, self._initargs, fn, args),
            daemon=True,
        )
        process.start()
        sending.close()  # else reading below never sees the end of the pipe
        future: Future[Any] = Future()
        try:
            succeeded, value = receiving.recv()
        except EOFError:  # the process died before answering
            process.join()
            future.set_exception(WorkerCrashed(process.exitcode))
        else:
            process.join()
            if succeeded:
                future.set_result(value)
            else:
                future.set_exception(value)
        finally:
            receiving.close()
        return future


def _run_alone(
    sending: Any,
    initializer: Callable[..., None],
    initargs: tuple[Any, ...],
    fn: Callable[..., Any],
    args: tuple[Any, ...],
) -> None:
    try:
        initializer(*initargs)
        answer: tuple[bool, Any] = (True, fn(*args))
    except Exception as exc:  # the pool's worker would have sent it back too
        answer = (False, exc)
    sending.send(answer)
    sending.close()
