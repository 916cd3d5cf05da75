"""The legal basis of a rule as a report states it: the law, not research notes.

"Dasar hukum" lists only binding instruments with their article (or the part of
a technical standard cited); another region's practice goes on a separate
"Rujukan praktik" line; secondary sources and how sure a citation is stay in
`rules explain`, JSON and SARIF. A rule with no binding reference says so
instead of dressing practice as its basis. Pure functions over references.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from spbe_lint.reporters.words import WORDS
from spbe_lint.rule import Reference

KINDS = ("binding", "practice", "secondary")

# Said where no binding instrument is cited: the rule rests on general
# principle and practice, and the reader should know it.
NO_BINDING = {
    "id": "tidak ada pasal peraturan yang mengikat; asas umum dan praktik baik",
    "en": "no binding article; general principle and good practice",
}


def _unique(texts: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(texts))


def binding(references: Iterable[Reference], lang: str) -> tuple[str, ...]:
    """The binding citations, instrument and article, in the rule's order."""
    return _unique(r.citation(lang) for r in references if r.kind == "binding")


def practice(references: Iterable[Reference], lang: str) -> tuple[str, ...]:
    """Other regions' and agencies' practice the rule follows (no legal force)."""
    return _unique(r.citation(lang) for r in references if r.kind == "practice")


def basis_text(references: Iterable[Reference], lang: str) -> str:
    """The "Dasar hukum" value: binding citations, or an honest statement (a
    manifest-format rule cites nothing; a rule citing only practice says so)."""
    refs = tuple(references)
    if not refs:
        return WORDS[lang]["no_basis"]
    cited = binding(refs, lang)
    return "; ".join(cited) if cited else NO_BINDING[lang]


def practice_text(references: Iterable[Reference], lang: str) -> str | None:
    """The "Rujukan praktik" value, or None when the rule follows no practice."""
    cited = practice(references, lang)
    return "; ".join(cited) if cited else None


def lines(
    references: Iterable[Reference],
    lang: str,
    labels: Mapping[str, str] | None = None,
) -> tuple[str, ...]:
    """ "Dasar hukum: ..." and, where there is practice, "Rujukan praktik: ...";
    *labels* (keys basis, practice) where a format words them its own way."""
    refs = tuple(references)
    words = labels or WORDS[lang]
    out = [f"{words['basis']}: {basis_text(refs, lang)}"]
    seen = practice_text(refs, lang)
    if seen:
        out.append(f"{words['practice']}: {seen}")
    return tuple(out)
