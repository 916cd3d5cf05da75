"""The only module that reads package data (``importlib.resources``).

``rules/`` and ``schemas/`` ship inside the wheel as ``spbe_lint.rules`` and
``spbe_lint.schemas``; building paths from ``__file__`` would work in a checkout
and break once installed.
"""

from __future__ import annotations

import functools
import json
from importlib.resources import files
from importlib.resources.abc import Traversable
from typing import Any


def default_pack() -> Traversable:
    return files("spbe_lint.rules")


def schema_folder() -> Traversable:
    return files("spbe_lint.schemas")


def schema_text(name: str) -> str:
    return files("spbe_lint.schemas").joinpath(f"{name}.schema.json").read_text("utf-8")


@functools.cache
def schema(name: str) -> dict[str, Any]:
    """A JSON Schema shipped with spbe-lint: manifest, rule, pack, config, report."""
    return json.loads(schema_text(name))
