"""Which findings each format written as a run goes gives lines of.

A streamed run holds a finding only until its lines are written, and holds
only findings that have lines (a manifest's passes and unprobed endpoint rules
are most of its results); a worker (spbe_lint.workers) sends back only those.
Both ask here: ``LISTS`` for the one-line formats, ``listed`` for any set of
writers, the text report's own ``section`` for text.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from spbe_lint.findings import Finding, Status

# A writer's kind: its format's name and the statuses --show adds.
Kind = tuple[str, frozenset[str]]


def _concise_lists(finding: Finding) -> bool:
    return finding.status is Status.FAIL and finding.waiver is None  # its failures


def _github_lists(finding: Finding) -> bool:
    from spbe_lint.reporters import github

    return github.annotates(finding)


# Which findings a one-line format gives lines of.
LISTS: dict[str, Callable[[Finding], bool]] = {
    "concise": _concise_lists,
    "github": _github_lists,
}


def listed(kinds: Sequence[Kind]) -> Callable[[Finding], bool]:
    """Whether any of the writers *kinds* names gives a finding lines (what
    each writer's ``wants`` says, told without the writers: in a worker)."""
    from spbe_lint.reporters import text

    tests = [
        LISTS[fmt] if fmt in LISTS else _text_lists(text, show) for fmt, show in kinds
    ]
    return lambda finding: any(test(finding) for test in tests)


def _text_lists(text: Any, show: frozenset[str]) -> Callable[[Finding], bool]:
    return lambda finding: text.section(finding, show) is not None
