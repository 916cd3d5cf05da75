"""A rule as the engine sees it: frozen values built from a rule file.

The floor below ``findings``: a rule, its severity and its legal basis import
nothing of spbe-lint but ``i18n`` (``findings`` re-exports Severity and Reference).
"""

from __future__ import annotations

import datetime
import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from spbe_lint.i18n import LocalText

if TYPE_CHECKING:
    from jsonschema.protocols import Validator  # schema.Validator, without the circle


class Severity(enum.IntEnum):
    INFO = 1
    WARNING = 2
    ERROR = 3

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, name: str) -> Severity:
        return cls[name.upper()]


@dataclass(frozen=True)
class Reference:
    """A citation: which instrument, which article, what kind, how sure we are.

    ``kind`` says whether the instrument binds the city ("binding": a law or
    regulation in force), is another region's or agency's practice ("practice"),
    or is a secondary source or an unread text ("secondary"). Only binding
    references are a legal basis (see reporters/basis.py)."""

    regulation: str  # full name, e.g. "Permenkominfo No. 4 Tahun 2024"
    short: str  # compact form for one-line output, e.g. "Permenkominfo 4/2024"
    article: str | None  # None where the catalogue gives no article
    confidence: str  # high | medium | low
    url: str | None = None
    note: LocalText | None = None  # a research note: how it was read, what is unsure
    # Unclassified references (hand-built, or read from an old report) claim
    # nothing: they are never shown as legal basis.
    kind: str = "secondary"
    provision: LocalText | None = None  # cited part where there is no article

    def citation(self, lang: str) -> str:
        """The instrument and its article (or provision), without research notes."""
        if self.article:
            return f"{self.short} {self.article}"
        if self.provision:
            return f"{self.short}, {self.provision.get(lang)}"
        return self.short

    def cite(self, lang: str) -> str:
        """The citation with its research note, for `rules explain`, JSON, SARIF."""
        text = self.citation(lang)
        return f"{text} ({self.note.get(lang)})" if self.note else text


class Namespace(dict[str, Any]):
    """A profile mapping that also reads as attributes, for ``{profile.domain}``."""

    def __getattr__(self, name: str) -> Any:
        try:
            value = self[name]
        except KeyError:
            raise AttributeError(name) from None
        return Namespace(value) if isinstance(value, dict) else value


@dataclass(frozen=True)
class Predicate:
    """One test a rule makes: a builtin, a schema on a selected node, or a named check."""

    builtin: str | None = None
    select: str = ""
    missing: str = "fail"
    validator: Validator | None = None
    check: str | None = None
    params: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Condition:
    """A rule's `when`: the rule applies only where the selected node matches."""

    select: str
    validator: Validator
    missing: str = "skip"  # or "apply": an undeclared value does not excuse the rule


@dataclass(frozen=True)
class Example:
    """A manifest (and files) a rule must pass or fail on: tested with the pack."""

    manifest: str
    description: LocalText | None = None
    expect: tuple[Mapping[str, Any], ...] = ()
    as_of: datetime.date | None = None  # date checks in examples must not rot
    files: tuple[str, ...] = ()  # the submission beside the manifest, if any
    contents: Mapping[str, str] = field(default_factory=dict)  # of files, when given


@dataclass(frozen=True)
class Rule:
    """One requirement of the pack, built from its rule file, with its legal basis."""

    id: str
    domain: str
    severity: Severity
    title: LocalText
    message: LocalText
    messages: Mapping[str, LocalText]
    rationale: LocalText
    remediation: LocalText
    references: tuple[Reference, ...]
    predicates: tuple[Predicate, ...] = ()
    passing: tuple[Example, ...] = ()
    failing: tuple[Example, ...] = ()
    not_applicable_reason: LocalText | None = None
    lifecycle: tuple[str, ...] = ()
    when: tuple[Condition, ...] = ()
    perwal: str | None = None
    always: bool = False  # cannot be deselected (see rule.schema.json)
    default_severity: Severity | None = None  # set when configuration overrides it
    target: str = "manifest"  # or "endpoint": judged by the probe, not statically
    probe: tuple[str, ...] = ()  # the probe facts an endpoint rule judges
    serves: str | None = None  # a probe rule (PRB): the requirement it serves
    effective_from: datetime.date | None = None
    until: datetime.date | None = None
    # "document" when the evidence is a file a person must read (spbe-lint checks
    # that it is there, not what it says); "declaration" otherwise.
    evidence_type: str = "declaration"

    def in_force(self, as_of: datetime.date) -> bool:
        if self.effective_from and as_of < self.effective_from:
            return False
        return not (self.until and as_of > self.until)

    @property
    def is_builtin(self) -> bool:
        return bool(self.predicates) and all(p.builtin for p in self.predicates)
