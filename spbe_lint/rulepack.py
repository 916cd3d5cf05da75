"""Load a rule pack: ``pack.yaml`` plus one YAML file per rule, each validated.

A broken file is a RulePackError naming the file and the position, never a
traceback. Profile values are filled in here, once: ``"${profile.x}"`` strings
in predicate schemas and check parameters, ``{profile.x}`` in the rule texts.
"""

from __future__ import annotations

import hashlib
import re
import stat
import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from spbe_lint import __version__, cache, resources, schema, source
from spbe_lint.checks import CHECKS
from spbe_lint.errors import InputError, RulePackError
from spbe_lint.findings import InputFile, PackInfo, Reference, Severity
from spbe_lint.i18n import LocalText

_PLACEHOLDER = re.compile(r"^\$\{profile\.([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*)\}$")


class Namespace(dict[str, Any]):
    """A profile mapping that also reads as attributes, for ``{profile.domain}``."""

    def __getattr__(self, name: str) -> Any:
        try:
            value = self[name]
        except KeyError:
            raise AttributeError(name) from None
        return Namespace(value) if isinstance(value, dict) else value


@dataclass(frozen=True)
class Predicate:
    builtin: str | None = None
    select: str = ""
    missing: str = "fail"
    validator: schema.Validator | None = None
    check: str | None = None
    params: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Condition:
    select: str
    validator: schema.Validator
    missing: str = "skip"  # or "apply": an undeclared value does not excuse the rule


@dataclass(frozen=True)
class Example:
    manifest: str
    description: LocalText | None = None
    expect: tuple[Mapping[str, Any], ...] = ()


@dataclass(frozen=True)
class Rule:
    id: str
    domain: str
    severity: Severity
    title: LocalText
    message: LocalText
    messages: Mapping[str, LocalText]
    rationale: LocalText
    remediation: LocalText
    references: tuple[Reference, ...]
    predicates: tuple[Predicate, ...]
    passing: tuple[Example, ...]
    failing: tuple[Example, ...]
    source: str
    not_applicable_reason: LocalText | None = None
    lifecycle: tuple[str, ...] = ()
    when: tuple[Condition, ...] = ()
    perwal: str | None = None
    always: bool = False  # cannot be deselected (see rule.schema.json)
    default_severity: Severity | None = None  # set when configuration overrides it

    @property
    def is_builtin(self) -> bool:
        return all(p.builtin for p in self.predicates)


@dataclass(frozen=True)
class RulePack:
    name: str
    version: str
    title: LocalText
    regulation: str
    profile: Namespace
    regulations: Mapping[str, Mapping[str, str]]
    rules: tuple[Rule, ...]
    sha256: str
    source: str

    @property
    def info(self) -> PackInfo:
        return PackInfo(
            self.name, self.version, self.title, self.regulation, self.sha256
        )

    def get(self, rule_id: str) -> Rule | None:
        return next((r for r in self.rules if r.id == rule_id), None)


def load_pack(
    root: Traversable | Path | None = None,
    *,
    profile_overrides: Mapping[str, Any] | None = None,
) -> RulePack:
    """Load and validate a pack: the shipped one, or the folder *root*."""
    root = root if root is not None else resources.default_pack()
    display = _display_root(root)
    pack_file = root.joinpath("pack.yaml")
    if not pack_file.is_file():
        raise RulePackError(
            LocalText(
                "folder aturan tidak memuat pack.yaml", "rule folder has no pack.yaml"
            ),
            path=display,
        )
    entries = sorted(root.iterdir(), key=lambda f: f.name)
    for entry in entries:
        name = entry.name
        if name.lower().endswith((".yml", ".yaml")) and not name.endswith(".yaml"):
            # A rule file that would be skipped silently is a rule not enforced.
            raise RulePackError(
                LocalText(
                    "berkas aturan harus berakhiran .yaml (huruf kecil)",
                    "rule files must end in .yaml (lower case)",
                ),
                path=f"{display}/{name}",
            )
    rule_files = [
        f for f in entries if f.name.endswith(".yaml") and f.name != "pack.yaml"
    ]
    files = {"pack.yaml": _read(pack_file, f"{display}/pack.yaml")}
    files.update((f.name, _read(f, f"{display}/{f.name}")) for f in rule_files)
    digest = hashlib.sha256()
    for name, raw in files.items():
        digest.update(name.encode() + b"\0" + raw + b"\0")
    key = _cache_key(digest.hexdigest())
    validated = cache.read(key)
    docs: Mapping[str, Any] | None = None
    if isinstance(validated, dict) and validated.keys() == files.keys():
        docs = {
            name: _Validated(f"{display}/{name}", validated[name]) for name in files
        }
    try:
        data, rules = _build(docs, profile_overrides) if docs else (None, ())
    except (_NeedsPositions, KeyError, TypeError, AttributeError):
        data = None  # a stale or damaged cache entry: load afresh, with positions
    if data is None:
        parsed = {
            name: _load_yaml(raw, f"{display}/{name}") for name, raw in files.items()
        }
        for name, doc in parsed.items():
            _validate(doc, "pack" if name == "pack.yaml" else "rule")
        data, rules = _build(parsed, profile_overrides)
        cache.write(key, {name: doc.data for name, doc in parsed.items()})
    _require_reading_rules(rules, display)
    return RulePack(
        name=data["name"],
        version=data["version"],
        title=LocalText.from_data(data["title"]),
        regulation=" ".join(data["regulation"].split()),
        profile=Namespace(_merge(data["profile"], profile_overrides or {})),
        regulations=data["regulations"],
        rules=rules,
        sha256=digest.hexdigest(),
        source=display,
    )


