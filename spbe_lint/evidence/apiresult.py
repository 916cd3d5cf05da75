"""What the judge of an OpenAPI description gives: problems placed in the
document, as frozen values (``evidence.openapi`` makes them, ``apicache``
remembers them, the INT rules and the probe report them)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from spbe_lint.findings import Location, Span
from spbe_lint.i18n import LocalText


@dataclass(frozen=True)
class Placed:
    """A problem and where it is in the document."""

    aspect: str
    detail: LocalText
    pointer: str
    span: Span
    review: bool = False  # a limit was broken: a person must judge the document


@dataclass(frozen=True)
class Judgement:
    """An API description's judgement: its placed problems, cacheable."""

    name: str  # the document as reports name it (a path or a URL)
    placed: tuple[Placed, ...]
    described: bool  # False: unreadable, or not an OpenAPI description at all
    files: tuple[str, ...] = ()  # the submitted files its references read

    def of(self, aspects: Sequence[str]) -> list[Placed]:
        return [p for p in self.placed if p.aspect in aspects]

    def location(self, placed: Placed) -> Location:
        return Location(self.name, placed.pointer, placed.span)
