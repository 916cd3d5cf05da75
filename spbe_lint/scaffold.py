"""Write a new, commented manifest (``spbe-lint init``).

The outline comes from the manifest JSON Schema, in its order: every field is
either a value the user gave (written live) or a commented-out line to fill
in, each with its description in Bahasa Indonesia. Every section starts with
the rules its fields serve, their titles and the articles they cite, taken
from the rule pack in force, so the comments never drift from the schema or
the pack. Values suggested by the city profile (the SSO issuer, the owner's
legal name) appear in the commented-out lines, never as live values: what is
live is what the user stated.

ruamel.yaml writes the file (quoting, comments attached to keys); it is
imported here only, so ``spbe-lint check`` never pays for it.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping
from typing import Any

from spbe_lint.i18n import split_description
from spbe_lint.reporters import basis
from spbe_lint.rulepack import RulePack

Path_ = tuple[str, ...]
_RULE_ID = re.compile(r"\b([A-Z]{2,5}-[0-9]{3})\b")
_WIDTH = 88


def render(
    values: Mapping[Path_, Any],
    schema: Mapping[str, Any],
    pack: RulePack,
    *,
    extra: Mapping[str, Any] | None = None,
    extra_note: str | None = None,
    schema_ref: str | None = None,
) -> str:
    """The manifest text: *values* (manifest path -> value) live, the rest as
    commented-out lines; *extra* (kept verbatim) under ``x-publiccode``."""
    from ruamel.yaml import YAML
    from ruamel.yaml.comments import CommentedMap

    writer = _Writer(schema, pack, values)
    root = CommentedMap()
    root.yaml_set_start_comment(_header(pack, schema_ref))
    writer.mapping(schema, (), root, 0)
    if extra:
        block = CommentedMap(extra)
        writer.pending.extend(["", f"# {extra_note}" if extra_note else ""])
        root["x-publiccode"] = block
        writer.attach(root, "x-publiccode")
    writer.finish(root)
    yaml = YAML()
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 4096  # never fold a value: positions in findings stay on one line
    stream = io.StringIO()
    yaml.dump(root, stream)
    return stream.getvalue()


def _header(pack: RulePack, schema_ref: str | None) -> str:
    profile = pack.profile
    lines = []
    if schema_ref:
        lines.append(f"yaml-language-server: $schema={schema_ref}")
    lines += [
        f"spbe.yaml: manifest aplikasi SPBE {profile.get('city', '')} (format 1).",
        "Dibuat oleh `spbe-lint init`. Baris yang diawali '# kunci:' adalah isian yang",
        "masih harus dilengkapi: hapus '# ', isi nilainya, lalu jalankan `spbe-lint check`.",
        f"Aturan dan pasal yang dikutip: paket aturan {pack.name} {pack.version}",
        "(`spbe-lint rules explain ID` menjelaskan tiap aturan).",
    ]
    return "\n".join(lines)


class _Writer:
    def __init__(
        self, schema: Mapping[str, Any], pack: RulePack, values: Mapping[Path_, Any]
    ) -> None:
        self.defs = schema.get("$defs", {})
        self.rules = {rule.id: rule for rule in pack.rules}
        self.values = values
        self.pending: list[str] = []  # comment lines waiting for the next live key
        profile = pack.profile
        owner = profile.get("owner_name")
        self.suggested: dict[Path_, Any] = {
            ("spbe",): 1,
            ("hosting", "location_country"): "ID",
            ("auth", "sso", "issuer"): (profile.get("sso") or {}).get("issuer"),
            ("handover", "ownership"): owner,
            ("handover", "data_ownership"): owner,
        }

    # -- schema helpers ------------------------------------------------------------

    def resolve(self, node: Mapping[str, Any]) -> dict[str, Any]:
        result = dict(node)
        while "$ref" in result:
            target = self.defs.get(result.pop("$ref").rsplit("/", 1)[-1], {})
            result = {**target, **result}
        return result

    def describe(self, node: Mapping[str, Any]) -> str:
        text = node.get("description") or self.resolve(node).get("description") or ""
        return split_description(text).id if text else ""

    def live(self, path: Path_) -> bool:
        return any(key[: len(path)] == path for key in self.values)

    # -- writing -------------------------------------------------------------------

    def mapping(
        self, node: Mapping[str, Any], path: Path_, target: Any, indent: int
    ) -> None:
        from ruamel.yaml.comments import CommentedMap, CommentedSeq

        for key, child in self.resolve(node).get("properties", {}).items():
            here = (*path, key)
            spec = self.resolve(child)
            if not path:
                self.section_header(key, child)
            if not self.live(here):
                self.commented(key, child, here, indent)
                continue
            if here in self.values:
                value = self.values[here]
                if isinstance(value, list):
                    value = CommentedSeq(value)
                    value.fa.set_flow_style()
                target[key] = value
                self.attach(target, key)
                note = self.describe(child)
                if note and path:
                    width = indent + len(key) + 2 + len(str(self.values[here]))
                    target.yaml_add_eol_comment(_short(note), key, column=width + 2)
                continue
            if path:
                self.pending.append(" " * indent + f"# {self.describe(child)}")
            target[key] = CommentedMap()
            self.attach(target, key)
            self.mapping(spec, here, target[key], indent + 2)

    def section_header(self, key: str, child: Mapping[str, Any]) -> None:
        if key == "spbe":
            self.pending.append("# Versi format manifest; saat ini 1.")
            return
        self.pending += ["", f"# ── {key} " + "─" * max(3, 60 - len(key))]
        self.pending += [f"# {line}" for line in _wrap(self.describe(child) + ".")]
        for rule_id in self.rule_ids(child):
            rule = self.rules[rule_id]
            cited = basis.basis_text(rule.references, "id") if rule.references else ""
            text = f"{rule_id} {rule.title.id}" + (
                f" (dasar: {cited})" if cited else ""
            )
            self.pending += [f"#   {line}" for line in _wrap(text, hang=True)]

    def rule_ids(self, node: Mapping[str, Any]) -> list[str]:
        """Rules this part of the schema names, in order, once each."""
        found = _RULE_ID.findall(_descriptions(node, self.defs))
        return [rule_id for rule_id in dict.fromkeys(found) if rule_id in self.rules]

    def commented(
        self, key: str, child: Mapping[str, Any], path: Path_, indent: int
    ) -> None:
        spec = self.resolve(child)
        pad = " " * indent
        note = _short(self.describe(child))
        if spec.get("type") == "object" or "properties" in spec:
            self.pending.append(f"{pad}# {key}:" + (f"  # {note}" if note else ""))
            for sub_key, sub in spec.get("properties", {}).items():
                self.commented(sub_key, sub, (*path, sub_key), indent + 2)
            return
        items = (
            self.resolve(spec.get("items", {})) if spec.get("type") == "array" else {}
        )
        if "properties" in items:
            self.pending.append(f"{pad}# {key}:" + (f"  # {note}" if note else ""))
            for index, (sub_key, sub) in enumerate(items["properties"].items()):
                lead = "- " if index == 0 else "  "
                line = self._leaf(sub_key, sub, (*path, "-", sub_key))
                self.pending.append(f"{pad}#   {lead}{line}")
            if path == ("data", "datasets"):
                self.pending += [f"{pad}# {line}" for line in TABLE_SCHEMA_STUB]
            return
        self.pending.append(f"{pad}# {self._leaf(key, child, path)}")

    def _leaf(self, key: str, node: Mapping[str, Any], path: Path_) -> str:
        spec = self.resolve(node)
        hint = _hint(spec, self.resolve(spec.get("items", {})))
        note = _short(self.describe(node))
        suggested = self.suggested.get(path)
        value = f" {suggested}" if suggested is not None else ""
        comment = "; ".join(part for part in (hint, note) if part)
        return f"{key}:{value}" + (f"  # {comment}" if comment else "")

    def attach(self, target: Any, key: str) -> None:
        """Put the waiting comment lines before *key* (ruamel keeps them there)."""
        if not self.pending:
            return
        tokens = _tokens(self.pending)
        slot = target.ca.items.setdefault(key, [None, None, None, None])
        slot[1] = (slot[1] or []) + tokens
        self.pending = []

    def finish(self, root: Any) -> None:
        if self.pending:
            if root.ca.comment is None:
                root.ca.comment = [None, None]
            root.ca.end = (root.ca.end or []) + _tokens(self.pending)
            self.pending = []


# What a dataset's `schema:` file looks like (DATA-015, DATA-017, DATA-011/012):
# a Frictionless Table Schema, here in YAML, with the identifier extension. Its
# lines start with "| ": they belong in another file, never in the manifest.
TABLE_SCHEMA_STUB = (
    "  Contoh berkas Table Schema (Frictionless) untuk schema:, mis.",
    "  docs/data/izin-usaha.schema.yaml; sample: berisi baris rekaan (CSV) yang",
    "  diperiksa terhadapnya:",
    "  | fields:",
    "  |   - name: nik_pemohon",
    "  |     type: string",
    "  |     x-identifier: nik          # nik | nip | npwp | nitku | kode_wilayah",
    "  |     title: NIK pemohon",
    "  |     description: Nomor Induk Kependudukan pemohon (16 digit)",
    "  |     constraints: {required: true, unique: true}",
    "  |   - name: kode_kelurahan",
    "  |     type: string",
    "  |     x-identifier: kode_wilayah # kode Kemendagri NN.NN.NN.NNNN",
    "  |     title: Kelurahan",
    "  |     description: Kelurahan tempat tinggal pemohon",
    "  | primaryKey: [nik_pemohon]",
)


def _tokens(lines: list[str]) -> list[Any]:
    from ruamel.yaml.error import CommentMark
    from ruamel.yaml.tokens import CommentToken

    return [CommentToken(line.rstrip() + "\n", CommentMark(0)) for line in lines]


def _hint(spec: Mapping[str, Any], items: Mapping[str, Any]) -> str:
    if "enum" in spec:
        return " | ".join(str(v) for v in spec["enum"])
    if "enum" in items:
        return "[" + ", ".join(str(v) for v in items["enum"]) + "]"
    kind = spec.get("type")
    if kind == "boolean":
        return "true | false"
    if kind in ("integer", "number"):
        return "angka"
    if kind == "array":
        return "[...]"
    if spec.get("format") == "date":
        return "YYYY-MM-DD"
    pattern = spec.get("pattern", "")
    if pattern.startswith("^https?://"):
        return "https://..."
    return ""


def _short(text: str) -> str:
    """A description without its rule ids, for an end-of-line comment."""
    text = re.sub(r"\s*\(([A-Z]{2,5}-[0-9]{3})\)", "", text)
    return re.sub(r",?\s*[A-Z]{2,5}-[0-9]{3}\)", ")", text).strip()


def _descriptions(node: Any, defs: Mapping[str, Any], depth: int = 0) -> str:
    if depth > 12:
        return ""
    if isinstance(node, Mapping):
        parts = [str(node.get("description", ""))]
        parts += [
            _descriptions(v, defs, depth + 1)
            for k, v in node.items()
            if k != "description"
        ]
        return " ".join(parts)
    if isinstance(node, list):
        return " ".join(_descriptions(v, defs, depth + 1) for v in node)
    return ""


def _wrap(text: str, *, hang: bool = False) -> list[str]:
    import textwrap

    lines = textwrap.wrap(
        text, width=_WIDTH - 6, subsequent_indent="  " if hang else ""
    )
    return lines or [""]