def _read(file: Traversable, display: str) -> bytes:
    try:
        if isinstance(file, Path) and not stat.S_ISREG(file.stat().st_mode):
            raise OSError(0, "not a regular file")  # a FIFO would block forever
        return file.read_bytes()
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise RulePackError(
            LocalText(
                f"tidak dapat membaca berkas: {reason}", f"cannot read file: {reason}"
            ),
            path=display,
        ) from None


# Without rules for these, a file that cannot be read would look clean.
READING_PROBLEMS = ("yaml-syntax", "structure", "version")


def _require_reading_rules(rules: Sequence[Rule], display: str) -> None:
    covered = {p.builtin for rule in rules if rule.always for p in rule.predicates}
    missing = [code for code in READING_PROBLEMS if code not in covered]
    if missing:
        names = ", ".join(missing)
        raise RulePackError(
            LocalText(
                f"paket aturan harus memuat aturan `always: true` untuk builtin: {names}",
                f"a rule pack needs `always: true` rules for builtin: {names}",
            ),
            path=display,
        )


def _cache_key(files_digest: str) -> str:
    """Validity depends on the files, the schemas and this version, nothing else."""
    key = hashlib.sha256(f"{__version__}\0{files_digest}\0".encode())
    for name in ("pack", "rule"):
        key.update(resources.schema_text(name).encode())
    return key.hexdigest()


def _build(
    docs: Mapping[str, Any], profile_overrides: Mapping[str, Any] | None
) -> tuple[Mapping[str, Any], tuple[Rule, ...]]:
    data = docs["pack.yaml"].data
    profile = Namespace(_merge(data["profile"], profile_overrides or {}))
    rules = tuple(
        _build_rule(doc, profile, data["regulations"])
        for name, doc in docs.items()
        if name != "pack.yaml"
    )
    return data, rules


class _NeedsPositions(Exception):
    """Raised when an error must be located in a file only known from the cache."""


@dataclass(frozen=True)
class _Validated:
    """A file the cache says was validated: its data, without the node tree."""

    path: str
    data: Any

    def locate(self, path: Sequence[str | int], *, anchor: str = "auto") -> Any:
        raise _NeedsPositions(self.path)


def configure(
    rules: Sequence[Rule],
    *,
    select: Sequence[str] = (),
    ignore: Sequence[str] = (),
    severity: Mapping[str, Severity] | None = None,
) -> tuple[Rule, ...]:
    """The rules in force: selected, not ignored, severities overridden.

    Selectors are rule ids (``HOST-004``) or families (``HOST``); the caller has
    checked that each matches a rule (see ``unknown_selectors``). Rules marked
    ``always`` stay in force whatever is selected.
    """
    chosen = [
        rule
        for rule in rules
        if rule.always
        or ((not select or _matches(rule.id, select)) and not _matches(rule.id, ignore))
    ]
    overrides = severity or {}
    return tuple(
        replace(rule, severity=overrides[rule.id], default_severity=rule.severity)
        if rule.id in overrides and overrides[rule.id] != rule.severity
        else rule
        for rule in chosen
    )


def unknown_selectors(rules: Sequence[Rule], selectors: Sequence[str]) -> list[str]:
    return [s for s in selectors if not any(_matches(r.id, [s]) for r in rules)]


def _matches(rule_id: str, selectors: Sequence[str]) -> bool:
    return any(rule_id == s or rule_id.startswith(s + "-") for s in selectors)


def _display_root(root: Traversable | Path) -> str:
    if isinstance(root, Path):
        try:
            return root.resolve().relative_to(Path.cwd()).as_posix() or "."
        except ValueError:
            return root.as_posix()
    return "spbe_lint/rules"


def _load_yaml(raw: bytes, display: str) -> source.Document:
    try:
        text = raw.decode("utf-8")
        info = InputFile(display, hashlib.sha256(raw).hexdigest(), len(raw))
        return source.require_clean(source.parse(text, info))
    except UnicodeDecodeError:
        raise RulePackError(
            LocalText("bukan teks UTF-8", "not UTF-8 text"), path=display
        ) from None
    except InputError as exc:
        raise RulePackError(
            exc.message, path=display, line=exc.line, column=exc.column
        ) from None


def _validate(doc: source.Document, schema_name: str) -> None:
    from jsonschema.exceptions import best_match

    validator = schema.compile_schema(resources.schema(schema_name))
    error = best_match(validator.iter_errors(doc.data))
    if error is not None:
        path = schema.error_path(error)
        detail = schema.describe(error)
        if error.validator == "additionalProperties":
            detail = LocalText(f"kunci tidak dikenal: {error.message}", error.message)
        _fail(
            doc,
            path,
            LocalText(
                f"{schema.dotted(path)}: {detail.id}",
                f"{schema.dotted(path)}: {detail.en}",
            ),
        )


