"""Evaluate rules on a loaded manifest.

Checks and schemas say what is wrong and where; the engine says who (the rule)
and how bad (its configured severity), fills the rule's bilingual message and
turns paths into positions. A rule that does not apply says why
(``not_applicable``) rather than passing.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from spbe_lint import schema
from spbe_lint.checks import CHECKS, CheckContext, documents
from spbe_lint.evidence.settings import EvidenceSettings
from spbe_lint.findings import (
    NEEDS_PROBE,
    NOT_EVALUATED,
    Finding,
    Location,
    Status,
    Violation,
)
from spbe_lint.i18n import LocalText, escape_controls
from spbe_lint.pointers import (
    Selections,
    literal_prefix,
    select,
    to_pointer,
    value_at,
)
from spbe_lint.rule import Predicate, Rule
from spbe_lint.source import Document

LIFECYCLE = ("planning", "development", "staging", "production", "retired")

_MISSING = LocalText("{field} tidak dicantumkan", "{field} is missing")
# Messages for the kinds the document-exists check and the check contracts
# (checks.shapes) yield, unless a rule has its own.
_DOCUMENT_MESSAGES = {
    "wrong-shape": LocalText(
        "{field} harus berupa {expected}, bukan {found}; aturan ini tidak dapat "
        "dinilai",
        "expected {expected} at {field}, got {found}; this rule cannot be judged",
    ),
    "manual": LocalText(
        "{field} = {value}: hanya manifest yang diserahkan; peninjau harus memeriksa "
        "bahwa dokumen ini ada dan isinya memadai",
        "{field} = {value}: only the manifest was submitted; a reviewer must check "
        "that this document exists and is adequate",
    ),
    "manual-link": LocalText(
        "{field} = {value}: dokumen berupa tautan; peninjau harus membukanya dan "
        "menilai isinya",
        "{field} = {value}: the document is a link; a reviewer must open it and "
        "judge its content",
    ),
    "not-found": LocalText(
        "{field} = {value}: berkas ini tidak ada di folder manifest; tambahkan "
        "dokumennya ke repositori atau perbaiki path-nya",
        "{field} = {value}: no such file next to the manifest; add the document to "
        "the repository or correct the path",
    ),
    "outside": LocalText(
        "{field} = {value}: path ini keluar dari folder manifest; dokumen harus "
        "berada di dalam repositori yang diserahkan",
        "{field} = {value}: the path leaves the manifest's folder; documents must be "
        "inside the submitted repository",
    ),
    "empty": LocalText(
        "{field} = {value}: berkasnya kosong; serahkan dokumen yang sebenarnya",
        "{field} = {value}: the file is empty; hand over the real document",
    ),
    "unreadable": LocalText(
        "{field} = {value}: berkas ini tidak dapat dibaca ({reason}); serahkan "
        "dokumennya sebagai berkas biasa di folder manifest",
        "{field} = {value}: the file cannot be read ({reason}); hand the document "
        "over as a regular file in the manifest's folder",
    ),
}
_NOTHING_SELECTED = LocalText(
    "tidak ada yang diperiksa: {field} tidak dicantumkan",
    "nothing to check: {field} is not declared",
)
_CONDITION_UNMET = LocalText(
    "syarat penerapan aturan ini tidak terpenuhi oleh manifest",
    "the manifest does not meet the conditions under which this rule applies",
)
_WRONG_TYPE = LocalText(
    "{field}: tidak dapat dinilai karena nilainya tidak sah (lihat MAN-005)",
    "{field}: cannot be judged because its value is not valid (see MAN-005)",
)
_CONDITION_MALFORMED = LocalText(
    "tidak dapat ditentukan apakah aturan ini berlaku: nilai {field} tidak sah "
    "(lihat MAN-005)",
    "cannot tell whether this rule applies: the value of {field} is not valid "
    "(see MAN-005)",
)
_NOT_YET = LocalText(
    "belum berlaku pada {as_of}: aturan ini berlaku mulai {date}",
    "not yet in force on {as_of}: this rule applies from {date}",
)
_NO_LONGER = LocalText(
    "tidak berlaku lagi pada {as_of}: aturan ini berlaku sampai {date}",
    "no longer in force on {as_of}: this rule applied until {date}",
)
_NEEDS_PROBE = LocalText(
    "dinilai pada aplikasi yang berjalan (spbe-lint probe), bukan dari manifest",
    "judged on the running application (spbe-lint probe), not from the manifest",
)
_LIFECYCLE = LocalText(
    "berlaku pada app.status {expected}; manifest ini berstatus {status}",
    "applies when app.status is {expected}; this manifest is {status}",
)


# How far a document got: 0 not YAML, 1 not a mapping, 2 unknown format version,
# 3 readable. A rule needs a stage; below it, the rule is inconclusive, never passed.
_NEEDS = {
    "yaml-syntax": 0,
    "structure": 1,
    "duplicate-key": 2,
    "version": 2,
    "schema": 3,
    "unknown-key-top": 3,
    "unknown-key-nested": 3,
}
_NOT_EVALUATED = (
    LocalText(
        "tidak dinilai: berkas bukan YAML yang sah (lihat MAN-001)",
        "not evaluated: the file is not valid YAML (see MAN-001)",
    ),
    LocalText(
        "tidak dinilai: tingkat teratas manifest bukan mapping (lihat MAN-003)",
        "not evaluated: the manifest's top level is not a mapping (see MAN-003)",
    ),
    LocalText(
        "tidak dinilai: versi format manifest tidak dikenal (lihat MAN-004)",
        "not evaluated: the manifest format version is unknown (see MAN-004)",
    ),
)


def evaluate(
    document: Document,
    rules: Iterable[Rule],
    profile: Mapping[str, Any],
    *,
    as_of: datetime.date | None = None,
    folder: Path | None = None,
    documents_mode: str = "auto",
    probed: bool = False,
    evidence: EvidenceSettings | None = None,
) -> list[Finding]:
    """Every rule on one document: failures, passes, not-applicable and inconclusive.

    *as_of* is the day the manifest is judged on (default today); *folder* is
    where its document references live; *documents_mode* says whether they are
    there (``check``), not submitted (``manual``) or to be found out (``auto``).
    When *probed*, endpoint rules are left to ``evaluate_endpoints`` (judged on
    the probe's facts) instead of being reported as awaiting a probe.
    *evidence* says how the repository's own files are judged (secrets).
    """
    problems = _problems(document)
    stage = _stage(document, problems)
    malformed = _malformed(problems)
    context = _context(document, profile, as_of, folder, documents_mode, evidence)
    chosen = Selections(document.data)
    findings: list[Finding] = []
    for rule in rules:
        needed = max(
            (_NEEDS.get(p.builtin or "", 3) for p in rule.predicates), default=3
        )
        if rule.target == "endpoint" and probed:
            continue
        if rule.target == "endpoint":
            findings.append(
                _result(
                    rule, document, Status.INCONCLUSIVE, _NEEDS_PROBE, kind=NEEDS_PROBE
                )
            )
        elif not rule.in_force(context.as_of):
            findings.append(_out_of_force(rule, document, context.as_of))
        elif stage < needed:
            findings.append(
                _result(
                    rule,
                    document,
                    Status.INCONCLUSIVE,
                    _NOT_EVALUATED[stage],
                    kind=NOT_EVALUATED,
                )
            )
        elif rule.is_builtin:
            findings.extend(_builtin(rule, document, problems))
        else:
            findings.extend(_evaluate(rule, document, context, malformed, chosen))
    return findings


# Schema failures that leave nothing to judge: the wrong type (open_high: "2") or a
# number outside its range (open_high: -1). A wrong choice in a list (enum) or a
# malformed name (pattern) is still judged by the rules that care about it.
_UNJUDGEABLE = frozenset(
    {"type", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"}
)


def _context(
    document: Document,
    profile: Mapping[str, Any],
    as_of: datetime.date | None,
    folder: Path | None,
    mode: str,
    evidence: EvidenceSettings | None = None,
) -> CheckContext:
    data = document.data if isinstance(document.data, dict) else {}
    if mode == "auto":
        present = documents.present(folder, document_references(data))
    else:
        present = mode == "check"
    return CheckContext(
        profile=profile,
        as_of=as_of or datetime.date.today(),
        manifest=data,
        folder=folder,
        documents_present=present,
        manifest_path=document.path,
        evidence=evidence or EvidenceSettings(),
    )


def document_references(data: Any) -> list[str]:
    """Every document reference the manifest makes (paths or links), in order."""
    return [
        node
        for selector in schema.document_selectors()
        for _, node in select(data if isinstance(data, dict) else {}, selector)
        if isinstance(node, str)
    ]


def _out_of_force(rule: Rule, document: Document, as_of: datetime.date) -> Finding:
    if rule.effective_from and as_of < rule.effective_from:
        message = _NOT_YET.format(
            {"as_of": as_of.isoformat(), "date": rule.effective_from.isoformat()}
        )
    else:
        until = rule.until.isoformat() if rule.until else ""
        message = _NO_LONGER.format({"as_of": as_of.isoformat(), "date": until})
    return _result(rule, document, Status.NOT_APPLICABLE, message)


def _malformed(problems: list[Violation]) -> frozenset[tuple[Any, ...]]:
    """Where the manifest schema (MAN-005) found a value that cannot be judged."""
    return frozenset(
        v.path
        for v in problems
        if v.code == "schema" and v.params.get("keyword") in _UNJUDGEABLE
    )


def _stage(document: Document, problems: list[Violation]) -> int:
    if document.root is None:
        return 0
    if document.data is None:
        return 1
    if any(v.code == "version" and v.path for v in problems):
        return 2
    return 3


def _problems(document: Document) -> list[Violation]:
    found = list(document.issues)
    if isinstance(document.data, dict):
        found.extend(schema.manifest_violations(document.data))
    return found


def _builtin(
    rule: Rule, document: Document, problems: list[Violation]
) -> list[Finding]:
    codes = {p.builtin for p in rule.predicates}
    violations = [v for v in problems if v.code in codes]
    return _results(
        rule, document, violations, applicable=True, reason=None, profile={}
    )


def _evaluate(
    rule: Rule,
    document: Document,
    context: CheckContext,
    malformed: frozenset[tuple[Any, ...]],
    chosen: Selections,
) -> list[Finding]:
    excused = _not_applying(rule, document, malformed, chosen)
    if excused is not None:
        return [excused]
    found, applicable = _violations(rule, chosen, context)
    # A value that is not valid cannot be judged: say so instead of guessing
    # (open_critical: "0" is not "findings still open"). MAN-005 says what is wrong.
    violations: list[Violation] = []
    unjudged: list[Violation] = []
    for violation in found:
        judgeable = violation.kind == "missing" or not _under(violation.path, malformed)
        (violations if judgeable else unjudged).append(violation)
    findings = [
        _result(
            rule,
            document,
            Status.INCONCLUSIVE,
            _WRONG_TYPE.format({"field": schema.dotted(v.path)}),
            path=v.path,
        )
        for v in unjudged
    ]
    if violations or not unjudged:
        reason = None  # said only when nothing was there to judge
        if not violations and not applicable:
            reason = rule.not_applicable_reason or _NOTHING_SELECTED.format(
                {"field": schema.dotted(literal_prefix(rule.predicates[0].select))}
            )
        findings += _results(
            rule,
            document,
            violations,
            applicable=applicable,
            reason=reason,
            profile=context.profile,
        )
    return findings


def _not_applying(
    rule: Rule,
    document: Document,
    malformed: frozenset[tuple[Any, ...]],
    chosen: Selections,
) -> Finding | None:
    """Why *rule* does not apply (lifecycle, conditions), or None if it does."""
    data = document.data
    app = data.get("app")
    status = app.get("status") if isinstance(app, dict) else None
    if rule.lifecycle and status in LIFECYCLE and status not in rule.lifecycle:
        reason = _LIFECYCLE.format(
            {"expected": ", ".join(rule.lifecycle), "status": status}
        )
        return _result(rule, document, Status.NOT_APPLICABLE, reason)
    for condition in rule.when:
        nodes = chosen(condition.select)
        for path, _ in nodes:
            if _under(path, malformed):
                message = _CONDITION_MALFORMED.format({"field": schema.dotted(path)})
                return _result(rule, document, Status.INCONCLUSIVE, message, path=path)
        if not nodes and condition.missing == "apply":
            continue
        if not nodes or not all(condition.validator.is_valid(n) for _, n in nodes):
            reason = rule.not_applicable_reason or _CONDITION_UNMET
            return _result(rule, document, Status.NOT_APPLICABLE, reason)
    return None


def _violations(
    rule: Rule, chosen: Selections, context: CheckContext
) -> tuple[list[Violation], bool]:
    """What the predicates found, and whether anything was there to judge."""
    violations: list[Violation] = []
    applicable = False
    for predicate in rule.predicates:
        selected = chosen(predicate.select)
        if not selected:
            if predicate.missing == "fail":
                violations.append(
                    Violation(path=literal_prefix(predicate.select), kind="missing")
                )
            applicable = applicable or predicate.missing != "not_applicable"
            continue
        applicable = True
        for path, node in selected:
            for found in _apply(predicate, node, context):
                violations.append(
                    Violation(
                        path=(*path, *found.path),
                        params={**found.params, "selected": node},
                        kind=found.kind,
                        anchor=found.anchor,
                        needs_review=found.needs_review,
                        location=found.location,
                    )
                )
    return violations, applicable


def _under(path: tuple[Any, ...], places: frozenset[tuple[Any, ...]]) -> bool:
    return any(path[: len(place)] == place for place in places)


def _apply(
    predicate: Predicate, node: Any, context: CheckContext
) -> Iterable[Violation]:
    if predicate.validator is not None:
        return schema.violations(predicate.validator, node)
    check = CHECKS[predicate.check or ""]
    # A node of another shape than the check is written for is a finding where
    # it is (checks.shapes); the check never sees it.
    params = predicate.params
    return check.mismatches(node, params) or check.run(node, params, context)


def _results(
    rule: Rule,
    document: Document,
    violations: Sequence[Violation],
    *,
    applicable: bool,
    reason: LocalText | None,
    profile: Mapping[str, Any],
) -> list[Finding]:
    if violations:
        return [_failure(rule, document, v, profile) for v in violations]
    if applicable:
        return [_result(rule, document, Status.PASS, rule.title)]
    return [_result(rule, document, Status.NOT_APPLICABLE, reason or _CONDITION_UNMET)]


def _failure(
    rule: Rule, document: Document, violation: Violation, profile: Mapping[str, Any]
) -> Finding:
    path = violation.path
    pointer = to_pointer(path)
    params: dict[str, Any] = {
        "field": schema.dotted(path),
        "pointer": pointer,
        "profile": profile,
    }
    exists, value = value_at(document.data, path)
    if exists:
        params["value"] = value
    params.update(violation.params)
    if "value" in params:
        params["value"] = schema.show(params["value"])
    for key, value in params.items():
        if isinstance(value, str):  # text from the manifest stays on one line
            params[key] = escape_controls(value)
    template = (
        rule.messages.get(violation.kind)
        or _DOCUMENT_MESSAGES.get(violation.kind)
        or (_MISSING if violation.kind == "missing" else rule.message)
    )
    if violation.location is not None:
        location = violation.location
    else:
        span = violation.span or document.locate(path, anchor=violation.anchor)
        location = Location(document.path, pointer, span)
    return Finding(
        rule=rule.id,
        domain=rule.domain,
        severity=rule.severity,
        status=Status.MANUAL if violation.needs_review else Status.FAIL,
        message=template.format(params),
        location=location,
        references=rule.references,
        kind=violation.kind,
    )


def _endpoint_path(document: Document) -> tuple[Any, ...]:
    """Where an endpoint rule points in a manifest: the declared URL, if any."""
    exists, _ = value_at(document.data, ("endpoints", "url"))
    return ("endpoints", "url") if exists else ()


def _result(
    rule: Rule,
    document: Document,
    status: Status,
    message: LocalText,
    *,
    path: tuple[Any, ...] | None = None,
    kind: str = "",
) -> Finding:
    if path is None:
        selectors = [p.select for p in rule.predicates if not p.builtin]
        path = literal_prefix(selectors[0]) if selectors else _endpoint_path(document)
    return Finding(
        rule=rule.id,
        domain=rule.domain,
        severity=rule.severity,
        status=status,
        message=message,
        location=Location(document.path, to_pointer(path), document.locate(path)),
        references=rule.references,
        kind=kind,
    )
