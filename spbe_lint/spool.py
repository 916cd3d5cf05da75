"""A run's findings and inputs kept out of memory, for the whole-report formats.

JSON, SARIF and JUnit (and Markdown, HTML, or any format with a waiver file, a
baseline or a signature) render the whole report: every finding of every
manifest, sorted, with counts over all of them. Held as objects, that is about
130 KiB a manifest (1.3 GiB for 10,000). Here each manifest's findings, once
checked, go as a block to an unnamed temporary file (``tempfile.TemporaryFile``:
unlinked at once, nothing left behind on a crash) and the report reads them
back when it renders, as many times as it needs, a block at a time.

Small runs stay in memory: blocks are held as they are until ``LIMIT``
findings, and a run that never passes it gives a plain tuple, as before.

Order. A report's findings are sorted by ``Finding.sort_key`` (stable: equal
keys keep the order they were found in). Each manifest's block is sorted on
arrival; blocks that arrive in order (a folder walked in order) extend one
sorted segment, and a block that sorts before the last starts a new one. The
segments are merged on reading (``heapq.merge``, stable across segments in
arrival order), which gives exactly ``sorted(all, key=Finding.sort_key)``.
Past ``MAX_SEGMENTS`` (manifests named in an order that is not the report's)
the segments so far are merged into one, so a read never holds more than that
many blocks.

Reading back. The file is ours and unlinked, but it is read with the cache's
restricted unpickler (``cache.restricted_unpickler``): only spbe-lint's
frozen value classes and plain values are rebuilt, so a tampered block is an
error, never code run. A block holds about a thousand findings (some
manifests' worth): one pickle of many shares their rules' references and
reads back in half the time of one a manifest.
"""

from __future__ import annotations

import gc
import heapq
import itertools
import os
import weakref
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import replace
from typing import IO, Any

from spbe_lint.findings import Finding, Severity, Status, number_occurrences

LIMIT = 8192  # findings (or inputs) held in memory before the spool moves to a file
INPUTS = 256  # inputs held in memory before they move to a file
MAX_SEGMENTS = 16  # sorted segments kept apart before they are merged into one
# Findings a block holds (some 17 manifests): a pickle of many shares its
# references, enumerations and strings, and reads back in half the time.
_BLOCK = 1024
KIND = "spool"  # what cache.restricted_loads allows: value classes, plain values


class SpoolError(Exception):
    """A block read back is not what was written (the file was tampered with)."""


class _File:
    """Pickled blocks in an unnamed temporary file, read back by offset."""

    def __init__(self) -> None:
        import tempfile  # only for a long run: never on the hook path

        # Unbuffered: every block is written whole, and read with pread.
        self.stream: IO[bytes] = tempfile.TemporaryFile(buffering=0)  # noqa: SIM115
        # Closed when the last report reading it is let go (or at exit).
        weakref.finalize(self, self.stream.close)
        self.end = 0

    def put(self, items: Sequence[Any]) -> tuple[int, int]:
        import pickle

        data = pickle.dumps(list(items), protocol=pickle.HIGHEST_PROTOCOL)
        where = (self.end, len(data))
        written = 0
        while written < len(data):
            written += self.stream.write(memoryview(data)[written:]) or 0
        self.end += len(data)
        return where

    def get(self, where: tuple[int, int]) -> list[Any]:
        import io
        import pickle

        from spbe_lint import cache

        offset, size = where
        data = os.pread(self.stream.fileno(), size, offset)
        reader = cache.restricted_unpickler(KIND)(io.BytesIO(data))
        # A block's thousand findings are made at once and hold no cycle: the
        # collector, run by their allocations, would walk them for nothing.
        collecting = gc.isenabled()
        gc.disable()
        try:
            items = reader.load()
        except (pickle.UnpicklingError, EOFError, ValueError, IndexError) as exc:
            raise SpoolError(f"spool block at {offset}: {exc}") from None
        finally:
            if collecting:
                gc.enable()
        if not isinstance(items, list):
            raise SpoolError(f"spool block at {offset}: not a list")
        return items


# A block: its items in memory (a tuple), or where they are in the file.
Block = tuple[Any, ...] | tuple[int, int]


