"""Every file spbe-lint writes: whole or not at all, and nothing replaced unasked.

A report, baseline, dashboard, CSV, schema or key is written to a temporary
file in the destination's folder, flushed to disk (``fsync``) and renamed over
the destination, so a full disk, a killed process or a bug leaves either the
old file or the new one, never half of either. When the caller may not replace
what is there (``replace=False``: ``init``, ``baseline create`` and ``keygen``
without ``--force``), the temporary file is *linked* to the destination, which
fails if anything appeared there meanwhile: no check-then-write race.

A destination that is not a regular file (``/dev/null``, ``/dev/stdout``, a
FIFO) has nothing to keep: it is written in place. A folder in the way is an
error. Failures are one OutputError naming the file (exit 2).
"""

from __future__ import annotations

import contextlib
import errno
import functools
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from spbe_lint.errors import OutputError, UsageError
from spbe_lint.i18n import LocalText


def write_text(
    path: Path, text: str, *, replace: bool = True, mode: int | None = None
) -> None:
    """Write *text* (UTF-8) to *path* atomically; see the module docstring."""
    write_bytes(path, text.encode("utf-8"), replace=replace, mode=mode)


def write_bytes(
    path: Path, data: bytes, *, replace: bool = True, mode: int | None = None
) -> None:
    """Write *data* to *path* atomically. *mode*: the new file's permissions
    (default: those of the file replaced, else 0666 less the umask)."""
    with atomic(path, replace=replace, mode=mode, binary=True) as stream:
        stream.write(data)


@contextlib.contextmanager
def atomic(
    path: Path,
    *,
    replace: bool = True,
    mode: int | None = None,
    binary: bool = False,
    encoding: str = "utf-8",
    newline: str | None = None,
) -> Iterator[IO]:
    """A stream whose content becomes *path* when the block ends without an
    exception (streamed outputs: the audit CSV). On an exception the
    destination is untouched and the temporary file removed."""
    display = path.as_posix()
    if path.is_symlink():  # replace what the link points to; the link stays
        path = Path(os.path.realpath(path))
    special = _special(path)
    if special is not None:
        with _in_place(path, special, binary, encoding, newline) as stream:
            yield stream
        return
    if not replace and os.path.lexists(path):
        raise exists(path)
    folder = path.parent
    descriptor, temporary = _temporary(path, display)
    stream: IO
    try:
        kind = "wb" if binary else "w"
        options = {} if binary else {"encoding": encoding, "newline": newline}
        stream = os.fdopen(descriptor, kind, **options)
    except BaseException:
        os.close(descriptor)
        _remove(temporary)
        raise
    try:
        with stream:
            yield stream
            stream.flush()
            os.fsync(stream.fileno())  # on disk before it takes the name
        Path(temporary).chmod(_mode(path, mode))  # mkstemp made it 0600
        if replace:
            Path(temporary).replace(path)
        else:
            _claim(temporary, path)
    except FileExistsError:
        _remove(temporary)
        raise exists(path) from None
    except OSError as exc:
        _remove(temporary)
        raise _failed(display, exc) from None
    except BaseException:
        _remove(temporary)
        raise
    _sync_folder(folder)


def _temporary(path: Path, display: str) -> tuple[int, str]:
    """A new, empty temporary file beside *path* (mode 0600), its folder made."""
    folder = path.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)  # reports/ in a fresh CI job
    except FileExistsError:  # a file where a folder of the path should be
        raise OutputError(
            LocalText(
                f"tidak dapat menulis: {folder.as_posix()} bukan folder",
                f"cannot write: {folder.as_posix()} is not a folder",
            ),
            path=display,
        ) from None
    except OSError as exc:
        raise _failed(display, exc) from None
    try:
        import tempfile  # only when a file is written: not on the hook path

        return tempfile.mkstemp(prefix=f".{path.name[:80]}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise _failed(display, exc) from None


def _claim(temporary: str, path: Path) -> None:
    """Give *temporary* the name *path* only if nothing has it: a hard link
    fails when the name is taken. File systems without hard links fall back to
    a check and a rename (a race only another writer of the same file loses)."""
    try:
        os.link(temporary, path)
    except FileExistsError:
        raise
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV):
            raise
        if os.path.lexists(path):
            raise FileExistsError(errno.EEXIST, "exists", str(path)) from None
        Path(temporary).replace(path)
        return
    _remove(temporary)


def check(path: Path, *, replace: bool = True) -> None:
    """Refuse now what writing *path* would refuse later (a folder in the way,
    an existing file that may not be replaced): before hours of work."""
    if _special(path) is None and not replace and os.path.lexists(path):
        raise exists(path)


def exists(path: Path) -> UsageError:
    """The error for a destination that may not be replaced."""
    return UsageError(
        LocalText(
            "berkas sudah ada; pakai --force untuk menimpanya",
            "the file exists; use --force to replace it",
        ),
        path=path.as_posix(),
    )


