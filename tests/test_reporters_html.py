"""The HTML handover report: content, escaping, self-containment, and how it
prints in a real browser (headless Chromium to PDF and PNG, poppler to text)."""

from __future__ import annotations

import re
import struct
import subprocess
import zlib
from dataclasses import replace
from pathlib import Path

import pytest

from spbe_lint.findings import Reference, Status
from spbe_lint.reporters import REPORTERS, RenderOptions
from tests import browser
from tests.reports import checked, copy_examples, with_extras
from tests.standards import assert_golden, program

PLAIN = RenderOptions()
APP_TITLE = "Sistem Informasi Pelayanan Perizinan Terpadu"


@pytest.fixture
def examples(workdir: Path) -> list[str]:
    return copy_examples(workdir)


def test_html_of_the_broken_examples_is_stable(run, examples):
    result = run("check", *examples, "--format", "html")
    assert result.status == 1
    assert_golden("broken.html", result.stdout)


def test_html_is_self_contained(run, examples):
    html = run("check", *examples, "--format", "html").stdout
    assert html.startswith("<!DOCTYPE html>")
    for asset in ("<script", "<link", "<img", "<iframe", "url(", "@import", " src="):
        assert asset not in html, asset
    assert "@media print" in html and "size: A4" in html
    # Links are only the citations' sources, never something the page loads.
    assert set(re.findall(r'href="([a-z]+):', html)) <= {"https"}


def test_html_shows_identity_verdict_scores_and_findings(run, examples):
    html = run("check", *examples, "--format", "html").stdout
    assert f"<strong>{APP_TITLE}</strong>" in html
    assert '<span class="verdict not_ready">belum siap</span>' in html
    assert "APP-1571-2024-017" in html and "PT Contoh Solusi Digital" in html
    blocking = re.search(r"(\d+) kegagalan tingkat error menghambat serah terima", html)
    assert blocking and int(blocking.group(1)) >= 3
    for rule in ("HOST-004", "SSO-001", "DATA-005"):
        assert f'<span class="id">{rule}</span>' in html
    assert "<h3>Penempatan (hosting)</h3>" in html
    assert "Permenkominfo 4/2024 Pasal 29 ayat (3)–(4)" in html
    assert "Ajukan subdomain kepada Diskominfo" in html  # how to fix
    assert "Indikator evaluasi SPBE (PermenPANRB 59/2020)" in html
    assert "Skor domain = 100 × Σ bobot aturan lulus" in html  # the formula
    assert "spbe-kota-jambi 0.2.0" in html and "Tidak ditandatangani" in html
    assert html.count("sha256 ") >= 3  # one per input


def test_html_says_ready_for_a_compliant_manifest(run, compliant):
    html = run("check", "--format", "html", "--lang", "en").stdout
    assert '<span class="verdict ready">ready for handover</span>' in html
    assert "No failing findings." in html
    assert '<html lang="en">' in html


def test_html_escapes_everything_from_input(workdir: Path, examples):
    report = with_extras(checked(workdir, *examples))
    html = REPORTERS["html"](report, PLAIN)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "Subdomain requested &lt;pending&gt; &amp; approved" in html


def test_html_lists_waivers_review_items_and_evidence(workdir: Path, examples):
    html = REPORTERS["html"](with_extras(checked(workdir, *examples)), PLAIN)
    waivers = html.split("<h2>Pengecualian (waiver)</h2>")[1].split("</section>")[0]
    assert "W-2026-001" in waivers and "2026-12-31" in waivers
    assert "Kepala Diskominfo" in waivers
    assert (
        "Perlu ditinjau petugas (1 temuan)" in html and "perlu diperiksa manual" in html
    )
    appendix = html.split('<section class="appendix">')[1]
    # A URL may wrap after each "/" (<wbr>), never inside a host name.
    shown = (
        "GET https:/<wbr>/<wbr>sipelita.jambikota.go.id/<wbr> (alamat IP 10.71.0.15)"
    )
    assert shown in appendix
    assert "tls_version" in appendix and "tidak ada tanggapan" in appendix


def test_html_links_only_web_citations(workdir: Path, examples):
    report = checked(workdir, *examples)
    evil = Reference(
        "Evil", "Evil 1/2026", "Pasal 1", "low", "javascript:alert(1)", kind="binding"
    )
    findings = tuple(
        replace(f, references=(evil,)) if f.status is Status.FAIL else f
        for f in report.findings
    )
    html = REPORTERS["html"](replace(report, findings=findings), PLAIN)
    assert "javascript:" not in html
    assert "Evil 1/2026 Pasal 1" in html


