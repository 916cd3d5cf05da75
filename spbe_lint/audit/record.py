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

from spbe_lint import engine, scoring
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


def inputs_digest(manifest_sha256: str | None, folder: Path | None, data: Any) -> str:
    """The manifest's bytes and the documents it references (name, size and
    content), and whether the folder is a repository: everything a static check
    of this application reads."""
    digest = hashlib.sha256(f"manifest\0{manifest_sha256}\n".encode())
    if folder is not None:
        from spbe_lint.checks import documents

        try:
            repository = (folder / ".git").exists()
        except OSError:
            repository = False
        digest.update(f"git\0{repository}\n".encode())
        for reference in sorted(set(engine.document_references(data))):
            if documents.is_url(reference):
                continue
            found = documents.examine(folder, reference)
            digest.update(f"doc\0{reference}\0{_file_digest(found)}\n".encode())
    return digest.hexdigest()


# A document is hashed whole up to this size. Beyond it only this many bytes
# from its start are hashed, with its size and modification time: a static
# check reads nothing of a document but whether it is a non-empty regular file,
# so the digest only has to notice a change, and a 20 GB document must not take
# minutes (a change that keeps size, start and mtime goes unnoticed by --resume;
# a rewrite sets the mtime).
HASHED_WHOLE = 4 << 20


def _file_digest(found: Any) -> str:
    """A document's digest; its kind when it is not a readable file."""
    if found.kind not in ("file", "empty"):
        return found.kind
    from spbe_lint.reading import open_regular

    content = hashlib.sha256()
    try:
        with open_regular(found.real) as stream:  # never a FIFO or a device
            left = HASHED_WHOLE
            while left > 0 and (block := stream.read(min(1 << 20, left))):
                content.update(block)
                left -= len(block)
    except OSError as exc:
        return f"unreadable:{exc.errno}"
    if found.size <= HASHED_WHOLE:
        return f"{found.size}:{content.hexdigest()}"
    return f"{found.size}:{found.mtime_ns}:{content.hexdigest()}"


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
