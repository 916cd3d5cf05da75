"""Read a file that should be a manifest, refusing what cannot be one.

Everything here happens before any YAML parsing: size, file type, encoding.
"""

from __future__ import annotations

import hashlib
import stat
from pathlib import Path

from spbe_lint.errors import InputError
from spbe_lint.findings import InputFile
from spbe_lint.i18n import LocalText

MAX_BYTES = 262_144  # a manifest is a few kilobytes; 256 KiB is generous


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
    and data. Anything else is an InputError naming *noun* (``laporan``/``the
    report``) and, for a JSON syntax error, the line and column."""
    import json

    try:
        with path.open("rb") as handle:
            raw = handle.read(limit + 1)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise InputError(
            LocalText(
                f"tidak dapat membaca {noun.id}: {reason}",
                f"cannot read {noun.en}: {reason}",
            ),
            path=display,
        ) from None
    if len(raw) > limit:
        raise InputError(
            LocalText(f"{noun.id} terlalu besar", f"{noun.en} is too large"),
            path=display,
        )
    try:
        text = raw.decode("utf-8")
        data = json.loads(text)
    except UnicodeDecodeError:
        raise InputError(
            LocalText(f"{noun.id} bukan teks UTF-8", f"{noun.en} is not UTF-8 text"),
            path=display,
        ) from None
    except json.JSONDecodeError as exc:
        raise InputError(
            LocalText(f"bukan JSON: {exc.msg}", f"not JSON: {exc.msg}"),
            path=display,
            line=exc.lineno,
            column=exc.colno,
        ) from None
    return raw, text, data