class _Blocks:
    """Blocks held in memory up to LIMIT items, then all in one file."""

    def __init__(self, file: _File | None = None, limit: int | None = None) -> None:
        self.file = file
        self.limit = limit  # None: LIMIT, as it is when the block is added
        self.held: list[list[Any]] = []  # the lists of blocks that are in memory
        self.in_memory = 0
        self.count = 0

    def block(self, items: Sequence[Any], owner: list[Any]) -> None:
        """Add a block of *items* at the end of *owner* (a list of blocks)."""
        self.count += len(items)
        if self.file is not None:
            owner.append(_Stored(self.file.put(items)))
            return
        owner.append(tuple(items))
        if not any(held is owner for held in self.held):
            self.held.append(owner)
        self.in_memory += len(items)
        if self.in_memory > (LIMIT if self.limit is None else self.limit):
            self.file = _File()
            for blocks in self.held:
                for index, kept in enumerate(blocks):
                    if isinstance(kept, tuple):
                        blocks[index] = _Stored(self.file.put(kept))
            self.held = []
            self.in_memory = 0

    def read(self, blocks: Iterable[Any]) -> Iterator[Any]:
        # Chained in C: a generator's frame for each of a million items costs
        # more than reading them back.
        return itertools.chain.from_iterable(map(self._load, blocks))

    def _load(self, kept: Any) -> Sequence[Any]:
        if isinstance(kept, _Stored):
            assert self.file is not None
            return self.file.get(kept.where)
        return kept  # type: ignore[no-any-return]


class _Stored:
    """Where a block is in the file: (offset, size)."""

    __slots__ = ("where",)

    def __init__(self, where: tuple[int, int]) -> None:
        self.where = where


class Tally:
    """What a report counts over its findings, counted as they are spooled."""

    def __init__(self) -> None:
        self.statuses: Counter[str] = Counter()
        self.failures = 0  # failures that count (not waived)
        self.waived = 0
        self.severities: Counter[str] = Counter()  # of failures
        self.domains: Counter[str] = Counter()  # of failures
        self.worst: Severity | None = None  # the highest severity among failures

    def add(self, finding: Finding) -> None:
        self.statuses[finding.status.value] += 1
        if finding.status is not Status.FAIL:
            return
        if finding.waiver is not None:
            self.waived += 1
            return
        self.failures += 1
        self.severities[finding.severity.label] += 1
        self.domains[finding.domain] += 1
        if self.worst is None or finding.severity > self.worst:
            self.worst = finding.severity


class Findings:
    """Sorted runs of findings (see the module): ``add`` each manifest's,
    then ``view`` them as the report's sequence."""

    def __init__(self, blocks: _Blocks | None = None) -> None:
        self.blocks = blocks or _Blocks()
        self.segments: list[list[Any]] = []
        self.pending: list[Finding] = []  # the last segment's next block
        self.last: tuple[Any, ...] | None = None
        self.tally = Tally()
        # The paths of the runs so far: a run is numbered as it comes, and
        # only a path in two runs needs the whole report numbered again.
        self.seen: set[str] = set()
        self.apart = False

    def add(self, findings: Iterable[Finding]) -> None:
        """One run: sorted and numbered here (stable), then put after the runs
        before it."""
        run = number_occurrences(findings)
        if not run:
            return
        paths = {finding.location.path for finding in run}
        if not self.apart and not self.seen.isdisjoint(paths):
            self.apart = True  # a path in two runs: numbered again when read
        self.seen |= paths
        for finding in run:
            self.tally.add(finding)
        first = run[0].sort_key()
        if self.last is None or first < self.last:
            self._flush()
            if len(self.segments) >= MAX_SEGMENTS:
                self._compact()
            self.segments.append([])
        self.pending += run
        self.last = run[-1].sort_key()
        if len(self.pending) >= _BLOCK:
            self._flush()

    def _flush(self) -> None:
        if self.pending:
            self.blocks.block(self.pending, self.segments[-1])
            self.pending = []

    def _compact(self) -> None:
        """Merge every segment so far into one (runs named out of order)."""
        merged = self.merged()
        segment: list[Any] = []
        old, self.segments = self.segments, [segment]
        for chunk in parts(merged):
            self.blocks.count -= len(chunk)  # counted when first added
            self.blocks.block(chunk, segment)
        del old

    def merged(self) -> Iterator[Finding]:
        """Every finding in the report's order (sorted, stable)."""
        self._flush()
        if len(self.segments) == 1:
            return self.blocks.read(self.segments[0])
        return heapq.merge(
            *(self.blocks.read(s) for s in self.segments), key=Finding.sort_key
        )

    def ordered(self) -> Iterator[Finding]:
        """Every finding, sorted and numbered (``number_occurrences``)."""
        return numbered(self.merged()) if self.apart else self.merged()

    def sequence(self) -> Sequence[Finding]:
        """The report's findings, sorted and numbered (``number_occurrences``):
        a tuple when they were all held, else read back on each use."""
        self._flush()
        if self.blocks.file is None:
            return tuple(self.ordered())
        return View(self.ordered, self.blocks.count, self.tally, self)


