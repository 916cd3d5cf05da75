"""Scores and the handover verdict: a pure function of the Report.

Per domain, the share of applicable rules passed, each rule weighted by its
severity (weights from the rule pack's ``evaluation``; error 3, warning 2,
info 1 by default)::

    score(domain) = 100 × Σ weight(rules passed) / Σ weight(rules applicable)

A rule is counted once per manifest: it failed when any of its results there
failed, passed when all passed. ``not_applicable``, ``inconclusive`` and
``manual`` results are neither passed nor failed: they are left out of the
share and listed for a reviewer. A waived failure earns nothing but does not
block. The overall score is the same share over every domain except
``manifest`` (rules about the file itself, not obligations). The verdict is
"siap serah terima" (ready for handover) only when the overall score reaches
the pack's ``ready_at`` and nothing blocks: a failing error-severity rule, or
a file that could not be read, makes it "belum siap" whatever the score.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from spbe_lint.evaluation import Evaluation, Indicator
from spbe_lint.findings import (
    COUNTED_ONLY,
    DOMAINS,
    NEEDS_PROBE,
    Finding,
    Report,
    Severity,
    Status,
)
from spbe_lint.i18n import LocalText, format_number

_REVIEW = (Status.INCONCLUSIVE, Status.MANUAL)
UNSCORED_DOMAINS = ("manifest",)


DEFAULT_EVALUATION = Evaluation()


@dataclass(frozen=True)
class Tally:
    """Rules counted once per manifest, and the severity weights behind the share."""

    passed: int = 0
    failed: int = 0
    review: int = 0  # inconclusive or manual: a person must look
    not_applicable: int = 0
    earned: int = 0  # Σ weight of rules passed
    possible: int = 0  # Σ weight of rules applicable (passed or failed)

    @property
    def percent(self) -> float | None:
        if not self.possible:
            return None  # nothing applicable: no score rather than 0 or 100
        return round(100 * self.earned / self.possible, 1)

    def __add__(self, other: Tally) -> Tally:
        return Tally(
            self.passed + other.passed,
            self.failed + other.failed,
            self.review + other.review,
            self.not_applicable + other.not_applicable,
            self.earned + other.earned,
            self.possible + other.possible,
        )


@dataclass(frozen=True)
class IndicatorResult:
    """An SPBE indicator and the rules behind it that passed or failed."""

    indicator: Indicator
    rules: tuple[str, ...]  # rules in force mapped to it
    passed: tuple[str, ...]
    failed: tuple[str, ...]

    @property
    def state(self) -> str:
        """supported (every applicable mapped rule passed), not_supported, not_assessed."""
        if self.failed:
            return "not_supported"
        return "supported" if self.passed else "not_assessed"


@dataclass(frozen=True)
class Score:
    """The verdict of a report: per domain, overall, and what blocks it."""

    domains: tuple[tuple[str, Tally], ...]  # in DOMAINS order, only those with results
    overall: Tally
    ready: bool
    ready_at: float
    blocking: tuple[Finding, ...]  # failures that cap the verdict
    review: tuple[Finding, ...]  # inconclusive and manual results, for a person
    indicators: tuple[IndicatorResult, ...]
    regulation: str
    # Endpoint rules a static check could not judge (per manifest and rule):
    # the report says the probe has not run rather than let them look passed.
    awaiting_probe: int = 0

    @property
    def verdict(self) -> LocalText:
        return VERDICTS[self.ready]


VERDICTS = {
    True: LocalText("siap serah terima", "ready for handover"),
    False: LocalText("belum siap", "not ready"),
}

FORMULA = LocalText(
    "Skor domain = 100 × Σ bobot aturan lulus / Σ bobot aturan yang berlaku "
    "(bobot menurut tingkat: {weights}). Setiap aturan dihitung sekali per manifest: "
    "gagal bila salah satu hasilnya gagal. Hasil tidak berlaku, tidak dapat dinilai "
    "dan pemeriksaan manual tidak dihitung, tetapi didaftar untuk ditinjau; "
    "kegagalan yang dikecualikan (waiver) tidak mendapat nilai tetapi tidak "
    "menghambat. Skor keseluruhan memakai rumus yang sama atas semua domain kecuali "
    "manifest. Putusan: siap serah terima bila skor keseluruhan ≥ {ready_at}% dan "
    "tidak ada kegagalan tingkat error maupun berkas yang tidak dapat dibaca; "
    "satu kegagalan error menjadikannya belum siap, berapa pun skornya.",
    "Domain score = 100 × Σ weight of rules passed / Σ weight of rules applicable "
    "(weights by severity: {weights}). Each rule counts once per manifest: failed "
    "when any of its results failed. Not-applicable, inconclusive and manual results "
    "are left out of the share and listed for review; a waived failure earns "
    "nothing but does not block. The overall score is the same share over every "
    "domain except manifest. Verdict: ready for handover when the overall score is "
    "≥ {ready_at}% and no error-severity rule failed and every file could be read; "
    "one error failure makes it not ready, whatever the score.",
)


def formula(evaluation: Evaluation) -> LocalText:
    weights = ", ".join(f"{name} {weight}" for name, weight in evaluation.weights)
    ready_at = LocalText(
        format_number(evaluation.ready_at, "id"),
        format_number(evaluation.ready_at, "en"),
    )
    return FORMULA.format({"weights": weights, "ready_at": ready_at})


def evaluation_of(report: Report) -> Evaluation:
    return report.pack.evaluation or DEFAULT_EVALUATION


def score(report: Report) -> Score:
    evaluation = evaluation_of(report)
    fold = _fold(report.findings, evaluation)
    domains = tuple((d, fold.by_domain[d]) for d in _ordered(fold.by_domain))
    overall = sum((t for d, t in domains if d not in UNSCORED_DOMAINS), start=Tally())
    blocking = _kept(report.failures, _blocks, fold.blocking)
    percent = overall.percent
    ready = (
        bool(report.inputs)
        and not report.problems
        and not blocking
        and percent is not None
        and percent >= evaluation.ready_at
    )
    return Score(
        domains=domains,
        overall=overall,
        ready=ready,
        ready_at=evaluation.ready_at,
        blocking=blocking,
        review=_kept(report.findings, _reviewed, fold.review),
        indicators=_indicators(evaluation, fold, report),
        regulation=evaluation.regulation,
        awaiting_probe=fold.awaiting,
    )


def _blocks(finding: Finding) -> bool:
    """A failure (that counts) that blocks the verdict."""
    return finding.severity >= Severity.ERROR and finding.waiver is None


def _reviewed(finding: Finding) -> bool:
    return finding.status in _REVIEW and finding.kind not in COUNTED_ONLY


def _kept(findings: Any, keep: Any, count: int) -> Any:
    """The *count* findings *keep* keeps: a tuple, or for a long run's spooled
    findings (spbe_lint.spool) a sequence read back on use, never all held."""
    if hasattr(findings, "where"):
        return findings.where(keep, count)
    return tuple(f for f in findings if keep(f))


_RANK = {
    Status.FAIL: 4,
    Status.INCONCLUSIVE: 3,
    Status.MANUAL: 3,
    Status.PASS: 2,
    Status.NOT_APPLICABLE: 1,
}
Outcome = tuple[str, Severity, Status]  # a (path, rule)'s domain, severity, status


class _Fold:
    """What a score needs of a report's findings, in one pass: each (path,
    rule)'s one status (fail beats review beats pass beats n/a) added to its
    domain's tally and its rule's verdicts, and the findings counted. (A plain
    class: a dataclass compiles its methods when the pre-commit path imports
    this module.)"""

    def __init__(self, evaluation: Evaluation) -> None:
        self.evaluation = evaluation
        self.by_domain: dict[str, Tally] = {}
        self.rules: set[str] = set()  # rules with an outcome
        self.failed: set[str] = set()  # rules failed somewhere
        self.passed: set[str] = set()  # rules passed somewhere
        self.blocking = 0
        self.review = 0
        self.awaiting = 0  # (path, rule) pairs awaiting the probe

    def add(self, outcomes: Mapping[str, Outcome], awaiting: int) -> None:
        """One path's outcomes, by rule."""
        for rule, (domain, severity, status) in outcomes.items():
            weight = self.evaluation.weight(severity)
            tally = self.by_domain.get(domain, Tally()) + _tally(status, weight)
            self.by_domain[domain] = tally
            self.rules.add(rule)
            if status is Status.FAIL:
                self.failed.add(rule)
            elif status is Status.PASS:
                self.passed.add(rule)
        self.awaiting += awaiting


