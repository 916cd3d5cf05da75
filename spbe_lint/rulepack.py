"""Load a rule pack: ``pack.yaml`` plus one YAML file per rule, each validated.

A broken file is a RulePackError naming the file and the position, never a
traceback. ``rulefile`` builds each rule; this module reads the folder, caches
what was validated, and applies configuration (selection, severities).
"""

from __future__ import annotations

import hashlib
import stat
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from spbe_lint import (
    __version__,
    cache,
    discovery,
    resources,
    rulefile,
    schema,
    source,
)
from spbe_lint.errors import InputError, RulePackError
from spbe_lint.findings import InputFile, PackInfo, Severity
from spbe_lint.i18n import LocalText
from spbe_lint.rule import Namespace, Rule
from spbe_lint.scoring import Evaluation

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable


@dataclass(frozen=True)
class RulePack:
    """The rules of a pack, its profile (the city's facts) and its scoring."""

    name: str
    version: str
    title: LocalText
    regulation: str
    profile: Namespace
    rules: tuple[Rule, ...]
    sha256: str
    evaluation: Evaluation | None = None  # pack.yaml `evaluation`, for scoring

    @property
    def info(self) -> PackInfo:
        return PackInfo(
            self.name,
            self.version,
            self.title,
            self.regulation,
            self.sha256,
            profile=self.profile,
            evaluation=self.evaluation,
        )

    def get(self, rule_id: str) -> Rule | None:
        return next((r for r in self.rules if r.id == rule_id), None)


def load_pack(
    root: Traversable | Path | None = None,
    *,
    profile_overrides: Mapping[str, Any] | None = None,
) -> RulePack:
    """Load and validate a pack: the shipped one, or the folder *root*."""
    # The shipped pack is named as it ships, wherever it is installed.
    display = _display_root(root) if root is not None else "spbe_lint/rules"
    root = root if root is not None else resources.default_pack()
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
    # The built pack itself (about a fifth of the time it takes to build it from
    # the validated files): keyed by the files, the overrides and the name shown.
    built_key = f"{key}\0{display}\0{_overrides_key(profile_overrides)}"
    pack = cache.read_object(built_key, kind="pack-built")
    if not isinstance(pack, RulePack):
        pack = _from_cache(cache.read(key), files, display, profile_overrides, digest)
        if pack is None:
            parsed = {
                name: _load_yaml(raw, f"{display}/{name}")
                for name, raw in files.items()
            }
            for name, doc in parsed.items():
                _validate(doc, "pack" if name == "pack.yaml" else "rule")
            pack = _build(parsed, profile_overrides, digest.hexdigest())
            cache.write(key, {name: doc.data for name, doc in parsed.items()})
        cache.write_object(built_key, pack, kind="pack-built")
    _require_reading_rules(pack.rules, display)
    return pack


def _overrides_key(overrides: Mapping[str, Any] | None) -> str:
    import json

    return json.dumps(overrides or {}, sort_keys=True, default=repr)


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


def _from_cache(
    validated: Any,
    files: Mapping[str, bytes],
    display: str,
    profile_overrides: Mapping[str, Any] | None,
    digest: Any,
) -> RulePack | None:
    """The pack from the cache's validated data, or None to load afresh."""
    if not isinstance(validated, dict) or validated.keys() != files.keys():
        return None
    docs = {name: _Validated(f"{display}/{name}", validated[name]) for name in files}
    try:
        return _build(docs, profile_overrides, digest.hexdigest())
    except (_NeedsPositions, KeyError, TypeError, AttributeError):
        return None  # a stale or damaged entry: a fresh load reports with positions


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
    docs: Mapping[str, Any], profile_overrides: Mapping[str, Any] | None, sha256: str
) -> RulePack:
    data = docs["pack.yaml"].data
    profile = Namespace(_merge(data["profile"], profile_overrides or {}))
    built = {
        name: rulefile.build_rule(doc, profile, data["regulations"])
        for name, doc in docs.items()
        if name != "pack.yaml"
    }
    ids = {rule.id for rule in built.values()}
    for name, rule in built.items():
        if rule.serves is not None and (
            rule.serves not in ids or rule.serves == rule.id
        ):
            rulefile.fail(
                docs[name],
                ("serves",),
                LocalText(
                    f"serves: aturan '{rule.serves}' tidak ada di paket ini",
                    f"serves: no rule '{rule.serves}' in this pack",
                ),
            )
    return RulePack(
        name=data["name"],
        version=data["version"],
        title=LocalText.from_data(data["title"]),
        regulation=" ".join(data["regulation"].split()),
        profile=profile,
        rules=tuple(built.values()),
        sha256=sha256,
        evaluation=(
            Evaluation.from_data(data["evaluation"]) if "evaluation" in data else None
        ),
    )


class _NeedsPositions(Exception):
    """Raised when an error must be located in a file only known from the cache."""


@dataclass(frozen=True)
class _Validated:
    """A file the cache says was validated: its data, without the node tree."""

    path: str
    data: Any

    def error(self, *args: Any, **kwargs: Any) -> Exception:
        raise _NeedsPositions(self.path)  # only a fresh load knows where


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
        return discovery.display_path(root, Path.cwd())
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
        raise exc.recast(RulePackError) from None


def _validate(doc: source.Document, schema_name: str) -> None:
    schema.check_file(doc, schema_name, RulePackError)


def _merge(base: Mapping[str, Any], overrides: Mapping[str, Any]) -> dict[str, Any]:
    """Mappings merge key by key; any other value (a list too) replaces the base."""
    merged = dict(base)
    for key, value in overrides.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged
