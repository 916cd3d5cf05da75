"""Dataset samples: read a CSV or JSON/YAML sample, hand it to frictionless
(``evidence.tables``) with its schema, and place each problem in the file.

A CSV problem is at its row and field: the line where the record starts and
the column where the cell starts (records spanning lines are counted), the
pointer ``/<record index>/<field>``. A JSON or YAML problem is at the value.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from spbe_lint.checks import identifiers
from spbe_lint.evidence import datafile
from spbe_lint.evidence.judgement import (
    Context,
    Dataset,
    Judgement,
    others,
    resource_name,
)
from spbe_lint.findings import Location, Span, Violation
from spbe_lint.i18n import LocalText, escape_controls
from spbe_lint.pointers import to_pointer

if TYPE_CHECKING:
    from spbe_lint.source import Document

_ROWS_SUFFIXES = (".json", ".yaml", ".yml")


@dataclass
class Sample:
    """A dataset's sample file, read once, with what locates its rows."""

    reference: str
    display: str
    header: list[str]
    csv: bytes | None = None  # the bytes frictionless reads
    text: str = ""
    document: Document | None = None  # JSON/YAML rows, with positions
    _starts: list[int] | None = field(default=None, repr=False)

    def header_location(self, column: int) -> Location:
        if self.document is not None:
            path = (0, self.header[column]) if column < len(self.header) else (0,)
            span = self.document.locate(path, anchor="key")
            return Location(self.display, to_pointer(path), span)
        line = self._lines()[0] if self._lines() else 1
        return Location(
            self.display, f"/header/{self.header[column]}", self._span(line, column)
        )

    def cell_location(self, row: int | None, name: str | None) -> Location:
        """Where frictionless row *row* (header = 1), field *name* is."""
        index = (row or 2) - 2  # 0-based record index
        if self.document is not None:
            path: tuple[Any, ...] = (index, name) if name else (index,)
            if index < 0:
                path = ()
            return Location(self.display, to_pointer(path), self.document.locate(path))
        starts = self._lines()
        record = index + 1  # the header is record 0
        line = starts[record] if 0 <= record < len(starts) else (row or 1)
        column = self.header.index(name) if name in self.header else None
        pointer = to_pointer((index, name) if name else (index,))
        return Location(self.display, pointer, self._span(line, column))

    def _lines(self) -> list[int]:
        """The line each CSV record starts on (worked out once, only when a
        problem must be placed)."""
        if self._starts is None:
            starts = []
            reader = csv.reader(io.StringIO(self.text))
            previous = 0
            for _ in reader:
                starts.append(previous + 1)
                previous = reader.line_num
            self._starts = starts
        return self._starts

    def _span(self, line: int, column: int | None) -> Span:
        start = 1
        if column is not None:
            text = _line(self.text, line)
            start = _cell_start(text, column)
        return Span(line, start, line, start)


def _line(text: str, number: int) -> str:
    position = 0
    for _ in range(number - 1):
        position = text.find("\n", position) + 1
        if position == 0:
            return ""
    end = text.find("\n", position)
    return text[position : end if end >= 0 else len(text)]


def _cell_start(line: str, column: int) -> int:
    """1-based character column where cell *column* starts in a CSV line."""
    quoted = False
    cell = 0
    for offset, char in enumerate(line):
        if cell == column:
            return offset + 1
        if char == '"':
            quoted = not quoted
        elif char == "," and not quoted:
            cell += 1
    return len(line) + 1 if cell == column else 1


def load(raw: datafile.Raw, reference: str) -> Sample:
    """A sample as frictionless will read it; Unreadable when it cannot be."""
    text = raw.text()
    if reference.lower().endswith(_ROWS_SUFFIXES):
        document = datafile.structured(raw, rows=True)
        rows = document.data
        first = rows[0] if rows else None
        header = [str(k) for k in first] if isinstance(first, dict) else []
        return Sample(reference, raw.display, header, text=text, document=document)
    try:
        header = next(csv.reader(io.StringIO(text)), [])
    except csv.Error as exc:
        raise datafile.Unreadable(
            LocalText(f"bukan CSV yang sah: {exc}", f"not valid CSV: {exc}"), 1
        ) from None
    return Sample(reference, raw.display, header, csv=raw.data, text=text)


