"""YAML nodes to plain data, under the YAML 1.2 core schema and spbe-lint's limits.

PyYAML's libyaml composer gives every node a start and end mark. We build plain
data from the node tree ourselves, so that a hostile file cannot do more than
the limits allow (alias expansion, nesting), and keep the tree for positions.
Marks are 0-based; ``span`` converts them to 1-based Spans, here only.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from spbe_lint.errors import InputError
from spbe_lint.findings import InputFile, Span, Violation
from spbe_lint.i18n import LocalText

MAX_NODES = 50_000  # after alias expansion: stops "billion laughs"
MAX_DEPTH = 64  # a manifest nests about six levels deep


@dataclass(frozen=True)
class Limits:
    """How much a YAML document may hold once aliases are expanded, and how
    deep it may nest. A manifest is small; an OpenAPI document is not."""

    nodes: int = MAX_NODES
    depth: int = MAX_DEPTH


MANIFEST = Limits()

PathParts = tuple[str | int, ...]

_STR = "tag:yaml.org,2002:str"
_NULL = "tag:yaml.org,2002:null"
_BOOL = "tag:yaml.org,2002:bool"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_MERGE = "tag:yaml.org,2002:merge"

# YAML 1.2 core schema (yaml.org/spec/1.2.2 section 10.3.2): "yes", "on" and
# dates stay strings, unlike PyYAML's YAML 1.1 defaults.
_CORE_SCHEMA = (
    (_NULL, r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
    (_BOOL, r"^(?:true|True|TRUE|false|False|FALSE)$", list("tTfF")),
    (_INT, r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$", list("-+0123456789")),
    (
        _FLOAT,
        r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
        list("-+.0123456789"),
    ),
    (_MERGE, r"^<<$", ["<"]),
)


# The core schema's resolvers by a plain scalar's first character ("" for an
# empty one).
_RESOLVERS: dict[str, tuple[tuple[str, re.Pattern[str]], ...]] = {}
for _tag, _pattern, _firsts in _CORE_SCHEMA:
    for _first in _firsts:
        _found = (_tag, re.compile(_pattern))
        _RESOLVERS[_first] = (*_RESOLVERS.get(_first, ()), _found)
_SEQ = "tag:yaml.org,2002:seq"
_MAP = "tag:yaml.org,2002:map"


def core_schema_loader(base: type) -> type:
    class CoreSchemaLoader(base):  # type: ignore[misc, valid-type]
        def resolve(self, kind: type, value: Any, implicit: Any) -> str:
            # PyYAML's resolve with the core schema's resolvers and without
            # what we never use (path resolvers): libyaml's composer calls it
            # for every node, keys included, about 450 times a manifest.
            if kind is ScalarNode:
                if implicit[0]:
                    for tag, pattern in _RESOLVERS.get(value[:1], ()):
                        if pattern.match(value):
                            return tag
                return _STR
            return _SEQ if kind is SequenceNode else _MAP

    return CoreSchemaLoader


LOADER = core_schema_loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def too_deep(info: InputFile, mark: Any, limit: int = MAX_DEPTH) -> InputError:
    return InputError(
        LocalText(
            f"struktur bersarang terlalu dalam (batas {limit} tingkat)",
            f"nesting too deep (the limit is {limit} levels)",
        ),
        path=info.path,
        file=info,
        line=mark.line + 1 if mark else None,
        column=mark.column + 1 if mark else None,
    )


def issue(
    code: str, node: Node, params: dict[str, Any] | None = None, *, kind: str
) -> Violation:
    return Violation(code=code, span=span(node), params=params or {}, kind=kind)


def before(node: Node, other: Node) -> bool:
    return (node.start_mark.line, node.start_mark.column) < (
        other.start_mark.line,
        other.start_mark.column,
    )


def span(node: Node) -> Span:
    start, end = node.start_mark, node.end_mark
    return Span(start.line + 1, start.column + 1, end.line + 1, end.column + 1)


def kind(node: Node) -> str:
    if isinstance(node, SequenceNode):
        return "list"
    if isinstance(node, ScalarNode):
        return "null" if node.tag == _NULL else "scalar"
    return "mapping"


def child(node: Node, part: str | int) -> tuple[Node | None, Node] | None:
    if isinstance(node, MappingNode):
        found = None
        for key_node, value_node in _pairs(node):
            if isinstance(key_node, ScalarNode) and key_node.value == part:
                found = (key_node, value_node)  # the last duplicate wins, as in data
        return found
    if isinstance(node, SequenceNode) and isinstance(part, int) and part >= 0:
        return (None, node.value[part]) if part < len(node.value) else None
    return None


def keys(node: MappingNode) -> dict[Any, tuple[Node, Node]]:
    """A mapping node's scalar keys and their (key, value) nodes, as ``child``
    finds them (merged keys included, the last duplicate winning): built once,
    a lookup per part instead of a walk."""
    found: dict[Any, tuple[Node, Node]] = {}
    for key_node, value_node in _pairs(node):
        if isinstance(key_node, ScalarNode):
            found[key_node.value] = (key_node, value_node)
    return found


def _pairs(node: MappingNode, seen: frozenset[int] = frozenset()) -> Iterator[Any]:
    """Key/value node pairs, merge keys (``<<: *base``) expanded first."""
    if id(node) in seen:
        return
    seen = seen | {id(node)}
    for key_node, value_node in node.value:
        if key_node.tag == _MERGE:
            sources = (
                value_node.value
                if isinstance(value_node, SequenceNode)
                else [value_node]
            )
            # Later pairs override earlier ones, and in ``<<: [*a, *b]`` the
            # earlier source wins (yaml.org/type/merge): so yield it last.
            for source in reversed(sources):
                if isinstance(source, MappingNode):
                    yield from _pairs(source, seen)
    for key_node, value_node in node.value:
        if key_node.tag != _MERGE:
            yield key_node, value_node


class Builder:
    """Builds plain data from nodes, counting every node after alias expansion."""

    def __init__(self, info: InputFile, limits: Limits = MANIFEST) -> None:
        self.info = info
        self.limits = limits
        self.count = 0
        self.issues: list[Violation] = []

    def build(self, node: Node, path: PathParts) -> Any:
        self.count += 1
        if self.count > self.limits.nodes:
            nodes = self.limits.nodes
            raise InputError(
                LocalText(
                    f"dokumen YAML melebihi {nodes} simpul setelah alias dikembangkan "
                    "(alias berulang, pola 'billion laughs', atau isi terlalu banyak)",
                    f"the YAML document exceeds {nodes} nodes once aliases are expanded "
                    "(repeated aliases, the 'billion laughs' pattern, or too much content)",
                ),
                path=self.info.path,
                line=node.start_mark.line + 1,
                column=node.start_mark.column + 1,
                file=self.info,
            )
        if len(path) > self.limits.depth:
            raise too_deep(self.info, node.start_mark, self.limits.depth)
        if isinstance(node, ScalarNode):
            return _scalar(node)
        if isinstance(node, SequenceNode):
            return [self.build(child, (*path, i)) for i, child in enumerate(node.value)]
        return self._mapping(node, path)

    def _mapping(self, node: MappingNode, path: PathParts) -> dict[str, Any]:
        result: dict[str, Any] = {}
        own: dict[str, Node] = {}
        own_ids = {id(key) for key, _ in node.value}
        for key_node, value_node in _pairs(node):
            if not isinstance(key_node, ScalarNode):
                self.issues.append(issue("structure", key_node, kind="complex-key"))
                continue
            key = key_node.value
            is_own = id(key_node) in own_ids  # merged keys may be overridden
            if key in own and is_own:
                first = own[key].start_mark
                self.issues.append(
                    Violation(
                        path=(*path, key),
                        params={"key": key, "first_line": first.line + 1},
                        anchor="key",
                        code="duplicate-key",
                        span=span(key_node),
                    )
                )
            if is_own:
                own.setdefault(key, key_node)  # "first on line N" names the first
            result[key] = self.build(value_node, (*path, key))
        return result


def _scalar(node: ScalarNode) -> Any:
    value, tag = node.value, node.tag
    try:
        if tag == _NULL:
            return None
        if tag == _BOOL:
            if value.lower() not in ("true", "false"):
                raise ValueError(value)  # "!!bool yes" stays text; the schema says why
            return value.lower() == "true"
        if tag == _INT:
            return _to_int(value)
        if tag == _FLOAT:
            return _to_float(value)
    except ValueError:
        return value  # an explicit tag on text that does not fit it: keep the text
    return value  # strings, dates (kept as written) and unknown tags


def _to_int(value: str) -> int:
    sign, digits = (-1, value[1:]) if value.startswith("-") else (1, value.lstrip("+"))
    if digits.startswith("0o"):
        return sign * int(digits[2:], 8)
    if digits.startswith("0x"):
        return sign * int(digits[2:], 16)
    return sign * int(digits, 10)


def _to_float(value: str) -> float:
    lowered = value.lower()
    if lowered.endswith(".inf"):
        return float("-inf") if lowered.startswith("-") else float("inf")
    if lowered == ".nan":
        return float("nan")
    return float(value)
