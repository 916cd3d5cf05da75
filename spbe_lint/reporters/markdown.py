"""A compliance summary in Markdown, for a merge-request comment: verdict and
score, scores by domain, the failing findings with location and citation, how
to fix them, waivers, what a reviewer must check, the SPBE indicators.

Every text that came from a manifest or a rule pack is escaped, so a value
cannot turn into a link, an HTML tag or a broken table.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from spbe_lint import scoring
from spbe_lint.findings import Finding, Report, place
from spbe_lint.i18n import format_number
from spbe_lint.reporters import applications, basis, signature, words

if TYPE_CHECKING:
    from spbe_lint.reporters import RenderOptions

# Inline specials; what matters only at the start of a line (#, -, 1.) cannot
# occur there: every escaped text follows a table bar, a marker or a label.
_SPECIAL = re.compile(r"([\\`*_\[\]|~])")


def md(text: str) -> str:
    """Escaped for Markdown (CommonMark and GitHub's), on one line."""
    text = " ".join(text.split())
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _SPECIAL.sub(r"\\\1", text)


def render(report: Report, options: RenderOptions) -> str:
    lang = report.lang
    result = scoring.score(report)
    out = _summary(report, result, lang)
    out += _applications(report, lang)
    out += _domains(result, lang)
    out += _findings(report, lang)
    out += _waivers(report, lang)
    out += _review(result, lang)
    out += _indicators(result, lang)
    w = words.HUMAN[lang]
    formula = scoring.formula(scoring.evaluation_of(report)).get(lang)
    out += ["", f"<details><summary>{w['formula']}</summary>", "", md(formula)]
    out += ["", "</details>", "", "---", ""]
    out.append(f"<sub>{md(_footer(report, lang))}</sub>")
    return "\n".join(out) + "\n"


def _summary(report: Report, result: scoring.Score, lang: str) -> list[str]:
    w = words.HUMAN[lang]
    titles = [dict(i.identity).get("app.title") for i in report.inputs]
    named = ", ".join(md(t) for t in dict.fromkeys(titles) if t)
    out = [f"## {w['heading']}" + (f": {named}" if named else ""), ""]
    out += _identity(report, lang)
    overall = result.overall.percent
    score_text = (
        f"**{format_number(overall, lang)}%**" if overall is not None else w["no_score"]
    )
    ready_at = w["ready_at"].format(ready_at=format_number(result.ready_at, lang))
    shown = signature.verdict(report, result.verdict, lang)
    out.append(
        f"**{w['verdict']}: {shown}** · {w['overall']} {score_text} ({md(ready_at)})"
    )
    warning = signature.warning(report, lang)
    if warning:
        out += ["", f"> **{md(warning)}**"]
    if result.blocking:
        out += ["", f"> {md(w['blocking'].format(n=len(result.blocking)))}"]
    if report.problems:
        out += ["", f"> {md(w['unreadable_block'].format(n=len(report.problems)))}"]
    if result.awaiting_probe:
        out += ["", f"> {md(w['awaiting_probe'].format(n=result.awaiting_probe))}"]
    return out


def _applications(report: Report, lang: str) -> list[str]:
    """Several applications in one run: each one's own verdict and score (the
    scores below are over all of them), and app.ids that manifests share."""
    groups = applications.group(report)
    a = applications.WORDS[lang]
    w = words.HUMAN[lang]
    out = [f"> {md(line)}" for line in applications.duplicate_lines(groups, lang)]
    out = [line for text in out for line in ("", text)]
    if len(groups) < 2:
        return out
    out += ["", f"### {a['applications']}", ""]
    out += [
        f"| {a['app']} | {a['inventory']} | {a['manifests']} | {w['verdict']} | "
        f"{w['score']} | {w['findings']} |",
        "|---|---|---:|---|---:|---:|",
    ]
    for group in groups:
        result = scoring.score(group.report)
        overall = result.overall.percent
        failing, rules = applications.counts(group.report)
        name = group.title or (a["other"] if group.key == applications.OTHER else "")
        shown = signature.verdict(group.report, result.verdict, lang)
        out.append(
            f"| {md(name or group.key)} | {md(group.app_id or a['no_id'])} | "
            f"{len(group.manifests)} | {md(shown)} | "
            f"{f'{format_number(overall, lang)}%' if overall is not None else '–'} | "
            f"{md(a['counted'].format(findings=failing, rules=rules))} |"
        )
    return out


def _domains(result: scoring.Score, lang: str) -> list[str]:
    w = words.HUMAN[lang]
    out = ["", f"### {w['domains']}", ""]
    out.append(
        f"| {w['domain']} | {w['score']} | {w['passed']} | {w['failed']} | "
        f"{w['review']} | {w['not_applicable']} |"
    )
    out.append("|---|--:|--:|--:|--:|--:|")
    for domain, tally in result.domains:
        percent = (
            f"{format_number(tally.percent, lang)}%"
            if tally.percent is not None
            else "–"
        )
        out.append(
            f"| {md(words.domain_name(domain, lang))} | {percent} | {tally.passed} | "
            f"{tally.failed} | {tally.review} | {tally.not_applicable} |"
        )
    return [*out, "", f"<sub>{md(w['counted_rules'])}</sub>"]


def _findings(report: Report, lang: str) -> list[str]:
    w = words.HUMAN[lang]
    rules = {rule.id: rule for rule in report.rules}
    failing = [f for f in report.failures if f.waiver is None]
    rules_failed = len({(f.location.path, f.rule) for f in failing})
    count = (
        str(len(failing))
        if rules_failed == len(failing)
        else w["findings_of"].format(n=len(failing), rules=rules_failed)
    )
    out = ["", f"### {w['findings']} ({count})", ""]
    if not failing:
        return [*out, w["no_findings"]]
    out.append(
        f"| {w['severity']} | {w['rule']} | {w['location']} | {w['message']} | "
        f"{w['basis']} |"
    )
    out.append("|---|---|---|---|---|")
    for finding in failing:
        out.append(
            f"| {words.WORDS[lang][finding.severity.label]} | `{finding.rule}` | "
            f"{md(_where(finding))} | {md(finding.message.get(lang))} | "
            f"{_basis(finding, lang)} |"
        )
    fixes = [
        f"- `{rule_id}` {md(rules[rule_id].remediation.get(lang))}"
        for rule_id in sorted({f.rule for f in failing})
        if rule_id in rules
    ]
    if fixes:
        out += ["", f"<details><summary>{w['fix']}</summary>", "", *fixes]
        out += ["", "</details>"]
    return out


def _waivers(report: Report, lang: str) -> list[str]:
    w = words.HUMAN[lang]
    waived = [(f, f.waiver) for f in report.findings if f.waiver is not None]
    if not waived:
        return []
    out = ["", f"### {w['waivers']}", ""]
    out.append(
        f"| {w['waiver_id']} | {w['rule']} | {w['location']} | {w['reason']} | "
        f"{w['approved_by']} | {w['expires']} |"
    )
    out.append("|---|---|---|---|---|---|")
    for finding, waiver in waived:
        out.append(
            f"| {md(waiver.id)} | `{finding.rule}` | {md(_where(finding))} | "
            f"{md(waiver.reason)} | {md(waiver.approved_by or '–')} | "
            f"{md(waiver.expires or '–')} |"
        )
    return out


def _review(result: scoring.Score, lang: str) -> list[str]:
    if not result.review:
        return []
    w = words.HUMAN[lang]
    out = ["", f"### {w['review_items']} ({len(result.review)})", ""]
    for finding in result.review:
        state = words.status_word(finding.status.value, lang)
        out.append(
            f"- `{finding.rule}` {md(_where(finding))}: "
            f"{md(finding.message.get(lang))} ({md(state)})"
        )
    return out


def _indicators(result: scoring.Score, lang: str) -> list[str]:
    if not result.indicators:
        return []
    w = words.HUMAN[lang]
    out = ["", f"### {w['indicators'].format(regulation=md(result.regulation))}"]
    out += ["", f"| No | {w['indicator']} | {w['state']} | {w['rules']} |"]
    out.append("|--:|---|---|---|")
    for item in result.indicators:
        state = words.INDICATOR_STATES[lang][item.state]
        mapped = ", ".join(f"`{r}`" for r in item.rules) or "–"
        out.append(
            f"| {item.indicator.number} | {md(item.indicator.name.get(lang))} | "
            f"{state} | {mapped} |"
        )
    return out


def _identity(report: Report, lang: str) -> list[str]:
    if len(report.inputs) != 1 or not report.inputs[0].identity:
        return []
    labels = words.IDENTITY_LABELS[lang]
    rows = [
        f"| {md(labels.get(k, k))} | {md(v)} |" for k, v in report.inputs[0].identity
    ]
    w = words.HUMAN[lang]
    return [f"| {w['application']} | |", "|---|---|", *rows, ""]


def _where(finding: Finding) -> str:
    span = finding.location.span
    return place(finding.location.path, *((span.line, span.column) if span else ()))


def _basis(finding: Finding, lang: str) -> str:
    """The binding citations; another region's practice on a line of its own,
    marked as such (escaped: both come from the rule pack)."""
    cited = md(basis.basis_text(finding.references, lang))
    seen = basis.practice_text(finding.references, lang)
    if seen:
        cited += f"<br>_{md(words.WORDS[lang]['practice'])}: {md(seen)}_"
    return cited


def _footer(report: Report, lang: str) -> str:
    w = words.HUMAN[lang]
    parts = [
        w["tool"].format(
            version=report.tool_version,
            pack=report.pack.name,
            pack_version=report.pack.version,
            sha=report.pack.sha256[:12],
        )
    ]
    if report.generated_at:
        parts.append(f"{w['generated']} {report.generated_at}")
    parts.append(signature.line(report, lang))
    return " · ".join(parts)
