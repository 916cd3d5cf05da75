"""The audit's results file: JSON Lines, appended one application at a time.

Each line is written and flushed as its application finishes, so an
interrupted run loses at most the applications in flight. ``--resume`` reads
what is there (a torn last line from an interruption is cut off first) and
skips the applications already recorded with the same input hashes, rule-pack
version and run key. Later lines win over earlier ones for the same
application, so several runs (or shards) can be concatenated.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import IO, Any

from spbe_lint import writing
from spbe_lint.audit.record import FORMAT
from spbe_lint.errors import InputError
from spbe_lint.i18n import LocalText
from spbe_lint.reading import NotRegularFile as NotRegular


class Journal:
    """The results file of one run, open for appending."""

    def __init__(self, path: Path, *, resume: bool, force: bool = False) -> None:
        self.path = path
        # application id -> (input hash, rule-pack version, run key) recorded
        self.recorded: dict[str, tuple[str | None, str | None, str | None]] = {}
        self.header: dict[str, Any] | None = None
        # Locked before anything is read or cut: a second audit is refused.
        self._stream: IO[str] = writing.open_results(path, keep=resume, replace=force)
        if resume:
            try:
                # Read (and so validate) first: a file that is not a results
                # file is refused before a byte of it is cut.
                for _, record in read(path):
                    if record["kind"] == "run":
                        self.header = self.header or record
                    elif record.get("state") != "error":  # a bug's victim runs again
                        self.recorded[record["app"]] = _key(record)
                _cut_torn_line(path)
            except BaseException:
                self._stream.close()
                raise

    def write(self, record: Mapping[str, Any]) -> None:
        line = json.dumps(record, ensure_ascii=False, separators=(",", ":"))
        try:
            self._stream.write(line + "\n")
            self._stream.flush()  # an interruption loses only what is in flight
        except OSError as exc:
            raise _unwritable(self.path, exc) from None

    def close(self) -> None:
        self._stream.close()

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _key(record: Mapping[str, Any]) -> tuple[str | None, str | None, str | None]:
    return (
        record.get("inputs"),
        (record.get("pack") or {}).get("version"),
        record.get("run_key"),
    )


def _cut_torn_line(path: Path) -> None:
    """An interrupted write leaves a last line without its newline: drop it."""
    with path.open("rb+") as stream:
        stream.seek(0, os.SEEK_END)
        size = stream.tell()
        if size == 0:
            return
        stream.seek(size - 1)
        if stream.read(1) == b"\n":
            return
        block = 1 << 16
        position = size
        while position > 0:
            start = max(0, position - block)
            stream.seek(start)
            chunk = stream.read(position - start)
            newline = chunk.rfind(b"\n")
            if newline >= 0:
                stream.truncate(start + newline + 1)
                return
            position = start
        stream.truncate(0)


# One application's record is a few kilobytes, a run record (rule titles and
# references once) a few hundred: a line longer than this is not a record, and
# reading stops there instead of holding a 3 GB line without a newline.
MAX_LINE = 16 << 20


def read(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """The records of a results file with their line numbers, streamed. A line
    that is not a record of this format is an error naming the line (so is one
    longer than MAX_LINE); a torn last line (no newline: the run was
    interrupted while writing it) is skipped."""
    from spbe_lint.jsonread import JsonProblem, loads
    from spbe_lint.reading import open_regular

    shown = path.as_posix()
    try:
        stream = open_regular(path)  # a FIFO or a device is refused unopened
    except OSError as exc:
        from spbe_lint.confine import reason

        why = reason(exc)
        if isinstance(exc, NotRegular):
            why = LocalText("bukan berkas biasa", "not a regular file")
        raise InputError(
            LocalText(f"tidak dapat membaca: {why.id}", f"cannot read: {why.en}"),
            path=shown,
        ) from None
    with stream:
        number = 0
        while raw := stream.readline(MAX_LINE + 1):
            number += 1
            if len(raw) > MAX_LINE:
                raise _too_long(shown, number)
            if not raw.endswith(b"\n"):
                return  # torn by an interruption; --resume cuts it off
            if not raw.strip():
                continue
            try:
                record = loads(raw, max_bytes=MAX_LINE)
            except JsonProblem as problem:
                raise _not_record(shown, number, problem.message) from None
            if (
                not isinstance(record, dict)
                or record.get("record") != FORMAT
                or record.get("kind") not in ("run", "application")
                or (
                    record["kind"] == "application"
                    and not isinstance(record.get("app"), str)
                )
            ):
                raise _not_record(shown, number)
            yield number, record


def _too_long(path: str, line: int) -> InputError:
    from spbe_lint.jsonread import human_size

    limit = human_size(MAX_LINE)
    return InputError(
        LocalText(
            f"baris lebih panjang dari {limit}: bukan rekaman audit spbe-lint "
            f"({FORMAT})",
            f"a line longer than {limit}: not a spbe-lint audit record ({FORMAT})",
        ),
        path=path,
        line=line,
    )


def latest(
    paths: Iterable[Path],
) -> tuple[list[dict[str, Any]], Iterator[dict[str, Any]]]:
    """The run records, and the latest record of every application across
    *paths*, streamed in file order. Two passes: the first keeps only where each
    application's latest line is (one small index entry per application), the
    second yields those lines, so no more than one record is held at a time."""
    paths = list(paths)
    where: dict[str, tuple[int, int]] = {}
    runs: list[dict[str, Any]] = []
    for index, path in enumerate(paths):
        for number, record in read(path):
            if record["kind"] == "run":
                runs.append(record)
            else:
                where[record["app"]] = (index, number)
    wanted = set(where.values())

    def stream() -> Iterator[dict[str, Any]]:
        for index, path in enumerate(paths):
            for number, record in read(path):
                if (index, number) in wanted:
                    yield record

    return runs, stream()


def _not_record(path: str, line: int, why: LocalText | None = None) -> InputError:
    id_, en = (f": {why.id}", f": {why.en}") if why else ("", "")
    return InputError(
        LocalText(
            f"bukan rekaman audit spbe-lint ({FORMAT}){id_}",
            f"not a spbe-lint audit record ({FORMAT}){en}",
        ),
        path=path,
        line=line,
    )


def _unwritable(path: Path, exc: OSError) -> InputError:
    return InputError(
        LocalText(
            f"tidak dapat menulis hasil audit: {exc.strerror}",
            f"cannot write the audit results: {exc.strerror}",
        ),
        path=path.as_posix(),
    )
