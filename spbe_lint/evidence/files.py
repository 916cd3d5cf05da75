"""A repository's files as evidence: which ones to look at, and their bytes.

In a git repository the files are the tracked ones (``git ls-files``): never the
untracked or ignored ones, which may hold a developer's real ``.env``. A folder
that is not a repository (a submission unpacked from an archive) is walked
instead, every regular file of it. Either way nothing outside the folder is
read: symbolic links are never followed, and every read is bounded.

``read_bounded`` is the one place evidence bytes are read: through the shared
confinement (``confine``) and bounded reading (``reading``) layers, with a size
cap, and no symbolic link followed.
"""

from __future__ import annotations

import functools
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from spbe_lint.i18n import LocalText, escape_controls

MAX_FILES = 100_000  # a listing longer than this is cut (and says so)
MAX_DEPTH = 64  # folders deeper than this are not walked
GIT_TIMEOUT = 60  # seconds for `git ls-files`
# Git settings a hostile repository could use to run a program (fsmonitor) are
# overridden on the command line, which wins over the repository's own config.
_GIT = ("git", "-c", "core.fsmonitor=false", "-c", "core.quotePath=false")
# Variables that would point git at another repository than the folder's.
_GIT_LOCATION = (
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_INDEX_FILE",
    "GIT_COMMON_DIR",
    "GIT_OBJECT_DIRECTORY",
    "GIT_NAMESPACE",
)


