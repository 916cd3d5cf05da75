"""``spbe-lint verify``: can a reviewer trust a submitted report?

Two questions, each answered on its own: was the report changed after it was
signed (``--key``), and does it match the submitted manifests (``--inputs``)?
For the second, every recorded input must be in the folder with the recorded
sha256; then the manifests are checked again with the recorded rule pack
(same name, version and sha256), profile, rules in force and severities, and
the findings compared by fingerprint, status, severity, position and message.
"""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from spbe_lint.errors import UsageError
from spbe_lint.findings import Severity
from spbe_lint.i18n import LocalText


@dataclass(frozen=True)
class Outcome:
    """What verification found: lines to print, and whether everything held."""

    ok: bool
    lines: tuple[LocalText, ...] = field(default=())


def signature(data: dict[str, Any], key_path: Path) -> Outcome:
    from spbe_lint import signing

    key = signing.load_public(key_path)
    problem = signing.check(data, key)
    if problem is not None:
        return Outcome(False, (problem,))
    key_id = data["signature"]["key_id"]
    return Outcome(
        True,
        (
            LocalText(
                f"tanda tangan sah: ditandatangani dengan kunci {key_id}",
                f"signature valid: signed with key {key_id}",
            ),
        ),
    )


def inputs(data: dict[str, Any], folder: Path, rules_dir: Path | None) -> Outcome:
    recorded = [(i["path"], i["sha256"]) for i in data["inputs"]]
    recorded += [(e["path"], e["sha256"]) for e in data["errors"] if e["sha256"]]
    review = data.get("review") or {}
    # The waiver file and baseline the run used must be there too, unchanged.
    reviewed = [
        (review[f"{kind}_file"], review[f"{kind}_sha256"])
        for kind in ("waiver", "baseline")
        if review.get(f"{kind}_file")
    ]
    lines: list[LocalText] = []
    for path, digest in recorded + reviewed:
        problem = _hash_problem(folder, path, digest)
        if problem is not None:
            lines.append(problem)
    if lines:
        return Outcome(False, tuple(lines))
    lines.append(
        LocalText(
            f"{len(recorded + reviewed)} berkas cocok dengan sha256 yang tercatat",
            f"{len(recorded + reviewed)} file(s) match their recorded sha256",
        )
    )
    again = _evaluate(data, folder, rules_dir, [path for path, _ in recorded])
    lines += _settings_notes(data, rules_dir)
    differences = _compare(data, again)
    if differences:
        return Outcome(False, (*lines, *differences))
    count = len(data["findings"])
    lines.append(
        LocalText(
            f"pemeriksaan ulang menghasilkan {count} hasil yang sama dengan laporan",
            f"checking again gives the same {count} result(s) as the report",
        )
    )
    return Outcome(True, tuple(lines))


# The largest input a report records is a baseline (64 MiB, spbe_lint.baseline);
# manifests and waiver files are far smaller.
MAX_INPUT_BYTES = 64 << 20


def _hash_problem(folder: Path, path: str, digest: str) -> LocalText | None:
    """Why the recorded input *path* is not in *folder* with sha256 *digest*,
    or None. The path must stay inside *folder* (links included) and be a
    regular file within MAX_INPUT_BYTES: a link to /dev/zero or a FIFO is
    refused before it is opened."""
    from spbe_lint.confine import Refused, Root
    from spbe_lint.errors import InputError
    from spbe_lint.reading import read_bytes

    if Path(path).is_absolute() or ".." in Path(path).parts:
        return LocalText(
            f"{path}: jalur tercatat di luar folder masukan; periksa dari folder "
            "tempat laporan dibuat",
            f"{path}: the recorded path is outside the inputs folder; check from the "
            "folder the report was made in",
        )
    try:
        root = Root.at(folder)
        real = root.admit(folder / path, path)
        raw = read_bytes(real, path, MAX_INPUT_BYTES, LocalText("berkas", "the file"))
    except Refused as exc:
        return LocalText(f"{path}: {exc.message.id}", f"{path}: {exc.message.en}")
    except InputError as exc:
        return LocalText(
            f"{path}: tidak dapat dibaca di {folder.as_posix()} ({exc.message.id})",
            f"{path}: cannot be read in {folder.as_posix()} ({exc.message.en})",
        )
    actual = hashlib.sha256(raw).hexdigest()
    if actual != digest:
        return LocalText(
            f"{path}: sha256 {actual} berbeda dari yang tercatat {digest}: "
            "berkas bukan yang dilaporkan",
            f"{path}: sha256 {actual} differs from the recorded {digest}: not the "
            "file that was reported",
        )
    return None


