"""jsonschema's errors for an invalid value, without walking its valid parts.

A manifest with one wrong value is still walked whole by jsonschema to find
that one error: 6 ms of pure Python, a tenth of a many-manifest run. Here
jsonschema-rs first says where the errors are (its ``instance_path``s), and
jsonschema then descends only into the values on the way to them: every other
value is valid (the two validators agree on validity: spbe_lint.fastschema),
so it holds no error to find. The errors, and so every message and position,
are jsonschema's own.

Skipping a subtree makes a subschema there look valid. That is only safe where
a subschema's verdict is never negated: schemas with ``not``, ``oneOf``,
``if``, ``contains``, ``dependentSchemas`` or ``unevaluated*``, or a ``$ref``
out of the schema, are walked whole (:func:`prunable`). Under an ``anyOf``
that failed (or any error of a keyword that judges subschemas) the whole value
is walked, so the error's ``context`` is complete.
"""

from __future__ import annotations

import functools
import json
import re
import threading
from collections.abc import Iterator, Mapping
from typing import Any

# Keywords whose verdict could turn a skipped (so "valid") subtree into an
# error, or that refer to what this module cannot see.
_NEGATING = re.compile(
    r'"(not|oneOf|if|then|else|contains|dependentSchemas|'
    r'unevaluatedProperties|unevaluatedItems|\$dynamicRef|\$recursiveRef)"\s*:'
)
_REFS = re.compile(r'"\$ref"\s*:\s*"([^"]*)"')

# jsonschema-rs error kinds that judge the value alone, never a subschema on
# it: an error of another kind (anyOf...) has its whole value walked.
_LEAF_KINDS = frozenset(
    {
        "AdditionalItems",
        "AdditionalProperties",
        "Constant",
        "Custom",  # fastschema's one custom keyword: pattern
        "Enum",
        "ExclusiveMaximum",
        "ExclusiveMinimum",
        "FalseSchema",
        "Format",
        "MaxItems",
        "MaxLength",
        "MaxProperties",
        "Maximum",
        "MinItems",
        "MinLength",
        "MinProperties",
        "Minimum",
        "MultipleOf",
        "Required",
        "Type",
        "UniqueItems",
    }
)


def prunable(schema: Mapping[str, Any]) -> bool:
    """Whether *schema*'s errors can be found with valid subtrees skipped."""
    text = json.dumps(schema, default=str)
    if _NEGATING.search(text):
        return False
    return all(ref.startswith("#") for ref in _REFS.findall(text))


def places(instance: Any, fast_errors: Iterator[Any]) -> set[int] | None:
    """The ids of every value jsonschema must descend into: the values on the
    way to each error jsonschema-rs found, and every value under an error of
    a keyword that judges subschemas. None when a path cannot be followed."""
    wanted = {id(instance)}
    for error in fast_errors:
        node = instance
        for part in error.instance_path:
            try:
                node = node[part]
            except (KeyError, IndexError, TypeError):
                return None
            wanted.add(id(node))
        if type(error.kind).__name__ not in _LEAF_KINDS:
            _add_all(node, wanted)
    return wanted


def _add_all(node: Any, wanted: set[int]) -> None:
    stack = [node]
    while stack:
        current = stack.pop()
        wanted.add(id(current))
        if isinstance(current, dict):
            stack.extend(current.values())
        elif isinstance(current, list):
            stack.extend(current)


_LOCAL = threading.local()  # the ids being descended into, per thread


def errors(python: Any, instance: Any, wanted: set[int]) -> list[Any]:
    """jsonschema's errors for *instance* by *python* (a validator), descending
    only into the values *wanted* names."""
    pruning = _pruning_class(type(python))(
        python.schema,
        format_checker=python.format_checker,
        registry=python._registry,  # the same offline registry (schema._registry)
    )
    previous = getattr(_LOCAL, "wanted", None)
    _LOCAL.wanted = wanted
    try:
        return list(pruning.iter_errors(instance))
    finally:
        _LOCAL.wanted = previous


def _properties(
    validator: Any, properties: Any, instance: Any, schema: Any
) -> Iterator[Any]:
    # jsonschema's "properties", descending only into the values wanted.
    if not validator.is_type(instance, "object"):
        return
    wanted = _LOCAL.wanted
    for name, subschema in properties.items():
        if name in instance and id(instance[name]) in wanted:
            yield from validator.descend(
                instance[name], subschema, path=name, schema_path=name
            )


def _items(validator: Any, items: Any, instance: Any, schema: Any) -> Iterator[Any]:
    # jsonschema's 2020-12 "items" with a schema and no prefixItems (what
    # prunable schemas use), descending only into the items wanted.
    if items is False or "prefixItems" in schema:
        from jsonschema import _keywords

        yield from _keywords.items(validator, items, instance, schema)
        return
    if not validator.is_type(instance, "array"):
        return
    wanted = _LOCAL.wanted
    for index, item in enumerate(instance):
        if id(item) in wanted:
            yield from validator.descend(instance=item, schema=items, path=index)


@functools.cache
def _pruning_class(base: type) -> type:
    from jsonschema import validators

    return validators.extend(base, {"properties": _properties, "items": _items})
