"""The SPBE evaluation a rule pack declares: scoring weights, the "ready" threshold
and the mapping of rules to the indicators of PermenPANRB 59/2020.

A value type of the pack (``findings.PackInfo`` carries it in every report), so it
sits below ``findings`` and ``scoring``, which uses it; ``scoring`` re-exports it.
"""

from __future__ import annotations

import fnmatch
import functools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from spbe_lint.i18n import LocalText
from spbe_lint.rule import Severity


@dataclass(frozen=True)
class Indicator:
    """One indicator of the SPBE evaluation (PermenPANRB 59/2020)."""

    number: int
    name: LocalText
    aspect: LocalText


@dataclass(frozen=True)
class Evaluation:
    """The pack's ``evaluation`` section: weights, threshold, indicator mapping."""

    regulation: str = ""
    weights: tuple[tuple[str, int], ...] = (("error", 3), ("warning", 2), ("info", 1))
    ready_at: float = 80.0  # overall score (percent) needed for "siap serah terima"
    indicators: tuple[Indicator, ...] = ()
    mapping: tuple[tuple[str, tuple[int, ...]], ...] = ()  # rule id or family-*

    def weight(self, severity: Severity) -> int:
        return dict(self.weights).get(severity.label, int(severity))

    def indicators_for(self, rule_id: str) -> tuple[int, ...]:
        return _indicators_for(self.mapping, rule_id)

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> Evaluation:
        return cls(
            regulation=data.get("regulation", ""),
            weights=tuple(
                sorted(
                    data.get("weights", dict(cls.weights)).items(),
                    key=lambda item: -Severity.parse(item[0]),
                )
            ),
            ready_at=float(data.get("ready_at", cls.ready_at)),
            indicators=tuple(
                Indicator(
                    i["number"],
                    LocalText.from_data(i["name"]),
                    LocalText.from_data(i["aspect"]),
                )
                for i in data.get("indicators", ())
            ),
            mapping=tuple(
                (selector, tuple(m["indicators"]))
                for m in data.get("mapping", ())
                for selector in m["rules"]
            ),
        )

    def as_data(self) -> dict[str, Any]:
        """The shape of pack.yaml's ``evaluation`` (and of the JSON report's)."""
        return {
            "regulation": self.regulation,
            "weights": dict(self.weights),
            "ready_at": self.ready_at,
            "indicators": [
                {
                    "number": i.number,
                    "name": i.name.as_dict(),
                    "aspect": i.aspect.as_dict(),
                }
                for i in self.indicators
            ],
            "mapping": [
                {"rules": [selector], "indicators": list(numbers)}
                for selector, numbers in self.mapping
            ],
        }


@functools.lru_cache(maxsize=4096)
def _indicators_for(
    mapping: tuple[tuple[str, tuple[int, ...]], ...], rule_id: str
) -> tuple[int, ...]:
    """Memoised: an audit scores a thousand reports over the same hundred rules."""
    numbers: set[int] = set()
    for selector, mapped in mapping:
        if fnmatch.fnmatchcase(rule_id, selector):
            numbers.update(mapped)
    return tuple(sorted(numbers))
