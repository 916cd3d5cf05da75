"""What commands write: text to standard output or a file, reports to their
targets, unreadable inputs to standard error. Click's echo at the edge."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import click

from spbe_lint.cli.options import FORMATS
from spbe_lint.findings import place
from spbe_lint.i18n import escape_controls


def targets(fmt: str, outputs: Sequence[str]) -> list[tuple[str, Path | None]]:
    """--format and --output as (format, path) targets; a bad value (an
    unknown FORMAT= among them) is a usage error on --output."""
    from spbe_lint import writing as files
    from spbe_lint.reporters import targets as parsing

    found = parsing.parse(fmt, outputs, FORMATS)
    for _, path in found:
        if path is not None:
            files.check(path)  # a folder in the way: said before the run
    return found


def want_color(choice: str) -> bool:
    if choice != "auto":
        return choice == "always"
    return sys.stdout.isatty() and "NO_COLOR" not in os.environ


def write(
    text: str, output: Path | None, *, color: bool = False, replace: bool = True
) -> None:
    """*text* to *output*, or to standard output when None. A file is written
    whole or not at all, and replaced only when *replace* (spbe_lint.writing)."""
    if output is None:
        click.echo(text, nl=False, color=color)
        return
    from spbe_lint import writing as files

    files.write_text(output, text, replace=replace)


def write_pieces(
    pieces: Iterable[str], output: Path | None, *, color: bool = False
) -> None:
    """What ``write`` writes, given in pieces and written as they come, a
    mebibyte at a time: a 200 MB JSON report is never one string."""
    stream: Any = None
    with contextlib.ExitStack() as stack:
        if output is not None:
            from spbe_lint import writing as files

            stream = stack.enter_context(files.atomic(output, newline=""))
        batch: list[str] = []
        size = 0
        for piece in pieces:
            batch.append(piece)
            size += len(piece)
            if size >= _BATCH:
                _put("".join(batch), stream, color)
                batch, size = [], 0
        if batch or stream is None:
            _put("".join(batch), stream, color)


_BATCH = 1 << 20


def _put(text: str, stream: Any, color: bool) -> None:
    if stream is None:
        click.echo(text, nl=False, color=color)
    else:
        stream.write(text)


def emit(
    report: Any,
    targets: Sequence[tuple[str, Path | None]],
    color: str,
    *,
    show: frozenset[str] = frozenset(),
) -> None:
    """Render once per target: every report from the same evaluation. Text for
    the terminal wraps to its width (COLUMNS, else 80 when unknown); in a file, 80.
    JSON, SARIF and JUnit are written in pieces as they are rendered."""
    from spbe_lint.reporters import IN_PIECES, REPORTERS, RenderOptions, chunks

    for fmt, path in targets:
        use_color = path is None and want_color(color)
        width = terminal_width() if path is None else 80
        options = RenderOptions(color=use_color, width=width, show=show)
        if fmt in IN_PIECES:
            write_pieces(chunks(fmt, report, options), path, color=use_color)
        else:
            write(REPORTERS[fmt](report, options), path, color=use_color)


def terminal_width() -> int:
    """COLUMNS, else the terminal's width, else 80: what shutil.get_terminal_size
    answers, without importing shutil (and lzma, bz2) on the pre-commit path."""
    try:
        columns = int(os.environ.get("COLUMNS", "0"))
    except ValueError:
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns or 80


def problems(report: Any) -> None:
    """One line on standard error per input that could not be checked."""
    for problem in report.problems:
        where = place(problem.path, problem.line, problem.column)
        line = f"{where}: error: {problem.message.get(report.lang)}"
        click.echo(escape_controls(line), err=True)  # file names can hold line breaks


def shared_ids(report: Any) -> None:
    """One warning on standard error per app.id that several manifests carry:
    they are one application (one verdict) to the HTML report, which says so
    too. Given when an HTML report is written, whatever other formats are."""
    from spbe_lint.reporters import applications

    for shared in applications.duplicates(applications.group(report)):
        paths = ", ".join(shared.manifests)
        if report.lang == "en":
            line = (
                f"warning: inventory number {shared.app_id} is in "
                f"{len(shared.manifests)} manifests ({paths}): judged as one application"
            )
        else:
            line = (
                f"peringatan: nomor inventaris {shared.app_id} tercantum di "
                f"{len(shared.manifests)} manifest ({paths}): dinilai sebagai satu "
                "aplikasi"
            )
        click.echo(escape_controls(line), err=True)


class _Sink:
    """Where one target of a streamed run (spbe_lint.streaming) goes: standard
    output, or a file opened on the first write and committed whole when the
    run ends (``writing.atomic``), so a run that falls back to the full report,
    or fails, leaves no file behind."""

    def __init__(self, path: Path | None, color: bool, stack: Any) -> None:
        self.path = path
        self.color = color
        self.stack = stack
        self.stream: Any = None

    def __call__(self, text: str) -> None:
        if self.path is None:
            if text:
                click.echo(text, nl=False, color=self.color)
            return
        if self.stream is None:
            from spbe_lint import writing as files

            self.stream = self.stack.enter_context(files.atomic(self.path))
        self.stream.write(text)


def _writer(
    fmt: str, path: Path | None, color: str, show: frozenset[str], stack: Any
) -> Any:
    """The streaming.Writer of one target: text with its summary, or a
    one-line format's reporter applied to each finding."""
    from spbe_lint import streaming
    from spbe_lint.reporters import RenderOptions

    use_color = path is None and want_color(color)
    sink = _Sink(path, use_color, stack)
    if fmt == "text":
        width = terminal_width() if path is None else 80  # as emit wraps it
        options = RenderOptions(color=use_color, width=width, show=show)
        return streaming.Text(options, sink)
    return streaming.Lines(fmt, RenderOptions(color=use_color), sink)


def stream(
    run: Any,
    found: Sequence[tuple[str, Path | None]],
    color: str,
    show: frozenset[str] = frozenset(),
) -> int | None:
    """Check and write manifest by manifest (spbe_lint.streaming); the exit
    status, or None when the run needs the whole report after all."""
    from spbe_lint import streaming

    def problem(item: Any, lang: str) -> None:
        where = place(item.path, item.line, item.column)
        line = f"{where}: error: {item.message.get(lang)}"
        click.echo(escape_controls(line), err=True)

    with contextlib.ExitStack() as stack:
        writers = [_writer(fmt, path, color, show, stack) for fmt, path in found]
        status = streaming.check(run, writers, problem)
    return None if status is None else int(status)
