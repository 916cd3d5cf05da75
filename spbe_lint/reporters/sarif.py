"""SARIF 2.1.0 for code-scanning tools (GitHub, GitLab, VS Code's SARIF viewer).

Results are the problems only: failures (``kind: fail``) and results a person
must judge (``kind: review``: inconclusive, manual). GitHub code scanning
reads every result as an alert whatever its ``kind`` (microsoft/PSRule#955),
so passes and not-applicable results stay out and are counted in
``run.properties``. The regulations are ``run.taxonomies`` (one taxonomy per
regulation, its articles as taxa) referenced from each rule, so a citation
survives into any SARIF viewer. Text is in the run's language; the other
language travels in ``properties`` (``*_i18n``), as in the JSON report.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from spbe_lint import scoring
from spbe_lint.findings import (
    COUNTED_ONLY,
    Evidence,
    Finding,
    InputProblem,
    Reference,
    Report,
    Severity,
    Status,
    Waiver,
)
from spbe_lint.i18n import LocalText
from spbe_lint.reporters import basis, jsonparts, words

if TYPE_CHECKING:
    from spbe_lint.reporters import RenderOptions
    from spbe_lint.rule import Rule

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
SRCROOT = "%SRCROOT%"  # the folder spbe-lint ran in: paths are relative to it
NO_ARTICLE = "general"  # taxon of a citation that names no article
_LIMIT = 1024  # GitHub's limit for short and full descriptions


def render(report: Report, options: RenderOptions) -> str:
    return "".join(chunks(report, options))


def chunks(report: Report, options: RenderOptions) -> Iterator[str]:
    """``render``'s text in pieces, each result made as it is written."""
    return jsonparts.chunks(_document(report))


def as_dict(report: Report) -> dict[str, Any]:
    data: dict[str, Any] = jsonparts.plain(_document(report))
    return data


def _document(report: Report) -> jsonparts.Parts:
    """The SARIF log as JSON values; its artifacts and results Lazy lists."""
    lang = report.lang
    rules = _rules_in_use(report)
    indexes: dict[str, int] = {}  # rule id -> its first index
    for index, rule in enumerate(rules):
        indexes.setdefault(rule.id, index)
    taxonomies = _Taxonomies(lang)
    for rule in rules:
        taxonomies.add_all(rule.references)
    for finding in report.findings:
        taxonomies.add_all(finding.references)
    artifacts: dict[str, int] = {}  # path -> its first index
    for index, item in enumerate(report.inputs):
        artifacts.setdefault(item.path, index)
    run = jsonparts.Parts(
        {
            "tool": jsonparts.Parts(
                {
                    "driver": jsonparts.Parts(
                        {
                            "name": "spbe-lint",
                            "version": report.tool_version,
                            "semanticVersion": report.tool_version,
                            "language": lang,
                            "rules": jsonparts.Lazy(
                                _rule(rule, taxonomies, lang) for rule in rules
                            ),
                            "supportedTaxonomies": taxonomies.supported(),
                        }
                    )
                }
            ),
            "invocations": [_invocation(report)],
            "language": lang,
            "columnKind": "unicodeCodePoints",  # spbe-lint counts characters
            "automationDetails": {"id": "spbe-lint/"},
            "artifacts": jsonparts.Lazy(
                {
                    "location": _artifact_location(i.path),
                    "length": i.size,
                    "hashes": {"sha-256": i.sha256},
                }
                for i in report.inputs
            ),
            "taxonomies": taxonomies.components(),
            "results": jsonparts.Lazy(
                _result(f, indexes, taxonomies, artifacts, lang)
                for f in report.findings
                if _is_problem(f)
            ),
            "properties": _run_properties(report),
        }
    )
    return jsonparts.Parts(
        {"$schema": SCHEMA, "version": "2.1.0", "runs": jsonparts.Lazy([run])}
    )


