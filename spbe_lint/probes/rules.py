"""Endpoint rules judged from the probe's verdicts (``probes.checks.judge``):
what ``check --probe``, ``probe`` and ``audit --probe`` report of the deployed
application, one finding per rule and endpoint URL."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from spbe_lint.findings import Finding, Location, Status
from spbe_lint.i18n import LocalText
from spbe_lint.rule import Rule, Severity

_NOTHING_PROBED = LocalText(
    "tidak ada yang diperiksa: tidak ada endpoint yang relevan bagi aturan ini",
    "nothing to check: no probed endpoint is relevant to this rule",
)
_VERDICT_STATUS = {
    "pass": Status.PASS,
    "fail": Status.FAIL,
    "inconclusive": Status.INCONCLUSIVE,
    "not_applicable": Status.NOT_APPLICABLE,
}


def evaluate_endpoints(
    rules: Iterable[Rule], verdicts: Mapping[str, Sequence[Any]], where: str
) -> list[Finding]:
    """Endpoint rules judged from probe verdicts (``probes.checks.judge``).

    Per rule and endpoint URL: one finding per failing or inconclusive check;
    a pass only when every check the rule names passed there; not applicable
    (with the check's reason) when none applied. Nothing is passed without
    evidence. *where* locates a rule no endpoint was relevant to.
    """
    findings: list[Finding] = []
    for rule in rules:
        if rule.target != "endpoint":
            continue
        by_url: dict[str, list[Any]] = {}
        for check in rule.probe:
            for verdict in verdicts.get(check, ()):
                by_url.setdefault(verdict.url, []).append(verdict)
        if not by_url:
            findings.append(
                _probe_finding(rule, where, Status.NOT_APPLICABLE, _NOTHING_PROBED)
            )
        for url, found in by_url.items():
            statuses = [_VERDICT_STATUS[v.status] for v in found]
            shown = [
                v
                for v, s in zip(found, statuses, strict=True)
                if s in (Status.FAIL, Status.INCONCLUSIVE)
            ]
            for verdict in shown:
                message = rule.message.format(
                    {"field": verdict.check, "detail": verdict.detail}
                )
                severity = rule.severity
                if verdict.severity:
                    severity = min(severity, Severity.parse(verdict.severity))
                findings.append(
                    _probe_finding(
                        rule,
                        url,
                        _VERDICT_STATUS[verdict.status],
                        message,
                        verdict.evidence,
                        severity,
                        kind=verdict.check,
                        location=verdict.location,
                    )
                )
            if shown:
                continue
            passed = [
                v for v, s in zip(found, statuses, strict=True) if s is Status.PASS
            ]
            if passed:
                evidence = {v.check: v.evidence for v in passed if v.evidence}
                message = rule.title
                if len(passed) == 1:  # say what passed when it is one check
                    message = rule.message.format(
                        {"field": passed[0].check, "detail": passed[0].detail}
                    )
                    evidence = dict(passed[0].evidence or {})
                findings.append(
                    _probe_finding(rule, url, Status.PASS, message, evidence or None)
                )
            else:
                reason = rule.message.format(
                    {"field": found[0].check, "detail": found[0].detail}
                )
                findings.append(
                    _probe_finding(rule, url, Status.NOT_APPLICABLE, reason)
                )
    return findings


def _probe_finding(
    rule: Rule,
    url: str,
    status: Status,
    message: LocalText,
    evidence: Mapping[str, Any] | None = None,
    severity: Severity | None = None,
    kind: str = "",
    location: Location | None = None,
) -> Finding:
    from spbe_lint.probes.evidence import to_evidence  # the probe path only

    return Finding(
        rule=rule.id,
        domain=rule.domain,
        severity=severity or rule.severity,
        status=status,
        message=message,
        location=location or Location(url),
        references=rule.references,
        kind=kind,
        evidence=to_evidence(evidence),
    )
