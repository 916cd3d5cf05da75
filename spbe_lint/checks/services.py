"""Aplikasi Umum overlap: a function the nation already provides.

Permenkominfo 4/2024 Pasal 56(3) and 60: a Pemda uses the Aplikasi Umum; an
application with the same function either integrates with it or is an
"aplikasi sejenis" with the Minister's consideration. The function-to-app
mapping lives in the pack profile (``aplikasi_umum``), because the instruments
designating Aplikasi Umum were not read and the list changes.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from spbe_lint.findings import Violation

if TYPE_CHECKING:
    from spbe_lint.checks import CheckContext


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, dict) else {}


def _normal(name: Any) -> str:
    """``SP4N-LAPOR!``, ``sp4n_lapor`` and ``SP4N LAPOR`` are the same system."""
    return "".join(c for c in str(name).lower() if c.isalnum())


def aplikasi_umum(
    manifest: Any, params: Mapping[str, Any], context: CheckContext
) -> Iterator[Violation]:
    manifest = _mapping(manifest)
    app = _mapping(manifest.get("app"))
    functions = app.get("functions")
    if not isinstance(functions, list):
        return
    integrations = _mapping(manifest.get("interop")).get("integrations")
    integrated = {
        _normal(item.get("system"))
        for item in (integrations if isinstance(integrations, list) else [])
        if isinstance(item, dict)
    }
    approved = app.get("category") == "aplikasi_sejenis" and bool(
        _mapping(manifest.get("governance")).get("similar_app_approval_ref")
    )
    for index, function in enumerate(functions):
        for umum in params.get("aplikasi_umum") or ():
            if function not in umum.get("functions", ()):
                continue
            names = {_normal(umum.get("system")), _normal(umum.get("name"))}
            if names & integrated or approved:
                continue
            yield Violation(
                path=("app", "functions", index),
                params={"function": function, "umum": umum.get("name")},
            )
