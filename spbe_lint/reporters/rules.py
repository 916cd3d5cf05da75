"""Rule documentation for ``spbe-lint rules list`` and ``rules explain``."""

from __future__ import annotations

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
                "lifecycle": list(r.lifecycle),
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
    out += ["", words["applies"]]
    statuses = ", ".join(rule.lifecycle) if rule.lifecycle else words["all_statuses"]
    out.append(
        f"  {words['statuses']}: {statuses}" if rule.lifecycle else f"  {statuses}"
    )
    if rule.when and rule.not_applicable_reason:
        hint = _negate_hint(rule.not_applicable_reason, lang)
        out.append(_wrap(f"{words['condition']}: {hint}"))
    out += ["", words["remediation"], _wrap(rule.remediation.get(lang)), ""]
    out += _example(words["pass"], rule.passing[0], lang)
    out += _example(words["fail"], rule.failing[0], lang)
    return "\n".join(out).rstrip() + "\n"


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
