"""The audit as a spreadsheet: one CSV row per application.

Cells that a spreadsheet would run as a formula (starting with ``=``, ``+``,
``-``, ``@``, tab or carriage return) are prefixed with ``'``: application
titles and OPD names come from strangers' manifests (OWASP, CSV injection).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, TextIO

from spbe_lint.audit.summary import problem_text
from spbe_lint.findings import DOMAINS

COLUMNS = (
    "app",
    "title",
    "opd",
    "state",
    "verdict",
    "score",
    *(f"score_{d}" for d in DOMAINS if d != "manifest"),
    "failed_error",
    "failed_warning",
    "failed_info",
    "failing_rules",
    "waived",
    "certificate_expires",
    "problem",
    "manifest",
    "url",
    "as_of",
    "pack_version",
)


def header() -> str:
    return _csv(COLUMNS)


def line(record: Mapping[str, Any], lang: str) -> str:
    """One application's row (CRLF-terminated, as RFC 4180 and spreadsheets expect)."""
    return _csv([_safe(value) for value in _row(record, lang)])


def _csv(values: Any) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow(values)
    return buffer.getvalue()


def _row(record: Mapping[str, Any], lang: str) -> list[Any]:
    failures = record.get("failures") or ()
    severities = {s: 0 for s in ("error", "warning", "info")}
    for failure in failures:
        severities[failure["severity"]] = severities.get(failure["severity"], 0) + 1
    domains = record.get("domains") or {}
    expiries = sorted(c["not_after"][:10] for c in record.get("certificates") or ())
    return [
        record["app"],
        record.get("title") or "",
        record.get("opd") or "",
        record["state"],
        record.get("verdict") if record["state"] == "checked" else "",
        _number(record.get("score")),
        *(_number(domains.get(d)) for d in DOMAINS if d != "manifest"),
        severities["error"],
        severities["warning"],
        severities["info"],
        " ".join(sorted({f["rule"] for f in failures})),
        " ".join(sorted({w["rule"] for w in record.get("waived") or ()})),
        expiries[0] if expiries else "",
        problem_text(record, lang) or "",
        record.get("manifest") or "",
        record.get("url") or "",
        record.get("as_of") or "",
        (record.get("pack") or {}).get("version", ""),
    ]


def _number(value: Any) -> str:
    return "" if value is None else f"{value:g}"


def _safe(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def tee(
    records: Iterable[Mapping[str, Any]], stream: TextIO, lang: str
) -> Iterator[Mapping[str, Any]]:
    """The records, each also written to *stream* as a CSV row (after the header)
    on its way to the summary: the results file is read once."""
    stream.write(header())
    for record in records:
        stream.write(line(record, lang))
        yield record