def _evaluate(
    data: dict[str, Any], folder: Path, rules_dir: Path | None, paths: list[str]
) -> dict[str, Any]:
    from spbe_lint import app, config, rulepack
    from spbe_lint.reporters import json_

    pack = data["rule_pack"]
    loaded = rulepack.load_pack(rules_dir)
    if (loaded.name, loaded.version, loaded.sha256) != (
        pack["name"],
        pack["version"],
        pack["sha256"],
    ):
        raise UsageError(
            LocalText(
                f"laporan dibuat dengan paket aturan {pack['name']} {pack['version']} "
                f"(sha256 {pack['sha256'][:12]}); yang tersedia {loaded.name} "
                f"{loaded.version} (sha256 {loaded.sha256[:12]}); berikan paket itu "
                "dengan --rules",
                f"the report was made with rule pack {pack['name']} {pack['version']} "
                f"(sha256 {pack['sha256'][:12]}); this one is {loaded.name} "
                f"{loaded.version} (sha256 {loaded.sha256[:12]}); give that pack "
                "with --rules",
            )
        )
    # WAIVE-* findings come from the waiver workflow, not from the rule pack.
    rules = [r for r in data["rules"] if not r["id"].startswith("WAIVE-")]
    review = data.get("review") or {}
    settings = config.Config(
        select=tuple(r["id"] for r in rules),
        severity={
            r["id"]: Severity.parse(r["severity"])
            for r in rules
            if r["severity"] != r["default_severity"]
        },
        profile=pack["profile"],
    )
    report = app.check(
        app.RunOptions(
            paths=tuple(folder / p for p in paths),
            cwd=folder,
            lang=data["settings"]["lang"],
            fail_on=Severity.parse(data["settings"]["fail_on"]),
            exit_zero=data["settings"]["exit_zero"],
            rules_dir=rules_dir,
            config=settings,
            as_of=_date(data["settings"].get("as_of")),
            documents=data["settings"].get("documents", "auto"),
            waivers_file=_within(folder, review.get("waiver_file")),
            reviewer=review.get("reviewer", False),
            baseline_file=_within(folder, review.get("baseline_file")),
        )
    )
    return json_.as_dict(report)


def _within(folder: Path, path: str | None) -> Path | None:
    return folder / path if path else None


def _date(value: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(value) if value else None


def _settings_notes(data: dict[str, Any], rules_dir: Path | None) -> list[LocalText]:
    """What the run left out or changed: honest in the report, easy to miss."""
    from spbe_lint import rulepack

    in_force = {r["id"] for r in data["rules"]}
    left_out = sorted(
        r.id for r in rulepack.load_pack(rules_dir).rules if r.id not in in_force
    )
    changed = sorted(
        f"{r['id']} {r['default_severity']}→{r['severity']}"
        for r in data["rules"]
        if r["severity"] != r["default_severity"]
    )
    notes = []
    if left_out:
        names = ", ".join(left_out)
        notes.append(
            LocalText(
                f"catatan: aturan yang tidak dijalankan dalam laporan ini: {names}",
                f"note: rules not run for this report: {names}",
            )
        )
    if changed:
        names = ", ".join(changed)
        notes.append(
            LocalText(
                f"catatan: tingkat yang diubah konfigurasi: {names}",
                f"note: severities changed by configuration: {names}",
            )
        )
    return notes


def _key(finding: dict[str, Any]) -> tuple[Any, ...]:
    where = finding["location"]
    return (
        finding["rule"],
        finding["status"],
        finding["severity"],
        where.get("line"),
        where.get("column"),
        finding["message_i18n"]["en"],
    )


def _compare(recorded: dict[str, Any], again: dict[str, Any]) -> list[LocalText]:
    before = {f["fingerprint"]: f for f in recorded["findings"]}
    after = {f["fingerprint"]: f for f in again["findings"]}
    lines = []
    for fingerprint in sorted(before.keys() | after.keys()):
        old, new = before.get(fingerprint), after.get(fingerprint)
        if old is not None and new is not None and _key(old) == _key(new):
            continue
        shown: dict[str, Any] = old or new or {}
        location = shown["location"]
        where = f"{location['path']} {shown['rule']} {location['pointer']}"
        if new is None:
            lines.append(
                LocalText(
                    f"hanya di laporan: {where}: {shown['status']}",
                    f"only in the report: {where}: {shown['status']}",
                )
            )
        elif old is None:
            lines.append(
                LocalText(
                    f"hanya pada pemeriksaan ulang: {where}: {new['status']}",
                    f"only when checked again: {where}: {new['status']}",
                )
            )
        else:
            lines.append(
                LocalText(
                    f"berbeda: {where}: laporan {_describe(old)}, pemeriksaan ulang "
                    f"{_describe(new)}",
                    f"differs: {where}: report {_describe(old)}, checked again "
                    f"{_describe(new)}",
                )
            )
    old_errors = {(e["path"], e["message_i18n"]["en"]) for e in recorded["errors"]}
    new_errors = {(e["path"], e["message_i18n"]["en"]) for e in again["errors"]}
    for path, message in sorted(old_errors ^ new_errors):
        side = "laporan" if (path, message) in old_errors else "pemeriksaan ulang"
        side_en = "report" if (path, message) in old_errors else "checked again"
        lines.append(
            LocalText(
                f"berkas tak terbaca hanya di {side}: {path}: {message}",
                f"unreadable file only in the {side_en}: {path}: {message}",
            )
        )
    return lines


def _describe(finding: dict[str, Any]) -> str:
    where = finding["location"]
    position = f"{where.get('line')}:{where.get('column')}" if "line" in where else "-"
    return (
        f"{finding['status']}/{finding['severity']} {position} "
        f"({finding['message_i18n']['en']})"
    )
