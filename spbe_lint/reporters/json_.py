"""The versioned JSON report (``schemas/report.schema.json``), and back.

Both languages travel in the report (``message_i18n``, titles, remediation), so
a saved report can be re-rendered in either (``spbe-lint report``); ``message``
is in the run's language. ``from_dict`` rebuilds the Report from what
``as_dict`` wrote; derived parts (summary, score) are recomputed, never read.
"""

from __future__ import annotations

import dataclasses
import datetime
import functools
from collections import Counter
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from spbe_lint import scoring
from spbe_lint.findings import (
    BaselineEntry,
    Evidence,
    Finding,
    InputFile,
    InputProblem,
    Location,
    PackInfo,
    Reference,
    Report,
    Review,
    ScanSummary,
    Severity,
    Signature,
    Span,
    Status,
    Waiver,
    WaiverEntry,
)
from spbe_lint.i18n import LocalText
from spbe_lint.reporters import jsonparts
from spbe_lint.rule import Rule

if TYPE_CHECKING:
    from spbe_lint.reporters import RenderOptions

REPORT_VERSION = "1.4"  # 1.3: probed endpoints; 1.4: kind and provision of references
# Older minor versions this one reads (a minor version only adds members).
READS = ("1.1", "1.2", "1.3", "1.4")
SCHEMA_ID = "https://spbe-lint.jambikota.go.id/schemas/report.schema.json"


def render(report: Report, options: RenderOptions) -> str:
    return "".join(chunks(report, options))


def chunks(report: Report, options: RenderOptions) -> Iterator[str]:
    """``render``'s text in pieces, each finding's made as it is written
    (jsonparts): the report never stands whole in memory as JSON."""
    return jsonparts.chunks(_document(report))


def as_dict(report: Report) -> dict[str, Any]:
    data: dict[str, Any] = jsonparts.plain(_document(report))
    return data


def _document(report: Report) -> jsonparts.Parts:
    """The report as JSON values; its inputs and findings as Lazy lists."""
    evaluation = scoring.evaluation_of(report)
    data = jsonparts.Parts(
        {
            "$schema": SCHEMA_ID,
            "report_version": REPORT_VERSION,
            "generated_at": report.generated_at,
            "tool": {"name": "spbe-lint", "version": report.tool_version},
            "rule_pack": {
                "name": report.pack.name,
                "version": report.pack.version,
                "title": report.pack.title.as_dict(),
                "regulation": report.pack.regulation,
                "sha256": report.pack.sha256,
                "profile": dict(report.pack.profile),
                "evaluation": (
                    report.pack.evaluation.as_data() if report.pack.evaluation else None
                ),
            },
            "settings": {
                "lang": report.lang,
                "fail_on": report.fail_on.label,
                "exit_zero": report.exit_zero,
                "as_of": report.as_of.isoformat() if report.as_of else None,
                "documents": report.documents,
            },
            "inputs": jsonparts.Lazy(
                {
                    "path": i.path,
                    "sha256": i.sha256,
                    "bytes": i.size,
                    "identity": dict(i.identity),
                    "declarations": dict(i.declarations),
                }
                for i in report.inputs
            ),
            "summary": {
                "exit_status": int(report.exit_status()),
                "manifests": len(report.inputs),
                "unreadable": len(report.problems),
                "results": {s.value: report.counts[s.value] for s in Status},
                **_failures_by(report),
            },
            "score": scoring.as_dict(scoring.score(report), evaluation),
            **({"endpoints": list(report.endpoints)} if report.endpoints else {}),
            **({"scan": _scan(report.scan)} if report.scan else {}),
            "findings": jsonparts.Lazy(
                _finding(f, report.lang) for f in report.findings
            ),
            "errors": [_problem(p, report.lang) for p in report.problems],
            "rules": jsonparts.Lazy(_rule(r) for r in report.rules),
            "review": _review(report.review),
        }
    )
    if report.signature is not None:
        data["signature"] = {
            "algorithm": report.signature.algorithm,
            "key_id": report.signature.key_id,
            "value": report.signature.value,
        }
    return data


def _failures_by(report: Report) -> dict[str, dict[str, int]]:
    """Failures by severity and by domain: counted as they were spooled when
    the report is long (spbe_lint.spool), else here."""
    tally = getattr(report.findings, "tally", None)
    if tally is not None:
        severities, domains = tally.severities, tally.domains
    else:
        failures = report.failures
        severities = Counter(f.severity.label for f in failures)
        domains = Counter(f.domain for f in failures)
    return {
        "failures_by_severity": dict(sorted(severities.items())),
        "failures_by_domain": dict(sorted(domains.items())),
    }


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
        "kind": finding.kind,
        "occurrence": finding.occurrence,
        "evidence": [_evidence(e) for e in finding.evidence],
        "waiver": _waiver(finding.waiver),
    }
    return data


