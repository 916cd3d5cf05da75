"""Read a saved JSON report back (``spbe-lint report``, ``spbe-lint verify``).

Anything wrong with the file is one InputError naming it: not readable, not
JSON, not a report of a version this spbe-lint reads, not valid against
``schemas/report.schema.json``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from spbe_lint import reading, resources, schema
from spbe_lint.errors import InputError
from spbe_lint.i18n import LocalText, escape_controls

MAX_BYTES = 64 * 1024 * 1024  # a report of thousands of manifests stays far below


def read(path: Path) -> dict[str, Any]:
    """The report's data, validated; an InputError for anything else."""
    display = path.as_posix()
    _, _, data = reading.read_json(
        path, display, MAX_BYTES, LocalText("laporan", "the report")
    )
    check(data, display)
    return data


def check(data: Any, display: str) -> None:
    """Refuse what is not a JSON report this spbe-lint can read."""
    from spbe_lint.reporters.json_ import READS, REPORT_VERSION

    if not isinstance(data, dict) or "report_version" not in data:
        raise InputError(
            LocalText(
                "bukan laporan JSON spbe-lint (tidak ada report_version)",
                "not an spbe-lint JSON report (no report_version)",
            ),
            path=display,
        )
    version = data["report_version"]
    if version not in READS:
        raise InputError(
            LocalText(
                f"report_version {version!r} tidak didukung; spbe-lint ini membaca "
                f"{REPORT_VERSION} (jalankan ulang spbe-lint check)",
                f"report_version {version!r} is not supported; this spbe-lint reads "
                f"{REPORT_VERSION} (run spbe-lint check again)",
            ),
            path=display,
        )
    validator = schema.compile_schema(resources.schema("report"))
    errors = sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path))
    if errors:
        first = errors[0]
        where = "/" + "/".join(str(p) for p in first.absolute_path)
        detail = escape_controls(first.message)
        detail = detail if len(detail) <= 200 else detail[:199] + "…"
        raise InputError(
            LocalText(
                f"bukan laporan JSON spbe-lint yang sah: {where}: {detail}",
                f"not a valid spbe-lint JSON report: {where}: {detail}",
            ),
            path=display,
        )
