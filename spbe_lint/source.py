"""Load a manifest with positions: the Document every check reads.

``reading`` refuses what cannot be a manifest before parsing; ``yamltree`` turns
libyaml's node tree into plain data under the limits. Here, YAML problems become
issues with positions (MAN-* rules judge them) and paths become 1-based spans.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode

from spbe_lint import reading, yamltree
from spbe_lint.errors import InputError, SpbeError
from spbe_lint.findings import InputFile, Span, Violation
from spbe_lint.i18n import LocalText

ErrorT = TypeVar("ErrorT", bound=SpbeError)


@dataclass(frozen=True)
class Document:
    """A loaded manifest: plain data for checks, the node tree for positions."""

    path: str
    file: InputFile
    data: Any  # None when the file is not a usable mapping (see issues)
    root: Node | None
    issues: tuple[Violation, ...]  # codes yaml-syntax, duplicate-key, structure
    # Each mapping node's keys, indexed on first use (keyed by the node itself,
    # so a pickled Document keeps a consistent index): a manifest's findings
    # locate hundreds of paths sharing the same few prefixes.
    _keys: dict[Node, dict[Any, tuple[Node, Node]]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )
    # Spans already worked out: a third of a manifest's results point at a
    # place another result points at (a section every rule on it names).
    _spans: dict[tuple[tuple[str | int, ...], str], Span] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def error(
        self,
        kind: type[ErrorT],
        path: Sequence[str | int],
        message: LocalText,
        *,
        anchor: str = "auto",
        span: Span | None = None,
    ) -> ErrorT:
        """An error of *kind* naming this file and where *path* is in it."""
        span = span or self.locate(path, anchor=anchor)
        return kind(message, path=self.path, line=span.line, column=span.column)

    def locate(self, parts: Sequence[str | int], *, anchor: str = "auto") -> Span:
        """Where *parts* is, or the deepest part of it that exists.

        ``anchor="key"`` points at a mapping key rather than its value. A
        collection is shown at its key (``dpo:``), a scalar at its value.
        """
        key = (tuple(parts), anchor)
        found = self._spans.get(key)
        if found is None:
            found = self._spans[key] = self._locate(key[0], anchor)
        return found

    def _locate(self, parts: tuple[str | int, ...], anchor: str) -> Span:
        if self.root is None:
            return Span(1, 1, 1, 1)
        node: Node = self.root
        entry = yamltree.span(node)
        for index, part in enumerate(parts):
            found = self._child(node, part)
            if found is None:
                return entry
            key_node, child = found
            if yamltree.before(key_node or child, node):
                # Merged in (<<: *base) or an aliased item: the node lives at its
                # anchor. Show the place that uses it, the mapping or list here.
                return entry
            if key_node is not None and yamltree.before(child, key_node):
                # An aliased value (key: *name): show the key that uses it.
                return yamltree.span(key_node)
            node = child
            last = index == len(parts) - 1
            if key_node is not None and (
                not isinstance(node, ScalarNode) or (last and anchor == "key")
            ):
                entry = yamltree.span(key_node)
            else:
                entry = yamltree.span(node)
        return entry

    def _child(self, node: Node, part: str | int) -> tuple[Node | None, Node] | None:
        if not isinstance(node, MappingNode):
            return yamltree.child(node, part)
        keys = self._keys.get(node)
        if keys is None:
            keys = self._keys[node] = yamltree.keys(node)
        return keys.get(part)


def load(path: Path, display: str, *, allow_empty: bool = False) -> Document:
    """Read and parse one YAML file. Raises InputError for unreadable input.

    With *allow_empty* (configuration files), a file without a document loads
    as an empty mapping instead of being an error.
    """
    text, info = reading.read_file(path, display, allow_empty=allow_empty)
    return parse(text, info, allow_empty=allow_empty)


# libyaml follows YAML 1.1, where these are line breaks; in YAML 1.2 they are not,
# so the two would disagree about lines and values. Say so plainly instead.
_YAML11_BREAKS = re.compile("[\x85\u2028\u2029]")


def parse(
    text: str,
    info: InputFile,
    *,
    allow_empty: bool = False,
    limits: yamltree.Limits = yamltree.MANIFEST,
) -> Document:
    """The Document in *text*; *limits* bound nodes and depth (a manifest's by
    default; an OpenAPI document is read with its own)."""
    odd_break = _YAML11_BREAKS.search(text)
    if odd_break:
        return _odd_break_failure(odd_break.start(), text, info)
    issues: list[Violation] = []
    loader = None
    try:
        loader = yamltree.LOADER(text)  # the pure-Python reader checks characters here
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
            issues.append(yamltree.issue("structure", extra, kind="multiple-documents"))
    except yaml.MarkedYAMLError as exc:
        return _syntax_failure(exc, info, limits)
    except yaml.reader.ReaderError as exc:
        return _reader_failure(exc, text, info)
    except RecursionError:
        raise yamltree.too_deep(info, None, limits.depth) from None
    finally:
        if loader is not None:
            loader.dispose()
    if not isinstance(root, MappingNode):
        issues.append(
            yamltree.issue(
                "structure", root, {"found": yamltree.kind(root)}, kind="not-mapping"
            )
        )
        return Document(info.path, info, None, root, tuple(issues))
    builder = yamltree.Builder(info, limits)
    data = builder.build(root, ())
    return Document(info.path, info, data, root, tuple(issues + builder.issues))


def _odd_break_failure(offset: int, text: str, info: InputFile) -> Document:
    code = f"U+{ord(text[offset]):04X}"
    problem = LocalText(
        f"karakter {code} (pemisah baris Unicode) tidak didukung; ganti dengan spasi "
        "atau baris baru biasa",
        f"character {code} (a Unicode line separator) is not supported; replace it "
        "with a space or an ordinary line break",
    )
    return _character_failure(offset, text, info, problem)


def _reader_failure(
    exc: yaml.reader.ReaderError, text: str, info: InputFile
) -> Document:
    """A character YAML does not allow (a control character such as ESC)."""
    offset = exc.position
    if exc.encoding != "unicode":  # libyaml counts bytes of UTF-8, not characters
        offset = len(text.encode("utf-8")[:offset].decode("utf-8", "ignore"))
    code = f"U+{exc.character:04X}" if isinstance(exc.character, int) else "?"
    problem = LocalText(
        f"karakter {code} tidak diperbolehkan dalam YAML; hapus karakter itu",
        f"character {code} is not allowed in YAML; remove it",
    )
    return _character_failure(max(0, min(offset, len(text))), text, info, problem)


def _character_failure(
    offset: int, text: str, info: InputFile, problem: LocalText
) -> Document:
    """A YAML syntax issue at one character of *text*."""
    line, column = reading.position(text, offset)
    issue = Violation(
        code="yaml-syntax",
        span=Span(line, column, line, column + 1),
        params={"problem": problem, "context": ""},
    )
    return Document(info.path, info, None, None, (issue,))


def _syntax_failure(
    exc: yaml.MarkedYAMLError, info: InputFile, limits: yamltree.Limits
) -> Document:
    mark = exc.problem_mark or exc.context_mark
    problem = exc.problem or str(exc)
    if "end of stream" in problem and exc.context_mark is not None:
        # An unclosed quote or bracket: where it opened helps more than the end.
        mark = exc.context_mark
    if "maximum nesting depth" in problem:
        raise yamltree.too_deep(info, mark, limits.depth)
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


def require_clean(document: Document) -> Document:
    """For files that are not manifests (configuration, rule packs): the first
    loader problem is an InputError rather than a finding."""
    if document.issues:
        issue = document.issues[0]
        error = document.error(
            InputError, issue.path, describe_issue(issue), span=issue.span
        )
        error.file = document.file
        raise error
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
