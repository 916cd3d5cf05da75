"""Seed a manifest from publiccode.yml (Developers Italia's software description).

Real files are old and new (``publiccode-yaml-version`` before 0.2,
``publiccodeYmlVersion`` after), spelt ``.yml`` or ``.yaml``, written by hand:
version numbers unquoted (``softwareVersion: 1.10``), licences that are not
SPDX, sections missing or of the wrong type, country sections (``it:``) this
tool does not know. The file is read with the manifest reader's limits
(``reading``, ``source``); values are taken from the node tree *as written*, so
``1.10`` stays ``1.10``. A field that cannot be used is skipped with the reason
and its position, never guessed; the import never fails for a field, only for
a file that is not YAML at all (exit 2 with the position).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from spbe_lint import reading, source, yamltree
from spbe_lint.errors import UsageError
from spbe_lint.i18n import LocalText

FILE_NAMES = ("publiccode.yml", "publiccode.yaml")
VERSION_KEYS = ("publiccodeYmlVersion", "publiccode-yaml-version")
KNOWN_VERSIONS = ("0.1", "0.2", "0.3", "0.4", "0.5")
# ISO 639-1 first, then the ISO 639-2 codes of publiccode 0.1 (``ita``, ``eng``).
LANGUAGES = ("id", "ind", "en", "eng")
# publiccode platforms -> app.platforms (HOST-009's vocabulary).
PLATFORMS = {
    "web": "web",
    "android": "mobile",
    "ios": "mobile",
    "windows": "desktop",
    "mac": "desktop",
    "macos": "desktop",
    "linux": "desktop",
}
# Top-level keys read here; any other is listed as having no counterpart.
_READ = frozenset(
    {*VERSION_KEYS, "name", "url", "landingURL", "releaseDate", "softwareVersion"}
    | {"description", "legal", "maintenance", "platforms"}
)
_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_URL = re.compile(r"^https?://[^\s/?#@\\]+[^\s\\]*$")
_COUNTRY = re.compile(r"^[A-Za-z]{2}$")

Path_ = tuple[str, ...]


@dataclass
class Imported:
    """What a publiccode.yml gives a new manifest, and what it could not give."""

    display: str
    version: str | None = None
    values: dict[Path_, Any] = field(default_factory=dict)  # manifest path -> value
    taken: list[tuple[str, str]] = field(default_factory=list)  # (source, target)
    skipped: list[LocalText] = field(default_factory=list)  # field not used, and why
    flagged: list[LocalText] = field(default_factory=list)  # taken, but check it
    extra: dict[str, str] = field(default_factory=dict)  # kept under x-publiccode

    def put(self, origin: str, target: Path_, value: Any) -> None:
        if target in self.values:
            return  # the first source named for a field wins
        self.values[target] = value
        self.taken.append((origin, ".".join(target)))


def find(path: Path) -> Path:
    """The file itself, or publiccode.yml (or .yaml) in a folder."""
    if not path.is_dir():
        return path
    for name in FILE_NAMES:
        if (path / name).is_file():
            return path / name
    raise UsageError(
        LocalText(
            "tidak ada publiccode.yml atau publiccode.yaml di folder ini",
            "no publiccode.yml or publiccode.yaml in this folder",
        ),
        path=path.as_posix(),
    )


def load(path: Path, display: str) -> Imported:
    """Read *path*; raises InputError (with the position) if it is not YAML."""
    text, info = reading.read_file(path, display)
    document = source.require_clean(source.parse(text, info))
    return read(document.root, display)


def read(root: Node | None, display: str) -> Imported:
    result = Imported(display)
    reader = _Reader(root, display, result)
    reader.version()
    reader.identity()
    reader.legal()
    reader.source()
    reader.platforms()
    reader.maintenance()
    reader.unknown()
    return result


class _Reader:
    def __init__(self, root: Node | None, display: str, result: Imported) -> None:
        self.root = root
        self.display = display
        self.out = result

    # -- finding nodes -----------------------------------------------------------

    def node(self, *parts: str | int, at: Node | None = None) -> Node | None:
        node = self.root if at is None else at
        for part in parts:
            found = yamltree.child(node, part) if node is not None else None
            if found is None:
                return None
            node = found[1]
        return node

    def text(
        self, *parts: str | int, at: Node | None = None, name: str = ""
    ) -> str | None:
        """A scalar's text as written, or None (with the reason if it is there)."""
        node = self.node(*parts, at=at)
        if node is None or (
            isinstance(node, ScalarNode) and node.tag.endswith(":null")
        ):
            return None
        if not isinstance(node, ScalarNode):
            self.skip(name or ".".join(map(str, parts)), node, _not_text(node))
            return None
        value = node.value.strip()
        return value or None

    def skip(self, key: str, node: Node | None, why: LocalText) -> None:
        where = self._where(node)
        self.out.skipped.append(
            LocalText(f"{where}{key}: {why.id}", f"{where}{key}: {why.en}")
        )

    def flag(self, key: str, node: Node | None, why: LocalText) -> None:
        where = self._where(node)
        self.out.flagged.append(
            LocalText(f"{where}{key}: {why.id}", f"{where}{key}: {why.en}")
        )

    def _where(self, node: Node | None) -> str:
        if node is None:
            return f"{self.display}: "
        span = yamltree.span(node)
        return f"{self.display}:{span.line}:{span.column}: "

    # -- sections ------------------------------------------------------------------

    def version(self) -> None:
        for key in VERSION_KEYS:
            value = self.text(key)
            if value is not None:
                self.out.version = value
                self.out.extra[key] = value
                if value not in KNOWN_VERSIONS:
                    self.flag(key, self.node(key), _unknown_version(value))
                return
        self.flag(
            "publiccodeYmlVersion",
            None,
            LocalText(
                "versi format tidak dicantumkan; dibaca sebagai format terbaru",
                "no format version given; read as the current format",
            ),
        )

    def identity(self) -> None:
        name = self.text("name")
        description = self._description()
        localised = self.text("localisedName", at=description) if description else None
        title = localised or name
        if title:
            origin = "description.*.localisedName" if localised else "name"
            self.out.put(origin, ("app", "title"), title)
            slug = machine_name(name or title)
            if slug:
                self.out.put("name", ("app", "name"), slug)
        if description is not None:
            short = self.text("shortDescription", at=description)
            if short:
                self.out.put(
                    "description.*.shortDescription", ("app", "description"), short
                )
        for key in ("releaseDate", "softwareVersion", "landingURL"):
            value = self.text(key)
            if value is None:
                continue
            if key == "releaseDate" and not _DATE.match(value):
                self.flag(key, self.node(key), _not_date(value))
            self.out.extra[key] = value
            self.out.taken.append((key, f"x-publiccode.{key}"))

    def _description(self) -> Node | None:
        node = self.node("description")
        if node is None:
            return None
        if not isinstance(node, MappingNode):
            self.skip("description", node, _not_mapping(node))
            return None
        for language in LANGUAGES:
            found = self.node(language, at=node)
            if isinstance(found, MappingNode):
                return found
        for _, value in node.value:  # some other language: better than nothing
            if isinstance(value, MappingNode):
                return value
        return None

    def legal(self) -> None:
        legal = self.node("legal")
        if legal is None:
            return
        if not isinstance(legal, MappingNode):
            self.skip("legal", legal, _not_mapping(legal))
            return
        licence = self.text("license", at=legal, name="legal.license")
        if licence is None:
            return
        self.out.put("legal.license", ("handover", "license"), licence)
        if not is_spdx(licence):
            self.flag(
                "legal.license",
                self.node("license", at=legal),
                LocalText(
                    f"'{licence}' bukan ekspresi lisensi SPDX; disalin apa adanya ke "
                    "handover.license, ganti dengan ekspresi SPDX (mis. GPL-3.0-only)",
                    f"'{licence}' is not an SPDX licence expression; copied as it is "
                    "to handover.license: replace it with one (e.g. GPL-3.0-only)",
                ),
            )

    def source(self) -> None:
        url = self.text("url")
        if url is None:
            return
        if _URL.match(url):
            self.out.put("url", ("handover", "source_code", "repository_url"), url)
        else:
            self.skip(
                "url",
                self.node("url"),
                LocalText(
                    f"'{url}' bukan URL http(s) lengkap",
                    f"'{url}' is not an http(s) URL",
                ),
            )

    def platforms(self) -> None:
        node = self.node("platforms")
        if node is None:
            return
        if isinstance(node, ScalarNode):
            items: list[Node] = [node]  # `platforms: web`: one platform, not a list
        elif isinstance(node, SequenceNode):
            items = list(node.value)
        else:
            self.skip("platforms", node, _not_list(node))
            return
        chosen: list[str] = []
        for item in items:
            value = item.value.strip().lower() if isinstance(item, ScalarNode) else None
            target = PLATFORMS.get(value or "")
            if target is None:
                shown = value if value is not None else yamltree.kind(item)
                self.skip(
                    "platforms",
                    item,
                    LocalText(
                        f"platform '{shown}' tidak punya padanan (web, mobile, desktop)",
                        f"platform '{shown}' has no counterpart (web, mobile, desktop)",
                    ),
                )
            elif target not in chosen:
                chosen.append(target)
        if chosen:
            self.out.put("platforms", ("app", "platforms"), chosen)

    def maintenance(self) -> None:
        node = self.node("maintenance")
        if node is None:
            return
        if not isinstance(node, MappingNode):
            self.skip("maintenance", node, _not_mapping(node))
            return
        kind = self.text("type", at=node, name="maintenance.type")
        contractor = self._first("contractors", node)
        if contractor is not None:
            name = self.text("name", at=contractor, name="maintenance.contractors.name")
            if name:
                self.out.put(
                    "maintenance.contractors[0].name", ("vendor", "name"), name
                )
            self._contact(
                contractor, "maintenance.contractors[0]", ("vendor", "contact")
            )
            until = self.text(
                "until", at=contractor, name="maintenance.contractors.until"
            )
            if until and _DATE.match(until):
                self.out.put(
                    "maintenance.contractors[0].until",
                    ("vendor", "warranty_end"),
                    until,
                )
            elif until:
                self.skip(
                    "maintenance.contractors.until",
                    self.node("until", at=contractor),
                    _not_date(until),
                )
        contact = self._first("contacts", node)
        if contact is None:
            return
        origin = "maintenance.contacts[0]"
        if kind == "internal":  # maintained by the administration itself: its PIC
            name = self.text("name", at=contact, name="maintenance.contacts.name")
            if name:
                self.out.put(f"{origin}.name", ("app", "pic", "name"), name)
            email = self.text("email", at=contact, name="maintenance.contacts.email")
            if email and _EMAIL.match(email):
                self.out.put(f"{origin}.email", ("app", "pic", "email"), email)
        else:
            self._contact(contact, origin, ("vendor", "contact"))

    def _first(self, key: str, maintenance: Node) -> Node | None:
        node = self.node(key, at=maintenance)
        if node is None:
            return None
        if not isinstance(node, SequenceNode) or not node.value:
            self.skip(f"maintenance.{key}", node, _not_list(node))
            return None
        first = node.value[0]
        if not isinstance(first, MappingNode):
            self.skip(f"maintenance.{key}[0]", first, _not_mapping(first))
            return None
        if len(node.value) > 1:
            self.skip(
                f"maintenance.{key}[1:]",
                node.value[1],
                LocalText(
                    "hanya yang pertama diambil; manifest memuat satu kontak",
                    "only the first is taken; the manifest holds one contact",
                ),
            )
        return first

    def _contact(self, node: Node, origin: str, target: Path_) -> None:
        for key in ("email", "phone", "website"):
            value = self.text(key, at=node, name=f"{origin}.{key}")
            if value and (key != "email" or _EMAIL.match(value)):
                self.out.put(f"{origin}.{key}", target, value)
                return

    def unknown(self) -> None:
        if not isinstance(self.root, MappingNode):
            return
        countries: list[str] = []
        others: list[str] = []
        for key_node, _ in self.root.value:
            key = key_node.value if isinstance(key_node, ScalarNode) else "?"
            if key in _READ:
                continue
            (countries if _COUNTRY.match(key) else others).append(key)
        if countries:
            names = ", ".join(countries)
            self.out.skipped.append(
                LocalText(
                    f"{self.display}: bagian khusus negara ({names}) tidak dikenal "
                    "spbe-lint",
                    f"{self.display}: country sections ({names}) are unknown to "
                    "spbe-lint",
                )
            )
        if others:
            names = ", ".join(others)
            self.out.skipped.append(
                LocalText(
                    f"{self.display}: tanpa padanan di spbe.yaml: {names}",
                    f"{self.display}: no counterpart in spbe.yaml: {names}",
                )
            )


