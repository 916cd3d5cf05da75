"""The value types every stage passes along: findings, the report, exit codes.

Everything here is frozen. Later stages (configuration, waivers) return new
values with ``dataclasses.replace``; nothing is mutated after construction.
"""

from __future__ import annotations

import datetime
import enum
import functools
import hashlib
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from spbe_lint.i18n import LocalText

# Severity and Reference (a legal basis) are a rule's own values, defined with the
# rule one floor down and re-exported here, where most stages import them from.
from spbe_lint.rule import Reference, Rule, Severity

if TYPE_CHECKING:
    from spbe_lint.evaluation import Evaluation

DOMAINS = (
    "hosting",
    "sso",
    "data",
    "interop",
    "security",
    "handover",
    "governance",
    "manifest",
)


class Status(enum.StrEnum):
    FAIL = "fail"
    PASS = "pass"
    NOT_APPLICABLE = "not_applicable"
    INCONCLUSIVE = "inconclusive"
    MANUAL = "manual"


# Finding.kind of an inconclusive result for a rule that could not run at all (the
# file is not readable YAML, ...): counted, but not listed line by line.
NOT_EVALUATED = "not-evaluated"
# Finding.kind of an endpoint rule in a static check: judged only by the probe.
NEEDS_PROBE = "needs-probe"
# Results that are counted but not listed one by one, nor offered for review:
# nothing a person can act on beyond what the summary says.
COUNTED_ONLY = frozenset({NOT_EVALUATED, NEEDS_PROBE})


class ExitStatus(enum.IntEnum):
    """The exit-code policy, in one place."""

    OK = 0  # nothing failed at or above --fail-on
    FINDINGS = 1  # something failed at or above --fail-on
    ERROR = 2  # usage, configuration, rule pack or an unreadable input
    INTERNAL = 3  # a bug in spbe-lint


@dataclass(frozen=True)
class Span:
    """A 1-based region of a file (converted from the parser's 0-based marks once)."""

    line: int
    column: int
    end_line: int
    end_column: int


@dataclass(frozen=True)
class Location:
    """Where a finding is: a file, a JSON Pointer into it and its span."""

    path: str  # as displayed: relative to the working folder when inside it
    pointer: str = ""  # RFC 6901 JSON Pointer into the manifest ("" is the root)
    span: Span | None = None


@dataclass(frozen=True)
class Violation:
    """What a check found and where. The engine adds who (rule) and how bad.

    ``path`` is relative to the node the check was given; the engine prefixes
    the selection. ``span`` is set only where no path exists (a syntax error).
    """

    path: tuple[str | int, ...] = ()
    params: Mapping[str, Any] = field(default_factory=dict)
    kind: str = "default"  # picks one of the rule's messages
    anchor: str = "auto"  # "key" points at a mapping key instead of its value
    code: str = ""  # for built-in manifest checks: which loader/schema problem
    span: Span | None = None
    needs_review: bool = False  # a person must check it (Status.MANUAL), not a failure
    # Where in an evidence file the problem is (an OpenAPI document, a dataset sample,
    # a committed file): set by checks that judge the thing a manifest points to. It
    # replaces the manifest location, so reports point into the evidence itself.
    location: Location | None = None


@dataclass(frozen=True)
class Evidence:
    """What a probe saw for a finding: one request and its response (issue 4 fills
    these; reporters show them when present)."""

    method: str
    url: str
    address: str | None = None  # the IP address the connection was pinned to
    status: int | None = None  # the response status; None when nothing answered
    headers: tuple[tuple[str, str], ...] = ()  # response headers seen (excerpt)
    facts: tuple[tuple[str, str], ...] = ()  # other facts: TLS version, redirect...


@dataclass(frozen=True)
class Waiver:
    """Why a failing finding is accepted for now, and until when (issue 6).

    ``source`` is ``file`` for Diskominfo's waiver file (spbe-waivers.yaml) and
    ``inline`` for a vendor's ``x-spbe-waive`` entry in the manifest.
    """

    id: str
    reason: str
    approved_by: str | None = None  # the approver's name
    expires: str | None = None  # ISO date, the last day it holds
    approver_nip: str | None = None
    decision_ref: str | None = None  # the decision letter's number
    issued: str | None = None  # ISO date
    compensating_control: str | None = None
    scope: tuple[tuple[str, str], ...] = ()  # (app|path|pointer|endpoint, value)
    source: str = "file"


