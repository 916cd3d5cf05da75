"""Which files to check: the paths given, or the manifest in the working folder.

Every manifest found stays inside the root it was found under (``confine``): a
folder argument is its own root, a file argument's root is the folder it is
in. Folders are walked without recursion and no deeper than ``MAX_DEPTH``; a
folder that cannot be read, a manifest that is a link leading outside or a
link loop is a problem naming its path, and the rest is still checked.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from spbe_lint.confine import Refused, Root, reason
from spbe_lint.findings import InputProblem
from spbe_lint.i18n import LocalText

MANIFEST_NAMES = ("spbe.yaml", ".spbe.yaml")
# Folders that never hold a project's own manifest but can be huge.
_SKIPPED = frozenset({"node_modules", "venv", "__pycache__", "vendor", "site-packages"})
# Folders below the one given; a repository's manifests sit a few levels down.
MAX_DEPTH = 32


@dataclass(frozen=True)
class Target:
    """A manifest to check, as found on the command line or under a folder."""

    path: Path  # as named (its folder holds the documents it refers to)
    display: str
    root: Root | None = None  # the folder it was found under (confinement)


def display_path(path: Path, cwd: Path) -> str:
    """Relative to the working folder when inside it, with forward slashes."""
    try:
        return path.absolute().relative_to(cwd.absolute()).as_posix()
    except ValueError:
        return path.as_posix()


def find(paths: Iterable[Path], cwd: Path) -> tuple[list[Target], list[InputProblem]]:
    """Manifests to check, and the problems met finding them: a path that yields
    none, a folder that cannot be read, a manifest outside its root."""
    paths = list(paths)
    targets: list[Target] = []
    problems: list[InputProblem] = []
    seen: set[Path] = set()

    def add(manifest: Path, root: Root) -> None:
        shown = display_path(manifest, cwd)
        try:
            real = root.admit(manifest, shown)
        except Refused as exc:
            problems.append(InputProblem(shown, exc.message))
            return
        if real not in seen:  # a file named twice (or via its folder) is checked once
            seen.add(real)
            targets.append(Target(manifest, shown, root))

    if not paths:
        found = [cwd / name for name in MANIFEST_NAMES if _is_entry(cwd / name)]
        if not found:
            problems.append(_none_found(display_path(cwd, cwd)))
        root = _root(cwd, cwd, problems)
        for manifest in found:
            if root is not None:
                add(manifest, root)
        return targets, problems
    for path in paths:
        if _is_folder(path):
            root = _root(path, cwd, problems)
            if root is None:
                continue
            found, trouble = _walk(path, cwd)
            problems.extend(trouble)
            if not found and not trouble:
                problems.append(_none_found(display_path(path, cwd)))
            for manifest in sorted(found):
                add(manifest, root)
        elif _is_entry(path):
            root = _root(path.parent, cwd, problems)
            if root is not None:
                add(path, root)
        else:
            problems.append(
                InputProblem(
                    display_path(path, cwd),
                    LocalText("berkas atau folder tidak ada", "no such file or folder"),
                )
            )
    return targets, problems


def _is_folder(path: Path) -> bool:
    try:
        return path.is_dir()
    except (OSError, ValueError):
        return False


def _is_entry(path: Path) -> bool:
    """Is there anything at *path*, a link that leads nowhere (or loops) included?"""
    try:
        os.lstat(path)
    except OSError:
        return False
    return True


def _root(folder: Path, cwd: Path, problems: list[InputProblem]) -> Root | None:
    try:
        return Root.at(folder, display_path(folder, cwd))
    except Refused as exc:
        problems.append(InputProblem(exc.path or folder.as_posix(), exc.message))
        return None


def _walk(folder: Path, cwd: Path) -> tuple[list[Path], list[InputProblem]]:
    """Manifests below *folder*, and the folders that could not be searched.

    Iterative (5,000 nested folders are no RecursionError) and bounded in depth;
    links to folders are not followed, so a walk cannot leave *folder* or loop."""
    found: list[Path] = []
    problems: list[InputProblem] = []
    pending: list[tuple[Path, int]] = [(folder, 0)]
    while pending:
        current, depth = pending.pop()
        try:
            with os.scandir(current) as entries:
                listed = sorted(entries, key=lambda e: e.name)
        except OSError as exc:
            problems.append(_unreadable_folder(display_path(current, cwd), exc))
            continue
        below: list[Path] = []
        for entry in listed:
            try:
                is_folder = entry.is_dir(follow_symlinks=False)
            except OSError:
                is_folder = False
            if is_folder:
                if not entry.name.startswith(".") and entry.name not in _SKIPPED:
                    below.append(Path(entry.path))
            elif entry.name in MANIFEST_NAMES:
                found.append(Path(entry.path))  # a link or a FIFO is judged on reading
        if below and depth >= MAX_DEPTH:
            problems.append(_too_deep(display_path(current, cwd)))
            continue
        pending.extend((sub, depth + 1) for sub in reversed(below))
    return found, problems


def _unreadable_folder(shown: str, exc: OSError) -> InputProblem:
    why = reason(exc)
    return InputProblem(
        shown,
        LocalText(
            f"folder ini tidak dapat dibaca ({why.id}); manifest di dalamnya tidak "
            "diperiksa",
            f"this folder cannot be read ({why.en}); manifests inside it were not "
            "checked",
        ),
    )


def _too_deep(shown: str) -> InputProblem:
    return InputProblem(
        shown,
        LocalText(
            f"folder bersarang lebih dari {MAX_DEPTH} tingkat; sub-folder di bawah "
            "ini tidak dicari (sebutkan path-nya bila memuat manifest)",
            f"folders nest more than {MAX_DEPTH} levels deep; the sub-folders below "
            "this one were not searched (give their path if they hold a manifest)",
        ),
    )


def _none_found(where: str) -> InputProblem:
    return InputProblem(
        where,
        LocalText(
            "tidak ada manifest (spbe.yaml atau .spbe.yaml) di sini; "
            "buat satu dengan `spbe-lint init` atau sebutkan path-nya",
            "no manifest (spbe.yaml or .spbe.yaml) here; create one with "
            "`spbe-lint init` or give its path",
        ),
    )
