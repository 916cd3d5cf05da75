"""Rule documentation for ``spbe-lint rules list`` and ``rules explain``."""

from __future__ import annotations

import datetime
import functools
import json
import textwrap
from collections.abc import Sequence

from spbe_lint.i18n import LocalText
from spbe_lint.reporters import basis
from spbe_lint.rule import Example, Rule
from spbe_lint.rulepack import RulePack

_WORDS = {
    "id": {
        "rationale": "Alasan",
        "basis": "Dasar hukum",
        "binding": "Dasar hukum (peraturan yang mengikat)",
        "practice": "Rujukan praktik (tidak mengikat Kota Jambi)",
        "secondary": "Sumber sekunder dan teks yang belum dibaca (bukan dasar hukum)",
        "note": "catatan riset",
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
        "binding": "Legal basis (binding regulations)",
        "practice": "Practice elsewhere (not binding on Kota Jambi)",
        "secondary": "Secondary sources and texts not read (not a legal basis)",
        "note": "research note",
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
                        "kind": ref.kind,
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


def render_explain(rule: Rule, lang: str, width: int = 80) -> str:
    """The rule, wrapped to *width* columns (the terminal's, 80 when unknown)."""
    words = _WORDS[lang]
    wrap = functools.partial(_wrap, width=max(width, 40))
    severity = rule.severity.label
    if rule.default_severity is not None:
        changed = words["severity_changed"].format(default=rule.default_severity.label)
        severity += f" ({changed})"
    out = [f"{rule.id} · {rule.domain} · {severity}", wrap(rule.title.get(lang), 0), ""]
    out += [words["rationale"], wrap(rule.rationale.get(lang)), ""]
    out += _references(rule, words, lang, wrap)
    out += ["", words["applies"], *_applies(rule, words, lang, wrap)]
    out += ["", words["remediation"], wrap(rule.remediation.get(lang)), ""]
    if rule.passing:
        out += _example(words["pass"], rule.passing[0], lang)
    if rule.failing:
        out += _example(words["fail"], rule.failing[0], lang)
    return "\n".join(out).rstrip() + "\n"


def _references(
    rule: Rule, words: dict, lang: str, wrap: functools.partial[str]
) -> list[str]:
    """Every reference, by kind, with its confidence, research note and link:
    the binding ones are the legal basis; practice and secondary sources are
    shown apart so that nobody mistakes them for the law."""
    if not rule.references:
        return [words["basis"], wrap(words["no_basis"])]
    out: list[str] = []
    for kind in basis.KINDS:
        cited = [ref for ref in rule.references if ref.kind == kind]
        if kind == "binding" and not cited:
            out += [words["binding"], wrap(basis.NO_BINDING[lang])]
        if not cited:
            continue
        out.append(words[kind])
        for ref in cited:
            where = ref.article or (
                ref.provision.get(lang) if ref.provision else words["no_article"]
            )
            confidence = words["confidence"][ref.confidence]
            out.append(
                textwrap.fill(
                    f"{ref.regulation}, {where} ({confidence})",
                    width=wrap.keywords["width"],
                    break_long_words=False,
                    initial_indent="  - ",
                    subsequent_indent="    ",
                )
            )
            if ref.note:
                out.append(wrap(f"{words['note']}: {ref.note.get(lang)}", 4))
            if ref.url:
                out.append(f"    {ref.url}")
    out.append(
        wrap(
            words["perwal_set"].format(perwal=rule.perwal)
            if rule.perwal
            else words["perwal"]
        )
    )
    return out


def _applies(
    rule: Rule, words: dict, lang: str, wrap: functools.partial[str]
) -> list[str]:
    """When and how the rule is judged: statuses, conditions, dates, evidence."""
    statuses = ", ".join(rule.lifecycle) if rule.lifecycle else words["all_statuses"]
    out = [f"  {words['statuses']}: {statuses}" if rule.lifecycle else f"  {statuses}"]
    if rule.when and rule.not_applicable_reason:
        hint = _negate_hint(rule.not_applicable_reason, lang)
        out.append(wrap(f"{words['condition']}: {hint}"))
    dates = []
    if rule.effective_from:
        dates.append(words["from"].format(date=rule.effective_from.isoformat()))
    if rule.until:
        dates.append(words["until"].format(date=rule.until.isoformat()))
    if dates:
        out.append(f"  {' '.join(dates)}")
    if rule.evidence_type == "document":
        out.append(wrap(words["documents"]))
    if rule.target == "endpoint":
        out.append(wrap(words["probe"].format(facts=", ".join(rule.probe))))
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


def _wrap(text: str, indent: int = 2, *, width: int = 80) -> str:
    pad = " " * indent
    return textwrap.fill(
        text,
        width=width,
        initial_indent=pad,
        subsequent_indent=pad,
        break_long_words=False,
        break_on_hyphens=False,
    )
