"""concise and github output written as the run goes (spbe_lint.streaming):
the same bytes and exit status as the whole report, and each manifest's lines
leave before the next manifest is checked (issue 18: 10,000 manifests in the
memory of one)."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path
from typing import Any

import pytest

from spbe_lint import app, streaming
from spbe_lint.reporters import REPORTERS, RenderOptions
from tests.conftest import COMPLIANT, EXAMPLES


def nested(workdir: Path) -> None:
    """Manifests whose findings interleave in the report's order: one at the
    top (its documents in docs/), others in sub-folders before and after it."""
    shutil.copy(COMPLIANT, workdir / "spbe.yaml")
    for name in ("hosting", "sso", "syntax"):
        shutil.copytree(EXAMPLES / "broken" / name, workdir / "apps" / name)
    shutil.copytree(EXAMPLES / "broken" / "data", workdir / "zz" / "data")
    (workdir / "apps" / "unreadable").mkdir()
    (workdir / "apps" / "unreadable" / "spbe.yaml").write_bytes(b"\xff\xfe")


@pytest.mark.parametrize("fmt", ["concise", "github"])
@pytest.mark.parametrize("extra", [(), ("--exit-zero",), ("--fail-on", "info")])
def test_streamed_output_is_the_whole_reports(run, workdir: Path, fmt, extra):
    nested(workdir)
    streamed = run("check", ".", "-f", fmt, *extra)
    whole = run("check", ".", "-f", "json", "-o", "r.json", *extra)  # not streamed
    rendered = run("report", "r.json", "-f", fmt)
    assert streamed.stdout == rendered.stdout != ""
    assert streamed.status == whole.status == 2  # the unreadable file
    assert streamed.stderr == whole.stderr
    (workdir / "apps" / "unreadable" / "spbe.yaml").unlink()
    assert (
        run("check", ".", "-f", fmt, *extra).status
        == run("check", ".", "-f", "json", "-o", "r.json", *extra).status
    )


def test_both_formats_and_a_file_in_one_run(run, workdir: Path):
    nested(workdir)
    result = run("check", ".", "-f", "github", "-o", "concise=c.txt")
    concise = run("check", ".", "-f", "concise").stdout
    assert (workdir / "c.txt").read_text("utf-8") == concise
    assert result.stdout == run("check", ".", "-f", "github").stdout


def test_each_manifests_lines_leave_before_the_next_is_checked(
    workdir: Path, monkeypatch: pytest.MonkeyPatch
):
    for index in range(4):
        shutil.copytree(EXAMPLES / "broken" / "hosting", workdir / f"app-{index}")
    events: list[tuple[str, str]] = []
    real = app.evaluate_manifest

    def evaluate(document: Any, *args: Any, **kwargs: Any) -> Any:
        events.append(("checked", document.path.split("/")[0]))
        return real(document, *args, **kwargs)

    def write(text: str) -> None:
        events.extend(("written", line.split("/")[0]) for line in text.splitlines())

    monkeypatch.setattr(app, "evaluate_manifest", evaluate)
    options = app.RunOptions(paths=(Path(),), isolated=True, cwd=workdir)
    concise = streaming.Lines("concise", RenderOptions(), write)
    status = streaming.check(options, [concise], lambda problem, lang: None)
    assert status == 1
    order = [e for i, e in enumerate(events) if i == 0 or e != events[i - 1]]
    assert order == [
        (kind, f"app-{index}") for index in range(4) for kind in ("checked", "written")
    ]


def test_what_needs_the_whole_run_is_not_streamed():
    options = app.RunOptions()
    assert streaming.eligible(options, ["concise", "github"], signed=False)
    assert streaming.eligible(options, ["text", "concise"], signed=False)
    assert not streaming.eligible(options, ["concise", "json"], signed=False)
    assert not streaming.eligible(options, ["text", "sarif"], signed=False)
    assert not streaming.eligible(options, ["concise"], signed=True)
    assert not streaming.eligible(
        app.RunOptions(baseline_file=Path("b.json")), ["concise"], signed=False
    )
    assert not streaming.eligible(app.RunOptions(reviewer=True), ["github"], False)


def test_a_waiver_file_makes_the_whole_report(run, workdir: Path):
    nested(workdir)
    (workdir / "apps" / "unreadable" / "spbe.yaml").unlink()
    (workdir / "spbe-waivers.yaml").write_text(
        "spbe-waivers: 1\nwaivers: []\n", "utf-8"
    )
    options = app.RunOptions(cwd=workdir)
    assert streaming.check(options, [], lambda problem, lang: None) is None
    streamed = run("check", ".", "-f", "concise")
    run("check", ".", "-f", "json", "-o", "r.json")
    assert streamed.stdout == run("report", "r.json", "-f", "concise").stdout


@pytest.mark.parametrize("fmt", sorted(streaming.LISTS))
def test_only_findings_with_lines_are_held(fmt: str):
    """A format's LISTS entry says yes exactly for the findings its reporter
    gives lines of (a no for one with lines would drop it from the output; a
    yes for one without would hold it for nothing)."""
    options = app.RunOptions(paths=(EXAMPLES,), isolated=True, cwd=EXAMPLES)
    report = app.check(options)
    render = REPORTERS[fmt]
    statuses = set()
    for finding in report.findings:
        one = dataclasses.replace(report, findings=(finding,), problems=())
        has_lines = render(one, RenderOptions()) != ""
        assert streaming.LISTS[fmt](finding) is has_lines, finding
        statuses.add((finding.status, has_lines))
    # The examples hold findings of each kind: with lines and without.
    assert {has for _, has in statuses} == {True, False}
