"""One self-contained HTML file for the handover folder: who the application
is, the verdict, scores (a table and an inline SVG chart), findings by domain
with location, citation and fix, waivers with their expiry, what a reviewer
must check, SPBE indicators, probe evidence in an appendix, and the rule pack,
input hashes and signature state in the footer.

A report over several manifests has a section per application (grouped by
``app.id``: ``reporters.applications``), each with its own verdict and score,
under a summary table; manifests that share an ``app.id`` are named in a
warning.

No external assets and no JavaScript; print CSS lays it out on A4. The
template is autoescaped (``autoescape=True``: jinja2's ``select_autoescape``
would not escape a ``.j2`` file), because manifests, probe responses and rule
packs are untrusted text.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

from spbe_lint import scoring
from spbe_lint.findings import DOMAINS, Finding, Report, Status, place
from spbe_lint.i18n import format_number
from spbe_lint.reporters import applications, basis, chart, signature, words

if TYPE_CHECKING:
    import jinja2

    from spbe_lint.reporters import RenderOptions

# Labels only this page uses (the shared ones are in reporters.words).
PAGE: dict[str, dict[str, str]] = {
    lang: {
        **applications.WORDS[lang],
        **{
            "id": {
                "total": "Jumlah",
                "review_rules": "Ditinjau",
                "not_applicable": "Tidak berlaku",
                "rule_counts": "Lulus, gagal, ditinjau, tidak berlaku: jumlah aturan, "
                "masing-masing dihitung sekali per manifest (daftar temuan di bawah "
                "menghitung setiap tempat).",
                "review_count": "{n} temuan",
                "chart": "Skor per domain; garis putus-putus: ambang siap {ready_at}%",
            },
            "en": {
                "total": "Total",
                "review_rules": "Review",
                "not_applicable": "N/A",
                "rule_counts": "Passed, failed, review, not applicable (N/A): rules, "
                "each counted once per manifest (the findings below count every "
                "place).",
                "review_count": "{n} finding(s)",
                "chart": "Score by domain; dashed line: ready at {ready_at}%",
            },
        }[lang],
    }
    for lang in ("id", "en")
}


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
    environment.filters["breakable"] = breakable
    return environment.get_template("report.html.j2")


def breakable(text: object) -> Any:
    """A path or pointer that may wrap after each "/" (and nowhere inside a
    name unless a name alone is wider than its column): escaped, with <wbr>."""
    from markupsafe import Markup, escape

    return Markup(str(escape(text)).replace("/", "/<wbr>"))


def render(report: Report, options: RenderOptions) -> str:
    return _template().render(**context(report))


def context(report: Report) -> dict[str, Any]:
    """Everything the template shows, computed here so the template only lays out."""
    lang = report.lang
    rules = {rule.id: rule for rule in report.rules}
    groups = applications.group(report)
    sections = [_section(g, rules, lang) for g in groups]
    result = scoring.score(report)
    page = PAGE[lang]
    titles = [dict(i.identity).get("app.title") for i in report.inputs]
    return {
        "lang": lang,
        "w": words.HUMAN[lang],
        "p": page,
        "words": words.WORDS[lang],
        "title": ", ".join(t for t in dict.fromkeys(titles) if t),
        "report": report,
        "score": result,
        "sections": sections,
        "single": len(sections) == 1,
        "summary": page["summary"].format(
            apps=len(sections),
            manifests=len(report.inputs),
            ready=sum(1 for s in sections if s["ready"]),
            not_ready=sum(1 for s in sections if not s["ready"]),
        ),
        "duplicates": applications.duplicate_lines(groups, lang),
        # A signature not known to hold is said so at the top; one checked
        # that does not hold replaces every verdict (reporters.signature).
        "signature_warning": signature.warning(report, lang),
        "signature_line": signature.line(report, lang),
        "ready_at": format_number(result.ready_at, lang),
        "formula": scoring.formula(scoring.evaluation_of(report)).get(lang),
        "evidence": [_row(f, rules, lang) for f in report.findings if f.evidence],
        "tool": words.HUMAN[lang]["tool"].format(
            version=report.tool_version,
            pack=report.pack.name,
            pack_version=report.pack.version,
            sha=report.pack.sha256,
        ),
    }


def _verdict_class(report: Report, ready: bool) -> str:
    if signature.untrusted(report):
        return "untrusted"
    return "ready" if ready else "not_ready"


def _section(
    group: applications.Application, rules: dict[str, Any], lang: str
) -> dict[str, Any]:
    """One application: its verdict, scores, findings, waivers, review items."""
    report = group.report
    result = scoring.score(report)
    failing = [f for f in report.failures if f.waiver is None]
    order = {d: i for i, (d, _) in enumerate(result.domains)}
    by_domain: dict[str, list[dict[str, Any]]] = {}
    # Findings in the score table's domain order, so the two read alike.
    for finding in sorted(
        failing, key=lambda f: order.get(f.domain, len(DOMAINS) + len(order))
    ):
        by_domain.setdefault(finding.domain, []).append(_row(finding, rules, lang))
    domains = [
        {
            "key": domain,
            "name": words.domain_name(domain, lang),
            "percent": tally.percent,
            "shown": _percent(tally.percent, lang),
            "tally": tally,
        }
        for domain, tally in result.domains
    ]
    total = sum((t for _, t in result.domains), start=scoring.Tally())
    failing_count, failing_rules = applications.counts(report)
    return {
        "key": group.key,
        "app_id": group.app_id,
        "title": group.title
        or (PAGE[lang]["other"] if group.key == applications.OTHER else group.key),
        "titled": bool(group.title),
        "manifests": group.manifests,
        "report": report,
        "score": result,
        "ready": result.ready,
        "verdict": signature.verdict(report, result.verdict, lang),
        "verdict_class": _verdict_class(report, result.ready),
        "overall": _percent(result.overall.percent, lang),
        "domains": domains,
        "total": total,
        "chart": chart.bars(
            [
                (d["name"], d["percent"])
                for d in domains
                if d["key"] not in scoring.UNSCORED_DOMAINS  # not obligations
            ],
            ready_at=result.ready_at,
            caption=PAGE[lang]["chart"].format(
                ready_at=format_number(result.ready_at, lang)
            ),
            lang=lang,
        ),
        "groups": [
            (words.domain_name(domain, lang), rows)
            for domain, rows in by_domain.items()
        ],
        "failing": failing_count,
        "failing_rules": failing_rules,
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
                "rules": item.rules,
            }
            for item in result.indicators
        ],
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
    }


def _percent(value: float | None, lang: str) -> str:
    """A score as its reader writes it (decimal comma in Bahasa Indonesia)."""
    return f"{format_number(value, lang)}%" if value is not None else "–"


def _binding(references: Any, lang: str) -> list[dict[str, Any]]:
    """Binding citations, each linked to its source when that is a web page."""
    seen: dict[str, str | None] = {}
    for ref in references:
        if ref.kind != "binding":
            continue
        # Only web links: a saved report could carry javascript: URLs.
        url = ref.url if (ref.url or "").startswith(("https://", "http://")) else None
        text = ref.citation(lang)
        seen[text] = seen.get(text) or url
    return [{"text": text, "url": url} for text, url in seen.items()]


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
        # Dasar hukum: only the binding instruments with their article; other
        # regions' practice on its own line; research notes and confidence
        # stay in rules explain, JSON and SARIF (reporters.basis).
        "basis": _binding(finding.references, lang),
        "basis_none": basis.basis_text(finding.references, lang),
        "practice": basis.practice_text(finding.references, lang),
        "fix": rule.remediation.get(lang) if rule else "",
        "waiver": finding.waiver,
        "evidence": finding.evidence,
    }