# frictionless error types, said in Bahasa Indonesia (the note stays as
# frictionless writes it, in English).
_TYPES = {
    "type-error": ("tipe nilai tidak sesuai", "wrong type"),
    "constraint-error": ("melanggar batasan (constraints)", "breaks a constraint"),
    "unique-error": ("nilai harus unik", "value must be unique"),
    "primary-key": ("kunci primer berulang", "duplicate primary key"),
    "foreign-key": (
        "nilai tidak ada di kumpulan data rujukan",
        "not in the referenced dataset",
    ),
    "missing-cell": ("sel kosong/hilang", "missing cell"),
    "extra-cell": ("sel berlebih", "extra cell"),
    "blank-row": ("baris kosong", "blank row"),
    "missing-label": (
        "kolom skema tidak ada di header",
        "schema field missing from the header",
    ),
    "extra-label": (
        "kolom header tidak ada di skema",
        "header column not in the schema",
    ),
    "incorrect-label": (
        "nama kolom header tidak sesuai skema",
        "header name differs from the schema",
    ),
    "duplicate-label": ("nama kolom header berulang", "duplicate header name"),
    "blank-label": ("nama kolom header kosong", "blank header name"),
}


def reason(problem: Any) -> LocalText:
    words = _TYPES.get(problem.type, (problem.type, problem.type))
    note = escape_controls(problem.note)[:300]
    return LocalText(f"{words[0]} ({note})", f"{words[1]} ({note})")


def validate(
    context: Context,
    datasets: Sequence[tuple[Dataset, dict[str, str]]],
    result: Judgement,
    names: Mapping[str, str],
) -> None:
    """Every sample with a usable schema, validated together (foreign keys name
    the manifest's datasets: *names* maps them to frictionless's names)."""
    from spbe_lint.evidence import tables

    prepared = []
    for dataset, kinds in datasets:
        sample = dataset.table
        assert sample is not None and dataset.schema is not None
        schema, _ = tables.clean(dataset.schema.data, others(names, dataset))
        present = {
            f.get("name") for f in schema.get("fields", []) if isinstance(f, dict)
        }
        wanted = {k: v for k, v in kinds.items() if k in present}
        rows = sample.document.data if sample.document is not None else None
        prepared.append(
            tables.Table(
                resource_name(dataset.index),
                schema,
                csv=sample.csv,
                rows=rows,
                identifiers=wanted,
            )
        )
    problems = tables.validate(prepared, context.as_of, context.profile)
    for dataset, _ in datasets:
        sample = dataset.table
        assert sample is not None and dataset.sample_ref is not None
        found = problems.get(resource_name(dataset.index), [])
        for problem in found:
            location = sample.cell_location(problem.row, problem.field)
            if problem.type == "spbe-identifier":
                aspect = "region" if problem.kind == "kode_wilayah" else "identifier"
                why = identifiers.WHY.get(problem.why, identifiers.WHY["format"])
                violation = Violation(
                    params={
                        "value": problem.cell,
                        "column": problem.field,
                        "type": problem.kind,
                        "why": why,
                        "row": (problem.row or 2) - 1,
                    },
                    kind="sample-value",
                    location=location,
                )
            else:
                aspect = "sample"
                violation = Violation(
                    params={
                        "reason": reason(problem),
                        "column": problem.field or "-",
                        "row": (problem.row or 2) - 1 if problem.row else "-",
                    },
                    kind="mismatch",
                    location=location,
                )
            result.add(dataset.sample_ref, aspect, violation)
        if len(found) >= tables.LIMIT_ERRORS:
            result.add(
                dataset.sample_ref,
                "sample",
                Violation(
                    params={"limit": tables.LIMIT_ERRORS},
                    kind="too-many",
                    location=Location(sample.display),
                ),
            )
