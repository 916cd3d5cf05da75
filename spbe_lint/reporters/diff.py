"""``spbe-lint diff`` output: text, JSON, Markdown and SARIF (``baselineState``).

Each is a pure function of a ``diff.Diff``. The SARIF is NEW's SARIF report
with ``baselineState`` on every failure (new, unchanged, updated) and the fixed
failures added as ``absent`` results, so SARIF viewers show the comparison.
"""

from __future__ import annotations

import json
from typing import Any

from spbe_lint.diff import Change, Diff
from spbe_lint.findings import Finding, Severity, place
from spbe_lint.i18n import escape_controls
from spbe_lint.reporters.markdown import md
from spbe_lint.reporters.review import describe_waiver

DIFF_VERSION = "1"

_WORDS = {
    "id": {
        "title": "Perbandingan laporan",
        "application": "aplikasi",
        "new": "Baru",
        "fixed": "Diperbaiki",
        "unchanged": "Tetap",
        "updated": "Berubah pesan/tingkat",
        "declarations": "Pernyataan manifest yang berubah",
        "waivers": "Pengecualian",
        "unreadable": "Berkas tak terbaca hanya di laporan baru",
        "none": "tidak ada",
        "summary": "{new} baru, {fixed} diperbaiki, {unchanged} tetap, {updated} "
        "berubah; {errors} kini menggagalkan (sebelumnya tidak)",
        "unwaived": "Tidak lagi dikecualikan",
        "added": "ditambah",
        "removed": "dihapus",
        "changed": "diubah",
        "expired": "berakhir",
        "renewed": "diperpanjang",
        "state": "Status",
        "rule": "Aturan",
        "location": "Lokasi",
        "message": "Pesan",
        "field": "Isian",
        "before": "Sebelum",
        "after": "Sesudah",
        "waiver": "Pengecualian",
    },
    "en": {
        "title": "Report comparison",
        "application": "application",
        "new": "New",
        "fixed": "Fixed",
        "unchanged": "Unchanged",
        "updated": "Updated (message or severity)",
        "declarations": "Changed declarations",
        "waivers": "Waivers",
        "unreadable": "Files unreadable in the new report only",
        "none": "none",
        "summary": "{new} new, {fixed} fixed, {unchanged} unchanged, {updated} "
        "updated; {errors} failing the run that did not before",
        "unwaived": "No longer waived",
        "added": "added",
        "removed": "removed",
        "changed": "changed",
        "expired": "expired",
        "renewed": "renewed",
        "state": "State",
        "rule": "Rule",
        "location": "Location",
        "message": "Message",
        "field": "Field",
        "before": "Before",
        "after": "After",
        "waiver": "Waiver",
    },
}
_MARKS = {"new": "+", "fixed": "-", "unchanged": "!", "updated": "~"}
_SECTIONS = ("new", "fixed", "updated", "unchanged")


