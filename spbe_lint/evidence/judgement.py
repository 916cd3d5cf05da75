"""What the dataset judges share: the run's context as they read it, the
problems found (by file and aspect), the dataset being judged, and how a
problem is placed in an evidence file or at the manifest's reference.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from spbe_lint.evidence import datafile
from spbe_lint.findings import Location, Span, Violation
from spbe_lint.pointers import to_pointer

if TYPE_CHECKING:
    from spbe_lint.source import Document


class Context(Protocol):
    """What a judge reads of ``checks.CheckContext`` (kept structural, so that the
    evidence modules never import the checks package that registers them)."""

    profile: Mapping[str, Any]
    as_of: datetime.date
    manifest: Mapping[str, Any]
    folder: Path | None
    documents_present: bool
    manifest_path: str

    def display(self, reference: str) -> str: ...


@dataclass
class Judgement:
    """Violations by (reference, aspect)."""

    found: dict[tuple[str, str], list[Violation]] = field(
        default_factory=lambda: defaultdict(list)
    )
    # (reference, aspect) already reported: a file two datasets share is one file,
    # its problems reported once.
    served: set[tuple[str, str]] = field(default_factory=set)

    def add(self, reference: str, aspect: str, violation: Violation) -> None:
        self.found[(reference, aspect)].append(violation)


@dataclass
class Dataset:
    """One entry of data.datasets and the evidence loaded for it."""

    index: int
    name: str
    entry: Mapping[str, Any]
    schema_ref: str | None = None
    schema: Document | None = None
    sample_ref: str | None = None
    table: Any = None  # evidence.samples.Sample, once read


def unreadable(
    context: Context, reference: str, problem: datafile.Unreadable
) -> Violation:
    """A file that cannot be judged: at the file (its line when known)."""
    span = Span(problem.line, 1, problem.line, 1) if problem.line else None
    return Violation(
        params={"value": reference, "reason": problem.reason},
        kind="unreadable",
        location=Location(context.display(reference), "", span),
    )


def read_structured(
    context: Context, reference: str, result: Judgement, aspect: str
) -> Document | None:
    assert context.folder is not None
    try:
        raw = datafile.read(
            context.folder, reference, context.display(reference), datafile.SCHEMA_LIMIT
        )
        return datafile.structured(raw)
    except datafile.Unreadable as problem:
        result.add(
            reference, aspect, missing_or_unreadable(context, reference, problem)
        )
        return None


def missing_or_unreadable(
    context: Context, reference: str, problem: datafile.Unreadable
) -> Violation:
    """Not there or outside: at the manifest's reference (the document messages);
    there but not usable: in the file."""
    text = problem.reason.en
    if text == "no such file":
        return Violation(params={"value": reference}, kind="not-found")
    if text.startswith("the path leaves"):
        return Violation(params={"value": reference}, kind="outside")
    return unreadable(context, reference, problem)


def at(
    document: Document,
    path: tuple[Any, ...],
    kind: str,
    *,
    anchor: str = "auto",
    **params: Any,
) -> Violation:
    """A violation at *path* inside an evidence file loaded with positions."""
    return Violation(
        params=params,
        kind=kind,
        location=Location(
            document.path, to_pointer(path), document.locate(path, anchor=anchor)
        ),
    )


def others(names: Mapping[str, str], dataset: Dataset) -> dict[str, str]:
    """The datasets a foreign key of *dataset* may name."""
    return {k: v for k, v in names.items() if k != dataset.name}


def resource_name(index: int) -> str:
    """The name frictionless knows dataset *index* by (its rules for names are
    stricter than a manifest's)."""
    return f"dataset-{index}"
