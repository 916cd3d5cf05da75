"""Read a manifest safely and load it with positions.

PyYAML's libyaml composer gives every node a start and end mark; we build plain
Python data from the node tree ourselves so that we control what a hostile file
can do (size, encoding, alias expansion, nesting) and keep the tree for
positions. Marks are 0-based; ``Span`` values are 1-based, converted here only.
"""

from __future__ import annotations

import hashlib
import re
import stat
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from spbe_lint.errors import InputError
from spbe_lint.findings import InputFile, Span, Violation
from spbe_lint.i18n import LocalText

MAX_BYTES = 262_144  # a manifest is a few kilobytes; 256 KiB is generous
MAX_NODES = 50_000  # after alias expansion: stops "billion laughs"
MAX_DEPTH = 64  # a manifest nests about six levels deep

PathParts = tuple[str | int, ...]

_STR = "tag:yaml.org,2002:str"
_NULL = "tag:yaml.org,2002:null"
_BOOL = "tag:yaml.org,2002:bool"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_MERGE = "tag:yaml.org,2002:merge"

# YAML 1.2 core schema (yaml.org/spec/1.2.2 section 10.3.2): "yes", "on" and
# dates stay strings, unlike PyYAML's YAML 1.1 defaults.
_CORE_SCHEMA = (
    (_NULL, r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
    (_BOOL, r"^(?:true|True|TRUE|false|False|FALSE)$", list("tTfF")),
    (_INT, r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$", list("-+0123456789")),
    (
        _FLOAT,
        r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
        list("-+.0123456789"),
    ),
    (_MERGE, r"^<<$", ["<"]),
)


def _core_schema_loader(base: type) -> type:
    class CoreSchemaLoader(base):  # type: ignore[misc, valid-type]
        yaml_implicit_resolvers: dict[str, list[Any]] = {}  # noqa: RUF012

    for tag, pattern, first in _CORE_SCHEMA:
        CoreSchemaLoader.add_implicit_resolver(tag, re.compile(pattern), first)
    return CoreSchemaLoader


LOADER = _core_schema_loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader))


@dataclass(frozen=True)
class Document:
    """A loaded manifest: plain data for checks, the node tree for positions."""

    path: str
    file: InputFile
    data: Any  # None when the file is not a usable mapping (see issues)
    root: Node | None
    issues: tuple[Violation, ...]  # codes yaml-syntax, duplicate-key, structure

    @property
    def folder(self) -> Path:
        return Path(self.path).parent

    def locate(self, parts: Sequence[str | int], *, anchor: str = "auto") -> Span:
        """Where *parts* is, or the deepest part of it that exists.

        ``anchor="key"`` points at a mapping key rather than its value. A
        collection is shown at its key (``dpo:``), a scalar at its value.
        """
        if self.root is None:
            return Span(1, 1, 1, 1)
        node: Node = self.root
        entry = _span(node)
        for index, part in enumerate(parts):
            found = _child(node, part)
            if found is None:
                return entry
            key_node, child = found
            if _before(key_node or child, node):
                # Merged in (<<: *base) or an aliased item: the node lives at its
                # anchor. Show the place that uses it, the mapping or list here.
                return entry
            if key_node is not None and _before(child, key_node):
                # An aliased value (key: *name): show the key that uses it.
                return _span(key_node)
            node = child
            last = index == len(parts) - 1
            if key_node is not None and (
                not isinstance(node, ScalarNode) or (last and anchor == "key")
            ):
                entry = _span(key_node)
            else:
                entry = _span(node)
        return entry


