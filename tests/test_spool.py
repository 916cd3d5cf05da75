"""A whole-report run's findings and inputs spooled to a temporary file
(spbe_lint.spool, issue 18): every format byte for byte what the same run
gives with everything held, memory that does not grow with the count, and a
spool whose reader rebuilds nothing but spbe-lint's value objects."""

from __future__ import annotations

import gc
import os
import pickle
import shutil
from pathlib import Path

import pytest

from spbe_lint import spool
from spbe_lint.findings import Finding
from tests.conftest import COMPLIANT, EXAMPLES
from tests.test_streaming import nested
from tests.test_waivers import INLINE

AS_OF = "2026-03-01"
FORMATS = ("json", "sarif", "junit", "markdown", "html", "text", "concise", "github")

WAIVERS = """\
spbe-waivers: 1
waivers:
  - id: W-1
    rule: HOST-004
    scope: {app: APP-1571-2024-017}
    reason: sedang dipindah ke subdomain kota
    approver: {name: Budi, nip: "197805062005011002"}
    decision_ref: "800/1/2026"
    issued: 2026-01-05
    expires: 2026-06-30
  - id: W-2
    rule: SSO-003
    scope: {app: APP-1571-2024-017}
    reason: kedaluwarsa
    approver: {name: Budi, nip: "197805062005011002"}
    decision_ref: "800/2/2026"
    issued: 2025-01-05
    expires: 2025-06-30
  - id: W-3
    rule: GOV-005
    scope: {app: APP-9999}
    reason: tidak dipakai
    approver: {name: Budi, nip: "197805062005011002"}
    decision_ref: "800/3/2026"
    issued: 2026-01-05
    expires: 2026-06-30
"""


def tree(workdir: Path) -> None:
    """Several folders whose findings interleave, an unreadable file, a syntax
    error, inline suppressions, a waiver file and a baseline."""
    nested(workdir)
    waived = workdir / "apps" / "waived"
    shutil.copytree(EXAMPLES / "broken" / "hosting", waived)
    manifest = waived / "spbe.yaml"
    manifest.write_text(manifest.read_text("utf-8") + INLINE, "utf-8")
    (workdir / "w.yaml").write_text(WAIVERS, "utf-8")


def outputs(run, args: tuple[str, ...]) -> dict[str, bytes]:
    targets = [f"-o{fmt}=out.{fmt}" for fmt in FORMATS]
    result = run("check", *args, "--as-of", AS_OF, *targets)
    found = {fmt: Path(f"out.{fmt}").read_bytes() for fmt in FORMATS}
    found["status"] = str(result.status).encode()
    found["stderr"] = result.stderr.encode()
    return found


CASES = [
    (".",),
    (".", "--lang", "en"),
    (".", "--waivers", "w.yaml"),
    (".", "--waivers", "w.yaml", "--reviewer", "--lang", "en"),
    (".", "--baseline", "base.json", "--waivers", "w.yaml"),
    ("zz", "apps", "spbe.yaml", "apps/hosting"),  # named out of the report's order
    ("nothing-here",),
]


@pytest.mark.parametrize("args", CASES)
def test_a_spooled_report_is_the_held_reports_in_every_format(
    run, workdir: Path, monkeypatch: pytest.MonkeyPatch, args
):
    tree(workdir)
    assert run("baseline", "create", "apps/hosting", "-o", "base.json").status == 0
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1780000000")
    held = outputs(run, args)
    monkeypatch.setattr(spool, "LIMIT", 40)  # spilled at the first manifest
    monkeypatch.setattr(spool, "INPUTS", 1)  # inputs too
    monkeypatch.setattr(spool, "MAX_SEGMENTS", 2)  # and segments merged
    spilled = outputs(run, args)
    assert spilled == held
    if args != ("nothing-here",):
        assert held["json"].count(b'"fingerprint"') > 100


def test_the_spool_is_read_back_in_order_when_named_in_any_order(
    monkeypatch: pytest.MonkeyPatch,
):
    from spbe_lint import app

    monkeypatch.setattr(spool, "LIMIT", 10)
    monkeypatch.setattr(spool, "INPUTS", 1)
    monkeypatch.setattr(spool, "MAX_SEGMENTS", 3)
    report = app.check(
        app.RunOptions(
            paths=tuple(
                EXAMPLES / "broken" / name / "spbe.yaml"
                for name in ("sso", "data", "hosting", "interop", "governance")
            ),
            isolated=True,
            cwd=EXAMPLES.parent,
        )
    )
    assert isinstance(report.findings, spool.View)  # read back, not held
    found = list(report.findings)
    assert found == sorted(found, key=Finding.sort_key)
    assert len(found) == len(report.findings) > 300
    assert report.findings[3] == found[3] and report.findings[-1] == found[-1]
    assert isinstance(report.inputs, spool.View)
    assert next(iter(report.inputs)).path.endswith("sso/spbe.yaml")


