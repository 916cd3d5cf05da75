"""JSON Pointers (RFC 6901) and the selector patterns rules use (``*`` = every child)."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

PathParts = tuple[str | int, ...]


def to_pointer(path: Sequence[str | int]) -> str:
    joined = "/".join(map(str, path))
    if "~" not in joined and joined.count("/") == len(path) - 1:
        return "/" + joined  # nothing to escape: most paths
    return "".join(
        "/" + str(part).replace("~", "~0").replace("/", "~1") for part in path
    )


def escape(part: str | int) -> str:
    """One path part as a JSON Pointer writes it (``/`` + this)."""
    text = str(part)
    if "~" in text or "/" in text:
        return text.replace("~", "~0").replace("/", "~1")
    return text


@functools.cache
def parse_pattern(pattern: str) -> tuple[str, ...]:
    if not pattern:
        return ()
    return tuple(
        part.replace("~1", "/").replace("~0", "~") for part in pattern[1:].split("/")
    )


def literal_prefix(pattern: str) -> PathParts:
    """The part of a pattern before its first wildcard, as a path."""
    prefix: list[str | int] = []
    for part in parse_pattern(pattern):
        if part == "*":
            break
        prefix.append(int(part) if part.isdigit() else part)
    return tuple(prefix)


def select(data: Any, pattern: str) -> list[tuple[PathParts, Any]]:
    """Every (path, node) the pattern matches. A key whose value is null counts as
    absent: ``dpo:`` with nothing after it has not been filled in."""
    current: list[tuple[PathParts, Any]] = [((), data)]
    for part in parse_pattern(pattern):
        following: list[tuple[PathParts, Any]] = []
        for path, node in current:
            if part == "*":
                if isinstance(node, dict):
                    following.extend(((*path, k), v) for k, v in node.items())
                elif isinstance(node, list):
                    following.extend(((*path, i), v) for i, v in enumerate(node))
            elif isinstance(node, dict) and part in node:
                following.append(((*path, part), node[part]))
            elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
                following.append(((*path, int(part)), node[int(part)]))
        current = [(path, node) for path, node in following if node is not None]
    return current


def value_at(data: Any, path: Sequence[str | int]) -> tuple[bool, Any]:
    node = data
    for part in path:
        in_mapping = isinstance(node, dict) and part in node
        in_list = isinstance(node, list) and isinstance(part, int) and part < len(node)
        if not (in_mapping or in_list):
            return False, None
        node = node[part]
    return True, node


class Selections:
    """What each pattern selects in one document, selected once (the engine:
    rules on one section share their selectors, conditions repeat them)."""

    def __init__(self, data: Any) -> None:
        self.data = data
        self.picked: dict[str, list[tuple[tuple[str | int, ...], Any]]] = {}

    def __call__(self, pattern: str) -> list[tuple[tuple[str | int, ...], Any]]:
        found = self.picked.get(pattern)
        if found is None:
            found = self.picked[pattern] = select(self.data, pattern)
        return found
