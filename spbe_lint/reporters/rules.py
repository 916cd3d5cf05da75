"""Rule documentation for ``spbe-lint rules list`` and ``rules explain``."""

from __future__ import annotations

import datetime
import json
import textwrap
from collections.abc import Sequence

from spbe_lint.i18n import LocalText
from spbe_lint.rule import Example, Rule
from spbe_lint.rulepack import RulePack

_WORDS = {
    "id": {
        "rationale": "Alasan",
        "basis": "Dasar hukum",
        "applies": "Berlaku",
        "all_statuses": "semua tahap app.status",
        "statuses": "app.status",
        "condition": "syarat",
        "remediation": "Perbaikan",
        "pass": "Contoh lulus",
        "probe": "Dinilai pada aplikasi yang berjalan (spbe-lint probe): {facts}",
        "from": "mulai {date}",
        "until": "sampai {date}",
        "documents": "bukti berupa dokumen: spbe-lint memeriksa keberadaannya, "
        "isinya dinilai peninjau",
        "fail": "Contoh gagal",
        "confidence": {
            "high": "keyakinan tinggi",
            "medium": "keyakinan sedang",
            "low": "keyakinan rendah",
        },
        "no_basis": "Aturan tentang berkas manifest itu sendiri, bukan kewajiban regulasi.",
        "perwal": "Perwal Kota Jambi: pasal belum dapat dikutip (teks final belum terbit).",
        "perwal_set": "Perwal Kota Jambi: {perwal}",
        "no_article": "pasal tidak disebut",
        "severity_changed": "diubah konfigurasi; bawaan {default}",
        "header": ("ID", "DOMAIN", "TINGKAT", "JUDUL"),
    },
    "en": {
        "rationale": "Why",
        "basis": "Legal basis",
        "applies": "Applies",
        "all_statuses": "every app.status",
        "statuses": "app.status",
        "condition": "condition",
        "remediation": "How to fix",
        "pass": "Passing example",
        "probe": "Judged on the running application (spbe-lint probe): {facts}",
        "from": "from {date}",
        "until": "until {date}",
        "documents": "evidence is a document: spbe-lint checks it exists, "
        "a reviewer judges its content",
        "fail": "Failing example",
        "confidence": {
            "high": "high confidence",
            "medium": "medium confidence",
            "low": "low confidence",
        },
        "no_basis": "A rule about the manifest file itself, not a regulatory obligation.",
        "perwal": "Kota Jambi Perwal: no article can be cited yet (final text not published).",
        "perwal_set": "Kota Jambi Perwal: {perwal}",
        "no_article": "no article given",
        "severity_changed": "changed by configuration; default {default}",
        "header": ("ID", "DOMAIN", "SEVERITY", "TITLE"),
    },
}


def render_list(rules: Sequence[Rule], lang: str) -> str:
    header = _WORDS[lang]["header"]
    rows = [header] + [
        (r.id, r.domain, r.severity.label, r.title.get(lang)) for r in rules
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    lines = [
        "  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row[:3]))
        + "  "
        + row[3]
        for row in rows
    ]
    return "\n".join(line.rstrip() for line in lines) + "\n"


def render_list_json(rules: Sequence[Rule], pack: RulePack) -> str:
    data = {
        "rule_pack": {"name": pack.name, "version": pack.version},
        "rules": [
            {
                "id": r.id,
                "domain": r.domain,
                "severity": r.severity.label,
                "title": r.title.as_dict(),
                "target": r.target,
                "evidence_type": r.evidence_type,
                "lifecycle": list(r.lifecycle),
                "effective_from": _iso(r.effective_from),
                "until": _iso(r.until),
                "references": [
                    {
                        "regulation": ref.short,
                        "article": ref.article,
                        "confidence": ref.confidence,
                    }
                    for ref in r.references
                ],
            }
            for r in rules
        ],
    }
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def _iso(day: datetime.date | None) -> str | None:
    return day.isoformat() if day else None


def render_explain(rule: Rule, lang: str) -> str:
    words = _WORDS[lang]
    severity = rule.severity.label
    if rule.default_severity is not None:
        changed = words["severity_changed"].format(default=rule.default_severity.label)
        severity += f" ({changed})"
    out = [f"{rule.id} · {rule.domain} · {severity}", rule.title.get(lang), ""]
    out += [words["rationale"], _wrap(rule.rationale.get(lang)), ""]
    out.append(words["basis"])
    if rule.references:
        for ref in rule.references:
            article = ref.article or words["no_article"]
            if ref.note:
                article += f", {ref.note.get(lang)}"
            out.append(
                _wrap(
                    f"- {ref.regulation}, {article} ({words['confidence'][ref.confidence]})"
                )
            )
            if ref.url:
                out.append(f"    {ref.url}")
        out.append(
            _wrap(
                words["perwal_set"].format(perwal=rule.perwal)
                if rule.perwal
                else words["perwal"]
            )
        )
    else:
        out.append(_wrap(words["no_basis"]))
    out += ["", words["applies"], *_applies(rule, words, lang)]
    out += ["", words["remediation"], _wrap(rule.remediation.get(lang)), ""]
    if rule.passing:
        out += _example(words["pass"], rule.passing[0], lang)
    if rule.failing:
        out += _example(words["fail"], rule.failing[0], lang)
    return "\n".join(out).rstrip() + "\n"


def _applies(rule: Rule, words: dict, lang: str) -> list[str]:
    """When and how the rule is judged: statuses, conditions, dates, evidence."""
    statuses = ", ".join(rule.lifecycle) if rule.lifecycle else words["all_statuses"]
    out = [f"  {words['statuses']}: {statuses}" if rule.lifecycle else f"  {statuses}"]
    if rule.when and rule.not_applicable_reason:
        hint = _negate_hint(rule.not_applicable_reason, lang)
        out.append(_wrap(f"{words['condition']}: {hint}"))
    dates = []
    if rule.effective_from:
        dates.append(words["from"].format(date=rule.effective_from.isoformat()))
    if rule.until:
        dates.append(words["until"].format(date=rule.until.isoformat()))
    if dates:
        out.append(f"  {' '.join(dates)}")
    if rule.evidence_type == "document":
        out.append(_wrap(words["documents"]))
    if rule.target == "endpoint":
        out.append(_wrap(words["probe"].format(facts=", ".join(rule.probe))))
    return out


def _negate_hint(reason: LocalText, lang: str) -> str:
    # The reason says when the rule does NOT apply; show it as such.
    prefix = "tidak berlaku bila " if lang == "id" else "does not apply when "
    return prefix + reason.get(lang)


def _example(title: str, example: Example, lang: str) -> list[str]:
    head = (
        f"{title} ({example.description.get(lang)})" if example.description else title
    )
    body = textwrap.indent(example.manifest.rstrip("\n"), "    ")
    return [head, body, ""]


def _wrap(text: str) -> str:
    return textwrap.fill(text, width=88, initial_indent="  ", subsequent_indent="  ")
