"""Screenshots and A4 PDFs of the pages spbe-lint writes for people, to look at.

Makes the handover report (compliant; a typical first submission; the same in
English; a folder of several applications) and the audit dashboard compared
with an earlier audit (``audit --previous``), through the real command, then
opens each in headless Chromium (DevTools protocol over a pipe, no port):
a PNG of the page at 1280 px wide, and the PDF Chromium prints (A4 portrait
for reports, landscape for the dashboard). It prints what it measured: the
document's scroll width against its width, on screen and as laid out for
print, and any table wider than the page.

    python bench/report_pages.py OUT_DIR [--chromium /usr/bin/chromium]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SCREEN = 1280


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="folder for the PNG, PDF and HTML files")
    parser.add_argument(
        "--chromium", default=shutil.which("chromium") or "/usr/bin/chromium"
    )
    args = parser.parse_args()

    from tests.browser import Browser
    from tests.pages import make

    args.out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    overflowing = 0
    with tempfile.TemporaryDirectory(prefix="spbe-pages-") as work:
        pages = make(Path(work))
        made = time.perf_counter()
        print(f"pages made through spbe-lint in {made - started:.1f} s")
        with Browser(args.chromium) as browser:
            for page in pages:
                shutil.copy(page.path, args.out / page.path.name)
                with browser.page(page.path) as tab:
                    screen = tab.load(SCREEN)
                    tab.screenshot(args.out / f"{page.name}.png")
                    printed = tab.load(page.paper.text_width_px, print_media=True)
                    tab.pdf(args.out / f"{page.name}.pdf")
                for label, seen in (("screen", screen), (page.paper.name, printed)):
                    wide = seen["wide"]
                    overflowing += (
                        bool(wide) or seen["scrollWidth"] > seen["clientWidth"]
                    )
                    print(
                        f"{page.name:32} {label:13} scroll {seen['scrollWidth']:5} / "
                        f"width {seen['clientWidth']:5}, {seen['tables']:3} tables, "
                        f"height {seen['height']:6} px"
                        + (f", TOO WIDE: {wide}" if wide else "")
                    )
    print(f"written to {args.out} in {time.perf_counter() - started:.1f} s")
    return 1 if overflowing else 0


if __name__ == "__main__":
    sys.exit(main())
