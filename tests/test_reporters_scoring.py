"""Scores, the verdict, SPBE indicators, and the Markdown summary."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path

from spbe_lint import rulepack, scoring
from spbe_lint.findings import Report, Severity, Status, Waiver
from spbe_lint.reporters import REPORTERS, RenderOptions, json_
from tests.conftest import ROOT, assert_valid_report
from tests.reports import checked, copy_examples, with_extras
from tests.standards import assert_golden


def test_a_compliant_manifest_is_ready_with_full_marks(workdir: Path, compliant):
    result = scoring.score(checked(workdir, "spbe.yaml"))
    assert result.ready
    assert result.overall.percent == 100.0
    assert result.verdict.id == "siap serah terima"
    assert not result.blocking


def _one_error_failing(workdir: Path) -> Report:
    """The compliant example with one error-severity rule failing: the score
    stays high (the pack has far more weight than one rule), yet it blocks."""
    report = checked(workdir, "spbe.yaml")
    index = next(
        i
        for i, f in enumerate(report.findings)
        if f.status is Status.PASS
        and f.severity is Severity.ERROR
        and f.domain == "hosting"
    )
    findings = list(report.findings)
    findings[index] = replace(findings[index], status=Status.FAIL)
    return replace(report, findings=tuple(findings))


def test_an_error_failure_caps_the_verdict_whatever_the_score(workdir, compliant):
    result = scoring.score(_one_error_failing(workdir))
    assert result.overall.percent is not None
    assert result.overall.percent >= result.ready_at
    assert not result.ready
    assert len(result.blocking) == 1
    assert result.verdict.en == "not ready"


def _oracle(findings: list[dict]) -> dict[str, tuple[int, int]]:
    """The README's formula, written again from the JSON: domain -> (earned, possible)."""
    weights = {"error": 3, "warning": 2, "info": 1}
    per_rule: dict[tuple[str, str], tuple[str, str, set[str]]] = {}
    for f in findings:
        key = (f["location"]["path"], f["rule"])
        per_rule.setdefault(key, (f["domain"], f["severity"], set()))[2].add(
            f["status"]
        )
    totals: dict[str, tuple[int, int]] = {}
    for domain, severity, statuses in per_rule.values():
        earned, possible = totals.get(domain, (0, 0))
        if "fail" in statuses:
            possible += weights[severity]
        elif statuses == {"pass"}:
            earned, possible = earned + weights[severity], possible + weights[severity]
        totals[domain] = (earned, possible)
    return totals


def test_the_score_follows_the_documented_formula(run, workdir: Path):
    names = copy_examples(workdir)
    report = run("check", *names, "-f", "json").json()
    expected = _oracle(report["findings"])
    for domain, tally in report["score"]["domains"].items():
        earned, possible = expected[domain]
        assert (tally["weight_passed"], tally["weight_applicable"]) == (
            earned,
            possible,
        )
        assert tally["score"] == (
            round(100 * earned / possible, 1) if possible else None
        )
    earned = sum(e for d, (e, _) in expected.items() if d != "manifest")
    possible = sum(p for d, (_, p) in expected.items() if d != "manifest")
    assert report["score"]["overall"]["score"] == round(100 * earned / possible, 1)


def test_a_rule_counts_once_per_manifest(workdir: Path):
    copy_examples(workdir, ("hosting",))
    report = checked(workdir, "hosting")
    host_004 = [f for f in report.findings if f.rule == "HOST-004"]
    assert [f.status for f in host_004] == [Status.FAIL, Status.FAIL]
    hosting = dict(scoring.score(report).domains)["hosting"]
    failing_rules = {f.rule for f in report.failures if f.domain == "hosting"}
    assert hosting.failed == len(failing_rules)