def _is_problem(finding: Finding) -> bool:
    if finding.status in (Status.PASS, Status.NOT_APPLICABLE):
        return False
    # A rule that could not run on an unreadable file is only counted: MAN-001
    # (a failure) already says why, as in the text output.
    return finding.status is Status.FAIL or finding.kind not in COUNTED_ONLY


def _rules_in_use(report: Report) -> list[Rule]:
    """The rules in force, plus any rule a finding names that is not among them
    (a report rebuilt from a file written by a narrower run)."""
    from spbe_lint.rule import Rule

    rules = list(report.rules)
    known = {r.id for r in rules}
    for finding in report.findings:
        if finding.rule not in known:
            known.add(finding.rule)
            title = LocalText(finding.rule, finding.rule)
            rules.append(
                Rule(
                    id=finding.rule,
                    domain=finding.domain,
                    severity=finding.severity,
                    title=title,
                    message=title,
                    messages={},
                    rationale=title,
                    remediation=LocalText("", ""),
                    references=finding.references,
                    predicates=(),
                    passing=(),
                    failing=(),
                )
            )
    return rules


def _rule(rule: Rule, taxonomies: _Taxonomies, lang: str) -> dict[str, Any]:
    w = words.WORDS[lang]
    remediation = rule.remediation.get(lang)
    # What a reader sees is the law and, apart, practice; every reference with
    # its kind, confidence and note stays in relationships and taxonomies.
    help_text = f"{w['fix']}: {remediation}\n" + "\n".join(
        basis.lines(rule.references, lang)
    )
    markdown = f"**{w['fix']}.** {remediation}\n\n" + _markdown_basis(rule, lang)
    descriptor: dict[str, Any] = {
        "id": rule.id,
        "shortDescription": {"text": _cut(rule.title.get(lang))},
        "fullDescription": {"text": _cut(rule.rationale.get(lang))},
        "help": {"text": help_text, "markdown": markdown},
        "defaultConfiguration": {"level": LEVELS[rule.severity]},
        "properties": {
            "tags": ["spbe", rule.domain],
            "domain": rule.domain,
            "title_i18n": rule.title.as_dict(),
            "rationale_i18n": rule.rationale.as_dict(),
            "remediation_i18n": rule.remediation.as_dict(),
            "perwal": rule.perwal,
        },
    }
    if rule.references:
        descriptor["relationships"] = [
            {
                "target": taxonomies.target(ref),
                "kinds": ["relevant"],
                "properties": {"confidence": ref.confidence, "kind": ref.kind},
            }
            for ref in rule.references
        ]
    return descriptor


def _markdown_basis(rule: Rule, lang: str) -> str:
    w = words.WORDS[lang]
    bound = [ref for ref in rule.references if ref.kind == "binding"]
    if not bound:
        text = f"**{w['basis']}:** {basis.basis_text(rule.references, lang)}"
    else:
        text = f"**{w['basis']}:**\n\n" + "\n".join(
            f"- {_markdown_citation(ref, lang)}" for ref in bound
        )
    seen = [ref for ref in rule.references if ref.kind == "practice"]
    if seen:
        text += f"\n\n**{w['practice']}:**\n\n" + "\n".join(
            f"- {_markdown_citation(ref, lang)}" for ref in seen
        )
    return text


def _markdown_citation(ref: Reference, lang: str) -> str:
    text = ref.citation(lang)
    return f"[{text}]({ref.url})" if ref.url else text


def _cut(text: str) -> str:
    return text if len(text) <= _LIMIT else text[: _LIMIT - 1] + "…"


