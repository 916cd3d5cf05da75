"""The only module that reads package data.

``rules/`` and ``schemas/`` ship inside the wheel as ``spbe_lint.rules`` and
``spbe_lint.schemas``; building paths from ``__file__`` would work in a checkout
and break once installed. Where the import system says the package is a folder
on disk (a wheel or an editable install) that folder is used directly;
anything else (a zip) goes through ``importlib.resources``, which the pre-commit
path does not pay to import (it brings tempfile, zipfile and shutil).
"""

from __future__ import annotations

import functools
import importlib.util
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable


@functools.cache
def _folder(package: str) -> Path | None:
    spec = importlib.util.find_spec(package)
    for location in (spec.submodule_search_locations or []) if spec else []:
        if Path(location).is_dir():
            return Path(location)
    return None


def package_files(package: str) -> Traversable:
    """The package's data folder: a Path where it is one, else importlib's."""
    found = _folder(package)
    if found is not None:
        return found
    from importlib.resources import files

    return files(package)


def default_pack() -> Traversable:
    return package_files("spbe_lint.rules")


def schema_folder() -> Traversable:
    return package_files("spbe_lint.schemas")


def schema_text(name: str) -> str:
    folder = package_files("spbe_lint.schemas")
    return folder.joinpath(f"{name}.schema.json").read_text("utf-8")


@functools.cache
def schema(name: str) -> dict[str, Any]:
    """A JSON Schema shipped with spbe-lint: manifest, rule, pack, config, report."""
    return json.loads(schema_text(name))