def test_warnings_alone_can_keep_the_score_below_the_threshold(
    workdir: Path, compliant
):
    report = checked(workdir, "spbe.yaml")
    lowered = tuple(
        replace(f, status=Status.FAIL, severity=Severity.WARNING)
        if f.domain in ("hosting", "sso", "data", "interop")
        else f
        for f in report.findings
    )
    result = scoring.score(replace(report, findings=lowered))
    assert not result.blocking
    assert result.overall.percent is not None and result.overall.percent < 80
    assert not result.ready


def test_review_and_not_applicable_results_are_left_out_and_listed(workdir: Path):
    copy_examples(workdir, ("hosting",))
    report = with_extras(checked(workdir, "hosting"))
    result = scoring.score(report)
    (manual,) = [f for f in report.findings if f.status is Status.MANUAL]
    assert result.review == (manual,)
    tally = dict(result.domains)[manual.domain]
    assert tally.review == 1
    assert tally.possible == 0 or tally.passed + tally.failed < 1 + tally.passed


def test_a_waived_error_does_not_block_but_earns_nothing(workdir: Path, compliant):
    report = _one_error_failing(workdir)
    waived = tuple(
        replace(f, waiver=Waiver("W-1", "approved")) if f.status is Status.FAIL else f
        for f in report.findings
    )
    result = scoring.score(replace(report, findings=waived))
    assert not result.blocking
    assert result.overall.percent == scoring.score(report).overall.percent < 100
    assert result.ready


def test_an_unreadable_file_is_never_ready(run, workdir: Path, compliant):
    (workdir / "broken").mkdir()
    (workdir / "broken" / "spbe.yaml").write_bytes(b"\xff")
    report = run("check", ".", "-f", "json").json()
    assert report["score"]["verdict"] == "not_ready"
    assert report["score"]["overall"]["score"] == 100.0


def test_nothing_checked_is_not_ready(workdir: Path, compliant):
    report = checked(workdir, "spbe.yaml")
    result = scoring.score(replace(report, inputs=(), findings=()))
    assert result.overall.percent is None
    assert not result.ready


def test_indicators_follow_the_rules_mapped_to_them(workdir: Path):
    copy_examples(workdir, ("hosting",))
    result = scoring.score(checked(workdir, "hosting"))
    states = {r.indicator.number: r for r in result.indicators}
    assert states[5].state == states[16].state == "not_supported"
    assert states[5].failed == ("HOST-004",)
    assert states[7].state == "supported" and states[7].rules == ("INT-001",)


def test_the_pack_maps_rules_as_the_catalogue_says():
    evaluation = rulepack.load_pack().evaluation
    assert evaluation is not None
    assert evaluation.regulation == "PermenPANRB 59/2020"
    assert evaluation.indicators_for("HOST-001") == (5, 16)
    assert evaluation.indicators_for("INT-001") == (7, 18)
    assert evaluation.indicators_for("HAND-003") == (4, 15)
    assert evaluation.indicators_for("SEC-002") == (8, 22, 31)
    assert evaluation.indicators_for("DATA-012") == (3, 23, 43)
    assert evaluation.indicators_for("DATA-005") == ()
    assert evaluation.indicators_for("INT-004") == (37, 42)
    assert evaluation.indicators_for("GOV-010") == (4, 15, 28, 42)
    defined = {i.number for i in evaluation.indicators}
    assert {n for _, numbers in evaluation.mapping for n in numbers} <= defined


def test_a_pack_without_evaluation_scores_with_the_defaults(tmp_path: Path):
    import shutil

    pack = tmp_path / "pack"
    shutil.copytree(ROOT / "rules", pack)
    text = (pack / "pack.yaml").read_text("utf-8")
    (pack / "pack.yaml").write_text(
        text.split("\n# SPBE evaluation")[0] + "\n", "utf-8"
    )
    assert rulepack.load_pack(pack).evaluation is None
    assert scoring.DEFAULT_EVALUATION.weight(Severity.ERROR) == 3


