"""Read one evidence file a dataset names: the only way spbe-lint opens them.

A reference is confined to the manifest's folder once (symbolic links
included, ``checks.documents.admit``), must be a regular file (a FIFO or a
device would block or never end), is read up to a size cap (``reading``), and
must be UTF-8 text. JSON and YAML are parsed by ``spbe_lint.source``
(positions, duplicate keys, depth and alias limits), so findings point into the
file.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from spbe_lint.findings import InputFile
from spbe_lint.i18n import LocalText
from spbe_lint.source import Document

SCHEMA_LIMIT = 1_048_576  # a Table Schema or a metadata file: 1 MiB is generous
SAMPLE_LIMIT = 33_554_432  # a sample of fictitious rows: 32 MiB (about 300k rows)


class Unreadable(Exception):
    """Why an evidence file cannot be judged, said for people."""

    def __init__(self, reason: LocalText, line: int | None = None) -> None:
        super().__init__(reason.en)
        self.reason = reason
        self.line = line


@dataclass(frozen=True)
class Raw:
    """A submitted data file's bytes, read once within the limits."""

    path: Path
    display: str
    data: bytes

    def text(self) -> str:
        try:
            return self.data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = self.data[: exc.start].count(b"\n") + 1
            raise Unreadable(
                LocalText(
                    f"bukan teks UTF-8 yang sah (byte 0x{self.data[exc.start]:02x})",
                    f"not valid UTF-8 text (byte 0x{self.data[exc.start]:02x})",
                ),
                line,
            ) from None


# While a judgement is being remembered (evidence.datacache), every read is
# noted here: (reference, limit), so that a stored judgement names its files.
READS: list[tuple[str, int]] | None = None


def read(folder: Path, reference: str, display: str, limit: int) -> Raw:
    """The bytes of *reference* inside *folder*, or Unreadable saying why: the
    shared confinement (``checks.documents.admit``, links included) and bounded
    reader (``reading.read_bytes``: regular files only, at most *limit* bytes)."""
    if READS is not None:
        READS.append((reference, limit))
    from spbe_lint import reading
    from spbe_lint.checks.documents import admit
    from spbe_lint.confine import Refused
    from spbe_lint.errors import InputError

    try:
        target = admit(folder, reference)
    except Refused as exc:
        raise Unreadable(_OUTSIDE if exc.kind == "outside" else exc.message) from None
    if not target.exists():
        raise Unreadable(_MISSING)
    try:
        data = reading.read_bytes(target, display, limit, _FILE)
    except InputError as exc:
        raise Unreadable(exc.message) from None
    return Raw(target, display, data)


_OUTSIDE = LocalText(
    "path ini keluar dari folder manifest", "the path leaves the manifest's folder"
)
_MISSING = LocalText("berkas tidak ada", "no such file")
_FILE = LocalText("berkas bukti", "an evidence file")


def structured(raw: Raw, *, rows: bool = False) -> Document:
    """A JSON or YAML file as a Document with positions (JSON is read as YAML 1.2
    flow, which it is). A syntax error, or a file that is not a mapping (a list,
    with *rows*), is Unreadable, with its line."""
    from dataclasses import replace

    from yaml.nodes import SequenceNode

    from spbe_lint import source, yamltree
    from spbe_lint.errors import InputError

    text = raw.text()
    info = InputFile(raw.display, hashlib.sha256(raw.data).hexdigest(), len(raw.data))
    try:
        document = source.parse(text, info)
        if rows and isinstance(document.root, SequenceNode):
            builder = yamltree.Builder(info)
            data = builder.build(document.root, ())
            document = replace(document, data=data, issues=tuple(builder.issues))
    except InputError as exc:  # no document, too deep, too many nodes
        raise Unreadable(exc.message, exc.line) from None
    expected = (list,) if rows else (dict,)
    if document.issues or not isinstance(document.data, expected):
        if document.issues:
            issue = document.issues[0]
            span = issue.span or document.locate(issue.path)
            if issue.kind != "not-mapping":
                raise Unreadable(source.describe_issue(issue), span.line)
        raise Unreadable(
            LocalText("isinya harus berupa daftar baris", "it must hold a list of rows")
            if rows
            else LocalText(
                "isinya harus berupa objek", "it must hold an object (mapping)"
            )
        )
    return document
