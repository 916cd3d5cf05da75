"""Who the application is, as its manifest says: for reports a person files.

Only plain text values are taken; a manifest with a wrong type there still gets
a report (the schema rules say what is wrong), just without that line.
"""

from __future__ import annotations

import math
from typing import Any

# In the order a handover report lists them.
KEYS = (
    "app.title",
    "app.name",
    "app.id",
    "app.category",
    "app.status",
    "app.owner_opd",
    "vendor.name",
    "vendor.contract_ref",
    "domain.fqdn",
)


def of(data: Any) -> tuple[tuple[str, str], ...]:
    found = []
    for key in KEYS:
        value = data
        for part in key.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        if isinstance(value, str) and value.strip():
            found.append((key, value))
    return tuple(found)


def declarations(data: Any) -> tuple[tuple[str, Any], ...]:
    """Every scalar the manifest declares, by JSON Pointer, in document order
    (``/hosting/provider``, ``/app/platforms/0``), for ``spbe-lint diff``."""
    from spbe_lint.pointers import escape

    found: list[tuple[str, Any]] = []

    def walk(node: Any, pointer: str) -> None:
        # The pointer grows a part at a time: every scalar of every manifest.
        if isinstance(node, dict):
            for key, value in node.items():
                walk(value, f"{pointer}/{escape(key)}")
        elif isinstance(node, list):
            for index, value in enumerate(node):
                walk(value, f"{pointer}/{index}")
        elif pointer:
            found.append((pointer, _json_value(node)))

    if isinstance(data, dict):
        walk(data, "")
    return tuple(found)


def _json_value(value: Any) -> Any:
    """*value* as JSON can hold it: YAML's ``.nan`` and ``.inf`` have no JSON
    number (a report with ``NaN`` in it is not JSON, and cannot be signed), so
    they are kept as YAML spells them."""
    if isinstance(value, float) and not math.isfinite(value):
        return ".nan" if math.isnan(value) else (".inf" if value > 0 else "-.inf")
    return value