def test_a_bad_evaluation_section_is_a_rule_pack_error(run, tmp_path: Path, compliant):
    import shutil

    pack = tmp_path / "pack"
    shutil.copytree(ROOT / "rules", pack)
    text = (pack / "pack.yaml").read_text("utf-8")
    (pack / "pack.yaml").write_text(text.replace("rules: [INT-004]", "rules: [int4]"))
    result = run("check", "--rules", str(pack), "--lang", "en")
    assert result.status == 2
    assert result.stderr.startswith("pack/pack.yaml:")
    assert "evaluation.mapping[5].rules[0]: wrong format" in result.stderr


def test_the_json_report_carries_the_score_and_formula(run, workdir: Path):
    copy_examples(workdir, ("hosting",))
    report = run("check", "hosting", "-f", "json").json()
    score = report["score"]
    assert score["verdict"] == "not_ready"
    assert score["verdict_i18n"] == {"id": "belum siap", "en": "not ready"}
    assert score["domains"]["hosting"]["failed"] >= 1
    assert "Σ" in score["formula"]["id"] and "Σ" in score["formula"]["en"]
    assert "error 3, warning 2, info 1" in score["formula"]["en"]
    failing_errors = [
        f["fingerprint"]
        for f in report["findings"]
        if f["status"] == "fail" and f["severity"] == "error"
    ]
    assert score["blocking"] == failing_errors


# --- Markdown ---


def test_markdown_summary_is_stable(run, workdir: Path):
    names = copy_examples(workdir, ("hosting",))
    result = run("check", *names, "--format", "markdown")
    assert result.status == 1
    assert_golden("hosting.md", result.stdout)


def test_markdown_in_english(run, workdir: Path):
    names = copy_examples(workdir, ("hosting", "sso"))
    text = run("check", *names, "--format", "markdown", "--lang", "en").stdout
    assert text.startswith("## SPBE compliance report: Sistem Informasi")
    assert "**Verdict: not ready**" in text
    assert text.count("Sistem Informasi Pelayanan Perizinan Terpadu") == 1
    assert re.search(r"^\| Hosting \| [0-9.]+% \| [0-9]+ \| [1-9][0-9]* \|", text, re.M)
    assert "`HOST-004`" in text and "`SSO-001`" in text
    assert "How the score is computed" in text


def test_markdown_escapes_what_came_from_input(workdir: Path):
    names = copy_examples(workdir, ("hosting",))
    report = with_extras(checked(workdir, *names))
    findings = list(report.findings)
    index = next(
        i for i, f in enumerate(findings) if f.status is Status.FAIL and not f.waiver
    )
    from spbe_lint.i18n import LocalText

    findings[index] = replace(
        findings[index],
        message=LocalText("a | b <img src=x onerror=alert(1)> [x](http://e) *y*", "x"),
    )
    text = REPORTERS["markdown"](
        replace(report, findings=tuple(findings)), RenderOptions()
    )
    assert "<img" not in text and "<script>" not in text
    assert (
        "a \\| b &lt;img src=x onerror=alert(1)&gt; \\[x\\](http://e) \\*y\\*" in text
    )
    rows = [line for line in text.splitlines() if line.startswith("| kesalahan |")]
    assert rows and all(line.count(" | ") == 4 for line in rows)
    assert "W\\-2026" not in text and "W-2026-001" in text  # the waiver table


def test_every_format_renders_a_report_with_every_status(workdir: Path):
    names = copy_examples(workdir)
    report = with_extras(checked(workdir, *names))
    for fmt, render in REPORTERS.items():
        assert render(report, RenderOptions()), fmt
    assert_valid_report(json.loads(REPORTERS["json"](report, RenderOptions())))
    rebuilt = json_.from_dict(json.loads(REPORTERS["json"](report, RenderOptions())))
    assert REPORTERS["markdown"](rebuilt, RenderOptions()) == REPORTERS["markdown"](
        report, RenderOptions()
    )


def test_the_cli_offers_every_reporter():
    from spbe_lint.cli import FORMATS

    assert set(FORMATS) == set(REPORTERS)
