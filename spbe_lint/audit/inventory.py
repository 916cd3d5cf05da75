"""Which applications an audit covers: a folder of submissions or a CSV inventory.

A folder holds one sub-folder per application (its ``spbe.yaml`` and the
documents beside it); the sub-folder's name is the application's id. A CSV
inventory has a header row naming its columns (``id``, ``opd``, ``manifest``,
``url``; Indonesian names and spreadsheet exports with ``;`` are accepted);
``manifest`` is a manifest file or a repository folder, relative to the CSV.

Problems with the inventory itself (no id column, a duplicate id, a file that
is not UTF-8 text) stop the audit before it starts: one line naming the file,
row and column, exit 2. A problem with one application (its manifest is
missing or cannot be read, its folder cannot be read, or it is a link leading
outside the inventory) is that application's result, and the run goes on.

Confinement (``confine``): a folder inventory is its own root; a CSV's root is
the folder the CSV is in, and every manifest it names must resolve inside it.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from spbe_lint.confine import Refused, Root, reason
from spbe_lint.discovery import MANIFEST_NAMES
from spbe_lint.errors import InputError
from spbe_lint.i18n import LocalText

MAX_CSV_BYTES = 16 * 1024 * 1024  # ~100,000 rows; a city has a few hundred

# Column names as people write them, lower-cased, spaces as underscores.
COLUMNS = {
    "id": ("id", "app_id", "app", "application", "aplikasi", "id_aplikasi", "kode"),
    "opd": ("opd", "owner_opd", "perangkat_daerah", "instansi", "unit"),
    "manifest": ("manifest", "path", "folder", "repository", "repo", "repositori"),
    "url": ("url", "alamat", "endpoint", "domain"),
}


@dataclass(frozen=True)
class Application:
    """One application to audit, as the inventory names it."""

    id: str
    folder: Path | None  # where its documents live (None: no manifest given)
    manifest: Path | None  # its spbe.yaml, if the inventory names or holds one
    display: str  # the manifest (or what stood for it) as reports show it
    opd: str | None = None  # from the inventory; else the manifest's app.owner_opd
    url: str | None = None  # from the inventory: probed when the manifest has none
    missing: LocalText | None = None  # why there is no manifest to read


def read(path: Path, cwd: Path) -> list[Application]:
    """The applications of the inventory at *path* (a folder or a CSV file)."""
    if _is_folder(path):
        return list(_from_folder(path, cwd))
    if not path.is_file():
        raise InputError(
            LocalText(
                "inventaris tidak ada (folder pengajuan atau berkas CSV)",
                "no such inventory (a folder of submissions or a CSV file)",
            ),
            path=_shown(path, cwd),
        )
    return _from_csv(path, cwd)


def _is_folder(path: Path) -> bool:
    try:
        return path.is_dir()
    except OSError:
        return False


def _shown(path: Path, cwd: Path) -> str:
    from spbe_lint.discovery import display_path

    return display_path(path, cwd)


def _manifest_in(folder: Path) -> Path | None:
    """The manifest in *folder*, if any (a link named spbe.yaml included: the
    confinement and the reader judge it). OSError if the folder cannot be read."""
    with os.scandir(folder) as entries:
        names = {entry.name for entry in entries}
    for name in MANIFEST_NAMES:
        if name in names:
            return folder / name
    return None


def _from_folder(root: Path, cwd: Path) -> Iterator[Application]:
    shown = _shown(root, cwd)
    try:
        confined = Root.at(root, shown)
        with os.scandir(root) as entries:
            listed = sorted(entries, key=lambda e: e.name)
        folders = [
            Path(e.path) for e in listed if not e.name.startswith(".") and _entry_dir(e)
        ]
        single = _manifest_in(root) if not folders else None
    except OSError as exc:
        why = reason(exc)
        raise InputError(
            LocalText(
                f"folder inventaris tidak dapat dibaca: {why.id}",
                f"the inventory folder cannot be read: {why.en}",
            ),
            path=shown,
        ) from None
    if not folders and single is None:
        raise InputError(
            LocalText(
                "folder inventaris tidak memuat sub-folder aplikasi",
                "the inventory folder holds no application sub-folders",
            ),
            path=shown,
        )
    if not folders:  # a single submission given as the inventory
        folders = [root]
    for folder in folders:
        name = confined.real.name if folder == root else folder.name
        yield _application(name, folder, confined, cwd)


def _entry_dir(entry: os.DirEntry[str]) -> bool:
    """A sub-folder, or a link to one (confinement then decides)."""
    try:
        return entry.is_dir()
    except OSError:
        return entry.is_symlink()  # a link loop: reported as that application's


def _application(app_id: str, folder: Path, root: Root, cwd: Path) -> Application:
    """One application folder of a folder inventory: its manifest, or why not."""
    display = _shown(folder / MANIFEST_NAMES[0], cwd)
    try:
        root.admit(folder, _shown(folder, cwd))
        manifest = _manifest_in(folder)
        if manifest is not None:
            display = _shown(manifest, cwd)
            root.admit(manifest, display)
    except Refused as exc:
        return Application(app_id, folder, None, display, missing=exc.message)
    except OSError as exc:
        return Application(app_id, folder, None, display, missing=_unreadable(exc))
    return Application(
        id=app_id,
        folder=folder,
        manifest=manifest,
        display=display,
        missing=None if manifest else _NO_MANIFEST,
    )


def _unreadable(exc: OSError) -> LocalText:
    why = reason(exc)
    return LocalText(
        f"folder aplikasi tidak dapat dibaca: {why.id}",
        f"the application folder cannot be read: {why.en}",
    )


_NO_MANIFEST = LocalText(
    "tidak ada spbe.yaml di folder aplikasi", "no spbe.yaml in the application folder"
)


def _from_csv(path: Path, cwd: Path) -> list[Application]:
    shown = _shown(path, cwd)
    text = _csv_text(path, shown)
    dialect = _dialect(text)
    rows = csv.reader(io.StringIO(text, newline=""), dialect)
    try:
        header = next(rows)
    except StopIteration:
        raise _error(
            shown, 1, None, "berkas CSV kosong", "the CSV file is empty"
        ) from None
    except csv.Error as exc:
        raise _error(
            shown, 1, None, f"CSV rusak: {exc}", f"malformed CSV: {exc}"
        ) from None
    columns = _columns(header, shown)
    apps: list[Application] = []
    seen: dict[str, int] = {}
    base = path.parent
    root = Root.at(base, _shown(base, cwd))
    for line, row in _numbered(rows, shown):
        if not any(cell.strip() for cell in row):
            continue  # spreadsheets end with blank rows
        cell = {key: _cell(row, index) for key, index in columns.items()}
        app_id = cell.get("id", "")
        if not app_id:
            raise _error(
                shown,
                line,
                columns["id"] + 1,
                "id aplikasi kosong",
                "empty application id",
            )
        if app_id in seen:
            raise _error(
                shown,
                line,
                columns["id"] + 1,
                f"id aplikasi '{app_id}' sudah dipakai di baris {seen[app_id]}",
                f"application id '{app_id}' is already used on line {seen[app_id]}",
            )
        seen[app_id] = line
        apps.append(_row_application(cell, base, root, cwd, shown, line))
    return apps


def _numbered(rows: Any, shown: str) -> Iterator[tuple[int, list[str]]]:
    """Rows with the line each starts on; a malformed row names its line."""
    line = rows.line_num + 1
    while True:
        try:
            row = next(rows)
        except StopIteration:
            return
        except csv.Error as exc:
            raise _error(
                shown, rows.line_num, None, f"CSV rusak: {exc}", f"malformed CSV: {exc}"
            ) from None
        yield line, row
        line = rows.line_num + 1


def _row_application(
    cell: dict[str, str], base: Path, root: Root, cwd: Path, shown: str, line: int
) -> Application:
    named = cell.get("manifest", "")
    url = cell.get("url") or None
    opd = cell.get("opd") or None
    if not named:
        return Application(
            cell["id"],
            None,
            None,
            f"{shown}:{line}",
            opd,
            url,
            missing=LocalText(
                "inventaris tidak menyebut manifest", "the inventory names no manifest"
            ),
        )
    target = Path(named)
    target = target if target.is_absolute() else base / target
    display = _shown(target, cwd)
    try:
        real = root.admit(target, display)  # relative to the CSV's folder, inside it
        if real.is_dir():
            manifest, folder = _manifest_in(target), target
            missing = None if manifest else _NO_MANIFEST
            if manifest is not None:
                display = _shown(manifest, cwd)
                root.admit(manifest, display)
        else:
            exists = real.is_file() or os.path.lexists(target)
            manifest, folder = (target if exists else None), target.parent
            missing = (
                None
                if exists
                else LocalText(
                    f"manifest tidak ada: {named}", f"no such manifest: {named}"
                )
            )
    except Refused as exc:
        return Application(
            cell["id"], None, None, display, opd, url, missing=exc.message
        )
    except OSError as exc:
        return Application(
            cell["id"], None, None, display, opd, url, missing=_unreadable(exc)
        )
    return Application(cell["id"], folder, manifest, display, opd, url, missing)


def _cell(row: list[str], index: int) -> str:
    return row[index].strip() if index < len(row) else ""


def _columns(header: list[str], shown: str) -> dict[str, int]:
    names = [h.strip().lstrip("\ufeff").lower().replace(" ", "_") for h in header]
    found: dict[str, int] = {}
    for key, aliases in COLUMNS.items():
        for index, name in enumerate(names):
            if name in aliases and key not in found:
                found[key] = index
    if "id" not in found:
        raise _error(
            shown,
            1,
            1,
            "baris judul CSV tidak memuat kolom id (id, id_aplikasi, aplikasi)",
            "the CSV header has no id column (id, app_id, application)",
        )
    if "manifest" not in found and "url" not in found:
        raise _error(
            shown,
            1,
            1,
            "baris judul CSV tidak memuat kolom manifest maupun url",
            "the CSV header has neither a manifest nor a url column",
        )
    return found


def _csv_text(path: Path, shown: str) -> str:
    from spbe_lint.reading import read_bytes

    # bounded, and a FIFO or a device is refused before it is opened
    raw = read_bytes(
        path, shown, MAX_CSV_BYTES, LocalText("berkas CSV", "the CSV file")
    )
    if b"\0" in raw:
        line = raw[: raw.index(b"\0")].count(b"\n") + 1
        raise _error(
            shown, line, None, "berkas biner, bukan CSV", "a binary file, not CSV"
        )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise _error(
            shown,
            line,
            column,
            "bukan UTF-8; simpan ulang CSV sebagai UTF-8",
            "not UTF-8; save the CSV as UTF-8",
        ) from None


def _dialect(text: str) -> type[csv.Dialect]:
    """Comma, or semicolon when the header has more of them (spreadsheets in
    Indonesian locales export ``;``)."""
    first = text.split("\n", 1)[0]
    if first.count(";") > first.count(","):
        return _Semicolon
    return csv.excel


class _Semicolon(csv.excel):
    delimiter = ";"


def _error(
    path: str, line: int | None, column: int | None, id_: str, en: str
) -> InputError:
    return InputError(LocalText(id_, en), path=path, line=line, column=column)