def _special(path: Path) -> int | None:
    """The st_mode of a destination that is neither a regular file nor
    missing (a device or FIFO: written in place), or None. A folder in the way
    is an error here already."""
    try:
        info = path.stat()
    except OSError:
        return None  # missing (or a dangling link): a new file is made
    if stat.S_ISREG(info.st_mode):
        return None
    if stat.S_ISDIR(info.st_mode):
        raise OutputError(
            LocalText(
                "ini folder, bukan berkas: tidak ditulis",
                "this is a folder, not a file: not written",
            ),
            path=path.as_posix(),
        )
    return info.st_mode


@contextlib.contextmanager
def _in_place(
    path: Path, mode: int, binary: bool, encoding: str, newline: str | None
) -> Iterator[IO]:
    del mode  # a character device or FIFO: nothing there to keep
    try:
        stream = (
            path.open("wb")
            if binary
            else path.open("w", encoding=encoding, newline=newline)
        )
    except OSError as exc:
        raise _failed(path.as_posix(), exc, kept=False) from None
    try:
        with stream:
            yield stream
    except OSError as exc:
        raise _failed(path.as_posix(), exc, kept=False) from None


def _mode(path: Path, mode: int | None) -> int:
    if mode is not None:
        return mode
    with contextlib.suppress(OSError):
        return stat.S_IMODE(path.stat().st_mode)  # the replaced file's
    return 0o666 & ~_umask()


@functools.cache
def _umask() -> int:
    current = os.umask(0o022)  # there is no way to read it without setting it
    os.umask(current)
    return current


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable (POSIX; elsewhere a no-op)."""
    flags = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0)
    try:
        descriptor = os.open(folder, flags)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass  # some file systems cannot sync a folder; the data itself is synced
    finally:
        os.close(descriptor)


def _remove(path: str) -> None:
    with contextlib.suppress(OSError):
        Path(path).unlink()


def _failed(display: str, exc: OSError, *, kept: bool = True) -> OutputError:
    """*kept*: nothing at the destination was touched (every failure but one
    writing in place to a device or FIFO)."""
    reason = exc.strerror or type(exc).__name__
    if kept:
        return OutputError(
            LocalText(
                f"tidak dapat menulis: {reason}; berkas yang ada (bila ada) tidak "
                "diubah",
                f"cannot write: {reason}; the file there (if any) is unchanged",
            ),
            path=display,
        )
    return OutputError(
        LocalText(f"tidak dapat menulis: {reason}", f"cannot write: {reason}"),
        path=display,
    )


def open_results(path: Path, *, keep: bool, replace: bool) -> IO[str]:
    """The audit's results file, open for appending and locked for as long as
    it is open (``fcntl.flock``: the lock ends with the process, even killed).

    *keep* (``--resume``): what is there stays. Otherwise a file that already
    holds results is refused unless *replace* (``--force``), and is emptied
    only once the lock is held: another audit writing it is never cut short.
    A second audit on a locked file is refused (exit 2). Where ``fcntl`` does
    not exist (Windows) there is no lock."""
    display = path.as_posix()
    if _special(path) is not None:
        raise OutputError(
            LocalText(
                "berkas hasil audit harus berkas biasa",
                "the audit results file must be a regular file",
            ),
            path=display,
        )
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        flags = os.O_WRONLY | os.O_CREAT | os.O_APPEND | getattr(os, "O_CLOEXEC", 0)
        descriptor = os.open(path, flags, 0o666)
    except OSError as exc:
        raise _failed(display, exc, kept=False) from None
    try:
        _lock(descriptor, display)
        size = os.fstat(descriptor).st_size
        if size and not keep:
            if not replace:
                raise UsageError(
                    LocalText(
                        "berkas hasil audit sudah berisi hasil; pakai --resume untuk "
                        "melanjutkan, atau --force untuk memulai dari awal (hasil "
                        "lamanya hilang)",
                        "the results file already holds results; use --resume to "
                        "carry on, or --force to start again (its results are lost)",
                    ),
                    path=display,
                )
            os.ftruncate(descriptor, 0)
        return os.fdopen(descriptor, "a", encoding="utf-8", newline="\n")
    except OSError as exc:
        os.close(descriptor)
        raise _failed(display, exc, kept=False) from None
    except BaseException:
        os.close(descriptor)
        raise


def _lock(descriptor: int, display: str) -> None:
    try:
        import fcntl
    except ImportError:  # Windows: no advisory locks of this kind
        return
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        raise UsageError(
            LocalText(
                "berkas hasil audit sedang ditulis audit lain (terkunci); tunggu "
                "sampai selesai atau pakai --results lain",
                "another audit is writing this results file (it is locked); wait "
                "for it to finish or use another --results",
            ),
            path=display,
        ) from None
