"""Named Python checks for what a JSON Schema cannot say.

A check receives one selected node, the rule's parameters (profile values
already filled in) and the run context, and yields Violations: what is wrong
and where (a path relative to the node). The engine attaches rule id, severity
and position. Register a check here; rule files refer to it by name.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from spbe_lint.checks import hosts
from spbe_lint.findings import Violation


@dataclass(frozen=True)
class CheckContext:
    profile: Mapping[str, Any]


CheckFn = Callable[[Any, Mapping[str, Any], CheckContext], Iterator[Violation]]

CHECKS: dict[str, CheckFn] = {
    "city-subdomain": hosts.city_subdomain,
    "url-under": hosts.url_under,
}
