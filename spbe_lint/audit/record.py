"""One JSON line per application, and one per run: the audit's unit of work.

An application record carries what the city-wide view needs (verdict, scores
per domain, failing rules with their place, waivers, certificate expiry) and
what ``--resume`` compares (input hashes, rule-pack version, run key), never
the whole report: per-application reports are written separately when asked.
A run record carries the rule titles and legal references once, so that
records from several runs or shards can be summarised without the rule pack.

The format is versioned (``FORMAT``); every line is a JSON object with
``record`` = FORMAT and ``kind`` = ``run`` or ``application``.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from spbe_lint import scoring
from spbe_lint.findings import Finding, InputProblem, Report, Status
from spbe_lint.reporters import basis
from spbe_lint.rule import Rule

FORMAT = "spbe-lint-audit/1"


def run_record(
    *,
    tool_version: str,
    pack: Mapping[str, str],
    as_of: datetime.date,
    run_key: str,
    probe: bool,
    inventory: str,
    started: str,
    rules: Sequence[Rule],
) -> dict[str, Any]:
    return {
        "record": FORMAT,
        "kind": "run",
        "tool": tool_version,
        "pack": dict(pack),
        "as_of": as_of.isoformat(),
        "run_key": run_key,
        "probe": probe,
        "inventory": inventory,
        "started": started,
        "rules": {rule.id: _rule_entry(rule) for rule in rules},
    }


def _rule_entry(rule: Rule) -> dict[str, Any]:
    return {
        "domain": rule.domain,
        "severity": rule.severity.label,
        "title": rule.title.as_dict(),
        # Every reference with its research note (for tools reading results),
        # and what a dashboard shows: the binding basis, practice apart.
        "cites": {
            lang: [r.cite(lang) for r in rule.references] for lang in ("id", "en")
        },
        "basis": {
            lang: list(basis.binding(rule.references, lang)) for lang in ("id", "en")
        },
        "practice": {
            lang: list(basis.practice(rule.references, lang)) for lang in ("id", "en")
        },
    }


def day(text: Any) -> datetime.date | None:
    """The day a record names (an ISO date, or the date of an ISO moment)."""
    try:
        return datetime.date.fromisoformat(str(text)[:10])
    except ValueError:
        return None


def run_key(settings: Mapping[str, Any]) -> str:
    """What else decides the results besides the inputs and the pack version:
    the day judged on, the rules in force and their severities, the waiver file,
    whether the probe ran. ``--resume`` re-checks an application when it differs."""
    text = json.dumps(settings, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def inputs_digest(manifest_sha256: str | None, folder: Path | None) -> str:
    """The manifest's bytes and every file below its *folder* (what a static
    check of this application can read: documents, OpenAPI and data evidence,
    the files the secret scan reads, git's tracked-file list), as
    ``reuse.tree_digest`` describes them. ``--resume`` checks an application
    again when this differs: a secret committed anywhere in the folder, not
    only a changed manifest or document."""
    from spbe_lint.audit import reuse

    digest = hashlib.sha256(f"manifest\0{manifest_sha256}\n".encode())
    if folder is not None:
        tree = reuse.tree_digest(folder)
        digest.update(f"tree\0{tree or 'unlisted'}\n".encode())
    return digest.hexdigest()


def application_record(
    app_id: str,
    report: Report,
    *,
    opd: str | None,
    manifest: str,
    url: str | None,
    inputs: str | None,
    run_key: str,
    certificates: Iterable[Mapping[str, str]] = (),
    reports: Mapping[str, str] | None = None,
    seconds: float = 0.0,
    internal_error: str | None = None,
    unparsed: InputProblem | None = None,
) -> dict[str, Any]:
    """The record of one application, from its report. *unparsed* is the
    reason a manifest that was read gave no data (a YAML syntax error): such a
    submission is broken too, though its report has the finding that says why."""
    identity = {key: value for i in report.inputs for key, value in i.identity}
    result = scoring.score(report)
    problem = report.problems[0] if report.problems else unparsed
    state = "checked"
    if internal_error:
        state = "error"
    elif problem is not None:
        state = "broken"
    return {
        "record": FORMAT,
        "kind": "application",
        "app": app_id,
        "opd": opd or identity.get("app.owner_opd"),
        "title": identity.get("app.title"),
        "manifest": manifest,
        "url": url,
        "state": state,
        "problem": _problem(problem) if problem else None,
        "internal_error": internal_error,
        "inputs": inputs,
        "pack": {"name": report.pack.name, "version": report.pack.version},
        "run_key": run_key,
        "as_of": report.as_of.isoformat() if report.as_of else None,
        "exit": int(report.exit_status()),
        "verdict": "ready" if result.ready else "not_ready",
        "score": result.overall.percent,
        "domains": {domain: tally.percent for domain, tally in result.domains},
        "counts": dict(sorted(report.counts.items())),
        "failures": [_failure(f) for f in report.failures],
        "waived": [
            {"rule": f.rule, "waiver": f.waiver.id if f.waiver else None}
            for f in report.waived
        ],
        "waivers": _waivers(report),
        "review": len(result.review),  # manual or inconclusive: a person looks
        "certificates": [dict(c) for c in certificates],
        "endpoints": list(report.endpoints),
        "reports": dict(reports or {}),
        "seconds": round(seconds, 3),
    }


def _problem(problem: InputProblem) -> dict[str, Any]:
    return {
        "path": problem.path,
        "line": problem.line,
        "column": problem.column,
        "message": problem.message.as_dict(),
    }


def _failure(finding: Any) -> dict[str, Any]:
    span = finding.location.span
    return {
        "rule": finding.rule,
        "domain": finding.domain,
        "severity": finding.severity.label,
        "path": finding.location.path,
        "pointer": finding.location.pointer,
        "line": span.line if span else None,
        "column": span.column if span else None,
    }


def _waivers(report: Report) -> list[dict[str, Any]]:
    """Waivers that concern this application (applied or expired on it)."""
    if report.review is None:
        return []
    rules = {f.waiver.id: f.rule for f in report.waived if f.waiver is not None}
    return [
        {
            "id": entry.waiver.id,
            "rule": rules.get(entry.waiver.id),
            "state": entry.state,
            "expires": entry.waiver.expires,
            "source": entry.waiver.source,
        }
        for entry in report.review.waivers
        if entry.state in ("applied", "expired") and entry.matched
    ]


def certificates(facts: Any) -> list[dict[str, str]]:
    """The leaf certificate of every probed origin: host and last valid moment."""
    seen: dict[str, str] = {}
    for observation in facts.observations:
        tls = observation.tls
        if tls is not None and tls.not_after and tls.host not in seen:
            seen[tls.host] = tls.not_after
    return [{"host": host, "not_after": moment} for host, moment in seen.items()]


def unparsed(document: Any, findings: Iterable[Finding]) -> InputProblem | None:
    """Why a manifest that was read holds no data to judge, if it does not."""
    if document is None or document.data is not None:
        return None
    for finding in findings:
        if finding.status is Status.FAIL:
            span = finding.location.span
            return InputProblem(
                finding.location.path,
                finding.message,
                span.line if span else None,
                span.column if span else None,
            )
    return None
