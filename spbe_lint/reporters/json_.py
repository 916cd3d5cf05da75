"""The versioned JSON report (``schemas/report.schema.json``).

Both languages travel in the report (``message_i18n``), so a saved report can be
re-rendered in either; ``message`` is in the run's language.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import TYPE_CHECKING, Any

from spbe_lint.findings import Finding, InputProblem, Reference, Report, Status

if TYPE_CHECKING:
    from spbe_lint.reporters import RenderOptions
    from spbe_lint.rule import Rule

REPORT_VERSION = "1.1"  # 1.1: finding evidence, probed endpoints
SCHEMA_ID = "https://spbe-lint.jambikota.go.id/schemas/report.schema.json"


def render(report: Report, options: RenderOptions) -> str:
    return json.dumps(as_dict(report), ensure_ascii=False, indent=2) + "\n"


def as_dict(report: Report) -> dict[str, Any]:
    failures = report.failures
    return {
        "$schema": SCHEMA_ID,
        "report_version": REPORT_VERSION,
        "tool": {"name": "spbe-lint", "version": report.tool_version},
        "rule_pack": {
            "name": report.pack.name,
            "version": report.pack.version,
            "title": report.pack.title.as_dict(),
            "regulation": report.pack.regulation,
            "sha256": report.pack.sha256,
        },
        "settings": {
            "lang": report.lang,
            "fail_on": report.fail_on.label,
            "exit_zero": report.exit_zero,
            "as_of": report.as_of.isoformat() if report.as_of else None,
        },
        "inputs": [
            {"path": i.path, "sha256": i.sha256, "bytes": i.size} for i in report.inputs
        ],
        "summary": {
            "exit_status": int(report.exit_status()),
            "manifests": len(report.inputs),
            "unreadable": len(report.problems),
            "results": {s.value: report.counts[s.value] for s in Status},
            "failures_by_severity": _tally(f.severity.label for f in failures),
            "failures_by_domain": _tally(f.domain for f in failures),
        },
        **({"endpoints": list(report.endpoints)} if report.endpoints else {}),
        "findings": [_finding(f, report.lang) for f in report.findings],
        "errors": [_problem(p, report.lang) for p in report.problems],
        "rules": [_rule(r) for r in report.rules],
    }


def _tally(values: Any) -> dict[str, int]:
    return dict(sorted(Counter(values).items()))


def _finding(finding: Finding, lang: str) -> dict[str, Any]:
    location = finding.location
    span = location.span
    where: dict[str, Any] = {"path": location.path, "pointer": location.pointer}
    if span is not None:
        where.update(
            line=span.line,
            column=span.column,
            end_line=span.end_line,
            end_column=span.end_column,
        )
    data = {
        "rule": finding.rule,
        "domain": finding.domain,
        "severity": finding.severity.label,
        "status": finding.status.value,
        "message": finding.message.get(lang),
        "message_i18n": finding.message.as_dict(),
        "location": where,
        "references": [_reference(r) for r in finding.references],
        "fingerprint": finding.fingerprint,
    }
    if finding.evidence is not None:
        data["evidence"] = finding.evidence  # what a probe saw (JSON data)
    return data


def _reference(reference: Reference) -> dict[str, Any]:
    return {
        "regulation": reference.regulation,
        "short": reference.short,
        "article": reference.article,
        "confidence": reference.confidence,
        "url": reference.url,
        "note": reference.note.as_dict() if reference.note else None,
    }


def _problem(problem: InputProblem, lang: str) -> dict[str, Any]:
    return {
        "path": problem.path,
        "line": problem.line,
        "column": problem.column,
        "sha256": problem.sha256,
        "message": problem.message.get(lang),
        "message_i18n": problem.message.as_dict(),
    }


def _rule(rule: Rule) -> dict[str, Any]:
    return {
        "id": rule.id,
        "domain": rule.domain,
        "severity": rule.severity.label,
        "default_severity": (rule.default_severity or rule.severity).label,
        "title": rule.title.as_dict(),
        "remediation": rule.remediation.as_dict(),
        "references": [_reference(r) for r in rule.references],
        "perwal": rule.perwal,
        "target": rule.target,
        "evidence": rule.evidence,
    }