def _value(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return escape_controls(str(value))


def _where(finding: Finding) -> str:
    span = finding.location.span
    path = escape_controls(finding.location.path)
    return place(path, span.line, span.column) if span else path


def _line(change: Change, lang: str) -> str:
    finding = change.shown
    severity = finding.severity.label
    if finding.waiver is not None:
        severity = f"waived:{severity}"
    message = escape_controls(finding.message.get(lang))
    return (
        f"{_MARKS[change.state]} {_where(finding)}: {severity} {finding.rule} {message}"
    )


def _counts(diff: Diff, fail_on: Severity) -> dict[str, int]:
    return {
        "new": len(diff.of("new")),
        "fixed": len(diff.of("fixed")),
        "unchanged": len(diff.of("unchanged")),
        "updated": len(diff.of("updated")),
        "errors": len(diff.introduced(fail_on)) + len(diff.new_problems),
    }


def render_text(diff: Diff, lang: str, fail_on: Severity) -> str:
    w = _WORDS[lang]
    apps = ", ".join(diff.applications)
    lines = [
        f"{w['title']}: {escape_controls(diff.old_name)} → "
        f"{escape_controls(diff.new_name)}"
        + (f" ({w['application']} {escape_controls(apps)})" if apps else ""),
    ]
    for state in _SECTIONS:
        changes = diff.of(state)
        if changes and state != "unchanged":
            lines += ["", f"{w[state]} ({len(changes)}):"]
            lines += [_line(c, lang) for c in changes]
    unwaived = diff.unwaived()
    if unwaived:
        lines += ["", f"{w['unwaived']} ({len(unwaived)}):"]
        lines += [_line(c, lang) for c in unwaived]
    if diff.declarations:
        lines += ["", f"{w['declarations']} ({len(diff.declarations)}):"]
        for d in diff.declarations:
            where = escape_controls(f"{d.path} {d.pointer}")
            lines.append(
                f"  {where}: {_value(d.old)} → {_value(d.new)}"
                if d.state == "changed"
                else f"  {where}: {w[d.state]} ({_value(d.new if d.new is not None else d.old)})"
            )
    if diff.waivers:
        lines += ["", f"{w['waivers']} ({len(diff.waivers)}):"]
        for change in diff.waivers:
            entry = change.shown
            lines.append(
                f"  {w[change.state]}: {escape_controls(entry.path)}: "
                f"{describe_waiver(entry.waiver, lang)}"
            )
    if diff.new_problems:
        lines += ["", f"{w['unreadable']}:"]
        lines += [f"  {escape_controls(p)}" for p in diff.new_problems]
    lines += ["", w["summary"].format(**_counts(diff, fail_on)) + "."]
    return "\n".join(lines) + "\n"


def _finding(change: Change, lang: str) -> dict[str, Any]:
    finding = change.shown
    where = finding.location
    data: dict[str, Any] = {
        "state": change.state,
        "rule": finding.rule,
        "domain": finding.domain,
        "severity": finding.severity.label,
        "message": finding.message.get(lang),
        "message_i18n": finding.message.as_dict(),
        "path": where.path,
        "pointer": where.pointer,
        "line": where.span.line if where.span else None,
        "column": where.span.column if where.span else None,
        "fingerprint": finding.fingerprint,
        "waived": finding.waiver is not None,
        "unwaived": change.old is not None
        and change.new is not None
        and change.old.waiver is not None
        and change.new.waiver is None,
    }
    if change.state == "updated" and change.old is not None:
        data["before"] = {
            "severity": change.old.severity.label,
            "message_i18n": change.old.message.as_dict(),
        }
    return data


def as_dict(diff: Diff, lang: str, fail_on: Severity) -> dict[str, Any]:
    return {
        "diff_version": DIFF_VERSION,
        "old": {"report": diff.old_name, "generated_at": diff.old.generated_at},
        "new": {"report": diff.new_name, "generated_at": diff.new.generated_at},
        "applications": list(diff.applications),
        "fail_on": fail_on.label,
        "summary": _counts(diff, fail_on),
        "findings": [_finding(c, lang) for c in diff.changes],
        "declarations": [
            {
                "path": d.path,
                "pointer": d.pointer,
                "state": d.state,
                "old": d.old,
                "new": d.new,
            }
            for d in diff.declarations
        ],
        "waivers": [
            {
                "state": c.state,
                "id": c.shown.waiver.id,
                "source": c.shown.waiver.source,
                "path": c.shown.path,
                "expires_before": c.old.waiver.expires if c.old else None,
                "expires_after": c.new.waiver.expires if c.new else None,
                "state_after": c.new.state if c.new else None,
            }
            for c in diff.waivers
        ],
        "unreadable_new": list(diff.new_problems),
    }


def render_json(diff: Diff, lang: str, fail_on: Severity) -> str:
    return json.dumps(as_dict(diff, lang, fail_on), ensure_ascii=False, indent=2) + "\n"


def render_markdown(diff: Diff, lang: str, fail_on: Severity) -> str:
    w = _WORDS[lang]
    out = [
        f"## {w['title']}: `{md(diff.old_name)}` → `{md(diff.new_name)}`",
        "",
        w["summary"].format(**_counts(diff, fail_on)) + ".",
    ]
    for state in _SECTIONS:
        changes = diff.of(state)
        if not changes or state == "unchanged":
            continue
        out += [
            "",
            f"### {w[state]} ({len(changes)})",
            "",
            f"| {w['rule']} | {w['location']} | {w['message']} |",
            "| --- | --- | --- |",
        ]
        for change in changes:
            f = change.shown
            label = f"`{f.rule}` {f.severity.label}"
            if f.waiver is not None:
                label += f" ({w['waiver']} {md(f.waiver.id)})"
            out.append(f"| {label} | {md(_where(f))} | {md(f.message.get(lang))} |")
    unwaived = diff.unwaived()
    if unwaived:
        out += ["", f"### {w['unwaived']} ({len(unwaived)})", ""]
        out += [
            f"- `{c.shown.rule}` {md(_where(c.shown))}: {md(c.shown.message.get(lang))}"
            for c in unwaived
        ]
    if diff.declarations:
        out += [
            "",
            f"### {w['declarations']} ({len(diff.declarations)})",
            "",
            f"| {w['field']} | {w['before']} | {w['after']} |",
            "| --- | --- | --- |",
        ]
        for d in diff.declarations:
            before = "–" if d.state == "added" else md(_value(d.old))
            after = "–" if d.state == "removed" else md(_value(d.new))
            out.append(f"| `{md(d.pointer)}` ({md(d.path)}) | {before} | {after} |")
    if diff.waivers:
        out += [
            "",
            f"### {w['waivers']} ({len(diff.waivers)})",
            "",
            f"| {w['state']} | {w['waiver']} |",
            "| --- | --- |",
        ]
        for change in diff.waivers:
            text = describe_waiver(change.shown.waiver, lang)
            out.append(f"| {w[change.state]} | {md(text)} |")
    if diff.new_problems:
        out += ["", f"### {w['unreadable']}", ""]
        out += [f"- {md(p)}" for p in diff.new_problems]
    return "\n".join(out) + "\n"


def render_sarif(diff: Diff, lang: str, fail_on: Severity) -> str:
    from dataclasses import replace

    from spbe_lint.reporters import sarif

    document = sarif.as_dict(replace(diff.new, lang=lang))
    run = document["runs"][0]
    states = {
        c.new.fingerprint: ("updated" if c.state == "updated" else c.state)
        for c in diff.changes
        if c.new is not None
    }
    for result in run["results"]:
        state = states.get(result["partialFingerprints"]["spbeFingerprint/v1"])
        if state is not None:
            result["baselineState"] = state
    for change in diff.of("fixed"):
        finding = change.shown
        location: dict[str, Any] = {
            "physicalLocation": {
                "artifactLocation": sarif._artifact_location(finding.location.path)
            }
        }
        if finding.location.span is not None:
            span = finding.location.span
            location["physicalLocation"]["region"] = {
                "startLine": span.line,
                "startColumn": span.column,
            }
        run["results"].append(
            {
                "ruleId": finding.rule,
                "kind": "fail",
                "level": sarif.LEVELS[finding.severity],
                "message": {"text": finding.message.get(lang)},
                "locations": [location],
                "partialFingerprints": {
                    "spbeFingerprint/v1": finding.fingerprint,
                    "primaryLocationLineHash": finding.fingerprint,
                },
                "baselineState": "absent",
            }
        )
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


RENDERERS = {
    "text": render_text,
    "json": render_json,
    "markdown": render_markdown,
    "sarif": render_sarif,
}
