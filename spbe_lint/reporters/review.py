"""What the review workflow did, in words: waived failures, waivers by state,
reviewer mode, the baseline. Shared by the text and Markdown reports."""

from __future__ import annotations

from collections import Counter

from spbe_lint.findings import Finding, Report, Review, Waiver
from spbe_lint.i18n import LocalText, escape_controls

STATES = {
    "applied": LocalText("berlaku", "applied"),
    "expired": LocalText("berakhir", "expired"),
    "unused": LocalText("tidak terpakai", "unused"),
    "pending": LocalText("belum berlaku", "not yet in force"),
    "ignored": LocalText("diabaikan (mode peninjau)", "ignored (reviewer mode)"),
    "rule_not_run": LocalText("aturannya tidak dijalankan", "its rule was not run"),
}


def describe_waiver(waiver: Waiver, lang: str) -> str:
    """``W-2026-001 (800/045/Diskominfo/2026), approved by NAME (NIP), until DATE:
    reason; compensating control: ...``"""
    en = lang == "en"
    text = waiver.id
    if waiver.decision_ref:
        text += f" ({waiver.decision_ref})"
    if waiver.source == "inline":
        text += ", inline (vendor)" if en else ", inline (oleh vendor)"
    if waiver.approved_by:
        who = waiver.approved_by
        if waiver.approver_nip:
            who += f" (NIP {waiver.approver_nip})"
        text += f", {'approved by' if en else 'disetujui'} {who}"
    if waiver.expires:
        text += f", {'until' if en else 'sampai'} {waiver.expires}"
    text += f": {waiver.reason}"
    if waiver.compensating_control:
        label = "compensating control" if en else "kontrol pengganti"
        text += f"; {label}: {waiver.compensating_control}"
    return escape_controls(text)


def waived_line(finding: Finding, lang: str) -> str:
    assert finding.waiver is not None
    label = "waived" if lang == "en" else "dikecualikan"
    return f"{label}: {describe_waiver(finding.waiver, lang)}"


def summary(report: Report, lang: str) -> list[str]:
    """One line per part of the review that was used."""
    return lines(len(report.waived), report.review, lang)


def lines(
    waived: int,
    review: Review | None,
    lang: str,
    states: Counter[str] | None = None,
) -> list[str]:
    """``summary`` from counts: *waived* failures, and *states*, the review's
    waivers by state when they are tallied (a run written as it goes keeps no
    waiver entry), else counted from *review*."""
    en = lang == "en"
    said: list[str] = []
    if waived:
        n = waived
        said.append(
            f"{n} failure(s) waived: they stay in the report and do not fail the run."
            if en
            else f"{n} kegagalan dikecualikan: tetap dilaporkan, tidak menggagalkan."
        )
    if review is None:
        return said
    if review.reviewer:
        ignored = sum(1 for e in review.waivers if e.state == "ignored")
        said.append(
            f"Reviewer mode: {ignored} inline suppression(s) (x-spbe-waive) ignored; "
            "only the waiver file counts."
            if en
            else f"Mode peninjau: {ignored} pengecualian inline (x-spbe-waive) "
            "diabaikan; hanya berkas pengecualian yang berlaku."
        )
    counts = states if states else Counter(e.state for e in review.waivers)
    if counts:
        tally = ", ".join(
            f"{counts[state]} {text.get(lang)}"
            for state, text in STATES.items()
            if counts[state]
        )
        source = review.waiver_file or "x-spbe-waive"
        if review.waiver_sha256:
            source += f" (sha256 {review.waiver_sha256[:12]})"
        said.append(f"{'Waivers' if en else 'Pengecualian'} {source}: {tally}.")
    elif review.waiver_file:
        said.append(
            f"{'Waivers' if en else 'Pengecualian'} {review.waiver_file}: "
            f"{'none' if en else 'tidak ada'}."
        )
    if review.baseline_file:
        hidden = len(review.hidden)
        said.append(
            f"Baseline {review.baseline_file}: {hidden} known failure(s) hidden, "
            f"{len(review.fixed)} entr{'y' if len(review.fixed) == 1 else 'ies'} fixed"
            + (" (remove them):" if review.fixed else ".")
            if en
            else f"Baseline {review.baseline_file}: {hidden} kegagalan yang sudah "
            f"diketahui disembunyikan, {len(review.fixed)} entri sudah diperbaiki"
            + (" (hapus):" if review.fixed else ".")
        )
        said += [
            escape_controls(f"  {e.rule} {e.path} {e.pointer or '/'} ({e.fingerprint})")
            for e in review.fixed
        ]
    return said
