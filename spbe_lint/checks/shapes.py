"""The shape of node each named check accepts: a contract the engine checks first.

A check is written for one shape of node (a text; a mapping whose ``samples``
is a list). A manifest may hold anything anywhere, so rather than each check
guarding each read (and one forgotten guard crashing the run), every check
declares what it reads as a small JSON Schema of types only (``type``,
``properties``, ``items``; walked here, a key whose value is null counting as
absent), and ``engine._apply`` calls the check only on a node that fits. A
node that does not fit is a finding at the exact place, "expected a list at
data.fields[0].samples, got an integer", and the check is not run.
Where the manifest schema (MAN-005) already reports the type, the engine makes
that finding inconclusive ("see MAN-005") instead of failing twice.

What a contract cannot say (an unparseable licence expression, a file that
cannot be read) the check itself turns into a finding.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from spbe_lint.findings import Violation
from spbe_lint.schema import json_type, type_words

WRONG_SHAPE = "wrong-shape"  # the Violation kind; the engine has its message
# The words only: a contract is about types, never about values.
KEYWORDS = frozenset({"type", "properties", "items"})

ANY: Mapping[str, Any] = {}
TEXT: Mapping[str, Any] = {"type": "string"}


def mapping(**properties: Mapping[str, Any]) -> Mapping[str, Any]:
    """A mapping whose named keys, where present, have these shapes."""
    return {"type": "object", "properties": properties}


def listing(items: Mapping[str, Any] = ANY) -> Mapping[str, Any]:
    """A list whose items have this shape."""
    return {"type": "array", "items": items} if items else {"type": "array"}


def one_of(*types: str) -> Mapping[str, Any]:
    """Any of these JSON types (``string``, ``object``, ``array``...)."""
    return {"type": list(types)}


def mismatches(contract: Mapping[str, Any], node: Any) -> list[Violation]:
    """Where *node* does not have the shape *contract* describes (paths relative
    to the node), in document order; empty when it fits. A key whose value is
    null counts as absent, as selectors read it (``dpo:`` not filled in)."""
    found: list[Violation] = []
    _walk(contract, node, (), found)
    return found


def _walk(
    contract: Mapping[str, Any],
    node: Any,
    path: tuple[str | int, ...],
    found: list[Violation],
) -> None:
    # Walked by hand, not by a JSON Schema validator: the engine asks this for
    # every selected node of every rule, and the vocabulary is three words.
    expected = contract.get("type")
    if expected is not None:
        names = [expected] if isinstance(expected, str) else list(expected)
        if json_type(node) not in names and not (
            "number" in names and json_type(node) == "integer"
        ):
            found.append(
                Violation(
                    path=path,
                    params={
                        "expected": type_words(names),
                        "found": type_words(json_type(node)),
                    },
                    kind=WRONG_SHAPE,
                )
            )
            return
    if isinstance(node, dict):
        for key, child in contract.get("properties", {}).items():
            if node.get(key) is not None:
                _walk(child, node[key], (*path, key), found)
    items = contract.get("items")
    if items and isinstance(node, list):
        for index, child in enumerate(node):
            _walk(items, child, (*path, index), found)
