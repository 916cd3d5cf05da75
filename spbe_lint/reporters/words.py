"""Labels the machine and human reporters share, in both languages."""

from __future__ import annotations

WORDS: dict[str, dict[str, str]] = {
    "id": {
        "fix": "Perbaikan",
        "basis": "Dasar hukum",
        "no_basis": "format manifest spbe-lint (bukan kewajiban regulasi)",
        "where": "Lokasi",
        "waived": "dikecualikan",
        "waiver": "Pengecualian",
        "expires": "berlaku sampai",
        "approved_by": "disetujui oleh",
        "not_applicable": "tidak berlaku",
        "inconclusive": "tidak dapat dinilai",
        "manual": "perlu diperiksa manual",
        "pass": "lulus",
        "fail": "gagal",
        "unreadable": "berkas tidak dapat diperiksa",
        "error": "kesalahan",
        "warning": "peringatan",
        "info": "info",
    },
    "en": {
        "fix": "How to fix",
        "basis": "Legal basis",
        "no_basis": "spbe-lint manifest format (not a regulatory obligation)",
        "where": "Location",
        "waived": "waived",
        "waiver": "Waiver",
        "expires": "valid until",
        "approved_by": "approved by",
        "not_applicable": "not applicable",
        "inconclusive": "inconclusive",
        "manual": "needs a manual check",
        "pass": "passed",
        "fail": "failed",
        "unreadable": "file could not be checked",
        "error": "error",
        "warning": "warning",
        "info": "info",
    },
}


def status_word(status: str, lang: str) -> str:
    """A status in words; a status added later shows as its value."""
    return WORDS[lang].get(status, status)
