"""The pages people print fit, on screen and on A4: each is made through the
real command (tests/pages.py), opened in headless Chromium over the DevTools
protocol (tests/browser.py), laid out at 1280 px and at the width of the
printed page's text area (print media), and printed to PDF.

Nothing may overflow horizontally: the document's scroll width stays within
its width, and no table (or chart, heading, paragraph) reaches past the page
or holds content wider than itself. Without chromium or poppler these tests
skip; with SPBE_REQUIRE_STANDARDS=1 (CI) they fail instead.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser import A4_PORTRAIT, Browser
from tests.pages import Made, make
from tests.standards import program

SCREEN = 1280


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with Browser(program("chromium")) as opened:
        yield opened


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Made]:
    program("chromium")  # made only when they can be looked at
    return {page.name: page for page in make(tmp_path_factory.mktemp("pages"))}


NAMES = (
    "laporan-patuh",
    "laporan-pengajuan-pertama",
    "report-first-submission-en",
    "laporan-beberapa-aplikasi",
    "dasbor",
)

# What each printed page must say (pdftotext of Chromium's PDF).
SAYS = {
    "laporan-patuh": ("siap serah terima", "Skor per domain", "Halaman 1 / "),
    "laporan-pengajuan-pertama": ("belum siap", "70 temuan dari 53 aturan"),
    "report-first-submission-en": ("not ready", "70 findings from 53 rules"),
    "laporan-beberapa-aplikasi": (
        "Aplikasi dalam laporan ini",
        "tercantum di 3 manifest",
    ),
    "dasbor": ("Dibanding audit sebelumnya", "Peta skor", "Membaik"),
}


def _fits(seen: dict) -> None:
    assert seen["tables"] > 0
    assert seen["scrollWidth"] <= seen["clientWidth"], seen
    assert seen["wide"] == [], seen["wide"]


@pytest.mark.parametrize("name", NAMES)
def test_the_page_fits_the_screen_and_a4(
    name: str, pages: dict[str, Made], browser: Browser, tmp_path: Path
) -> None:
    page = pages[name]
    pdf = tmp_path / f"{name}.pdf"
    with browser.page(page.path) as tab:
        _fits(tab.load(SCREEN))
        _fits(tab.load(page.paper.text_width_px, print_media=True))
        tab.pdf(pdf)
    info = subprocess.run(
        [program("pdfinfo"), str(pdf)], capture_output=True, text=True, check=True
    ).stdout
    size = re.search(r"^Page size:\s+([\d.]+) x ([\d.]+) pts", info, re.M)
    assert size, info
    width, height = float(size.group(1)), float(size.group(2))
    expected = (595, 842) if page.paper is A4_PORTRAIT else (842, 595)
    assert (round(width), round(height)) == expected, info
    text = subprocess.run(
        [program("pdftotext"), str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    flat = " ".join(text.split())
    for words in SAYS[name]:
        assert words in flat, words


def test_the_measure_sees_an_overflowing_table(browser: Browser, tmp_path: Path):
    """The check above is not vacuous: a table wider than the page is caught,
    on screen and in print."""
    wide = tmp_path / "wide.html"
    wide.write_text(
        "<!DOCTYPE html><table><tr><td style='white-space:nowrap'>"
        + "kirim/pengajuan-pertama/" * 80
        + "</td></tr></table>",
        "utf-8",
    )
    with browser.page(wide) as tab:
        for seen in (
            tab.load(SCREEN),
            tab.load(A4_PORTRAIT.text_width_px, print_media=True),
        ):
            assert seen["scrollWidth"] > seen["clientWidth"]
            assert [w["tag"] for w in seen["wide"]] == ["TABLE"]


def test_the_dashboard_links_each_application_to_its_report(pages: dict[str, Made]):
    dashboard = pages["dasbor"].path
    html = dashboard.read_text("utf-8")
    links = re.findall(r'<a class="id" href="([^"]+)"', html)
    assert len(links) == 7
    for link in links:
        assert link.startswith("laporan/") and link.endswith(".html")
        assert (dashboard.parent / link).is_file()
