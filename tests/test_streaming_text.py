"""The default text report written as the run goes (spbe_lint.streaming.Text):
byte for byte the whole report's text (reporters.text.render), and nothing of
a manifest kept once its lines are out (issue 18: 10,000 manifests in the
memory of one)."""

from __future__ import annotations

import gc
import shutil
from pathlib import Path

import pytest

from spbe_lint import app, streaming
from spbe_lint.findings import Finding, Location, Severity, Status
from spbe_lint.i18n import LocalText
from spbe_lint.reporters import RenderOptions, text
from tests.conftest import COMPLIANT, EXAMPLES
from tests.test_streaming import nested
from tests.test_waivers import INLINE  # one usable inline waiver, one without a reason

AS_OF = "2026-03-01"


def tree(workdir: Path) -> None:
    """Manifests in separate folders whose findings interleave in the report's
    order, two manifests in one folder, inline waivers and an unreadable file."""
    nested(workdir)
    shutil.copy(
        EXAMPLES / "broken" / "sso" / "spbe.yaml",
        workdir / "apps" / "hosting" / ".spbe.yaml",
    )
    waived = workdir / "apps" / "waived"
    shutil.copytree(EXAMPLES / "broken" / "hosting", waived)
    manifest = waived / "spbe.yaml"
    manifest.write_text(manifest.read_text("utf-8") + INLINE, "utf-8")


# Each run twice: streamed (text alone) and whole (with a JSON report beside it,
# which needs the whole report). --as-of makes the inline waiver apply.
CASES = [
    (),
    ("--as-of", AS_OF),
    ("--show", "passed,na,manual", "--as-of", AS_OF),
    ("--lang", "en", "--as-of", AS_OF),
    ("--lang", "en", "--show", "manual", "--exit-zero"),
    ("--show", "na", "--fail-on", "info", "--select", "HOST,SSO,MAN"),
    ("--color", "always", "--show", "manual", "--as-of", AS_OF),
]


@pytest.mark.parametrize("extra", CASES)
def test_streamed_text_is_the_whole_reports(run, workdir: Path, extra):
    tree(workdir)
    streamed = run("check", ".", *extra)
    whole = run("check", ".", "-o", "json=r.json", *extra)
    assert streamed.stdout == whole.stdout
    assert streamed.stderr == whole.stderr != ""  # the unreadable file, named
    assert streamed.status == whole.status == 2
    lines = streamed.stdout
    assert "apps/hosting/.spbe.yaml:" in lines and "apps/hosting/spbe.yaml:" in lines
    if "--as-of" in extra:
        assert ("waived:" in lines) and ("x-spbe-waive: 1 " in lines)
    if "passed" in extra:
        assert ": pass " in lines
    assert ("\x1b[" in lines) == ("always" in extra)


def test_a_text_file_is_the_whole_reports_and_so_without_unreadable_inputs(
    run, workdir: Path
):
    tree(workdir)
    (workdir / "apps" / "unreadable" / "spbe.yaml").unlink()
    streamed = run("check", ".", "-o", "a.txt", "--as-of", AS_OF)
    whole = run("check", ".", "-o", "b.txt", "-o", "json=r.json", "--as-of", AS_OF)
    assert streamed.status == whole.status == 1
    assert streamed.stdout == whole.stdout == ""  # -o PATH: off standard output
    text = (workdir / "a.txt").read_text("utf-8")
    assert text == (workdir / "b.txt").read_text("utf-8")
    assert "(dihitung per manifest)" in text  # failures counted by file and rule


def test_text_and_concise_in_one_streamed_run(run, workdir: Path):
    tree(workdir)
    both = run("check", ".", "-o", "concise=c.txt", "--as-of", AS_OF)
    assert (
        both.stdout == run("check", ".", "-o", "json=r.json", "--as-of", AS_OF).stdout
    )
    concise = run("check", ".", "-f", "concise", "--as-of", AS_OF).stdout
    assert (workdir / "c.txt").read_text("utf-8") == concise != ""


