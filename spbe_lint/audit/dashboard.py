"""The city-wide HTML dashboard: one self-contained, autoescaped file.

No external assets and no JavaScript (it is opened from a file share or
attached to a letter); print CSS lays it out on A4 landscape. Everything
shown comes from ``summary.Summary`` (and, with ``--previous``, from
``trend.Trend``); this module only chooses words. An OPD x domain heat map is
a table whose cells are coloured by score (``reporters.chart.heat``).
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

from spbe_lint.audit.summary import CERTIFICATE_DAYS, WAIVER_DAYS, Summary
from spbe_lint.i18n import format_number
from spbe_lint.reporters import chart
from spbe_lint.reporters.html import breakable
from spbe_lint.reporters.words import domain_name

if TYPE_CHECKING:
    from collections.abc import Mapping

    import jinja2

    from spbe_lint.audit.trend import Trend

WORDS: dict[str, dict[str, str]] = {
    "id": {
        "heading": "Audit aplikasi SPBE se-kota",
        "as_of": "Dinilai per",
        "pack": "Paket aturan",
        "applications": "Aplikasi",
        "ready": "Siap serah terima",
        "not_ready": "Belum siap",
        "broken": "Tidak dapat dibaca",
        "mean_score": "Skor rata-rata",
        "by_opd": "Per perangkat daerah (OPD)",
        "opd": "OPD",
        "by_domain": "Per domain",
        "domain": "Domain",
        "failing_apps": "Aplikasi gagal",
        "top_failures": "Kegagalan paling umum",
        "rule": "Aturan",
        "severity": "Tingkat",
        "basis": "Dasar hukum",
        "share": "Bagian",
        "certificates": f"Sertifikat TLS yang berakhir dalam {CERTIFICATE_DAYS} hari",
        "waivers": f"Pengecualian (waiver) yang berakhir dalam {WAIVER_DAYS} hari",
        "host": "Host",
        "waiver": "Pengecualian",
        "until": "Berlaku sampai",
        "days_left": "Sisa hari",
        "expired": "sudah berakhir",
        "none": "Tidak ada.",
        "no_probe": "Probe tidak dijalankan (spbe-lint audit --probe): sertifikat "
        "tidak diperiksa.",
        "broken_list": "Pengajuan yang tidak dapat dibaca",
        "problem": "Masalah",
        "listing": "Daftar aplikasi",
        "app": "Aplikasi",
        "verdict": "Putusan",
        "score": "Skor",
        "errors": "Gagal (error)",
        "warnings": "Gagal (warning)",
        "verdict_ready": "siap",
        "verdict_not_ready": "belum siap",
        "verdict_broken": "tidak terbaca",
        "verdict_error": "galat internal",
        "generated": "Dibuat oleh spbe-lint",
        "runs": "catatan dari {runs} run",
        "heat": "Peta skor: OPD × domain",
        "heat_note": "Skor rata-rata aplikasi yang diperiksa; merah rendah, hijau "
        "tinggi, abu-abu: tidak ada aturan yang berlaku.",
        "city": "Seluruh kota",
        "trend": "Dibanding audit sebelumnya",
        "trend_from": "Audit sebelumnya: {source}{as_of}",
        "judged": ", dinilai per {day}",
        "improved": "Membaik",
        "regressed": "Memburuk",
        "new": "Baru",
        "gone": "Tidak ada lagi",
        "unchanged": "Tetap",
        "city_score": "Skor rata-rata kota",
        "before": "Sebelumnya",
        "after": "Sekarang",
        "change": "Perubahan",
        "opd_change": "Perubahan skor per OPD",
        "app_change": "Aplikasi yang berubah",
        "no_change": "Tidak ada aplikasi yang berubah.",
        "report": "laporan",
        "practice": "Rujukan praktik",
        "no_binding": "tidak ada pasal peraturan yang mengikat",
    },
    "en": {
        "heading": "City-wide SPBE application audit",
        "as_of": "Judged as of",
        "pack": "Rule pack",
        "applications": "Applications",
        "ready": "Ready for handover",
        "not_ready": "Not ready",
        "broken": "Could not be read",
        "mean_score": "Mean score",
        "by_opd": "By agency (OPD)",
        "opd": "OPD",
        "by_domain": "By domain",
        "domain": "Domain",
        "failing_apps": "Applications failing",
        "top_failures": "Most common failures",
        "rule": "Rule",
        "severity": "Severity",
        "basis": "Legal basis",
        "share": "Share",
        "certificates": f"TLS certificates expiring within {CERTIFICATE_DAYS} days",
        "waivers": f"Waivers expiring within {WAIVER_DAYS} days",
        "host": "Host",
        "waiver": "Waiver",
        "until": "Valid until",
        "days_left": "Days left",
        "expired": "expired",
        "none": "None.",
        "no_probe": "The probe did not run (spbe-lint audit --probe): certificates "
        "were not checked.",
        "broken_list": "Submissions that could not be read",
        "problem": "Problem",
        "listing": "Applications",
        "app": "Application",
        "verdict": "Verdict",
        "score": "Score",
        "errors": "Failed (error)",
        "warnings": "Failed (warning)",
        "verdict_ready": "ready",
        "verdict_not_ready": "not ready",
        "verdict_broken": "unreadable",
        "verdict_error": "internal error",
        "generated": "Generated by spbe-lint",
        "runs": "records from {runs} run(s)",
        "heat": "Score map: OPD × domain",
        "heat_note": "Mean score of the applications checked; red low, green high, "
        "grey: no rule applied.",
        "city": "Whole city",
        "trend": "Compared with the earlier audit",
        "trend_from": "Earlier audit: {source}{as_of}",
        "judged": ", judged as of {day}",
        "improved": "Improved",
        "regressed": "Regressed",
        "new": "New",
        "gone": "Gone",
        "unchanged": "Unchanged",
        "city_score": "City mean score",
        "before": "Before",
        "after": "Now",
        "change": "Change",
        "opd_change": "Score change by OPD",
        "app_change": "Applications that changed",
        "no_change": "No application changed.",
        "report": "report",
        "practice": "Practice elsewhere",
        "no_binding": "no binding article",
    },
}


@functools.cache
def _template() -> jinja2.Template:
    import jinja2

    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("spbe_lint.audit", "templates"),
        autoescape=True,  # inventories and manifests are untrusted text
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    return environment.get_template("audit.html.j2")


def render(
    summary: Summary,
    lang: str,
    *,
    trend: Trend | None = None,
    links: Mapping[str, str] | None = None,
) -> str:
    """The dashboard; *trend* against an earlier audit (``audit --previous``),
    *links* from application id to its own report (relative to the dashboard)."""
    return _template().render(**context(summary, lang, trend=trend, links=links))


def context(
    summary: Summary,
    lang: str,
    *,
    trend: Trend | None = None,
    links: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    domains = [d for d, _, _ in summary.domains]
    return {
        "lang": lang,
        "w": WORDS[lang],
        "s": summary,
        "domains": domains,
        "domain_names": {d: domain_name(d, lang) for d in domains},
        "percent": lambda value: _percent(value, lang),
        "delta": lambda value: _delta(value, lang),
        "heat": chart.heat,
        "broken": [r for r in summary.rows if r.problem],
        "trend": trend,
        "opd_changes": {c.name: c for c in trend.opds} if trend else {},
        "links": dict(links or {}),
        "breakable": breakable,
    }


def _percent(value: float | None, lang: str) -> str:
    """A score as its reader writes it: "85,7%" in Bahasa Indonesia."""
    return "—" if value is None else f"{format_number(value, lang)}%"


def _delta(value: float | None, lang: str) -> str:
    """A change in points, with its direction: ▲ +3.2, ▼ −1, = 0."""
    if value is None:
        return "—"
    if value > 0:
        return f"▲ +{format_number(value, lang)}"
    if value < 0:
        return f"▼ −{format_number(-value, lang)}"
    return "= 0"