def _fold(findings: Iterable[Finding], evaluation: Evaluation) -> _Fold:
    """The findings folded path by path: a report's are sorted, so each path's
    come together and only one path's outcomes are held (10,000 manifests
    hold a million). Findings whose paths come apart are folded from a table
    of every (path, rule) instead."""
    fold = _Fold(evaluation)
    outcomes: dict[str, Outcome] = {}
    awaiting: set[str] = set()
    path: str | None = None
    done: set[str] = set()
    for finding in findings:
        if finding.status is Status.FAIL and _blocks(finding):
            fold.blocking += 1
        if _reviewed(finding):
            fold.review += 1
        where = finding.location.path
        if where != path:
            fold.add(outcomes, len(awaiting))
            outcomes, awaiting = {}, set()
            if path is not None:
                done.add(path)
            if where in done:
                return _fold_apart(findings, evaluation)
            path = where
        if finding.kind == NEEDS_PROBE:
            awaiting.add(finding.rule)
        if finding.kind in COUNTED_ONLY:
            continue  # not judged at all (awaits the probe, or the file is unreadable)
        seen = outcomes.get(finding.rule)
        if seen is None or _RANK.get(finding.status, 3) > _RANK.get(seen[2], 3):
            outcomes[finding.rule] = (finding.domain, finding.severity, finding.status)
    fold.add(outcomes, len(awaiting))
    return fold