@pytest.mark.parametrize("lang", ["id", "en"])
def test_a_clean_manifest_and_nothing_at_all(run, workdir: Path, lang):
    shutil.copytree(EXAMPLES, workdir / "app", ignore=shutil.ignore_patterns("broken"))
    streamed = run("check", "app/spbe.yaml", "--lang", lang)
    whole = run("check", "app/spbe.yaml", "--lang", lang, "-o", "json=r.json")
    assert streamed == whole
    (workdir / "empty").mkdir()
    assert run("check", "empty", "--lang", lang) == run(
        "check", "empty", "--lang", lang, "-o", "json=r.json"
    )


def test_a_long_listing_goes_through_a_temporary_file(
    run, workdir: Path, monkeypatch: pytest.MonkeyPatch
):
    tree(workdir)
    monkeypatch.setattr(streaming, "SPOOL_LIMIT", 64)  # spilled at once, read back
    streamed = run("check", ".", "--show", "passed,na", "--as-of", AS_OF)
    whole = run(
        "check", ".", "--show", "passed,na", "--as-of", AS_OF, "-o", "json=r.json"
    )
    assert streamed.stdout == whole.stdout
    assert streamed.stdout.count(": pass ") > 100


def _alive_at_close(workdir: Path, count: int) -> tuple[int, int]:
    """Check *count* manifests (each in its folder) streamed as text with
    everything listed; the Findings alive when the summary is written, and the
    characters written."""
    for index in range(count):
        source = (
            COMPLIANT if index % 2 else EXAMPLES / "broken" / "hosting" / "spbe.yaml"
        )
        folder = workdir / f"n{count}" / f"app-{index:03d}"
        folder.mkdir(parents=True)
        shutil.copy(source, folder / "spbe.yaml")
    written: list[int] = []
    alive: list[int] = []

    def emit(text: str) -> None:
        written.append(len(text))

    class Counting(streaming.Text):
        def close(self, closing) -> None:  # type: ignore[no-untyped-def]
            gc.collect()
            alive.append(sum(isinstance(o, Finding) for o in gc.get_objects()))
            super().close(closing)

    writer = Counting(RenderOptions(width=80, show=frozenset({"passed", "na"})), emit)
    options = app.RunOptions(paths=(Path(f"n{count}"),), isolated=True, cwd=workdir)
    assert streaming.check(options, [writer], lambda problem, lang: None) == 1
    assert writer.tally.manifests == count and not writer.tally.open
    return alive[0], sum(written)


def test_nothing_of_a_manifest_is_kept_once_its_lines_are_out(workdir: Path):
    _alive_at_close(workdir, 2)  # the rule pack built, its caches warm
    few, few_written = _alive_at_close(workdir, 4)
    many, many_written = _alive_at_close(workdir, 16)
    assert many_written > 3 * few_written  # every finding of 16 was listed...
    assert many == few  # ...and none of them is alive at the end


def _failure(path: str, rule: str) -> Finding:
    return Finding(
        rule=rule,
        domain="hosting",
        severity=Severity.ERROR,
        status=Status.FAIL,
        message=LocalText("gagal", "failed"),
        location=Location(path, "/a"),
    )


def test_file_rule_pairs_are_counted_once_across_manifests_of_one_folder():
    """Two manifests in folder a/ fail one rule in one shared file: the pair is
    counted once, though the first manifest's pairs were settled before the
    second's came (the bound is the folder, not the manifest)."""
    first = [_failure("a/docs/api.yaml", "HOST-001"), _failure("a/spbe.yaml", "X-1")]
    second = [_failure("a/docs/api.yaml", "HOST-001"), _failure("a/.spbe.yaml", "X-1")]
    third = [_failure("b/spbe.yaml", "X-1"), _failure("b/spbe.yaml", "X-1")]
    whole = text.Tally()
    for finding in first + second + third:
        whole.add(finding)
    streamed = text.Tally()
    for found, bound in ((first, "a/"), (second, "b/"), (third, None)):
        for finding in found:
            streamed.add(finding)
        streamed.settle(bound)
    pairs = {(f.location.path, f.rule) for f in first + second + third}
    assert streamed.rule_pairs == whole.rule_pairs == len(pairs) == 4
    assert streamed.failures == 6 and streamed.several_paths and not streamed.open
