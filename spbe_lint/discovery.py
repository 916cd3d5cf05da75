"""Which files to check: the paths given, or the manifest in the working folder."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from spbe_lint.findings import InputProblem
from spbe_lint.i18n import LocalText

MANIFEST_NAMES = ("spbe.yaml", ".spbe.yaml")
# Folders that never hold a project's own manifest but can be huge.
_SKIPPED = frozenset({"node_modules", "venv", "__pycache__", "vendor", "site-packages"})


@dataclass(frozen=True)
class Target:
    path: Path
    display: str


def display_path(path: Path, cwd: Path) -> str:
    """Relative to the working folder when inside it, with forward slashes."""
    try:
        return path.absolute().relative_to(cwd.absolute()).as_posix()
    except ValueError:
        return path.as_posix()


def find(paths: Iterable[Path], cwd: Path) -> tuple[list[Target], list[InputProblem]]:
    """Manifests to check, and the paths that yielded none (each one a problem)."""
    paths = list(paths)
    targets: list[Target] = []
    problems: list[InputProblem] = []
    if not paths:
        found = [cwd / name for name in MANIFEST_NAMES if (cwd / name).is_file()]
        if not found:
            problems.append(_none_found(display_path(cwd, cwd)))
        return [Target(p, display_path(p, cwd)) for p in found], problems
    seen: set[Path] = set()
    for path in paths:
        if path.is_dir():
            found = sorted(_walk(path))
            if not found:
                problems.append(_none_found(display_path(path, cwd)))
        elif path.exists():
            found = [path]
        else:
            problems.append(
                InputProblem(
                    display_path(path, cwd),
                    LocalText("berkas atau folder tidak ada", "no such file or folder"),
                )
            )
            continue
        for manifest in found:  # a file named twice (or via its folder) is checked once
            key = manifest.resolve()
            if key not in seen:
                seen.add(key)
                targets.append(Target(manifest, display_path(manifest, cwd)))
    return targets, problems


def _walk(folder: Path) -> Iterable[Path]:
    for root, dirs, files in os.walk(folder):
        dirs[:] = [d for d in dirs if not d.startswith(".") and d not in _SKIPPED]
        for name in files:
            if name in MANIFEST_NAMES:
                yield Path(root) / name


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