def _result(
    finding: Finding,
    rules: dict[str, int],
    taxonomies: _Taxonomies,
    artifacts: dict[str, int],
    lang: str,
) -> dict[str, Any]:
    index = rules[finding.rule]
    failed = finding.status is Status.FAIL
    location: dict[str, Any] = {
        "physicalLocation": {
            "artifactLocation": _artifact_location(finding.location.path)
        }
    }
    if finding.location.path in artifacts:
        location["physicalLocation"]["artifactLocation"]["index"] = artifacts[
            finding.location.path
        ]
    span = finding.location.span
    if span is not None:
        location["physicalLocation"]["region"] = {
            "startLine": span.line,
            "startColumn": span.column,
            "endLine": span.end_line,
            "endColumn": span.end_column,
        }
    if finding.location.pointer:
        location["logicalLocations"] = [
            {"fullyQualifiedName": finding.location.pointer, "kind": "object"}
        ]
    result: dict[str, Any] = {
        "ruleId": finding.rule,
        "ruleIndex": index,
        "kind": "fail" if failed else "review",
        "level": LEVELS[finding.severity] if failed else "note",
        "message": {"text": finding.message.get(lang)},
        "locations": [location],
        # Rule + path + pointer, never the line: alerts survive lines moving.
        # GitHub reads only primaryLocationLineHash (and computes one from the
        # line's text when absent), so ours takes that slot too.
        "partialFingerprints": {
            "spbeFingerprint/v1": finding.fingerprint,
            "primaryLocationLineHash": finding.fingerprint,
        },
        "properties": {
            "status": finding.status.value,
            "domain": finding.domain,
            "severity": finding.severity.label,
            "message_i18n": finding.message.as_dict(),
            "references": [ref.cite(lang) for ref in finding.references],
        },
    }
    if finding.references:
        result["taxa"] = [taxonomies.target(ref) for ref in finding.references]
    if finding.waiver is not None:
        waiver = finding.waiver
        result["suppressions"] = [
            {
                # inSource: the vendor's x-spbe-waive; external: the waiver file
                "kind": "inSource" if waiver.source == "inline" else "external",
                "status": "accepted",
                "justification": waiver.reason,
                "properties": {
                    "id": waiver.id,
                    "approved_by": waiver.approved_by,
                    "expires": waiver.expires,
                    **_waiver_details(waiver),
                },
            }
        ]
    if finding.evidence:
        first = finding.evidence[0]
        result["webRequest"], result["webResponse"] = _web(first)
        if len(finding.evidence) > 1:
            result["properties"]["more_evidence"] = [
                dict(zip(("request", "response"), _web(e), strict=True))
                for e in finding.evidence[1:]
            ]
    return result


def _waiver_details(waiver: Waiver) -> dict[str, Any]:
    """The governed parts of a waiver (issue 6), where the waiver has them."""
    details = {
        "approver_nip": waiver.approver_nip,
        "decision_ref": waiver.decision_ref,
        "issued": waiver.issued,
        "compensating_control": waiver.compensating_control,
        "scope": dict(waiver.scope) or None,
    }
    return {key: value for key, value in details.items() if value is not None}


def _web(evidence: Evidence) -> tuple[dict[str, Any], dict[str, Any]]:
    request: dict[str, Any] = {"method": evidence.method, "target": evidence.url}
    if evidence.address:
        request["properties"] = {"address": evidence.address}
    response: dict[str, Any] = (
        {"statusCode": evidence.status}
        if evidence.status is not None
        else {"noResponseReceived": True}
    )
    if evidence.headers:
        # A header seen twice is joined as HTTP allows (RFC 9110 section 5.3).
        headers: dict[str, str] = {}
        for name, value in evidence.headers:
            headers[name] = f"{headers[name]}, {value}" if name in headers else value
        response["headers"] = headers
    if evidence.facts:
        response["properties"] = {"facts": dict(evidence.facts)}
    return request, response


def _artifact_location(path: str) -> dict[str, Any]:
    if path.startswith(("http://", "https://")):
        return {"uri": path}  # an endpoint
    if path.startswith("/"):
        return {"uri": "file://" + quote(path)}
    return {"uri": quote(path), "uriBaseId": SRCROOT}