def _evidence(evidence: Evidence) -> dict[str, Any]:
    return {
        "method": evidence.method,
        "url": evidence.url,
        "address": evidence.address,
        "status": evidence.status,
        "headers": [list(h) for h in evidence.headers],
        "facts": [list(f) for f in evidence.facts],
    }


def _waiver(waiver: Waiver | None) -> dict[str, Any] | None:
    if waiver is None:
        return None
    return {
        "id": waiver.id,
        "reason": waiver.reason,
        "approved_by": waiver.approved_by,
        "expires": waiver.expires,
        "approver_nip": waiver.approver_nip,
        "decision_ref": waiver.decision_ref,
        "issued": waiver.issued,
        "compensating_control": waiver.compensating_control,
        "scope": dict(waiver.scope),
        "source": waiver.source,
    }


def _review(review: Review | None) -> dict[str, Any] | None:
    if review is None:
        return None
    return {
        "reviewer": review.reviewer,
        "waiver_file": review.waiver_file,
        "waiver_sha256": review.waiver_sha256,
        "waivers": [
            {
                "waiver": _waiver(e.waiver),
                "state": e.state,
                "matched": e.matched,
                "path": e.path,
                "line": e.line,
            }
            for e in review.waivers
        ],
        "baseline_file": review.baseline_file,
        "baseline_sha256": review.baseline_sha256,
        "hidden": list(review.hidden),
        "fixed": [
            {
                "fingerprint": e.fingerprint,
                "rule": e.rule,
                "path": e.path,
                "pointer": e.pointer,
            }
            for e in review.fixed
        ],
    }


def _read_waiver(data: dict[str, Any] | None) -> Waiver | None:
    return _waiver_from(data) if data else None


def _waiver_from(data: dict[str, Any]) -> Waiver:
    return Waiver(
        id=data["id"],
        reason=data["reason"],
        approved_by=data["approved_by"],
        expires=data["expires"],
        approver_nip=data.get("approver_nip"),
        decision_ref=data.get("decision_ref"),
        issued=data.get("issued"),
        compensating_control=data.get("compensating_control"),
        scope=tuple((data.get("scope") or {}).items()),
        source=data.get("source", "file"),
    )


def _read_review(data: dict[str, Any] | None) -> Review | None:
    if not data:
        return None
    return Review(
        reviewer=data["reviewer"],
        waiver_file=data["waiver_file"],
        waiver_sha256=data["waiver_sha256"],
        waivers=tuple(
            WaiverEntry(
                _waiver_from(e["waiver"]),
                e["state"],
                e["matched"],
                e["path"],
                e["line"],
            )
            for e in data["waivers"]
        ),
        baseline_file=data["baseline_file"],
        baseline_sha256=data["baseline_sha256"],
        hidden=tuple(data["hidden"]),
        fixed=tuple(
            BaselineEntry(e["fingerprint"], e["rule"], e["path"], e["pointer"])
            for e in data["fixed"]
        ),
    )


def _reference(reference: Reference) -> dict[str, Any]:
    return {
        "regulation": reference.regulation,
        "short": reference.short,
        "article": reference.article,
        "confidence": reference.confidence,
        "url": reference.url,
        "note": reference.note.as_dict() if reference.note else None,
        "kind": reference.kind,
        "provision": reference.provision.as_dict() if reference.provision else None,
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
        "rationale": rule.rationale.as_dict(),
        "remediation": rule.remediation.as_dict(),
        "references": [_reference(r) for r in rule.references],
        "perwal": rule.perwal,
        "target": rule.target,
        "evidence_type": rule.evidence_type,
    }


# --- back: a saved report (already validated against the schema) to a Report ---


def from_dict(data: dict[str, Any], *, lang: str | None = None) -> Report:
    """The Report a JSON report was written from; *lang* re-renders in another
    language (both travel in the file)."""
    pack = data["rule_pack"]
    evaluation = pack.get("evaluation")
    signature = data.get("signature")
    return Report(
        tool_version=data["tool"]["version"],
        pack=PackInfo(
            name=pack["name"],
            version=pack["version"],
            title=LocalText.from_data(pack["title"]),
            regulation=pack["regulation"],
            sha256=pack["sha256"],
            profile=pack["profile"],
            evaluation=(
                scoring.Evaluation.from_data(evaluation) if evaluation else None
            ),
        ),
        lang=lang or data["settings"]["lang"],
        fail_on=Severity.parse(data["settings"]["fail_on"]),
        inputs=tuple(
            InputFile(
                i["path"],
                i["sha256"],
                i["bytes"],
                identity=tuple(i["identity"].items()),
                declarations=tuple(i.get("declarations", {}).items()),
            )
            for i in data["inputs"]
        ),
        findings=tuple(_read_finding(f) for f in data["findings"]),
        problems=tuple(
            InputProblem(
                p["path"],
                LocalText.from_data(p["message_i18n"]),
                p["line"],
                p["column"],
                p["sha256"],
            )
            for p in data["errors"]
        ),
        rules=tuple(_read_rule(r) for r in data["rules"]),
        exit_zero=data["settings"]["exit_zero"],
        as_of=_date(data["settings"].get("as_of")),
        documents=data["settings"].get("documents", "auto"),
        endpoints=tuple(data.get("endpoints", ())),
        scan=_read_scan(data.get("scan")),
        generated_at=data["generated_at"],
        signature=(  # never trusted from the file: reports show it as unverified
            Signature(signature["algorithm"], signature["key_id"], signature["value"])
            if signature
            else None
        ),
        review=_read_review(data.get("review")),
    )