def _fail(doc: source.Document, path: Sequence[str | int], message: LocalText) -> None:
    span = doc.locate(path)
    raise RulePackError(message, path=doc.path, line=span.line, column=span.column)


def _build_rule(
    doc: source.Document, profile: Namespace, regulations: Mapping[str, Any]
) -> Rule:
    data = doc.data
    stem = doc.path.rsplit("/", 1)[-1].removesuffix(".yaml")
    if data["id"] != stem:
        _fail(
            doc,
            ("id",),
            LocalText(
                f"id '{data['id']}' harus sama dengan nama berkas '{stem}'",
                f"id '{data['id']}' must equal the file name '{stem}'",
            ),
        )
    texts = {"profile": profile}
    _check_templates(doc)

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
            for i, item in enumerate(data["predicate"])
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
        passing=tuple(_example(e) for e in data["examples"]["pass"]),
        failing=tuple(_example(e) for e in data["examples"]["fail"]),
        source=doc.path,
    )


_TEXT_KEYS = ("title", "message", "rationale", "remediation", "not_applicable_reason")


def _check_templates(doc: source.Document) -> None:
    """Placeholders such as ``{field}`` must parse; literal braces are ``{{ }}``."""
    data = doc.data
    places = [(key,) for key in _TEXT_KEYS if key in data]
    places += [("messages", kind) for kind in data.get("messages", {})]
    for place in places:
        node = data
        for part in place:
            node = node[part]
        for lang in ("id", "en"):
            problem = _template_problem(node[lang])
            if problem:
                _fail(
                    doc,
                    (*place, lang),
                    LocalText(
                        f"templat teks tidak sah ({problem}); "
                        "tulis {{ dan }} untuk kurung kurawal",
                        f"invalid text template ({problem}); "
                        "write {{ and }} for literal braces",
                    ),
                )


_FIELD = re.compile(r"^[A-Za-z_]\w*(?:\.[A-Za-z_]\w*|\[[^\]]+\])*$")


def _template_problem(template: str) -> str | None:
    """Why *template* cannot be filled in, or None. Fields are names, attribute
    and index chains (``{profile.sso.issuer}``), without format specifications."""
    try:
        parts = list(string.Formatter().parse(template))
    except ValueError as exc:
        return str(exc)
    for _, field_name, spec, conversion in parts:
        if field_name is None:
            continue
        if not _FIELD.match(field_name) or spec or conversion:
            return "{" + field_name + (f":{spec}" if spec else "") + "}"
    return None


def _reference(
    doc: source.Document, index: int, ref: Mapping[str, Any], regulations: Mapping
) -> Reference:
    key = ref["regulation"]
    if key not in regulations:
        _fail(
            doc,
            ("references", index, "regulation"),
            LocalText(
                f"regulasi '{key}' tidak ada di pack.yaml (regulations)",
                f"regulation '{key}' is not listed in pack.yaml (regulations)",
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
        _fail(
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
) -> schema.Validator:
    reference = _find_reference(raw, where)
    if reference is not None:
        # A reference could point nowhere or off the machine; rules stay inline.
        _fail(
            doc,
            reference,
            LocalText(
                "rujukan ($ref) tidak didukung dalam skema aturan; tulis skemanya langsung",
                "references ($ref) are not supported in rule schemas; write the schema inline",
            ),
        )
    return schema.compile_schema(_fill(doc, where, raw, profile))


def _find_reference(raw: Any, where: tuple[Any, ...]) -> tuple[Any, ...] | None:
    if isinstance(raw, dict):
        for key, value in raw.items():
            if key in ("$ref", "$dynamicRef", "$recursiveRef"):
                return (*where, key)
            found = _find_reference(value, (*where, key))
            if found is not None:
                return found
    elif isinstance(raw, list):
        for index, value in enumerate(raw):
            found = _find_reference(value, (*where, index))
            if found is not None:
                return found
    return None


def _fill(
    doc: source.Document, where: tuple[Any, ...], raw: Any, profile: Namespace
) -> Any:
    """Replace ``"${profile.a.b}"`` strings with the profile's value (any type)."""
    if isinstance(raw, dict):
        return {k: _fill(doc, (*where, k), v, profile) for k, v in raw.items()}
    if isinstance(raw, list):
        return [_fill(doc, (*where, i), v, profile) for i, v in enumerate(raw)]
    match = _PLACEHOLDER.match(raw) if isinstance(raw, str) else None
    if not match:
        return raw
    value: Any = profile
    for part in match.group(1).split("."):
        if not isinstance(value, dict) or part not in value:
            _fail(
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
    )


def _merge(base: Mapping[str, Any], overrides: Mapping[str, Any]) -> dict[str, Any]:
    """Mappings merge key by key; any other value (a list too) replaces the base."""
    merged = dict(base)
    for key, value in overrides.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged
