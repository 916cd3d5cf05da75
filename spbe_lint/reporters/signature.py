"""What a report says about its own signature, in words (HTML, Markdown, text).

A signature is shown as holding only when this run made it (``check --sign``)
or checked it with the key given (``report --key``). A saved report rendered
without a key says plainly that its signature was not verified; one whose
content changed after signing, or that another key signed, is marked so, and
its verdict is not shown as a signed "siap serah terima": the reader is told
that the report cannot be trusted instead.
"""

from __future__ import annotations

from spbe_lint.findings import Report
from spbe_lint.i18n import LocalText

UNTRUSTED = frozenset({"invalid", "other-key"})

_LINES = {
    "made": LocalText(
        "Ditandatangani (Ed25519), sidik kunci {key_id}; periksa dengan spbe-lint "
        "verify",
        "Signed (Ed25519), key fingerprint {key_id}; check with spbe-lint verify",
    ),
    "verified": LocalText(
        "Tanda tangan Ed25519 diverifikasi dengan kunci {key_id} yang diberikan "
        "(spbe-lint report --key)",
        "Ed25519 signature verified with the key given, {key_id} (spbe-lint report "
        "--key)",
    ),
    "unverified": LocalText(
        "Memuat tanda tangan Ed25519 (kunci {key_id}) yang TIDAK diverifikasi; "
        "periksa dengan spbe-lint verify LAPORAN.json --key KUNCI.pub",
        "Carries an Ed25519 signature (key {key_id}) that was NOT verified; check it "
        "with spbe-lint verify REPORT.json --key KEY.pub",
    ),
    "invalid": LocalText(
        "TANDA TANGAN TIDAK SAH: laporan ini diubah setelah ditandatangani (kunci "
        "{key_id}); isinya tidak dapat dipercaya",
        "SIGNATURE NOT VALID: this report was changed after it was signed (key "
        "{key_id}); its content cannot be trusted",
    ),
    "other-key": LocalText(
        "TIDAK TERVERIFIKASI: ditandatangani dengan kunci {key_id}, bukan kunci yang "
        "diberikan ({checked_with}); isinya tidak dapat dipercaya",
        "NOT VERIFIED: signed with key {key_id}, not the key given ({checked_with}); "
        "its content cannot be trusted",
    ),
}
_UNSIGNED = LocalText("Tidak ditandatangani", "Not signed")
_VERDICT = LocalText(
    "tidak dapat dipercaya (tanda tangan tidak sah)",
    "cannot be trusted (signature not valid)",
)


def line(report: Report, lang: str) -> str:
    """The signature sentence of a report's footer."""
    signature = report.signature
    if signature is None:
        return _UNSIGNED.get(lang)
    text = _LINES.get(signature.state, _LINES["unverified"]).get(lang)
    return text.format(key_id=signature.key_id, checked_with=signature.checked_with)


def untrusted(report: Report) -> bool:
    """The signature was checked and does not hold: nothing in the report is
    shown as what was signed."""
    return report.signature is not None and report.signature.state in UNTRUSTED


def warning(report: Report, lang: str) -> str | None:
    """A sentence for the top of a report whose signature is not known to
    hold (checked and failed, or not checked), else None."""
    signature = report.signature
    if signature is None or signature.state in ("made", "verified"):
        return None
    return line(report, lang)


def verdict(report: Report, text: LocalText, lang: str) -> str:
    """The verdict to show: the report's own, unless its signature was checked
    and does not hold."""
    return _VERDICT.get(lang) if untrusted(report) else text.get(lang)