@dataclass(frozen=True)
class Finding:
    """The result of one rule on one place: a failure, a pass, or why it did not apply."""

    rule: str
    domain: str
    severity: Severity
    status: Status
    message: LocalText
    location: Location
    references: tuple[Reference, ...] = ()
    kind: str = field(default="", compare=False)  # which of the rule's messages
    occurrence: int = 0  # 2nd, 3rd... finding of one rule at one place
    evidence: tuple[Evidence, ...] = ()
    waiver: Waiver | None = None

    @property
    def fingerprint(self) -> str:
        """Stable when lines move: rule + path + pointer, never line numbers.

        Several findings of one rule at one place (a key written three times)
        are told apart by their order there.
        """
        key = f"{self.rule}\0{self.location.path}\0{self.location.pointer}"
        if self.occurrence:
            key += f"\0{self.occurrence}"
        return hashlib.sha256(key.encode()).hexdigest()[:16]

    def sort_key(self) -> tuple[str, int, int, str, str]:
        span = self.location.span
        line, column = (span.line, span.column) if span else (0, 0)
        return (self.location.path, line, column, self.rule, self.location.pointer)


def place(path: str | None, line: int | None = None, column: int | None = None) -> str:
    """``path:line:column`` with what is known, the form editors and CI logs read."""
    return ":".join(str(part) for part in (path, line, column) if part)


def number_occurrences(findings: Iterable[Finding]) -> list[Finding]:
    """Sort findings and number repeats of one rule at one place (see fingerprint)."""
    seen: Counter[tuple[str, str, str]] = Counter()
    numbered = []
    for finding in sorted(findings, key=Finding.sort_key):
        place = (finding.rule, finding.location.path, finding.location.pointer)
        count = seen[place]
        seen[place] += 1
        numbered.append(replace(finding, occurrence=count) if count else finding)
    return numbered


@dataclass(frozen=True)
class InputProblem:
    """A file that could not be checked at all (it becomes exit status 2)."""

    path: str
    message: LocalText
    line: int | None = None
    column: int | None = None
    sha256: str | None = None  # when the file's bytes could be read


@dataclass(frozen=True)
class InputFile:
    """A file a report judged, with its hash and what it declares."""

    path: str
    sha256: str
    size: int
    # What the manifest says about the application (app.title, app.id...), for
    # reports a person files: ((dotted key, text), ...), only string values.
    identity: tuple[tuple[str, str], ...] = ()
    # Every scalar the manifest declares, by JSON Pointer, so that two saved
    # reports show which declarations changed (spbe-lint diff).
    declarations: tuple[tuple[str, Any], ...] = field(default=(), compare=False)


@dataclass(frozen=True)
class PackInfo:
    """The rule pack a report was made with, enough to evaluate it again."""

    name: str
    version: str
    title: LocalText
    regulation: str
    sha256: str
    # The profile the rules read (configuration overrides included), so that a
    # saved report can be evaluated again exactly (spbe-lint verify --inputs).
    profile: Mapping[str, Any] = field(default_factory=dict, compare=False)
    evaluation: Evaluation | None = None  # SPBE indicators and scoring weights


@dataclass(frozen=True)
class Signature:
    """An Ed25519 signature over the canonical JSON report (spbe_lint.signing).

    ``state`` is what this run knows of it (never written to the JSON): made
    (signed by this run), verified (checked with the key given), unverified
    (read from a saved report and not checked), invalid (the content changed
    after signing), other-key (made with another key than ``checked_with``).
    Reports show a signature as valid only when made or verified."""

    algorithm: str
    key_id: str  # sha256 fingerprint of the public key
    value: str  # base64
    state: str = field(default="unverified", compare=False)
    checked_with: str | None = field(default=None, compare=False)  # fingerprint


@dataclass(frozen=True)
class WaiverEntry:
    """One waiver the run knew of, and what became of it."""

    waiver: Waiver
    state: str  # applied | unused | expired | ignored (inline, reviewer mode)
    matched: int = 0  # failures it waived (or would have, once expired)
    path: str = ""  # where it is written: the waiver file or the manifest
    line: int | None = None


