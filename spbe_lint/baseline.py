"""Baselines: the failures a team already knows of, so a run shows only new ones.

``spbe-lint baseline create`` writes the current failures' fingerprints (rule,
path and JSON Pointer or endpoint, never a line number, so editing above a
finding does not churn it) to a JSON file; ``check --baseline FILE`` hides the
failures it lists, says how many, and lists the entries that no longer fail
(fixed: remove them). Waived failures are never written (their waiver decides)
and never hidden. The file is read like a saved report: one clear line naming
the file and the place for anything wrong with it, exit 2.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from spbe_lint import reading, resources, schema, source
from spbe_lint.errors import InputError
from spbe_lint.findings import BaselineEntry, Finding, InputFile, Report, Status
from spbe_lint.i18n import LocalText, escape_controls

BASELINE_NAME = "spbe-baseline.json"
FORMAT = 1
MAX_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True)
class Baseline:
    """A baseline file as read: its entries and its hash."""

    path: str
    sha256: str
    entries: tuple[BaselineEntry, ...]


@dataclass(frozen=True)
class Outcome:
    """Findings after a baseline: what is left, what was hidden, what is fixed."""

    findings: tuple[Finding, ...]  # what is left to report
    hidden: tuple[str, ...]  # fingerprints hidden
    fixed: tuple[BaselineEntry, ...]  # entries of checked files that no longer fail


def render(report: Report) -> str:
    """The baseline of *report*: its unwaived failures, one entry per line."""
    failures = sorted(report.failures, key=lambda f: (f.location.path, f.fingerprint))
    lines = [
        "{",
        f'  "spbe-baseline": {FORMAT},',
        f'  "tool": {json.dumps("spbe-lint " + report.tool_version)},',
        f'  "rule_pack": {json.dumps(f"{report.pack.name} {report.pack.version}")},',
        f'  "generated_at": {json.dumps(report.generated_at)},',
        '  "findings": [',
    ]
    entries = [
        json.dumps(
            {
                "fingerprint": f.fingerprint,
                "rule": f.rule,
                "path": f.location.path,
                "pointer": f.location.pointer,
            },
            ensure_ascii=False,
        )
        for f in failures
    ]
    lines += [f"    {entry}," for entry in entries[:-1]]
    lines += [f"    {entry}" for entry in entries[-1:]]
    lines += ["  ]", "}"]
    return "\n".join(lines) + "\n"


def load(path: Path, display: str) -> Baseline:
    raw, text, data = reading.read_json(
        path, display, MAX_BYTES, LocalText("baseline", "the baseline")
    )
    info = InputFile(display, hashlib.sha256(raw).hexdigest(), len(raw))
    _validate(data, text, info)
    entries = tuple(
        BaselineEntry(e["fingerprint"], e["rule"], e["path"], e["pointer"])
        for e in data["findings"]
    )
    return Baseline(display, info.sha256, entries)


def _validate(data: Any, text: str, info: InputFile) -> None:
    validator = schema.compile_schema(resources.schema("baseline"))
    error = next(
        iter(sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path))),
        None,
    )
    if error is None:
        return
    path = tuple(error.absolute_path)
    where = "/" + "/".join(str(p) for p in path)
    detail = schema.describe(error)
    message = LocalText(
        escape_controls(f"bukan baseline spbe-lint yang sah: {where}: {detail.id}"),
        escape_controls(f"not a valid spbe-lint baseline: {where}: {detail.en}"),
    )
    try:  # JSON is YAML: the YAML reader knows where the place is
        document = source.parse(text, info)
        span = document.locate(path)
    except (InputError, RecursionError):
        raise InputError(message, path=info.path) from None
    raise InputError(message, path=info.path, line=span.line, column=span.column)


def apply(
    findings: Sequence[Finding], baseline: Baseline, checked: set[str]
) -> Outcome:
    """Hide the unwaived failures the baseline lists; *checked* are the paths
    this run read, so entries of files not checked are not called fixed."""
    known = {e.fingerprint for e in baseline.entries}
    kept, hidden = [], []
    failing = set()
    for finding in findings:
        if finding.status is Status.FAIL:
            failing.add(finding.fingerprint)
        if (
            finding.status is Status.FAIL
            and finding.waiver is None
            and finding.fingerprint in known
        ):
            hidden.append(finding.fingerprint)
        else:
            kept.append(finding)
    fixed = tuple(
        e
        for e in baseline.entries
        if e.path in checked and e.fingerprint not in failing
    )
    return Outcome(tuple(kept), tuple(hidden), fixed)
