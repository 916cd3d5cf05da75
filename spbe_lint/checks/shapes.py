"""The shape of node each named check accepts: a contract the engine checks first.

A check is written for one shape of node (a text; a mapping whose ``samples``
is a list). A manifest may hold anything anywhere, so rather than each check
guarding each read (and one forgotten guard crashing the run), every check
declares what it reads as a small JSON Schema of types only (``type``,
``properties``, ``items``), and ``engine._apply`` calls the check only on a node
that fits. A node that does not fit is a finding at the exact place, "expected
a list at data.fields[0].samples, got an integer", and the check is not run.
Where the manifest schema (MAN-005) already reports the type, the engine makes
that finding inconclusive ("see MAN-005") instead of failing twice.

What a contract cannot say (an unparseable licence expression, a file that
cannot be read) the check itself turns into a finding.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from typing import Any

from spbe_lint.findings import Violation

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
    to the node), in document order; empty when it fits."""
    if not contract:
        return []
    from spbe_lint.schema import json_type, type_words

    found = [
        Violation(
            path=tuple(error.absolute_path),
            params={
                "expected": type_words(error.validator_value),
                "found": type_words(json_type(error.instance)),
            },
            kind=WRONG_SHAPE,
        )
        for error in _validator(json.dumps(contract, sort_keys=True)).iter_errors(node)
    ]
    return sorted(found, key=lambda v: [(isinstance(p, str), p) for p in v.path])


@functools.cache
def _validator(contract: str) -> Any:
    from spbe_lint import schema

    return schema.compile_schema(json.loads(contract))
