"""``spbe-lint init``: from the user's answers (and a publiccode.yml) to a new manifest.

The CLI asks the questions (click); here answers become manifest values, the
values become text (``scaffold``), and the text becomes a file that never
replaces another one unless asked to.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from spbe_lint import resources, scaffold
from spbe_lint.errors import UsageError
from spbe_lint.i18n import LocalText
from spbe_lint.publiccode import Imported, machine_name
from spbe_lint.rulepack import RulePack

STATUSES = ("planning", "development", "staging", "production", "retired")


@dataclass(frozen=True)
class Answers:
    """The essential fields, from options or the terminal (None: not given)."""

    title: str | None = None
    name: str | None = None
    opd: str | None = None
    url: str | None = None
    vendor: str | None = None
    status: str = "development"


@dataclass(frozen=True)
class Plan:
    text: str
    values: dict[tuple[str, ...], Any]
    notes: list[LocalText]  # what the user should know before `check`


def url_problem(url: str) -> LocalText | None:
    """Why *url* cannot be ``endpoints.url`` (None when it can)."""
    parts = urlsplit(url.strip())
    if (
        parts.scheme not in ("https", "http")
        or not parts.hostname
        or "@" in parts.netloc
    ):
        return LocalText(
            f"'{url}' bukan URL lengkap (mis. https://aplikasi.jambikota.go.id/)",
            f"'{url}' is not an absolute URL (e.g. https://app.jambikota.go.id/)",
        )
    return None


def plan(
    answers: Answers,
    pack: RulePack,
    imported: Imported | None = None,
    *,
    schema_ref: str | None = None,
) -> Plan:
    """The manifest text for *answers*; options win over publiccode.yml."""
    values: dict[tuple[str, ...], Any] = {("spbe",): 1}
    if imported is not None:
        values.update(imported.values)
    name = answers.name or (machine_name(answers.title) if answers.title else None)
    given = {
        ("app", "name"): name,
        ("app", "title"): answers.title,
        ("app", "status"): answers.status,
        ("app", "owner_opd"): answers.opd,
        ("vendor", "name"): answers.vendor,
    }
    notes: list[LocalText] = []
    if answers.url:
        problem = url_problem(answers.url)
        if problem:
            raise UsageError(problem)
        host = (urlsplit(answers.url.strip()).hostname or "").rstrip(".")
        given[("endpoints", "url")] = answers.url.strip()
        given[("domain", "fqdn")] = host
        domain = str(pack.profile.get("domain", ""))
        if domain and not host.endswith("." + domain):
            notes.append(
                LocalText(
                    f"{host} bukan subdomain dari {domain}: HOST-004 akan gagal sampai "
                    "aplikasi memakai subdomain dari Diskominfo",
                    f"{host} is not a subdomain of {domain}: HOST-004 will fail until "
                    "the application uses a subdomain from Diskominfo",
                )
            )
    values.update({path: value for path, value in given.items() if value})
    if ("app", "name") not in values:
        raise UsageError(
            LocalText(
                "nama aplikasi belum diberikan: jalankan di terminal, atau beri --title "
                "(dan --opd, --url, --vendor), atau --from-publiccode publiccode.yml",
                "no application name: run in a terminal, or give --title (and --opd, "
                "--url, --vendor), or --from-publiccode publiccode.yml",
            )
        )
    if ("app", "title") not in values:
        values[("app", "title")] = values[("app", "name")]
    extra = None
    note = None
    if imported is not None and imported.extra:
        extra = {"source": imported.display, **imported.extra}
        note = (
            "Dari publiccode.yml, tanpa padanan di manifest; disimpan sebagai rujukan "
            "(kunci x- bebas)."
        )
    text = scaffold.render(
        values,
        resources.schema("manifest"),
        pack,
        extra=extra,
        extra_note=note,
        schema_ref=schema_ref,
    )
    return Plan(text, values, notes)


def exists(path: Path) -> UsageError:
    """The error for a manifest that is there already."""
    display = path.as_posix()
    return UsageError(
        LocalText(
            "berkas sudah ada dan tidak ditimpa; periksa dengan `spbe-lint check "
            f"{display}`, atau tulis ulang dengan `spbe-lint init --force`",
            f"file exists and was not replaced; check it with `spbe-lint check "
            f"{display}`, or write it again with `spbe-lint init --force`",
        ),
        path=display,
    )


def write(path: Path, text: str, *, force: bool) -> None:
    """Create *path*; an existing file is replaced only with *force*. Written
    whole or not at all (spbe_lint.writing)."""
    from spbe_lint import writing

    if path.is_dir():
        raise UsageError(
            LocalText("ini folder, bukan berkas", "this is a folder, not a file"),
            path=path.as_posix(),
        )
    if not force and os.path.lexists(path):
        raise exists(path)
    try:
        writing.write_text(path, text, replace=force)
    except UsageError:  # appeared meanwhile: the link refused to replace it
        raise exists(path) from None


def relative(target: Path, start: Path) -> str:
    """*target* as a path from the folder *start* (the manifest's ``$schema``
    pointer), or absolute where no relative path exists."""
    try:
        return Path(os.path.relpath(target.absolute(), start.absolute())).as_posix()
    except ValueError:  # another drive on Windows
        return target.absolute().as_posix()


def summary(output: Path, plan: Plan, imported: Imported | None) -> list[LocalText]:
    """What ``init`` tells the user, line by line: the file written, what was
    taken from publiccode.yml and what not, what to check, what to do next."""
    lines: list[LocalText] = []

    def block(title: LocalText, entries: list[LocalText]) -> None:
        if entries:
            lines.append(title)
            lines.extend(LocalText(f"  {e.id}", f"  {e.en}") for e in entries)

    shown = output.as_posix()
    lines.append(LocalText(f"{shown} ditulis.", f"{shown} written."))
    if imported is not None:
        taken = [LocalText(f"{a} -> {b}", f"{a} -> {b}") for a, b in imported.taken]
        where = imported.display
        block(LocalText(f"Diambil dari {where}:", f"Taken from {where}:"), taken)
        block(LocalText("Tidak diambil:", "Not taken:"), imported.skipped)
    flagged = [*(imported.flagged if imported is not None else []), *plan.notes]
    block(LocalText("Periksa:", "Check:"), flagged)
    lines.append(
        LocalText(
            f"Berikutnya: lengkapi baris '# kunci:' di {shown}, lalu jalankan "
            f"`spbe-lint check {shown}`",
            f"Next: complete the '# key:' lines in {shown}, then run "
            f"`spbe-lint check {shown}`",
        )
    )
    return lines