def machine_name(text: str) -> str:
    """``app.name``: lower case, digits and dashes (``SiPelita Kota`` -> ``sipelita-kota``)."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:63].strip("-")


def is_spdx(expression: str) -> bool:
    from spbe_lint.checks import licences

    normalised, _, _ = licences.analyse(expression)
    return normalised is not None


def _not_text(node: Node) -> LocalText:
    found = yamltree.kind(node)
    return LocalText(
        f"bukan teks (ditemukan {found})",
        f"not text (found a {found})",
    )


def _not_mapping(node: Node | None) -> LocalText:
    found = yamltree.kind(node) if node is not None else "null"
    return LocalText(
        f"bukan mapping (ditemukan {found})",
        f"not a mapping (found a {found})",
    )


def _not_list(node: Node | None) -> LocalText:
    found = yamltree.kind(node) if node is not None else "null"
    return LocalText(
        f"bukan daftar yang berisi (ditemukan {found})",
        f"not a non-empty list (found a {found})",
    )


def _not_date(value: str) -> LocalText:
    return LocalText(
        f"'{value}' bukan tanggal YYYY-MM-DD", f"'{value}' is not a YYYY-MM-DD date"
    )


def _unknown_version(value: str) -> LocalText:
    known = ", ".join(KNOWN_VERSIONS)
    return LocalText(
        f"versi '{value}' tidak dikenal ({known}); dibaca sebisanya",
        f"version '{value}' is not known ({known}); read as far as possible",
    )