def _alive(workdir: Path, count: int) -> tuple[int, int]:
    """The Finding objects alive once a *count*-manifest report is made (the
    report still held), and how many findings it has."""
    from spbe_lint import app

    for index in range(count):
        source = (
            COMPLIANT if index % 2 else EXAMPLES / "broken" / "hosting" / "spbe.yaml"
        )
        folder = workdir / f"n{count}" / f"app-{index:03d}"
        folder.mkdir(parents=True)
        shutil.copy(source, folder / "spbe.yaml")
    options = app.RunOptions(paths=(Path(f"n{count}"),), isolated=True, cwd=workdir)
    report = app.check(options)
    gc.collect()
    alive = sum(isinstance(o, Finding) for o in gc.get_objects())
    return alive, len(report.findings)


def test_memory_does_not_grow_with_the_count(
    workdir: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(spool, "LIMIT", 50)
    monkeypatch.setattr(spool, "INPUTS", 1)
    _alive(workdir, 2)  # the rule pack built, its caches warm
    few, few_findings = _alive(workdir, 4)
    many, many_findings = _alive(workdir, 16)
    assert many_findings > 3 * few_findings  # every finding of 16 is in the report...
    assert many == few  # ...and none of them is alive: they are in the spool


def _spilled() -> spool._File:
    blocks = spool._Blocks()
    blocks.block(list(range(spool.LIMIT + 1)), [])  # past the limit: a file
    assert blocks.file is not None
    return blocks.file


class _Acts:
    """A class whose unpickling would act (any class outside the value types)."""

    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (os.system, ("touch hostile",))


@pytest.mark.parametrize(
    "payload",
    [
        pickle.dumps([_Acts()]),  # os.system: never called
        pickle.dumps([spool.by_path]),  # a function of spbe-lint's own
        pickle.dumps({"not": "a list"}),
        b"\x80\x05garbage",
    ],
)
def test_a_tampered_block_is_refused_and_runs_nothing(workdir: Path, payload: bytes):
    file = _spilled()
    offset = file.end
    file.stream.write(payload)
    file.end += len(payload)
    with pytest.raises(spool.SpoolError):
        file.get((offset, len(payload)))
    assert not (workdir / "hostile").exists()


def test_a_score_is_the_same_whatever_order_the_findings_come_in():
    """scoring folds findings path by path; findings whose paths come apart
    (a report not made by a run) are folded from a table instead."""
    import random
    from dataclasses import replace

    from spbe_lint import app, scoring

    report = app.check(
        app.RunOptions(paths=(EXAMPLES,), isolated=True, cwd=EXAMPLES.parent)
    )
    shuffled = list(report.findings)
    random.Random(18).shuffle(shuffled)
    apart = replace(report, findings=tuple(shuffled))
    held, folded = scoring.score(report), scoring.score(apart)
    assert held.domains == folded.domains and held.overall == folded.overall
    assert held.indicators == folded.indicators and held.ready == folded.ready
    assert held.awaiting_probe == folded.awaiting_probe
    assert sorted(held.blocking, key=Finding.sort_key) == sorted(
        folded.blocking, key=Finding.sort_key
    )
    assert len(held.review) == len(folded.review) and held.blocking


def _at(path: str, line: int, rule: str = "HOST-004") -> Finding:
    from spbe_lint.findings import Location, Severity, Span, Status
    from spbe_lint.i18n import LocalText

    return Finding(
        rule=rule,
        domain="hosting",
        severity=Severity.ERROR,
        status=Status.FAIL,
        message=LocalText(f"baris {line}", f"line {line}"),
        location=Location(path, "/a", Span(line, 1, line, 2)),
    )


@pytest.mark.parametrize("limit", [3, 10_000])
def test_runs_sharing_a_place_are_numbered_as_the_whole_report_is(
    monkeypatch: pytest.MonkeyPatch, limit: int
):
    """A place (rule, path, pointer) in two runs (two manifests judging one
    evidence file) is numbered across them, as number_occurrences numbers it."""
    from spbe_lint.findings import number_occurrences

    monkeypatch.setattr(spool, "LIMIT", limit)
    runs = [
        [_at("b/spbe.yaml", 3), _at("a/api.yaml", 9), _at("a/api.yaml", 2)],
        [_at("a/api.yaml", 5), _at("a/spbe.yaml", 1), _at("a/api.yaml", 5)],
        [_at("c/spbe.yaml", 1, "SSO-001"), _at("a/api.yaml", 1)],
    ]
    found = spool.Findings()
    for run in runs:
        found.add(run)
    expected = number_occurrences([f for run in runs for f in run])
    assert list(found.sequence()) == expected
    assert [f.occurrence for f in expected if f.location.path == "a/api.yaml"] == [
        0,
        1,
        2,
        3,
        4,
    ]
