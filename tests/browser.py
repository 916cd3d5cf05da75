"""Headless Chromium driven over the DevTools protocol on a pipe.

``--remote-debugging-pipe`` makes Chromium read commands from file descriptor
3 and write answers to 4, each a JSON message ended by a NUL byte: no port is
opened (pytest-socket stays satisfied) and no client library is needed. One
browser serves many pages; each page is measured as laid out on screen at a
given width, measured again as laid out for print (emulated print media at
the width of the printed page's text area), photographed, and printed to PDF.

Used by tests/test_pages.py and bench/report_pages.py.
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
import select
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# Kept off the network: nothing but file:// is loaded, every host name
# resolves to nothing, and the background services are switched off.
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-default-apps",
    "--disable-sync",
    "--disable-extensions",
    "--disable-breakpad",
    "--disable-domain-reliability",
    "--disable-client-side-phishing-detection",
    "--metrics-recording-only",
    "--mute-audio",
    "--hide-scrollbars",
    "--host-resolver-rules=MAP * ~NOTFOUND",
    "--remote-debugging-pipe",
)

MM = 96 / 25.4  # CSS pixels per millimetre


@dataclass(frozen=True)
class Paper:
    """A printed page: its size, and the text area between the @page margins."""

    name: str
    width_mm: float
    height_mm: float
    margin_left_mm: float
    margin_right_mm: float

    @property
    def text_width_px(self) -> int:
        """The width print layout has, in CSS pixels (rounded down)."""
        return int((self.width_mm - self.margin_left_mm - self.margin_right_mm) * MM)


# The @page rules of the two templates (report.html.j2, audit.html.j2).
A4_PORTRAIT = Paper("A4", 210, 297, 14, 14)
A4_LANDSCAPE = Paper("A4 landscape", 297, 210, 12, 12)

# What a page reports about its own layout: the document's scroll and client
# width, and every table (and SVG) whose right edge passes the viewport or whose
# content is wider than its box.
MEASURE = """(() => {
  const root = document.documentElement;
  const width = root.clientWidth;
  const wide = [];
  for (const el of document.querySelectorAll('table, svg, pre, h1, h2, h3, p, li')) {
    const box = el.getBoundingClientRect();
    if (box.width === 0) continue;
    const over = box.right > width + 0.5 || box.left < -0.5
      || (el.tagName === 'TABLE' && el.scrollWidth > el.clientWidth + 1);
    if (over) wide.push({tag: el.tagName, cls: el.className.baseVal ?? el.className,
      left: box.left, right: box.right, text: el.textContent.trim().slice(0, 60)});
  }
  return {scrollWidth: root.scrollWidth, clientWidth: width,
          height: root.scrollHeight, tables: document.querySelectorAll('table').length,
          wide: wide};
})()"""


class BrowserError(RuntimeError):
    pass


class Browser:
    """One headless Chromium; ``page()`` opens a tab per document."""

    def __init__(self, executable: str, *, timeout: float = 30.0) -> None:
        self.timeout = timeout
        self._profile = tempfile.mkdtemp(prefix="spbe-chromium-")
        to_chrome_r, to_chrome_w = os.pipe()
        from_chrome_r, from_chrome_w = os.pipe()

        def as_fds_3_and_4() -> None:
            # Chromium expects its ends as fds 3 and 4 exactly. Moved out of the
            # way first, in case a pipe end is itself 3 or 4; dup2 leaves the
            # copies inheritable, every other descriptor of ours is close-on-exec.
            high = [
                fcntl.fcntl(fd, fcntl.F_DUPFD, 10)
                for fd in (to_chrome_r, from_chrome_w)
            ]
            os.dup2(high[0], 3)
            os.dup2(high[1], 4)

        self._process = subprocess.Popen(
            [executable, *FLAGS, f"--user-data-dir={self._profile}", "about:blank"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env={"HOME": self._profile, "PATH": "/usr/bin:/bin"},
            close_fds=False,  # our own descriptors are close-on-exec anyway
            # Only dup2 in the child: no lock is taken between fork and exec.
            preexec_fn=as_fds_3_and_4,  # noqa: PLW1509
        )
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self._out, self._in = to_chrome_w, from_chrome_r
        self._buffer = b""
        self._next = 0
        self._events: list[dict[str, Any]] = []

    def close(self) -> None:
        with suppress(BrowserError, OSError):
            self.call("Browser.close")
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        for fd in (self._out, self._in):
            with suppress(OSError):
                os.close(fd)
        shutil.rmtree(self._profile, ignore_errors=True)

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- the protocol ---

    def call(self, method: str, session: str | None = None, **params: Any) -> Any:
        self._next += 1
        message: dict[str, Any] = {"id": self._next, "method": method}
        if params:
            message["params"] = params
        if session:
            message["sessionId"] = session
        os.write(self._out, json.dumps(message).encode() + b"\0")
        while True:
            answer = self._receive()
            if answer.get("id") == self._next:
                if "error" in answer:
                    raise BrowserError(f"{method}: {answer['error']}")
                return answer.get("result", {})
            self._events.append(answer)

    def wait_for(self, method: str, session: str) -> dict[str, Any]:
        for index, event in enumerate(self._events):
            if event.get("method") == method and event.get("sessionId") == session:
                return self._events.pop(index)
        while True:
            event = self._receive()
            if event.get("method") == method and event.get("sessionId") == session:
                return event
            self._events.append(event)

    def _receive(self) -> dict[str, Any]:
        deadline = time.monotonic() + self.timeout
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            ready, _, _ = select.select([self._in], [], [], max(left, 0))
            if not ready:
                raise BrowserError(f"no answer from Chromium in {self.timeout:g} s")
            chunk = os.read(self._in, 1 << 20)
            if not chunk:
                raise BrowserError("Chromium closed the pipe (did it start?)")
            self._buffer += chunk
        message, _, self._buffer = self._buffer.partition(b"\0")
        return json.loads(message)

    # --- pages ---

    @contextmanager
    def page(self, path: Path) -> Iterator[Page]:
        target = self.call("Target.createTarget", url="about:blank")["targetId"]
        session = self.call("Target.attachToTarget", targetId=target, flatten=True)[
            "sessionId"
        ]
        try:
            page = Page(self, session, path.resolve().as_uri())
            self.call("Page.enable", session)
            yield page
        finally:
            self.call("Target.closeTarget", targetId=target)


class Page:
    def __init__(self, browser: Browser, session: str, url: str) -> None:
        self.browser, self.session, self.url = browser, session, url

    def _call(self, method: str, **params: Any) -> Any:
        return self.browser.call(method, self.session, **params)

    def load(self, width: int, *, print_media: bool = False) -> dict[str, Any]:
        """Lay the page out at *width* CSS pixels (for screen or print) and
        measure it (``MEASURE``)."""
        self._call(
            "Emulation.setDeviceMetricsOverride",
            width=width,
            height=900,
            deviceScaleFactor=1,
            mobile=False,
        )
        self._call("Emulation.setEmulatedMedia", media="print" if print_media else "")
        self._call("Page.navigate", url=self.url)
        self.browser.wait_for("Page.loadEventFired", self.session)
        result = self._call("Runtime.evaluate", expression=MEASURE, returnByValue=True)
        if "exceptionDetails" in result:
            raise BrowserError(str(result["exceptionDetails"]))
        return result["result"]["value"]

    def screenshot(self, target: Path, *, top: int = 0, height: int = 0) -> None:
        """The page as laid out last, as PNG: whole, or *height* pixels from *top*."""
        clip = {}
        if height:
            size = self._call("Page.getLayoutMetrics")["cssContentSize"]
            box = {"x": 0, "y": top, "width": size["width"], "height": height}
            clip = {"clip": {**box, "scale": 1}}
        data = self._call(
            "Page.captureScreenshot", format="png", captureBeyondViewport=True, **clip
        )["data"]
        target.write_bytes(base64.b64decode(data))

    def pdf(self, target: Path) -> None:
        """Printed as Chromium prints it: the page's own @page size and margins."""
        data = self._call(
            "Page.printToPDF",
            preferCSSPageSize=True,
            printBackground=True,
            displayHeaderFooter=False,
        )["data"]
        target.write_bytes(base64.b64decode(data))