def _invocation(report: Report) -> dict[str, Any]:
    invocation: dict[str, Any] = {
        "executionSuccessful": not report.problems,
        "exitCode": int(report.exit_status()),
        "toolExecutionNotifications": [
            _notification(p, report.lang) for p in report.problems
        ],
    }
    if report.generated_at:
        invocation["endTimeUtc"] = report.generated_at
    return invocation


def _notification(problem: InputProblem, lang: str) -> dict[str, Any]:
    location: dict[str, Any] = {"artifactLocation": _artifact_location(problem.path)}
    if problem.line:
        location["region"] = {"startLine": problem.line}
        if problem.column:
            location["region"]["startColumn"] = problem.column
    return {
        "level": "error",
        "message": {"text": problem.message.get(lang)},
        "locations": [{"physicalLocation": location}],
        "properties": {"message_i18n": problem.message.as_dict()},
    }


def _run_properties(report: Report) -> dict[str, Any]:
    result = scoring.score(report)
    return {
        "rulePack": {
            "name": report.pack.name,
            "version": report.pack.version,
            "sha256": report.pack.sha256,
        },
        "results": {s.value: report.counts[s.value] for s in Status},
        "verdict": "ready" if result.ready else "not_ready",
        "score": result.overall.percent,
        "generatedAt": report.generated_at,
        **_review_properties(report),
    }


def _review_properties(report: Report) -> dict[str, Any]:
    """Reviewer mode, the waiver file and the baseline, when the run used them."""
    review = report.review
    if review is None:
        return {}
    return {
        "review": {
            "reviewerMode": review.reviewer,
            "waiverFile": review.waiver_file,
            "waiverSha256": review.waiver_sha256,
            "waivers": {e.waiver.id: e.state for e in review.waivers},
            "baselineFile": review.baseline_file,
            "baselineHidden": len(review.hidden),
        }
    }


class _Taxonomies:
    """One SARIF taxonomy per regulation cited; its articles are the taxa."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self._regulations: dict[str, Reference] = {}  # short name -> a reference
        self._taxa: dict[str, dict[str, Reference]] = {}  # short -> taxon id -> ref

    def add_all(self, references: tuple[Reference, ...]) -> None:
        for ref in references:
            self._regulations.setdefault(ref.short, ref)
            self._taxa.setdefault(ref.short, {}).setdefault(_taxon_id(ref), ref)

    def _names(self) -> list[str]:
        return sorted(self._regulations)

    def target(self, ref: Reference) -> dict[str, Any]:
        names = self._names()
        taxa = sorted(self._taxa[ref.short])
        return {
            "id": _taxon_id(ref),
            "index": taxa.index(_taxon_id(ref)),
            "toolComponent": {"name": ref.short, "index": names.index(ref.short)},
        }

    def supported(self) -> list[dict[str, Any]]:
        return [{"name": name, "index": i} for i, name in enumerate(self._names())]

    def components(self) -> list[dict[str, Any]]:
        components = []
        for name in self._names():
            ref = self._regulations[name]
            component: dict[str, Any] = {
                "name": name,
                "fullName": ref.regulation,
                "shortDescription": {"text": ref.regulation},
                "isComprehensive": False,  # only the articles rules cite
                "taxa": [
                    {
                        "id": taxon,
                        "name": cited.article or NO_ARTICLE,
                        "shortDescription": {"text": cited.cite(self.lang)},
                        "properties": {
                            "kind": cited.kind,
                            "confidence": cited.confidence,
                            "note_i18n": cited.note.as_dict() if cited.note else None,
                            "provision_i18n": cited.provision.as_dict()
                            if cited.provision
                            else None,
                        },
                    }
                    for taxon, cited in sorted(self._taxa[name].items())
                ],
            }
            if ref.url:
                component["informationUri"] = ref.url
            components.append(component)
        return components


def _taxon_id(ref: Reference) -> str:
    return ref.article or NO_ARTICLE
