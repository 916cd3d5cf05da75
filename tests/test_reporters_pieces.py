"""JSON, SARIF and JUnit rendered in pieces and written as they come (issue
18): the pieces joined are, byte for byte, the document as it was made whole
(json.dumps of the whole dict; ElementTree's whole tree), and the writer never
holds much more than a batch of them."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path

import pytest

from spbe_lint import signing
from spbe_lint.cli import writing
from spbe_lint.findings import InputProblem, Report, ScanSummary
from spbe_lint.i18n import LocalText
from spbe_lint.reporters import RenderOptions, chunks, json_, jsonparts, junit, sarif
from tests.reports import checked, copy_examples, with_extras
from tests.standards import assert_valid_junit, assert_valid_sarif


def _whole_junit(report: Report) -> str:
    """JUnit as it was rendered before it came in pieces: one whole tree."""
    root = ET.Element("testsuites", name="spbe-lint")
    rules = {rule.id: rule for rule in report.rules}
    for path, findings in junit._by_target(report):
        root.append(junit._suite(report, path, findings, rules))
    for problem in report.problems:
        root.append(junit._unreadable(report, problem))
    for key in ("tests", "failures", "errors"):
        root.set(key, str(sum(int(s.get(key, "0")) for s in root)))
    ET.indent(root)
    body = ET.tostring(root, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"


WHOLE = {
    "json": lambda r: json.dumps(json_.as_dict(r), ensure_ascii=False, indent=2) + "\n",
    "sarif": lambda r: (
        json.dumps(sarif.as_dict(r), ensure_ascii=False, indent=2) + "\n"
    ),
    "junit": _whole_junit,
}


MODULES = {"json": json_, "sarif": sarif, "junit": junit}


def _reports(workdir: Path, run) -> dict[str, Report]:
    names = copy_examples(workdir)
    report = with_extras(checked(workdir, *names))
    run("keygen", "-o", "office")
    key = signing.load_private(workdir / "office.key")
    unreadable = InputProblem(
        "zz/spbe.yaml", LocalText("rusak <&>", "broken <&>"), 3, 7, "ab" * 32
    )
    return {
        "broken, waived, probed, manual": report,
        "english, unreadable": replace(
            checked(workdir, *names, lang="en"), problems=(unreadable,)
        ),
        "signed": signing.sign(report, key),
        "endpoints and a scan": replace(
            report, endpoints=("https://a.jambikota.go.id/",), scan=ScanSummary(3)
        ),
        "nothing at all": replace(report, inputs=(), findings=(), problems=()),
        "only unreadable": replace(
            report, inputs=(), findings=(), problems=(unreadable,)
        ),
    }


@pytest.mark.parametrize("fmt", ["json", "sarif", "junit"])
def test_the_pieces_are_the_whole_documents_bytes(run, workdir: Path, fmt):
    for name, report in _reports(workdir, run).items():
        pieces = list(chunks(fmt, report, RenderOptions()))
        text = "".join(pieces)
        assert text == WHOLE[fmt](report), name
        assert text == MODULES[fmt].render(report, RenderOptions())
        if fmt == "junit":  # the head, one piece a test suite, the end
            suites = len(junit._by_target(report)) + len(report.problems)
            assert len(pieces) == (suites + 2 if suites else 1), name
        elif report.findings:  # not one string: no piece near the whole
            assert max(map(len, pieces)) < len(text) / 5, name
        if fmt == "sarif":
            assert_valid_sarif(json.loads(text))
        if fmt == "junit":
            assert_valid_junit(text)


DOCUMENTS = [  # made afresh for each use: a Lazy list is iterated once
    lambda: {},
    lambda: [],
    lambda: {"a": [], "b": {}, "c": [1, {"d": "é\n\u2028"}], "e": None},
    lambda: jsonparts.Parts({"x": jsonparts.Lazy(iter([])), "y": 1}),
    lambda: jsonparts.Parts(
        {
            "list": jsonparts.Lazy(iter([{"a": [1, 2]}, [], {}, "s", 2.5])),
            "runs": jsonparts.Lazy(
                [jsonparts.Parts({"r": jsonparts.Lazy(iter([[{"k": "ü"}]]))})]
            ),
            "empty": jsonparts.Parts({}),
        }
    ),
]


@pytest.mark.parametrize("make", DOCUMENTS)
def test_json_in_parts_is_json_dumps(make):
    expected = json.dumps(jsonparts.plain(make()), ensure_ascii=False, indent=2)
    assert "".join(jsonparts.chunks(make())) == expected + "\n"


def test_the_writer_writes_pieces_as_they_come(
    run, workdir: Path, monkeypatch: pytest.MonkeyPatch
):
    names = copy_examples(workdir)
    run("check", *names, "-f", "json", "-o", "whole.json")  # batches of 1 MiB
    monkeypatch.setattr(writing, "_BATCH", 4096)
    written: list[int] = []
    real = writing._put

    def put(text: str, stream, color: bool) -> None:
        written.append(len(text))
        real(text, stream, color)

    monkeypatch.setattr(writing, "_put", put)
    for fmt in ("json", "sarif", "junit"):
        written.clear()
        result = run("check", *names, "-f", fmt, "-o", f"a.{fmt}", "-o", f"{fmt}=-")
        assert result.status == 1
        on_disk = (workdir / f"a.{fmt}").read_text("utf-8")
        assert on_disk == result.stdout  # the file and standard output agree
        assert len(written) >= 6  # in batches, to the file and to standard output
        # A batch and at most one piece (SARIF's taxonomies: about 70 KB).
        assert max(written) < 4096 + 128 * 1024
    whole = json.loads((workdir / "whole.json").read_text("utf-8"))
    pieces = json.loads((workdir / "a.json").read_text("utf-8"))
    assert whole.pop("generated_at") and pieces.pop("generated_at")
    assert whole == pieces
