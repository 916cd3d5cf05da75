"""Bounded reads: every file spbe-lint reads is read here, within a limit.

``read_bytes`` is the one way a file is opened: anything but a regular file (a
FIFO would block, a device such as /dev/zero never ends) is refused before it
is opened, and no more than the caller's limit is read, the limit named in the
message. ``read_file`` adds what a manifest must be (text, UTF-8, not empty);
``read_json`` reads a JSON file through the one bounded JSON reader.
"""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path
from typing import BinaryIO

from spbe_lint.errors import InputError
from spbe_lint.findings import InputFile
from spbe_lint.i18n import LocalText

MAX_BYTES = 262_144  # a manifest is a few kilobytes; 256 KiB is generous
_MANIFEST = LocalText("manifest", "a manifest")
_FILE = LocalText("berkas", "file")


class NotRegularFile(OSError):
    """A FIFO, device, folder or socket where a file was expected."""


def open_regular(path: Path) -> BinaryIO:
    """*path* open for reading in binary, if it is a regular file. Anything else
    (a FIFO would block, a device such as /dev/zero never ends) is refused
    before it is opened: NotRegularFile, an OSError like any other."""
    if not stat.S_ISREG(path.stat().st_mode):
        raise NotRegularFile(path)
    # O_NONBLOCK: should the file be swapped for a FIFO after the check, opening
    # it does not wait for a writer; fstat below then refuses it.
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    stream = os.fdopen(os.open(path, flags), "rb")
    if not stat.S_ISREG(os.fstat(stream.fileno()).st_mode):
        stream.close()
        raise NotRegularFile(path)
    return stream


def read_bytes(
    path: Path,
    display: str,
    limit: int,
    noun: LocalText,
    *,
    limit_for: LocalText | None = None,
) -> bytes:
    """At most *limit* bytes of the regular file *path*, or an InputError naming
    *display*. *noun* names the file in messages (``laporan``/``the report``);
    *limit_for*, if given, names what the limit is for (``a manifest``)."""
    limit_for = limit_for or noun
    try:
        with open_regular(path) as stream:
            size = os.fstat(stream.fileno()).st_size
            if size > limit:
                raise too_big(display, size, limit, limit_for)
            raw = stream.read(limit + 1)
    except NotRegularFile:
        raise InputError(
            LocalText("bukan berkas biasa", "not a regular file"),
            path=display,
        ) from None
    except OSError as exc:
        from spbe_lint.confine import reason

        why = reason(exc)
        raise InputError(
            LocalText(
                f"tidak dapat membaca {noun.id}: {why.id}",
                f"cannot read {noun.en}: {why.en}",
            ),
            path=display,
        ) from None
    if len(raw) > limit:  # it grew after the check
        raise too_big(display, len(raw), limit, limit_for)
    return raw


def read_file(
    path: Path, display: str, *, allow_empty: bool = False
) -> tuple[str, InputFile]:
    """Return the text of *path*, refusing what cannot be a manifest."""

    info: InputFile | None = None  # once read: problems then name the file's hash

    def fail(id_: str, en: str, line: int | None = None, col: int | None = None):
        return InputError(
            LocalText(id_, en), path=display, line=line, column=col, file=info
        )

    raw = read_bytes(path, display, MAX_BYTES, _FILE, limit_for=_MANIFEST)
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


def too_big(display: str, size: int, limit: int, noun: LocalText) -> InputError:
    from spbe_lint.jsonread import human_size

    shown = human_size(limit)
    return InputError(
        LocalText(
            f"berkas terlalu besar ({size} byte; batas {shown} untuk {noun.id})",
            f"file too large ({size} bytes; the limit for {noun.en} is {shown})",
        ),
        path=display,
    )


def _offset_position(raw: bytes, offset: int) -> tuple[int, int]:
    """1-based line and character column of byte *offset*."""
    prefix = raw[:offset].decode("utf-8", "replace")
    return position(prefix, len(prefix))


def position(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of character *offset* in *text*."""
    line_start = text.rfind("\n", 0, offset) + 1
    return text.count("\n", 0, offset) + 1, offset - line_start + 1


def read_json(
    path: Path, display: str, limit: int, noun: LocalText
) -> tuple[bytes, str, object]:
    """A JSON file spbe-lint wrote (a saved report, a baseline): its bytes, text
    and data, read through the bounded JSON reader (size, depth, duplicate keys).
    Anything else is an InputError naming *noun* (``laporan``/``the report``)
    and, where the problem has one, the line and column."""
    from spbe_lint.jsonread import JsonProblem, loads

    raw = read_bytes(path, display, limit, noun)
    try:
        data = loads(raw, max_bytes=limit)
    except JsonProblem as problem:
        if problem.kind == "encoding":
            raise InputError(
                LocalText(
                    f"{noun.id} bukan teks UTF-8", f"{noun.en} is not UTF-8 text"
                ),
                path=display,
            ) from None
        raise InputError(
            problem.message, path=display, line=problem.line, column=problem.column
        ) from None
    return raw, raw.decode("utf-8"), data