class Unreadable(Exception):
    """A file that is not read: why, as a short reason code (never its content)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Listing:
    """The files of a folder: relative POSIX paths, in a stable order."""

    source: str  # "git" (tracked files) or "folder" (walked)
    paths: tuple[str, ...] = ()
    problem: LocalText | None = None  # why the files could not be listed
    truncated: bool = False  # more than MAX_FILES


def printable(path: str) -> str:
    """A file name as reports can carry it: bytes that are not UTF-8 (kept by the
    file system as surrogates) written as ``\\xff``."""
    return path.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def read_bounded(
    root: Path,
    relative: str,
    limit: int,
    *,
    partial: bool = False,
    follow_links: bool = False,
) -> bytes:
    """The bytes of *relative* under *root*: a regular file of at most *limit*
    bytes, inside *root* (``confine``), and not itself a symbolic link (a scan
    reads a repository's files, not what its links point at; a link's target
    inside the repository is scanned as itself). With *partial*, a larger file
    gives its first *limit* bytes instead. With *follow_links* (a file the
    manifest names, the LICENSE), a link is followed when it stays inside.

    Raises Unreadable("link" | "outside" | "not-regular" | "too-large" |
    "unreadable")."""
    from spbe_lint import reading
    from spbe_lint.confine import Refused

    path = root / relative
    try:
        if not follow_links:
            if path.is_symlink():
                raise Unreadable("link")
            # The name is no link: the file is where its folder really is. One
            # real path per folder, not per file (thousands share a folder).
            if not _real_folder(path.parent).is_relative_to(
                _root(root.absolute()).real
            ):
                raise Unreadable("outside")  # a linked folder on the way
        else:
            _root(root.absolute()).admit(path, relative)
        with reading.open_regular(path) as stream:
            if os.fstat(stream.fileno()).st_size > limit and not partial:
                raise Unreadable("too-large")
            data = stream.read(limit + 1)
    except Refused as refused:
        raise Unreadable(
            "outside" if refused.kind == "outside" else "unreadable"
        ) from None
    except reading.NotRegularFile:
        raise Unreadable("not-regular") from None  # a FIFO or device would block
    except OSError:
        raise Unreadable("unreadable") from None
    if len(data) > limit:
        if partial:
            return data[:limit]
        raise Unreadable("too-large")  # it grew after the check
    return data


@functools.lru_cache(maxsize=4096)
def _real_folder(folder: Path) -> Path:
    from spbe_lint.confine import real_path

    return real_path(folder.absolute())


@functools.lru_cache(maxsize=64)
def _root(folder: Path) -> Any:
    """The confinement root of a scanned folder, resolved once per folder."""
    from spbe_lint.confine import Root

    return Root.at(folder, folder.name)


def list_files(folder: Path) -> Listing:
    """The tracked files when *folder* is the top of a git repository, else
    every regular file under it."""
    if (folder / ".git").exists():
        listing = _tracked(folder)
        if listing is not None:
            return listing
    return _walk(folder)


_NO_GIT = LocalText(
    "git tidak terpasang: berkas yang dilacak repositori tidak dapat didaftar; "
    "pasang git",
    "git is not installed: the repository's tracked files cannot be listed; "
    "install git",
)
_GIT_FAILED = LocalText(
    "git tidak dapat mendaftar berkas yang dilacak repositori ({reason})",
    "git could not list the repository's tracked files ({reason})",
)


def _tracked(folder: Path) -> Listing | None:
    """``git ls-files`` in *folder*, or None when it is not a repository after all
    (an empty or broken ``.git``): then it is walked like any folder."""
    import subprocess  # only where git runs: the hook path without secrets skips it

    env = {k: v for k, v in os.environ.items() if k not in _GIT_LOCATION}
    # Never a repository above the folder: only the folder's own .git counts.
    env["GIT_CEILING_DIRECTORIES"] = str(folder.absolute().parent)
    env["GIT_OPTIONAL_LOCKS"] = "0"
    env["LC_ALL"] = "C"
    try:
        done = subprocess.run(
            [*_GIT, "ls-files", "-z", "--cached"],
            cwd=folder,
            env=env,
            capture_output=True,
            timeout=GIT_TIMEOUT,
            check=False,
            stdin=subprocess.DEVNULL,
        )
    except FileNotFoundError:
        return Listing("git", problem=_NO_GIT)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return Listing(
            "git", problem=_GIT_FAILED.format({"reason": type(exc).__name__})
        )
    if done.returncode != 0:
        error = done.stderr.decode("utf-8", "replace")
        if "not a git repository" in error:
            return None
        return Listing("git", problem=_GIT_FAILED.format({"reason": _reason(error)}))
    names = [
        name.decode("utf-8", "surrogateescape")
        for name in done.stdout.split(b"\0")
        if name
    ]
    unique = sorted(set(names))  # unmerged entries appear once per stage
    return Listing("git", tuple(unique[:MAX_FILES]), truncated=len(unique) > MAX_FILES)


def _reason(error: str) -> str:
    """git's complaint, first line, without the paths it quotes (they may lie
    outside the folder, and no message quotes a file outside it)."""
    lines = error.strip().splitlines()
    first = re.sub(r"^(fatal|error|warning):\s*", "", lines[0]) if lines else ""
    first = re.split(r"\s+(?:at|in)?\s*['\"/]", first, maxsplit=1)[0]
    return escape_controls(first[:100]) or "git"


def _walk(folder: Path) -> Listing:
    """Every regular file under *folder*, links and ``.git`` left out."""
    found: list[str] = []
    truncated = False
    stack: list[tuple[str, int]] = [("", 0)]
    while stack and not truncated:
        prefix, depth = stack.pop()
        try:
            with os.scandir(folder / prefix if prefix else folder) as entries:
                ordered = sorted(entries, key=lambda e: e.name)
        except OSError:
            continue
        for entry in ordered:
            relative = f"{prefix}{entry.name}"
            try:
                if entry.is_dir(follow_symlinks=False):
                    if entry.name != ".git" and depth < MAX_DEPTH:
                        stack.append((relative + "/", depth + 1))
                elif entry.is_file(follow_symlinks=False):
                    found.append(relative)
            except OSError:
                continue
            if len(found) > MAX_FILES:
                truncated = True
                break
    return Listing("folder", tuple(sorted(found)[:MAX_FILES]), truncated=truncated)