def parts(findings: Iterable[Finding], size: int = _BLOCK) -> Iterator[list[Finding]]:
    """*findings* a list of at most *size* at a time."""
    iterator = iter(findings)
    while part := list(itertools.islice(iterator, size)):
        yield part


def numbered(findings: Iterable[Finding]) -> Iterator[Finding]:
    """``findings.number_occurrences`` over findings already sorted: repeats of
    one rule at one place numbered, counting afresh at each path (a place is
    in one path, and sorted findings hold each path's together)."""
    seen: Counter[tuple[str, str]] = Counter()
    path = None
    for finding in findings:
        location = finding.location
        if location.path != path:
            path = location.path
            seen.clear()
        place = (finding.rule, location.pointer)
        count = seen[place]
        seen[place] += 1
        yield replace(finding, occurrence=count) if count else finding


class _Group:
    """One path's findings, read back from their blocks on each iteration."""

    def __init__(self, blocks: _Blocks, owner: list[Any]) -> None:
        self.blocks = blocks
        self.owner = owner

    def __iter__(self) -> Iterator[Finding]:
        return self.blocks.read(self.owner)


def by_path(findings: Iterable[Finding]) -> dict[str, Iterable[Finding]]:
    """*findings* by their path, each path's in the order they come, kept in
    blocks (a temporary file past LIMIT): a report in JUnit's order (by
    manifest as read) without every finding held at once."""
    blocks = _Blocks()
    groups: dict[str, list[Any]] = {}
    path: str | None = None
    run: list[Finding] = []
    for finding in findings:
        if finding.location.path != path or len(run) >= _BLOCK:
            if run:
                blocks.block(run, groups.setdefault(run[0].location.path, []))
            path, run = finding.location.path, []
        run.append(finding)
    if run:
        blocks.block(run, groups.setdefault(run[0].location.path, []))
    return {key: _Group(blocks, owner) for key, owner in groups.items()}


class Inputs:
    """Items kept in the order they come (a run's InputFiles), in blocks."""

    BLOCK = 64

    def __init__(self, blocks: _Blocks | None = None) -> None:
        # An input holds every value its manifest declares (InputFile.declarations,
        # some 30 KiB): held up to INPUTS of them.
        self.blocks = blocks or _Blocks(limit=INPUTS)
        self.stored: list[Any] = []
        self.pending: list[Any] = []

    def add(self, item: Any) -> None:
        self.pending.append(item)
        if len(self.pending) >= self.BLOCK:
            self.flush()

    def flush(self) -> None:
        if self.pending:
            self.blocks.block(self.pending, self.stored)
            self.pending = []

    def read(self) -> Iterator[Any]:
        return itertools.chain(self.blocks.read(self.stored), tuple(self.pending))

    def sequence(self) -> Sequence[Any]:
        """A tuple when they were all held, else read back on each use."""
        self.flush()
        if self.blocks.file is None:
            return tuple(self.read())
        return View(self.read, self.blocks.count, owner=self)


class View(Sequence[Any]):
    """A sequence read back from a spool each time it is iterated: what a
    Report holds as ``findings`` (or ``inputs``) when the run was long."""

    def __init__(
        self,
        produce: Callable[[], Iterator[Any]],
        length: int,
        tally: Tally | None = None,
        owner: Any = None,
    ) -> None:
        self._produce = produce
        self._length = length
        self.tally = tally
        self._owner = owner  # keeps the spool (and its file) alive with the view

    def __iter__(self) -> Iterator[Any]:
        return self._produce()

    def __len__(self) -> int:
        return self._length

    def __bool__(self) -> bool:
        return self._length > 0

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return tuple(self)[index]
        if index < 0:
            index += self._length
        if not 0 <= index < self._length:
            raise IndexError(index)
        return next(itertools.islice(iter(self), index, None))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence) or len(other) != self._length:
            return False
        return all(a == b for a, b in zip(self, other, strict=True))

    __hash__ = None  # type: ignore[assignment]  # like a list

    def __repr__(self) -> str:
        return f"<spooled sequence of {self._length}>"

    def where(self, keep: Callable[[Any], bool], length: int) -> View:
        """The items that *keep* keeps (*length* of them), read back on use."""
        return View(lambda: filter(keep, self._produce()), length, owner=self)
