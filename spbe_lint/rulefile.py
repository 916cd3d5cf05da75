"""Build a Rule from a rule file that rule.schema.json has validated.

What the schema cannot check is checked here, with the file and position of
the problem: references to the pack's regulations, check names, text templates,
profile placeholders. Profile values are filled in once: ``"${profile.x}"``
strings in predicate schemas and check parameters, ``{profile.x}`` in texts.
"""

from __future__ import annotations

import datetime
import re
import string
from collections.abc import Mapping, Sequence
from typing import Any, NoReturn

from spbe_lint import schema, source
from spbe_lint.checks import CHECKS
from spbe_lint.errors import RulePackError
from spbe_lint.findings import Reference, Severity
from spbe_lint.i18n import LocalText
from spbe_lint.rule import Condition, Example, Namespace, Predicate, Rule

_NO_REFERENCES = LocalText(
    "rujukan ($ref) tidak didukung dalam skema aturan; tulis skemanya langsung",
    "references ($ref) are not supported in rule schemas; write the schema inline",
)
_PLACEHOLDER = re.compile(r"^\$\{profile\.([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*)\}$")


def fail(
    doc: source.Document, path: Sequence[str | int], message: LocalText
) -> NoReturn:
    raise doc.error(RulePackError, path, message)


def build_rule(
    doc: source.Document, profile: Namespace, regulations: Mapping[str, Any]
) -> Rule:
    data = doc.data
    stem = doc.path.rsplit("/", 1)[-1].removesuffix(".yaml")
    if data["id"] != stem:
        fail(
            doc,
            ("id",),
            LocalText(
                f"id '{data['id']}' harus sama dengan nama berkas '{stem}'",
                f"id '{data['id']}' must equal the file name '{stem}'",
            ),
        )
    texts = {"profile": profile}
    _check_templates(doc, profile)
    effective_from, until = _dates(doc)
    examples = data.get("examples", {})

    def text(key: str) -> LocalText:
        return LocalText.from_data(data[key]).format(texts)

    return Rule(
        id=data["id"],
        domain=data["domain"],
        severity=Severity.parse(data["severity"]),
        title=text("title"),
        message=LocalText.from_data(data["message"]),
        messages={
            k: LocalText.from_data(v) for k, v in data.get("messages", {}).items()
        },
        rationale=text("rationale"),
        remediation=text("remediation"),
        not_applicable_reason=text("not_applicable_reason")
        if "not_applicable_reason" in data
        else None,
        references=tuple(
            _reference(doc, i, ref, regulations)
            for i, ref in enumerate(data["references"])
        ),
        predicates=tuple(
            _predicate(doc, i, item, profile)
            for i, item in enumerate(data.get("predicate", ()))
        ),
        when=tuple(
            Condition(
                item["select"],
                _compile(doc, ("when", i, "schema"), item["schema"], profile),
                item.get("missing", "skip"),
            )
            for i, item in enumerate(data.get("when", []))
        ),
        lifecycle=tuple(data.get("lifecycle", ())),
        perwal=data.get("perwal"),
        always=data.get("always", False),
        passing=tuple(_example(e) for e in examples.get("pass", ())),
        failing=tuple(_example(e) for e in examples.get("fail", ())),
        target=data.get("target", "manifest"),
        probe=_probe_checks(doc),
        serves=data.get("serves"),
        effective_from=effective_from,
        until=until,
        evidence_type="document"
        if any(p.get("check") == "document-exists" for p in data.get("predicate", ()))
        else "declaration",
    )


def _probe_checks(doc: source.Document) -> tuple[str, ...]:
    """The probe checks an endpoint rule names; each must exist."""
    from spbe_lint.probes.names import PROBE_CHECK_NAMES as PROBE_CHECKS

    names = tuple(doc.data.get("probe", ()))
    for index, name in enumerate(names):
        if name not in PROBE_CHECKS:
            fail(
                doc,
                ("probe", index),
                LocalText(
                    f"pemeriksaan probe '{name}' tidak dikenal; tersedia: "
                    f"{', '.join(PROBE_CHECKS)}",
                    f"unknown probe check '{name}'; available: {', '.join(PROBE_CHECKS)}",
                ),
            )
    return names