@dataclass(frozen=True)
class BaselineEntry:
    """A known failure a baseline hides, by its fingerprint."""

    fingerprint: str
    rule: str
    path: str
    pointer: str


@dataclass(frozen=True)
class Review:
    """What the review workflow did to a run: which waivers (from which file,
    with which sha256), whether inline suppressions were honoured (reviewer mode
    ignores them), and which known failures a baseline hid."""

    reviewer: bool = False
    waiver_file: str | None = None
    waiver_sha256: str | None = None
    waivers: tuple[WaiverEntry, ...] = ()
    baseline_file: str | None = None
    baseline_sha256: str | None = None
    hidden: tuple[str, ...] = ()  # fingerprints of the failures the baseline hid
    fixed: tuple[BaselineEntry, ...] = ()  # baseline entries no longer failing


@dataclass(frozen=True)
class ScanSummary:
    """What ``spbe-lint scan`` read: the files scanned for secrets, those skipped
    by reason (binary, minified, too large, ...), and the secrets a
    ``.secrets.baseline`` accepted (counted, not listed)."""

    files: int
    skipped: tuple[tuple[str, int], ...] = ()
    accepted: int = 0
    baseline: str | None = None


@dataclass(frozen=True)
class Report:
    """Everything a run found: every reporter renders one of these.

    ``inputs`` and ``findings`` are tuples, or, for a long run, sequences read
    back from a temporary file each time they are iterated (spbe_lint.spool),
    which carry the counts below, counted as they were written."""

    tool_version: str
    pack: PackInfo
    lang: str
    fail_on: Severity
    inputs: Sequence[InputFile]
    findings: Sequence[Finding]  # sorted; passes and not-applicable included
    problems: tuple[InputProblem, ...] = ()
    rules: tuple[Rule, ...] = field(default=(), compare=False)  # rules in force
    exit_zero: bool = False
    as_of: datetime.date | None = None  # the day the manifests were judged on
    documents: str = "auto"  # how document references were judged (--documents)
    generated_at: str | None = None  # ISO 8601 UTC; from SOURCE_DATE_EPOCH when set
    signature: Signature | None = None
    review: Review | None = None  # waivers and baseline applied (spbe_lint.review)
    endpoints: tuple[str, ...] = ()  # URLs the probe was asked to check
    scan: ScanSummary | None = None  # spbe-lint scan: the files read for secrets

    @functools.cached_property
    def failures(self) -> Sequence[Finding]:
        """Failures that count: waived ones stay in findings (``waived``)."""
        tally = getattr(self.findings, "tally", None)
        if tally is not None:  # spooled: read back when used, never all held
            return self.findings.where(_failing, tally.failures)  # type: ignore[attr-defined]
        return tuple(f for f in self.findings if _failing(f))

    @functools.cached_property
    def waived(self) -> Sequence[Finding]:
        tally = getattr(self.findings, "tally", None)
        if tally is not None:
            return self.findings.where(_waived, tally.waived)  # type: ignore[attr-defined]
        return tuple(f for f in self.findings if _waived(f))

    @functools.cached_property
    def counts(self) -> Counter[str]:
        """How many results of each status (keys: Status values)."""
        tally = getattr(self.findings, "tally", None)
        if tally is not None:
            return Counter(tally.statuses)
        return Counter(f.status.value for f in self.findings)

    def exit_status(self) -> ExitStatus:
        if self.problems:
            return ExitStatus.ERROR  # --exit-zero never hides an input error
        if self.exit_zero:
            return ExitStatus.OK
        tally = getattr(self.findings, "tally", None)
        if tally is not None:
            failed = tally.worst is not None and tally.worst >= self.fail_on
        else:
            failed = any(f.severity >= self.fail_on for f in self.failures)
        return ExitStatus.FINDINGS if failed else ExitStatus.OK


def _failing(finding: Finding) -> bool:
    return finding.status is Status.FAIL and finding.waiver is None


def _waived(finding: Finding) -> bool:
    return finding.status is Status.FAIL and finding.waiver is not None
