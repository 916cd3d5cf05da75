"""Confinement: a submission's paths stay inside the root given on the command line.

A submission is hostile input: its manifest, a document it names or an OpenAPI
file may be a symbolic link (or a ``../`` path) to anywhere on the reviewer's
machine. Every such path is resolved once, here, to its real path (every link
followed), and refused unless that real path is inside the root's real path.
The root is what the user named: a folder argument is its own root; a file
argument's root is the folder it is in, as named, so a link beside it that
leads elsewhere is refused too. A refusal names the path as the user or the
manifest wrote it; never where a link leads, and never anything in it.
"""

from __future__ import annotations

import contextlib
import errno
import os
from dataclasses import dataclass
from pathlib import Path

from spbe_lint.errors import InputError
from spbe_lint.i18n import LocalText


@dataclass(frozen=True)
class Root:
    """A folder a run may read below: as reports name it, and its real path."""

    shown: str
    real: Path

    @classmethod
    def at(cls, folder: Path, shown: str | None = None) -> Root:
        """The root *folder* (resolved now, once). A folder that cannot be
        resolved (a link loop) is an InputError naming it."""
        shown = shown if shown is not None else folder.as_posix()
        try:
            return cls(shown, real_path(folder))
        except OSError as exc:
            raise _refused(exc, shown) from None

    def admit(self, path: Path, shown: str) -> Path:
        """The real path of *path*, which must lie inside this root; a Refused
        error naming *shown* otherwise (outside, a link loop, a name too long)."""
        try:
            real = real_path(path)
        except OSError as exc:
            raise _refused(exc, shown) from None
        if not real.is_relative_to(self.real):
            raise Refused(outside(self.shown), path=shown, kind="outside")
        return real


class Refused(InputError):
    """A path the run will not read: ``kind`` says why (outside, unreadable),
    ``reason`` the system's error in words when there was one."""

    def __init__(
        self,
        message: LocalText,
        *,
        kind: str,
        reason: LocalText | None = None,
        **where: object,
    ) -> None:
        super().__init__(message, **where)  # type: ignore[arg-type]
        self.kind = kind
        self.reason = reason


def real_path(path: Path) -> Path:
    """*path* with every link followed (absolute). A file that does not exist
    resolves as far as its folders do; a link loop, a name longer than the
    system allows or a folder that cannot be searched is an OSError."""
    # realpath(strict=False) stops quietly at a loop or an over-long name;
    # stat says which, and a missing file is not a problem of confinement.
    real = Path(os.path.realpath(path))
    with contextlib.suppress(FileNotFoundError, NotADirectoryError):
        real.stat()
    return real


def outside(root: str) -> LocalText:
    where = root or "."
    return LocalText(
        f"jalur ini (tautan simbolik atau ../) mengarah ke luar folder yang "
        f"diperiksa ({where}); spbe-lint hanya membaca berkas di dalam folder itu",
        f"this path (a symbolic link or ../) leads outside the folder being checked "
        f"({where}); spbe-lint reads only files inside that folder",
    )


def reason(exc: OSError) -> LocalText:
    """An operating-system error in a few words, in both languages."""
    code = exc.errno
    if code == errno.ELOOP:
        return LocalText(
            "tautan simbolik berputar (menunjuk dirinya sendiri)",
            "a symbolic link loop (the link leads back to itself)",
        )
    if code == errno.ENAMETOOLONG:
        return LocalText(
            "nama berkas lebih panjang daripada yang diizinkan sistem berkas",
            "the file name is longer than the file system allows",
        )
    if code in (errno.EACCES, errno.EPERM):
        return LocalText("izin ditolak", "permission denied")
    text = exc.strerror or type(exc).__name__
    return LocalText(text, text)


def _refused(exc: OSError, shown: str) -> Refused:
    why = reason(exc)
    return Refused(
        LocalText(f"tidak dapat membaca: {why.id}", f"cannot read: {why.en}"),
        path=shown,
        kind="unreadable",
        reason=why,
    )