def _dates(doc: source.Document) -> tuple[datetime.date | None, datetime.date | None]:
    """The rule's effective dates: real calendar dates, in order."""
    found: dict[str, datetime.date | None] = {}
    for key in ("effective_from", "until"):
        raw = doc.data.get(key)
        try:
            found[key] = datetime.date.fromisoformat(raw) if raw else None
        except ValueError:
            fail(
                doc,
                (key,),
                LocalText(
                    f"{key} '{raw}' bukan tanggal kalender (YYYY-MM-DD)",
                    f"{key} '{raw}' is not a calendar date (YYYY-MM-DD)",
                ),
            )
    start, end = found["effective_from"], found["until"]
    if start and end and end < start:
        fail(
            doc,
            ("until",),
            LocalText(
                "until lebih awal daripada effective_from",
                "until is earlier than effective_from",
            ),
        )
    return start, end


_TEXT_KEYS = ("title", "message", "rationale", "remediation", "not_applicable_reason")


def _check_templates(doc: source.Document, profile: Namespace) -> None:
    """Placeholders such as ``{field}`` must parse and ``{profile.x}`` must name a
    profile value; literal braces are ``{{ }}``."""
    data = doc.data
    places = [(key,) for key in _TEXT_KEYS if key in data]
    places += [("messages", kind) for kind in data.get("messages", {})]
    for place in places:
        node = data
        for part in place:
            node = node[part]
        for lang in ("id", "en"):
            problem = _template_problem(node[lang], profile)
            if problem:
                fail(doc, (*place, lang), problem)


_FIELD = re.compile(r"^[A-Za-z_]\w*(?:\.[A-Za-z_]\w*|\[[^\]]+\])*$")


def _template_problem(template: str, profile: Namespace) -> LocalText | None:
    """Why *template* cannot be filled in, or None. Fields are names, attribute
    and index chains (``{profile.sso.issuer}``), without format specifications."""
    formatter = string.Formatter()
    try:
        parts = list(formatter.parse(template))
    except ValueError as exc:
        return _bad_template(str(exc))
    for _, field_name, spec, conversion in parts:
        if field_name is None:
            continue
        if not _FIELD.match(field_name) or spec or conversion:
            return _bad_template("{" + field_name + (f":{spec}" if spec else "") + "}")
        if field_name.split(".")[0].split("[")[0] == "profile":
            try:
                formatter.get_field(field_name, (), {"profile": profile})
            except (KeyError, AttributeError, IndexError, TypeError):
                return LocalText(
                    f"profil tidak memuat nilai untuk {{{field_name}}}",
                    f"the profile has no value for {{{field_name}}}",
                )
    return None


def _bad_template(problem: str) -> LocalText:
    return LocalText(
        f"templat teks tidak sah ({problem}); tulis {{{{ dan }}}} untuk kurung kurawal",
        f"invalid text template ({problem}); write {{{{ and }}}} for literal braces",
    )


