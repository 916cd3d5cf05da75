"""``spbe-lint rules coverage``: how much of the catalogue the pack automates.

Honest by construction: the numbers are counted from the rules loaded, so the
table cannot drift from the files in ``rules/``. A rule is *static* when the
manifest alone decides it, *document* when its evidence is a file a person
must read (spbe-lint checks only that it is there), *probe* when only the
running application can show it. Probe rules that serve a requirement (the PRB
family, ``serves:``) are not requirements of their own: they give the
requirement they serve a probe part, shown as ``HOST-004(s+p)``.
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Sequence
from typing import Any

from spbe_lint.findings import DOMAINS
from spbe_lint.rule import Rule
from spbe_lint.rulepack import RulePack

CATALOGUE_DOMAINS = tuple(d for d in DOMAINS if d != "manifest")
KINDS = ("static", "document", "probe")

_WORDS = {
    "id": {
        "title": "Cakupan paket {pack} {version}: {n} persyaratan sebagai aturan",
        "header": (
            "DOMAIN",
            "ATURAN",
            "STATIS",
            "DOKUMEN",
            "PROBE",
            "ERROR",
            "WARNING",
            "INFO",
        ),
        "total": "total",
        "legend": (
            "statis: diputuskan dari manifest; dokumen: manifest menyebut berkas bukti, "
            "spbe-lint memeriksa keberadaannya dan peninjau menilai isinya (status "
            "manual bila hanya manifest yang diserahkan); probe: dinilai pada aplikasi "
            "yang berjalan (spbe-lint probe)."
        ),
        "articles": "pasal yang dikutip",
        "extra": "ditambah {n} aturan format manifest (MAN)",
        "probe_part": (
            "{n} persyaratan juga punya bagian probe (+p), diperiksa oleh {m} "
            "aturan PRB pada aplikasi yang berjalan"
        ),
    },
    "en": {
        "title": "Coverage of pack {pack} {version}: {n} requirements as rules",
        "header": (
            "DOMAIN",
            "RULES",
            "STATIC",
            "DOCUMENT",
            "PROBE",
            "ERROR",
            "WARNING",
            "INFO",
        ),
        "total": "total",
        "legend": (
            "static: decided from the manifest; document: the manifest names an "
            "evidence file, spbe-lint checks it exists and a reviewer judges its "
            "content (status manual when only the manifest was submitted); probe: "
            "judged on the running application (spbe-lint probe)."
        ),
        "articles": "articles cited",
        "extra": "plus {n} manifest-format rules (MAN)",
        "probe_part": (
            "{n} requirements also have a probe part (+p), checked by {m} PRB "
            "rules on the running application"
        ),
    },
}


def kind(rule: Rule) -> str:
    if rule.target == "endpoint":
        return "probe"
    return "document" if rule.evidence_type == "document" else "static"


def coverage(rules: Sequence[Rule]) -> dict[str, Any]:
    """Counts and citations per catalogue domain, as plain data (the JSON form)."""
    parts: dict[str, list[str]] = {}
    for rule in rules:
        if rule.serves and rule.target == "endpoint":
            parts.setdefault(rule.serves, []).append(rule.id)
    # A rule that serves a requirement is a side of it, not a requirement: the
    # probe side (PRB) is shown as +p; another side (SEC-013, the declaration of
    # SEC-012's algorithms, a warning of its own) is counted under its requirement.
    serving = [r for r in rules if r.serves and r.target == "endpoint"]
    rules = [r for r in rules if not r.serves]
    domains = []
    for domain in CATALOGUE_DOMAINS:
        members = [r for r in rules if r.domain == domain]
        articles = sorted(
            {
                f"{ref.short} {ref.article}" if ref.article else ref.short
                for r in members
                for ref in r.references
            }
        )
        domains.append(
            {
                "domain": domain,
                "rules": [
                    {
                        "id": r.id,
                        "kind": kind(r),
                        "severity": r.severity.label,
                        "probe_rules": parts.get(r.id, []),
                    }
                    for r in members
                ],
                "counts": _counts(members),
                "articles": articles,
            }
        )
    catalogue = [r for r in rules if r.domain != "manifest"]
    return {
        "domains": domains,
        "total": _counts(catalogue),
        "manifest_rules": len(rules) - len(catalogue),
        "probe_rules": len(serving),
        "with_probe_part": len([r for r in catalogue if r.id in parts]),
    }


def _counts(rules: Sequence[Rule]) -> dict[str, int]:
    counts = {"rules": len(rules)}
    counts.update({k: sum(1 for r in rules if kind(r) == k) for k in KINDS})
    for severity in ("error", "warning", "info"):
        counts[severity] = sum(1 for r in rules if r.severity.label == severity)
    return counts


def render_json(rules: Sequence[Rule], pack: RulePack) -> str:
    data = {"rule_pack": {"name": pack.name, "version": pack.version}}
    data.update(coverage(rules))
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def _wrap(text: str, indent: str) -> str:
    return textwrap.fill(
        text, width=88, subsequent_indent=indent, break_on_hyphens=False
    )


def render_text(rules: Sequence[Rule], pack: RulePack, lang: str) -> str:
    words = _WORDS[lang]
    data = coverage(rules)
    total = data["total"]
    columns = ("rules", *KINDS, "error", "warning", "info")
    rows = [words["header"]]
    for entry in data["domains"]:
        rows.append((entry["domain"], *(str(entry["counts"][c]) for c in columns)))
    rows.append((words["total"], *(str(total[c]) for c in columns)))
    widths = [max(len(row[i]) for row in rows) for i in range(len(columns) + 1)]
    out = [
        words["title"].format(pack=pack.name, version=pack.version, n=total["rules"]),
        "",
    ]
    for index, row in enumerate(rows):
        cells = [row[0].ljust(widths[0])]
        cells += [cell.rjust(widths[i + 1]) for i, cell in enumerate(row[1:])]
        out.append("  ".join(cells))
        if index == len(rows) - 2:
            out.append("-" * len(out[-1]))
    out += [
        "",
        _wrap(words["legend"], ""),
        words["extra"].format(n=data["manifest_rules"]),
    ]
    if data["probe_rules"]:
        out.append(
            _wrap(
                words["probe_part"].format(
                    n=data["with_probe_part"], m=data["probe_rules"]
                ),
                "",
            )
        )
    for entry in data["domains"]:
        out.append("")
        ids = " ".join(
            f"{r['id']}({r['kind'][0]}{'+p' if r['probe_rules'] else ''})"
            for r in entry["rules"]
        )
        out.append(_wrap(f"{entry['domain']}: {ids}", "  "))
        out.append(
            _wrap(f"  {words['articles']}: {'; '.join(entry['articles'])}", "    ")
        )
    return "\n".join(out) + "\n"
