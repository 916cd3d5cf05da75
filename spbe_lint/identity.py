"""Who the application is, as its manifest says: for reports a person files.

Only plain text values are taken; a manifest with a wrong type there still gets
a report (the schema rules say what is wrong), just without that line.
"""

from __future__ import annotations

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