def _reference(
    doc: source.Document, index: int, ref: Mapping[str, Any], regulations: Mapping
) -> Reference:
    key = ref["regulation"]
    if key not in regulations:
        fail(
            doc,
            ("references", index, "regulation"),
            LocalText(
                f"regulasi '{key}' tidak ada di pack.yaml (regulations)",
                f"regulation '{key}' is not listed in pack.yaml (regulations)",
            ),
        )
    if ref["kind"] == "binding" and not (ref.get("article") or "provision" in ref):
        # A legal basis names where in the instrument the obligation is.
        fail(
            doc,
            ("references", index, "kind"),
            LocalText(
                "rujukan mengikat tanpa article atau provision; tulis pasalnya, "
                "bagian yang dikutip, atau ubah kind menjadi secondary",
                "a binding reference needs an article or a provision; name the "
                "article or the part cited, or make its kind secondary",
            ),
        )
    if ref["kind"] != "binding" and "provision" in ref:
        fail(
            doc,
            ("references", index, "provision"),
            LocalText(
                "provision hanya untuk rujukan dengan kind: binding",
                "provision is only for references of kind: binding",
            ),
        )
    regulation = regulations[key]
    return Reference(
        regulation=" ".join(regulation["name"].split()),
        short=regulation["short"],
        article=ref.get("article"),
        confidence=ref["confidence"],
        url=regulation.get("url"),
        note=LocalText.from_data(ref["note"]) if "note" in ref else None,
        kind=ref["kind"],
        provision=LocalText.from_data(ref["provision"]) if "provision" in ref else None,
    )


def _predicate(
    doc: source.Document, index: int, item: Mapping[str, Any], profile: Namespace
) -> Predicate:
    where = ("predicate", index)
    if "builtin" in item:
        return Predicate(builtin=item["builtin"])
    missing = item.get("missing", "fail")
    if "schema" in item:
        validator = _compile(doc, (*where, "schema"), item["schema"], profile)
        return Predicate(select=item["select"], missing=missing, validator=validator)
    if item["check"] not in CHECKS:
        fail(
            doc,
            (*where, "check"),
            LocalText(
                f"pemeriksaan '{item['check']}' tidak dikenal; tersedia: {', '.join(CHECKS)}",
                f"unknown check '{item['check']}'; available: {', '.join(CHECKS)}",
            ),
        )
    params = _fill(doc, (*where, "params"), item.get("params", {}), profile)
    return Predicate(
        select=item["select"], missing=missing, check=item["check"], params=params
    )


def _compile(
    doc: source.Document, where: tuple[Any, ...], raw: Any, profile: Namespace
) -> schema.FastValidator:
    return schema.compile_fast(_fill(doc, where, raw, profile, is_schema=True))


_REFERENCES = ("$ref", "$dynamicRef", "$recursiveRef")


def _fill(
    doc: source.Document,
    where: tuple[Any, ...],
    raw: Any,
    profile: Namespace,
    *,
    is_schema: bool = False,
) -> Any:
    """Replace ``"${profile.a.b}"`` strings with the profile's value (any type).

    In a schema, a reference is refused: it could point nowhere or off the
    machine, so rule schemas stay inline."""
    if isinstance(raw, dict):
        for key in raw:
            if is_schema and key in _REFERENCES:
                fail(doc, (*where, key), _NO_REFERENCES)
        return {
            k: _fill(doc, (*where, k), v, profile, is_schema=is_schema)
            for k, v in raw.items()
        }
    if isinstance(raw, list):
        return [
            _fill(doc, (*where, i), v, profile, is_schema=is_schema)
            for i, v in enumerate(raw)
        ]
    match = _PLACEHOLDER.match(raw) if isinstance(raw, str) else None
    if not match:
        return raw
    value: Any = profile
    for part in match.group(1).split("."):
        if not isinstance(value, dict) or part not in value:
            fail(
                doc,
                where,
                LocalText(
                    f"profil tidak memuat '{match.group(1)}'",
                    f"the profile has no '{match.group(1)}'",
                ),
            )
        value = value[part]
    return value


def _example(data: Mapping[str, Any]) -> Example:
    return Example(
        manifest=data["manifest"],
        description=LocalText.from_data(data["description"])
        if "description" in data
        else None,
        expect=tuple(data.get("expect", ())),
        as_of=datetime.date.fromisoformat(data["as_of"]) if "as_of" in data else None,
        files=tuple(data.get("files", ())),
        contents=dict(data["files"]) if isinstance(data.get("files"), dict) else {},
    )