def test_html_basis_is_the_law_and_practice_stands_apart(run, workdir: Path):
    """Dasar hukum lists binding instruments with their article only; another
    region's practice is on its own line; research notes never show."""
    copy_examples(workdir, ("hosting",))
    html = run("check", "hosting", "--format", "html").stdout
    row = html.split('<span class="id">SSO-003</span><br>')[1].split("</tr>")[0]
    basis = row.split("<strong>Dasar hukum:</strong>")[1].split("</div>")[0]
    assert "Peraturan BSSN 4/2021, standar teknis keamanan aplikasi" in basis
    assert "Kudus" not in basis
    practice = row.split("<strong>Rujukan praktik:</strong>")[1].split("</div>")[0]
    assert "Panduan SSO Kudus" in practice
    for note in ("belum dibaca", "tidak dibaca", "sumber sekunder", "analogi"):
        assert note not in html, note


# --- in a real browser ---

# The page tests' flags (tests/browser.py: kept off the network), without the
# DevTools pipe: these runs print and screenshot from the command line.
CHROMIUM_FLAGS = tuple(f for f in browser.FLAGS if f != "--remote-debugging-pipe")


def _chromium(tmp: Path, *args: str) -> None:
    chromium = program("chromium")
    result = subprocess.run(
        [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={tmp / 'profile'}", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={"HOME": str(tmp), "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stderr[-2000:]


def test_the_html_report_prints_in_chromium(run, examples, tmp_path: Path):
    html = run("check", *examples, "--format", "html").stdout
    page = tmp_path / "report.html"
    page.write_text(html, "utf-8")
    pdf, png = tmp_path / "report.pdf", tmp_path / "report.png"
    _chromium(
        tmp_path, "--no-pdf-header-footer", f"--print-to-pdf={pdf}", page.as_uri()
    )
    _chromium(
        tmp_path,
        "--hide-scrollbars",
        "--window-size=1024,1400",
        f"--screenshot={png}",
        page.as_uri(),
    )
    info = subprocess.run(
        [program("pdfinfo"), str(pdf)], capture_output=True, text=True, check=True
    ).stdout
    pages = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))  # type: ignore[union-attr]
    assert 2 <= pages <= 8, pages
    assert "A4" in info or "595.2" in info  # page size in points
    text = subprocess.run(
        [program("pdftotext"), "-layout", str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    flat = " ".join(text.split())
    assert APP_TITLE in flat
    for rule in ("HOST-004", "SSO-001", "DATA-005"):
        assert rule in flat, rule
    assert "belum siap" in flat
    assert "Halaman 1 / " in flat  # the print CSS numbers the pages
    assert _distinct_colours(png.read_bytes()) > 8, "the screenshot is blank"


def _distinct_colours(data: bytes) -> int:
    """Colours in an 8-bit RGB(A) PNG, decoded here (no imaging library needed)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    chunks: dict[bytes, bytes] = {}
    offset = 8
    while offset < len(data):
        (length,) = struct.unpack(">I", data[offset : offset + 4])
        kind = data[offset + 4 : offset + 8]
        chunks[kind] = chunks.get(kind, b"") + data[offset + 8 : offset + 8 + length]
        offset += 12 + length
    width, height, depth, colour, _, _, interlace = struct.unpack(
        ">IIBBBBB", chunks[b"IHDR"]
    )
    assert depth == 8 and colour in (2, 6) and interlace == 0
    size = 3 if colour == 2 else 4
    raw = zlib.decompress(chunks[b"IDAT"])
    stride = width * size
    previous = bytearray(stride)
    colours: set[bytes] = set()
    for row in range(height):
        start = row * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1 : start + 1 + stride])
        for i in range(stride):
            left = line[i - size] if i >= size else 0
            up = previous[i]
            corner = previous[i - size] if i >= size else 0
            if kind == 1:
                line[i] = (line[i] + left) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + up) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 0xFF
            elif kind == 4:
                estimate = left + up - corner
                pa, pb, pc = (
                    abs(estimate - left),
                    abs(estimate - up),
                    abs(estimate - corner),
                )
                best = left if pa <= pb and pa <= pc else up if pb <= pc else corner
                line[i] = (line[i] + best) & 0xFF
        if row % 7 == 0:  # a sample of rows is plenty to tell text from blank
            colours.update(bytes(line[i : i + 3]) for i in range(0, stride, size))
        previous = line
    return len(colours)
