"""The pages people print, made through the real command: the handover report
(compliant, a typical first submission, the same in English, a folder of
several applications) and the audit dashboard compared with an earlier audit.

Used by tests/test_pages.py (layout in Chromium) and bench/report_pages.py
(screenshots and A4 PDFs to look at).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from tests.browser import A4_LANDSCAPE, A4_PORTRAIT, Paper
from tests.conftest import EXAMPLES, submission
from tests.reports import copy_examples

AS_OF = "2026-11-28"  # the day the examples were written: their dates hold


@dataclass(frozen=True)
class Made:
    name: str
    path: Path
    paper: Paper


# An earlier audit and this one, of the same city (a CSV inventory: id, opd,
# manifest). B is fixed, C changed what fails, D left, E arrived; OPD names as
# long as real ones, to stress the tables.
SEBELUM = (
    (
        "APP-1571-2024-017",
        "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu",
        "kirim/patuh",
    ),
    ("APP-1571-2025-031", "Dinas Kesehatan", "kirim/pertama"),
    ("APP-1571-2023-004", "Dinas Komunikasi dan Informatika", "kirim/hosting"),
    ("APP-1571-2022-011", "Dinas Pendidikan", "kirim/sso"),
    (
        "APP-1571-2024-020",
        "Badan Pengelolaan Keuangan dan Aset Daerah",
        "kirim/security",
    ),
)
SEKARANG = (
    (
        "APP-1571-2024-017",
        "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu",
        "kirim/patuh",
    ),
    ("APP-1571-2025-031", "Dinas Kesehatan", "kirim/patuh-2"),
    ("APP-1571-2023-004", "Dinas Komunikasi dan Informatika", "kirim/governance"),
    ("APP-1571-2026-002", "Dinas Pendidikan", "kirim/data"),
    (
        "APP-1571-2024-020",
        "Badan Pengelolaan Keuangan dan Aset Daerah",
        "kirim/security",
    ),
    ("APP-1571-2026-009", "Dinas Perhubungan", "kirim/interop"),
    ("APP-1571-2026-015", "Dinas Sosial", "kirim/pertama"),
)


def spbe_lint(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The installed command, as a user runs it, in *root*."""
    env = {**os.environ, "NO_COLOR": "1"}
    env.pop("SPBE_LINT_LANG", None)
    return subprocess.run(
        [sys.executable, "-m", "spbe_lint", *args],
        cwd=root,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )


def _ran(result: subprocess.CompletedProcess[str], *allowed: int) -> None:
    assert result.returncode in allowed, (result.returncode, result.stderr[-2000:])


def make(root: Path) -> list[Made]:
    """Write the pages under *root* (an empty folder) and say where."""
    (root / ".git").mkdir(parents=True, exist_ok=True)  # its own repository root
    kirim = root / "kirim"
    submission(kirim / "patuh")
    submission(kirim / "patuh-2")
    first = kirim / "pertama"
    first.mkdir(parents=True)
    shutil.copy(
        EXAMPLES / "typical-first-submission" / "spbe.yaml", first / "spbe.yaml"
    )
    copy_examples(
        kirim, ("hosting", "sso", "data", "security", "governance", "interop")
    )
    made = []

    def check(name: str, *args: str, allowed: tuple[int, ...] = (1,)) -> None:
        out = root / f"{name}.html"
        result = spbe_lint(
            root, "check", "--as-of", AS_OF, *args, "-f", "html", "-o", out.name
        )
        _ran(result, *allowed)
        made.append(Made(name, out, A4_PORTRAIT))

    check("laporan-patuh", "kirim/patuh", allowed=(0,))
    check("laporan-pengajuan-pertama", "kirim/pertama")
    check("report-first-submission-en", "kirim/pertama", "--lang", "en")
    check(
        "laporan-beberapa-aplikasi",
        "kirim/patuh",
        "kirim/pertama",
        "kirim/hosting",
        "kirim/sso",
    )

    for name, rows in (("sebelum", SEBELUM), ("sekarang", SEKARANG)):
        lines = ["id,opd,manifest,url"] + [f"{a},{o},{m}," for a, o, m in rows]
        (root / f"{name}.csv").write_text("\n".join(lines) + "\n", "utf-8")
    _ran(
        spbe_lint(
            root,
            "audit",
            "sebelum.csv",
            "--as-of",
            "2026-05-04",
            "--results",
            "sebelum.jsonl",
            "--no-progress",
        ),
        1,
    )
    _ran(
        spbe_lint(
            root,
            "audit",
            "sekarang.csv",
            "--as-of",
            AS_OF,
            "--results",
            "sekarang.jsonl",
            "--no-progress",
            "--reports",
            "laporan",
            "--dashboard",
            "dasbor.html",
            "--previous",
            "sebelum.jsonl",
        ),
        1,
    )
    made.append(Made("dasbor", root / "dasbor.html", A4_LANDSCAPE))
    return made
