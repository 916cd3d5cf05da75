"""The dashboard against an earlier audit (``audit --previous``), its heat map
and its links to each application's report, through the real command."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from spbe_lint.audit import summary, trend
from tests.conftest import edit, submission

KESEHATAN = "Dinas Kesehatan"


def _inventory(workdir: Path, name: str, rows: list[tuple[str, str, str]]) -> str:
    lines = ["id,opd,manifest,url"] + [f"{a},{o},{m}," for a, o, m in rows]
    (workdir / f"{name}.csv").write_text("\n".join(lines) + "\n", "utf-8")
    return f"{name}.csv"


@pytest.fixture
def audits(run, workdir: Path) -> Path:
    """An earlier audit (APP-A failing, APP-B ready, APP-GONE) and this one (APP-A
    fixed, APP-B broken by a host outside the city, APP-NEW)."""
    submission(workdir / "ok")
    failing = submission(workdir / "failing")
    edit(failing, "fqdn: sipelita.jambikota.go.id", "fqdn: pajak.example.com")
    before = _inventory(
        workdir,
        "before",
        [
            ("APP-A", KESEHATAN, "failing"),
            ("APP-B", "Dinas Pendidikan", "ok"),
            ("APP-GONE", "Dinas Sosial", "ok"),
        ],
    )
    after = _inventory(
        workdir,
        "after",
        [
            ("APP-A", KESEHATAN, "ok"),
            ("APP-B", "Dinas Pendidikan", "failing"),
            ("APP-NEW", "Dinas Sosial", "ok"),
        ],
    )
    result = run("audit", before, "--results", "before.jsonl", "--no-progress")
    assert result.status == 1, result.stderr
    result = run(
        "audit",
        after,
        "--results",
        "after.jsonl",
        "--no-progress",
        "--lang",
        "en",
        "--dashboard",
        "audit.html",
        "--previous",
        "before.jsonl",
        "--reports",
        "reports",
    )
    assert result.status == 1, result.stderr
    return workdir / "audit.html"


def _section(page: str, id_: str) -> str:
    return page.split(f'<section id="{id_}">')[1].split("</section>", maxsplit=1)[0]


def test_the_dashboard_shows_what_changed_since_the_earlier_audit(audits: Path):
    page = html.unescape(audits.read_text("utf-8"))
    changes = _section(page, "trend")
    assert "Earlier audit: before.jsonl, judged as of 2026-11-28" in changes
    tiles = dict(
        re.findall(r'<div class="tile[^"]*">([^<]+)<strong>([^<]+)</strong>', changes)
    )
    assert tiles == {
        "Regressed": "1",
        "Improved": "1",
        "New": "1",
        "Gone": "1",
        "City mean score": tiles["City mean score"],
    }
    rows = re.findall(
        r"<tr><td><span class=\"id\">([^<]+)</span>.*?</tr>", changes, re.S
    )
    assert rows == ["APP-B", "APP-A", "APP-NEW", "APP-GONE"]  # regressions first
    assert re.search(r"APP-B.*Regressed.*ready → not ready.*100%.*▼", changes, re.S)
    assert re.search(r"APP-A.*Improved.*not ready → ready.*▲", changes, re.S)
    # Each OPD's score change: Dinas Kesehatan rose to 100%.
    opd = _section(page, "opd")
    kesehatan = opd.split(f"<td>{KESEHATAN}</td>")[1].split("</tr>")[0]
    assert "100%" in kesehatan and "▲ +" in kesehatan


def test_the_dashboard_has_a_heat_map_and_links_to_each_report(audits: Path):
    page = audits.read_text("utf-8")
    heat = _section(page, "heatmap")
    cells = re.findall(r'<td class="cell" style="background: (#[0-9a-f]{6})">', heat)
    assert len(cells) == 4 * 7  # three OPDs and the city, seven domains
    assert "#c4e6c8" in cells  # 100%: green
    links = re.findall(r'<a class="id" href="([^"]+)"', page)
    assert sorted(links) == [
        "reports/APP-A.html",
        "reports/APP-B.html",
        "reports/APP-NEW.html",
    ]
    for link in links:
        assert (audits.parent / link).is_file()
    # The most common failures cite the law only (reporters.basis).
    failures = html.unescape(_section(page, "failures"))
    assert "HOST-004" in failures and "Permenkominfo 4/2024 Pasal 29" in failures
    for note in ("not read", "secondary source", "analogy"):
        assert note not in failures, note


def test_from_results_links_reports_found_in_the_reports_folder(run, audits: Path):
    result = run(
        "audit",
        "--from-results",
        "after.jsonl",
        "--dashboard",
        "out/kota.html",
        "--previous",
        "before.jsonl",
        "--reports",
        "reports",
    )
    assert result.status == 1, result.stderr
    page = (audits.parent / "out" / "kota.html").read_text("utf-8")
    assert '<a class="id" href="../reports/APP-A.html"' in page  # relative to the page
    assert '<section id="trend">' in page


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("not json\n", "before.jsonl:1: not a spbe-lint audit record"),
        (
            '{"record": "spbe-lint-audit/1", "kind": "application", "app": "A"}\n',
            "before.jsonl: not a spbe-lint audit results file: no run record",
        ),
        ("", "before.jsonl: not a spbe-lint audit results file: no run record"),
    ],
)
def test_a_broken_previous_file_is_one_line_and_exit_2(
    run, workdir: Path, content: str, message: str
):
    submission(workdir / "ok")
    (workdir / "before.jsonl").write_text(content, "utf-8")
    inventory = _inventory(workdir, "after", [("APP-A", KESEHATAN, "ok")])
    result = run(
        "audit",
        inventory,
        "--lang",
        "en",
        "--dashboard",
        "audit.html",
        "--previous",
        "before.jsonl",
    )
    assert result.status == 2
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert result.stderr.startswith(message), result.stderr
    assert not (workdir / "spbe-audit.jsonl").exists()  # refused before any work


def test_previous_needs_the_dashboard(run, workdir: Path):
    (workdir / "before.jsonl").write_text("", "utf-8")
    result = run("audit", "x.csv", "--previous", "before.jsonl")
    assert result.status == 2
    assert "--previous compares in the dashboard: give --dashboard" in result.stderr


def _row(app: str, opd: str, verdict: str, score: float | None, state: str = "checked"):
    return summary.Row(app, None, opd, state, verdict, score, 0, 0, 0, None)


def _summary(*rows: summary.Row) -> summary.Summary:
    records = [
        {
            "app": r.app,
            "opd": r.opd,
            "state": r.state,
            "verdict": r.verdict,
            "score": r.score,
            "domains": {},
        }
        for r in rows
    ]
    return summary.summarise([{"as_of": "2026-06-01"}], records, "id")


def test_compare_ranks_verdicts_before_scores():
    before = _summary(
        _row("up", "X", "not_ready", 90.0),
        _row("down", "X", "ready", 90.0),
        _row("same", "Y", "not_ready", 50.0),
        _row("mended", "Y", "not_ready", 0.0, state="broken"),
        _row("lower", "Y", "not_ready", 70.0),
    )
    after = _summary(
        _row("up", "X", "ready", 85.0),  # verdict rose, score fell: improved
        _row("down", "X", "not_ready", 95.0),
        _row("same", "Y", "not_ready", 50.04),  # same to one decimal
        _row("mended", "Y", "not_ready", 10.0),
        _row("lower", "Y", "not_ready", 60.0),
    )
    found = trend.compare(before, after, "before.jsonl")
    kinds = {c.app: c.kind for c in found.applications}
    assert kinds == {
        "up": "improved",
        "down": "regressed",
        "same": "unchanged",
        "mended": "improved",
        "lower": "regressed",
    }
    assert found.as_of is not None and found.as_of.isoformat() == "2026-06-01"
    x = next(o for o in found.opds if o.name == "X")
    assert (x.before, x.after, x.delta) == (90.0, 90.0, 0.0)
