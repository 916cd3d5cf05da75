"""One self-contained HTML file for the handover folder: who the application
is, the verdict, scores, findings by domain with location, citation and fix,
waivers with their expiry, what a reviewer must check, SPBE indicators, probe
evidence in an appendix, and the rule pack, input hashes and signature state
in the footer.

No external assets and no JavaScript; print CSS lays it out on A4. The
template is autoescaped (``autoescape=True``: jinja2's ``select_autoescape``
would not escape a ``.j2`` file), because manifests, probe responses and rule
packs are untrusted text.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

from spbe_lint import scoring
from spbe_lint.findings import Finding, Report, Status, place
from spbe_lint.reporters import signature, words

if TYPE_CHECKING:
    import jinja2

    from spbe_lint.reporters import RenderOptions


@functools.cache
def _template() -> jinja2.Template:
    import jinja2  # only when HTML is asked for: the pre-commit path stays fast

    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("spbe_lint.reporters", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,  # a typo in the template fails the tests
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    return environment.get_template("report.html.j2")


def render(report: Report, options: RenderOptions) -> str:
    return _template().render(**context(report))


def context(report: Report) -> dict[str, Any]:
    """Everything the template shows, computed here so the template only lays out."""
    lang = report.lang
    result = scoring.score(report)
    rules = {rule.id: rule for rule in report.rules}
    failing = [f for f in report.failures if f.waiver is None]
    by_domain: dict[str, list[dict[str, Any]]] = {}
    for finding in failing:
        by_domain.setdefault(finding.domain, []).append(_row(finding, rules, lang))
    titles = [dict(i.identity).get("app.title") for i in report.inputs]
    return {
        "lang": lang,
        "w": words.HUMAN[lang],
        "words": words.WORDS[lang],
        "title": ", ".join(t for t in dict.fromkeys(titles) if t),
        "report": report,
        "score": result,
        # A signature that was checked and does not hold replaces the verdict;
        # one not checked is said to be so, next to it (reporters.signature).
        "verdict": signature.verdict(report, result.verdict, lang),
        "verdict_class": (
            "untrusted"
            if signature.untrusted(report)
            else ("ready" if result.ready else "not_ready")
        ),
        "signature_warning": signature.warning(report, lang),
        "signature_line": signature.line(report, lang),
        "ready_at": f"{result.ready_at:g}",
        "overall": _percent(result.overall.percent),
        "domains": [
            {
                "name": words.domain_name(domain, lang),
                "percent": tally.percent,
                "shown": _percent(tally.percent),
                "tally": tally,
            }
            for domain, tally in result.domains
        ],
        "groups": [
            (words.domain_name(domain, lang), rows)
            for domain, rows in by_domain.items()
        ],
        "failing": len(failing),
        "waived": [
            _row(f, rules, lang) for f in report.findings if f.waiver is not None
        ],
        "review": [_row(f, rules, lang) for f in result.review],
        "indicators": [
            {
                "number": item.indicator.number,
                "name": item.indicator.name.get(lang),
                "aspect": item.indicator.aspect.get(lang),
                "state": item.state,
                "state_text": words.INDICATOR_STATES[lang][item.state],
                "rules": ", ".join(item.rules) or "–",
            }
            for item in result.indicators
        ],
        "formula": scoring.formula(scoring.evaluation_of(report)).get(lang),
        "identities": [
            {
                "path": item.path,
                "rows": [
                    (words.IDENTITY_LABELS[lang].get(key, key), value)
                    for key, value in item.identity
                ],
            }
            for item in report.inputs
        ],
        "problems": [
            (place(p.path, p.line, p.column), p.message.get(lang))
            for p in report.problems
        ],
        "evidence": [_row(f, rules, lang) for f in report.findings if f.evidence],
        "tool": words.HUMAN[lang]["tool"].format(
            version=report.tool_version,
            pack=report.pack.name,
            pack_version=report.pack.version,
            sha=report.pack.sha256,
        ),
    }


def _percent(value: float | None) -> str:
    return f"{value:g}%" if value is not None else "–"


def _row(finding: Finding, rules: dict[str, Any], lang: str) -> dict[str, Any]:
    rule = rules.get(finding.rule)
    span = finding.location.span
    status = finding.status
    return {
        "finding": finding,
        "rule": finding.rule,
        "title": rule.title.get(lang) if rule else "",
        "severity": finding.severity.label,
        "severity_text": words.WORDS[lang][finding.severity.label],
        "status": status.value,
        "status_text": words.status_word(status.value, lang),
        "failed": status is Status.FAIL,
        "where": place(
            finding.location.path, *((span.line, span.column) if span else ())
        ),
        "pointer": finding.location.pointer,
        "message": finding.message.get(lang),
        "basis": [
            {
                "text": ref.cite(lang),
                # Only web links: a saved report could carry javascript: URLs.
                "url": ref.url
                if (ref.url or "").startswith(("https://", "http://"))
                else None,
                "confidence": ref.confidence,
            }
            for ref in finding.references
        ],
        "fix": rule.remediation.get(lang) if rule else "",
        "waiver": finding.waiver,
        "evidence": finding.evidence,
    }