def _scan(summary: ScanSummary) -> dict[str, Any]:
    return {
        "files": summary.files,
        "skipped": dict(summary.skipped),
        "accepted": summary.accepted,
        "baseline": summary.baseline,
    }


def _read_scan(data: dict[str, Any] | None) -> ScanSummary | None:
    if not data:
        return None
    return ScanSummary(
        files=data["files"],
        skipped=tuple(sorted(data.get("skipped", {}).items())),
        accepted=data.get("accepted", 0),
        baseline=data.get("baseline"),
    )


def _read_finding(data: dict[str, Any]) -> Finding:
    where = data["location"]
    span = (
        Span(
            where["line"],
            where["column"],
            where.get("end_line", where["line"]),
            where.get("end_column", where["column"]),
        )
        if "line" in where
        else None
    )
    waiver = data["waiver"]
    return Finding(
        rule=data["rule"],
        domain=data["domain"],
        severity=Severity.parse(data["severity"]),
        status=Status(data["status"]),
        message=LocalText.from_data(data["message_i18n"]),
        location=Location(where["path"], where["pointer"], span),
        references=tuple(_read_reference(r) for r in data["references"]),
        kind=data["kind"],
        occurrence=data["occurrence"],
        evidence=tuple(
            Evidence(
                method=e["method"],
                url=e["url"],
                address=e["address"],
                status=e["status"],
                headers=tuple((name, value) for name, value in e["headers"]),
                facts=tuple((name, value) for name, value in e["facts"]),
            )
            for e in data["evidence"]
        ),
        waiver=_read_waiver(waiver),
    )


def _read_reference(data: dict[str, Any]) -> Reference:
    reference = Reference(
        regulation=data["regulation"],
        short=data["short"],
        article=data["article"],
        confidence=data["confidence"],
        url=data["url"],
        note=LocalText.from_data(data["note"]) if data["note"] else None,
        provision=LocalText.from_data(data["provision"])
        if data.get("provision")
        else None,
    )
    if "kind" in data:
        return dataclasses.replace(reference, kind=data["kind"])
    return _legacy(reference)


def _legacy(reference: Reference) -> Reference:
    """A reference from a report older than 1.4, which did not give its kind.

    The shipped pack knows its own citations (kind and provision); anything else
    counts as binding when it names an article (the old report presented it as
    the legal basis) and as secondary otherwise, so no unread text is promoted."""
    note = reference.note.get("id") if reference.note else None
    known = _shipped().get((reference.short, reference.article, note))
    if known is not None:
        return dataclasses.replace(
            reference, kind=known.kind, provision=known.provision
        )
    kind = "binding" if reference.article else "secondary"
    return dataclasses.replace(reference, kind=kind)


@functools.cache
def _shipped() -> dict[tuple[str, str | None, str | None], Reference]:
    from spbe_lint.rulepack import load_pack

    known: dict[tuple[str, str | None, str | None], Reference] = {}
    for rule in load_pack().rules:
        for ref in rule.references:
            note = ref.note.get("id") if ref.note else None
            known.setdefault((ref.short, ref.article, note), ref)
    return known


def _date(value: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(value) if value else None


def _read_rule(data: dict[str, Any]) -> Rule:
    """The parts of a rule reporters show; predicates and examples stay in the pack."""
    title = LocalText.from_data(data["title"])
    severity = Severity.parse(data["severity"])
    default = Severity.parse(data["default_severity"])
    return Rule(
        id=data["id"],
        domain=data["domain"],
        severity=severity,
        title=title,
        message=title,
        messages={},
        rationale=LocalText.from_data(data["rationale"]),
        remediation=LocalText.from_data(data["remediation"]),
        references=tuple(_read_reference(r) for r in data["references"]),
        predicates=(),
        passing=(),
        failing=(),
        perwal=data["perwal"],
        default_severity=default if default != severity else None,
        target=data.get("target", "manifest"),
        evidence_type=data.get("evidence_type", "declaration"),
    )