def read_file(
    path: Path, display: str, *, allow_empty: bool = False
) -> tuple[str, InputFile]:
    """Return the text of *path*, refusing what cannot be a manifest."""

    info: InputFile | None = None  # once read: problems then name the file's hash

    def fail(id_: str, en: str, line: int | None = None, col: int | None = None):
        return InputError(
            LocalText(id_, en), path=display, line=line, column=col, file=info
        )

    try:
        status = path.stat()
        if not stat.S_ISREG(status.st_mode):
            # A FIFO or a device would block or never end: refuse before opening.
            raise fail("bukan berkas biasa", "not a regular file")
        if status.st_size > MAX_BYTES:
            raise _too_big(display, status.st_size)
        with path.open("rb") as stream:
            raw = stream.read(MAX_BYTES + 1)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise fail(
            f"tidak dapat membaca berkas: {reason}", f"cannot read file: {reason}"
        ) from None
    if len(raw) > MAX_BYTES:
        raise _too_big(display, len(raw))
    info = InputFile(display, hashlib.sha256(raw).hexdigest(), len(raw))
    # from here on, fail() names the file's hash: its bytes were read
    if not raw.strip() and not allow_empty:
        raise fail(
            "berkas kosong: manifest harus memuat setidaknya `spbe: 1`",
            "file is empty: a manifest needs at least `spbe: 1`",
        )
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise fail(
            "berkas berenkode UTF-16; simpan ulang sebagai UTF-8",
            "file is UTF-16 encoded; save it as UTF-8",
        )
    nul = raw.find(b"\0")
    if nul >= 0:
        line, col = _offset_position(raw, nul)
        raise fail(
            "berkas biner (berisi byte NUL), bukan manifest YAML",
            "binary file (contains a NUL byte), not a YAML manifest",
            line,
            col,
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line, col = _offset_position(raw, exc.start)
        byte = raw[exc.start]
        raise fail(
            f"bukan teks UTF-8 yang sah (byte 0x{byte:02x}); simpan ulang sebagai UTF-8",
            f"not valid UTF-8 text (byte 0x{byte:02x}); save the file as UTF-8",
            line,
            col,
        ) from None
    return text, info


def _too_big(display: str, size: int) -> InputError:
    limit = MAX_BYTES // 1024
    return InputError(
        LocalText(
            f"berkas terlalu besar ({size} byte; batas {limit} KiB untuk manifest)",
            f"file too large ({size} bytes; the limit for a manifest is {limit} KiB)",
        ),
        path=display,
    )


def _offset_position(raw: bytes, offset: int) -> tuple[int, int]:
    """1-based line and character column of byte *offset*."""
    line_start = raw.rfind(b"\n", 0, offset) + 1
    column = len(raw[line_start:offset].decode("utf-8", "replace")) + 1
    return raw.count(b"\n", 0, offset) + 1, column


def load(path: Path, display: str, *, allow_empty: bool = False) -> Document:
    """Read and parse one YAML file. Raises InputError for unreadable input.

    With *allow_empty* (configuration files), a file without a document loads
    as an empty mapping instead of being an error.
    """
    text, info = read_file(path, display, allow_empty=allow_empty)
    return parse(text, info, allow_empty=allow_empty)


# libyaml follows YAML 1.1, where these are line breaks; in YAML 1.2 they are not,
# so the two would disagree about lines and values. Say so plainly instead.
_YAML11_BREAKS = re.compile("[\x85\u2028\u2029]")


def parse(text: str, info: InputFile, *, allow_empty: bool = False) -> Document:
    odd_break = _YAML11_BREAKS.search(text)
    if odd_break:
        return _odd_break_failure(odd_break.start(), text, info)
    issues: list[Violation] = []
    loader = None
    try:
        loader = LOADER(text)  # the pure-Python reader checks characters here
        root = loader.get_node() if loader.check_node() else None
        if root is None and allow_empty:
            return Document(info.path, info, {}, None, ())
        if root is None:
            raise InputError(
                LocalText(
                    "berkas tidak memuat dokumen YAML (hanya komentar atau spasi)",
                    "file contains no YAML document (only comments or blank lines)",
                ),
                path=info.path,
                file=info,
            )
        if loader.check_node():
            extra = loader.get_node()
            issues.append(_issue("structure", extra, kind="multiple-documents"))
    except yaml.MarkedYAMLError as exc:
        return _syntax_failure(exc, info)
    except yaml.reader.ReaderError as exc:
        return _reader_failure(exc, text, info)
    except RecursionError:
        raise _too_deep(info, None) from None
    finally:
        if loader is not None:
            loader.dispose()
    if not isinstance(root, MappingNode):
        issues.append(
            _issue("structure", root, {"found": _kind(root)}, kind="not-mapping")
        )
        return Document(info.path, info, None, root, tuple(issues))
    builder = _Builder(info)
    data = builder.build(root, ())
    return Document(info.path, info, data, root, tuple(issues + builder.issues))


def _odd_break_failure(offset: int, text: str, info: InputFile) -> Document:
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    code = f"U+{ord(text[offset]):04X}"
    problem = LocalText(
        f"karakter {code} (pemisah baris Unicode) tidak didukung; ganti dengan spasi "
        "atau baris baru biasa",
        f"character {code} (a Unicode line separator) is not supported; replace it "
        "with a space or an ordinary line break",
    )
    issue = Violation(
        code="yaml-syntax",
        span=Span(line, column, line, column + 1),
        params={"problem": problem, "context": ""},
    )
    return Document(info.path, info, None, None, (issue,))


def _reader_failure(
    exc: yaml.reader.ReaderError, text: str, info: InputFile
) -> Document:
    """A character YAML does not allow (a control character such as ESC)."""
    offset = exc.position
    if exc.encoding != "unicode":  # libyaml counts bytes of UTF-8, not characters
        offset = len(text.encode("utf-8")[:offset].decode("utf-8", "ignore"))
    offset = max(0, min(offset, len(text)))
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    code = f"U+{exc.character:04X}" if isinstance(exc.character, int) else "?"
    problem = LocalText(
        f"karakter {code} tidak diperbolehkan dalam YAML; hapus karakter itu",
        f"character {code} is not allowed in YAML; remove it",
    )
    issue = Violation(
        code="yaml-syntax",
        span=Span(line, column, line, column + 1),
        params={"problem": problem, "context": ""},
    )
    return Document(info.path, info, None, None, (issue,))


def _syntax_failure(exc: yaml.MarkedYAMLError, info: InputFile) -> Document:
    mark = exc.problem_mark or exc.context_mark
    problem = exc.problem or str(exc)
    if "end of stream" in problem and exc.context_mark is not None:
        # An unclosed quote or bracket: where it opened helps more than the end.
        mark = exc.context_mark
    if "maximum nesting depth" in problem:
        raise _too_deep(info, mark)
    line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    issue = Violation(
        code="yaml-syntax",
        span=Span(line, col, line, col + 1),
        params={"problem": _explain_problem(problem), "context": exc.context or ""},
    )
    return Document(info.path, info, None, None, (issue,))


# libyaml's messages, said for people; anything else is shown as libyaml says it.
_PROBLEMS = {
    "did not find expected key": (
        "kunci yang diharapkan tidak ditemukan (periksa indentasi baris ini)",
        "did not find the expected key (check this line's indentation)",
    ),
    "mapping values are not allowed in this context": (
        "titik dua tidak boleh di sini; beri tanda kutip pada teks yang memuat ': '",
        "a colon is not allowed here; quote text that contains ': '",
    ),
    "could not find expected ':'": (
        "titik dua setelah kunci tidak ditemukan",
        "could not find the ':' after a key",
    ),
    "did not find expected node content": (
        "nilai yang diharapkan tidak ditemukan",
        "did not find the expected value",
    ),
    "found character that cannot start any token": (
        "karakter yang tidak dapat mengawali nilai (mis. tab atau @ tanpa tanda kutip)",
        "a character that cannot start a value (e.g. a tab, or @ without quotes)",
    ),
    "found undefined alias": (
        "alias (*nama) tanpa anchor (&nama) yang cocok",
        "an alias (*name) without a matching anchor (&name)",
    ),
    "found unexpected end of stream": (
        "berkas berakhir sebelum tanda kutip atau kurung ditutup",
        "the file ends before a quote or bracket is closed",
    ),
    "did not find expected '-' indicator": (
        "butir daftar ('- ') yang diharapkan tidak ditemukan",
        "did not find the expected list item ('- ')",
    ),
    "found a tab character that violates indentation": (
        "karakter tab dipakai untuk indentasi; gunakan spasi",
        "a tab is used for indentation; use spaces",
    ),
}


def _explain_problem(problem: str) -> LocalText:
    known = _PROBLEMS.get(problem.strip())
    if known:
        return LocalText(*known)
    if problem.startswith("expected <block end>"):  # PyYAML's pure-Python wording
        return LocalText(*_PROBLEMS["did not find expected key"])
    if problem.startswith(("did not find expected ',' or", "did not find expected")):
        return LocalText(f"{problem} (periksa kurung dan koma)", problem)
    return LocalText(problem, problem)


def _too_deep(info: InputFile, mark: Any) -> InputError:
    return InputError(
        LocalText(
            f"struktur bersarang terlalu dalam (batas {MAX_DEPTH} tingkat)",
            f"nesting too deep (the limit is {MAX_DEPTH} levels)",
        ),
        path=info.path,
        file=info,
        line=mark.line + 1 if mark else None,
        column=mark.column + 1 if mark else None,
    )


def _issue(
    code: str, node: Node, params: dict[str, Any] | None = None, *, kind: str
) -> Violation:
    return Violation(code=code, span=_span(node), params=params or {}, kind=kind)


def _before(node: Node, other: Node) -> bool:
    return (node.start_mark.line, node.start_mark.column) < (
        other.start_mark.line,
        other.start_mark.column,
    )


def require_clean(document: Document) -> Document:
    """For files that are not manifests (configuration, rule packs): the first
    loader problem is an InputError rather than a finding."""
    if document.issues:
        issue = document.issues[0]
        span = issue.span or document.locate(issue.path)
        raise InputError(
            describe_issue(issue),
            path=document.path,
            line=span.line,
            column=span.column,
            file=document.file,
        )
    return document


def describe_issue(issue: Violation) -> LocalText:
    """A loader problem in words, for files that are not manifests (config, rules)."""
    if issue.code == "yaml-syntax":
        problem = issue.params["problem"]
        return LocalText(f"YAML tidak sah: {problem.id}", f"invalid YAML: {problem.en}")
    if issue.code == "duplicate-key":
        key, first = issue.params["key"], issue.params["first_line"]
        return LocalText(
            f"kunci '{key}' ditulis dua kali (pertama di baris {first})",
            f"key '{key}' appears twice (first on line {first})",
        )
    if issue.kind == "multiple-documents":
        return LocalText("lebih dari satu dokumen YAML", "more than one YAML document")
    if issue.kind == "complex-key":
        return LocalText("kunci harus berupa teks sederhana", "keys must be plain text")
    return LocalText(
        "isi berkas harus berupa mapping (kunci: nilai)",
        "the file must hold a mapping (key: value)",
    )


def _span(node: Node) -> Span:
    start, end = node.start_mark, node.end_mark
    return Span(start.line + 1, start.column + 1, end.line + 1, end.column + 1)


def _kind(node: Node) -> str:
    if isinstance(node, SequenceNode):
        return "list"
    if isinstance(node, ScalarNode):
        return "null" if node.tag == _NULL else "scalar"
    return "mapping"


def _child(node: Node, part: str | int) -> tuple[Node | None, Node] | None:
    if isinstance(node, MappingNode):
        found = None
        for key_node, value_node in _pairs(node):
            if isinstance(key_node, ScalarNode) and key_node.value == part:
                found = (key_node, value_node)  # the last duplicate wins, as in data
        return found
    if isinstance(node, SequenceNode) and isinstance(part, int) and part >= 0:
        return (None, node.value[part]) if part < len(node.value) else None
    return None


def _pairs(node: MappingNode, seen: frozenset[int] = frozenset()) -> Iterator[Any]:
    """Key/value node pairs, merge keys (``<<: *base``) expanded first."""
    if id(node) in seen:
        return
    seen = seen | {id(node)}
    for key_node, value_node in node.value:
        if key_node.tag == _MERGE:
            sources = (
                value_node.value
                if isinstance(value_node, SequenceNode)
                else [value_node]
            )
            # Later pairs override earlier ones, and in ``<<: [*a, *b]`` the
            # earlier source wins (yaml.org/type/merge): so yield it last.
            for source in reversed(sources):
                if isinstance(source, MappingNode):
                    yield from _pairs(source, seen)
    for key_node, value_node in node.value:
        if key_node.tag != _MERGE:
            yield key_node, value_node


class _Builder:
    """Builds plain data from nodes, counting every node after alias expansion."""

    def __init__(self, info: InputFile) -> None:
        self.info = info
        self.count = 0
        self.issues: list[Violation] = []

    def build(self, node: Node, path: PathParts) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            raise InputError(
                LocalText(
                    f"dokumen YAML melebihi {MAX_NODES} simpul setelah alias dikembangkan "
                    "(alias berulang, pola 'billion laughs', atau isi terlalu banyak)",
                    f"the YAML document exceeds {MAX_NODES} nodes once aliases are expanded "
                    "(repeated aliases, the 'billion laughs' pattern, or too much content)",
                ),
                path=self.info.path,
                line=node.start_mark.line + 1,
                column=node.start_mark.column + 1,
                file=self.info,
            )
        if len(path) > MAX_DEPTH:
            raise _too_deep(self.info, node.start_mark)
        if isinstance(node, ScalarNode):
            return _scalar(node)
        if isinstance(node, SequenceNode):
            return [self.build(child, (*path, i)) for i, child in enumerate(node.value)]
        return self._mapping(node, path)

    def _mapping(self, node: MappingNode, path: PathParts) -> dict[str, Any]:
        result: dict[str, Any] = {}
        own: dict[str, Node] = {}
        own_ids = {id(key) for key, _ in node.value}
        for key_node, value_node in _pairs(node):
            if not isinstance(key_node, ScalarNode):
                self.issues.append(_issue("structure", key_node, kind="complex-key"))
                continue
            key = key_node.value
            is_own = id(key_node) in own_ids  # merged keys may be overridden
            if key in own and is_own:
                first = own[key].start_mark
                self.issues.append(
                    Violation(
                        path=(*path, key),
                        params={"key": key, "first_line": first.line + 1},
                        anchor="key",
                        code="duplicate-key",
                        span=_span(key_node),
                    )
                )
            if is_own:
                own.setdefault(key, key_node)  # "first on line N" names the first
            result[key] = self.build(value_node, (*path, key))
        return result


def _scalar(node: ScalarNode) -> Any:
    value, tag = node.value, node.tag
    try:
        if tag == _NULL:
            return None
        if tag == _BOOL:
            if value.lower() not in ("true", "false"):
                raise ValueError(value)  # "!!bool yes" stays text; the schema says why
            return value.lower() == "true"
        if tag == _INT:
            return _to_int(value)
        if tag == _FLOAT:
            return _to_float(value)
    except ValueError:
        return value  # an explicit tag on text that does not fit it: keep the text
    return value  # strings, dates (kept as written) and unknown tags


def _to_int(value: str) -> int:
    sign, digits = (-1, value[1:]) if value.startswith("-") else (1, value.lstrip("+"))
    if digits.startswith("0o"):
        return sign * int(digits[2:], 8)
    if digits.startswith("0x"):
        return sign * int(digits[2:], 16)
    return sign * int(digits, 10)


def _to_float(value: str) -> float:
    lowered = value.lower()
    if lowered.endswith(".inf"):
        return float("-inf") if lowered.startswith("-") else float("inf")
    if lowered == ".nan":
        return float("nan")
    return float(value)