def _fold_apart(findings: Iterable[Finding], evaluation: Evaluation) -> _Fold:
    """``_fold`` for findings whose paths are not together."""
    by_path: dict[str, list[Finding]] = {}
    for finding in findings:
        by_path.setdefault(finding.location.path, []).append(finding)
    fold = _Fold(evaluation)
    for grouped in by_path.values():
        one = _fold(grouped, evaluation)
        fold.add({}, one.awaiting)
        fold.blocking += one.blocking
        fold.review += one.review
        fold.rules |= one.rules
        fold.failed |= one.failed
        fold.passed |= one.passed
        for domain, tally in one.by_domain.items():
            fold.by_domain[domain] = fold.by_domain.get(domain, Tally()) + tally
    return fold


def _tally(status: Status, weight: int) -> Tally:
    if status is Status.PASS:
        return Tally(passed=1, earned=weight, possible=weight)
    if status is Status.FAIL:
        return Tally(failed=1, possible=weight)
    if status is Status.NOT_APPLICABLE:
        return Tally(not_applicable=1)
    return Tally(review=1)  # inconclusive, manual, and any status added later


def _ordered(domains: Iterable[str]) -> list[str]:
    known = [d for d in DOMAINS if d in domains]
    return known + sorted(d for d in domains if d not in DOMAINS)


def _indicators(
    evaluation: Evaluation, fold: _Fold, report: Report
) -> tuple[IndicatorResult, ...]:
    rule_ids = sorted({r.id for r in report.rules} | fold.rules)
    # Each rule's indicators once, not once per indicator (an audit scores a
    # thousand reports: 15 x 90 look-ups each were a tenth of its warm run).
    numbers = {r: evaluation.indicators_for(r) for r in rule_ids}
    results = []
    for indicator in evaluation.indicators:
        mapped = tuple(r for r in rule_ids if indicator.number in numbers[r])
        chosen = set(mapped)
        failed = sorted(chosen & fold.failed)
        passed = sorted((chosen & fold.passed) - set(failed))
        results.append(IndicatorResult(indicator, mapped, tuple(passed), tuple(failed)))
    return tuple(results)


def as_dict(result: Score, evaluation: Evaluation) -> dict[str, Any]:
    """The score as the JSON report carries it (derived data: never read back)."""

    def tally(t: Tally) -> dict[str, Any]:
        return {
            "score": t.percent,
            "passed": t.passed,
            "failed": t.failed,
            "review": t.review,
            "not_applicable": t.not_applicable,
            "weight_passed": t.earned,
            "weight_applicable": t.possible,
        }

    return {
        "formula": formula(evaluation).as_dict(),
        "verdict": "ready" if result.ready else "not_ready",
        "verdict_i18n": result.verdict.as_dict(),
        "ready_at": result.ready_at,
        "overall": tally(result.overall),
        "domains": {domain: tally(t) for domain, t in result.domains},
        "blocking": [f.fingerprint for f in result.blocking],
        "indicators": [
            {
                "number": r.indicator.number,
                "state": r.state,
                "rules": list(r.rules),
                "failed": list(r.failed),
            }
            for r in result.indicators
        ],
    }
