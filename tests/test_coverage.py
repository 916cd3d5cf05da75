"""The catalogue, honestly counted: ``rules coverage`` and the effective dates."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import ROOT, edit

# regulations.md section 2: "Counts: HOST 9 · SSO 7 · DATA 14 · INT 6 · SEC 12 ·
# HAND 11 · GOV 10" (69 requirements).
CATALOGUE = {
    "hosting": 9,
    "sso": 7,
    "data": 14,
    "interop": 6,
    "security": 12,
    "handover": 11,
    "governance": 10,
}
# Judgements added beyond the catalogue (issue 16: dataset schemas, samples and
# metadata): DATA-015 to DATA-018.
BEYOND = {"data": 4, "interop": 1}
PREFIX = {
    "hosting": "HOST",
    "sso": "SSO",
    "data": "DATA",
    "interop": "INT",
    "security": "SEC",
    "handover": "HAND",
    "governance": "GOV",
}


def test_every_catalogue_requirement_is_a_rule(run):
    report = run("rules", "coverage", "--format", "json").json()
    files = sorted(p.stem for p in (ROOT / "rules").glob("*-*.yaml"))
    listed = sorted(r["id"] for d in report["domains"] for r in d["rules"])
    from spbe_lint import rulepack

    serving = {r.id for r in rulepack.load_pack().rules if r.serves}
    assert "SEC-013" in serving  # the declaration side of SEC-012
    assert listed == [
        f for f in files if not f.startswith(("MAN-", "PRB-")) and f not in serving
    ]
    # probe rules serve a requirement: not counted, but its probe part
    probe_rules = [f for f in files if f.startswith("PRB-")]
    assert report["probe_rules"] == len(probe_rules) >= 10
    parts = {r["id"]: r["probe_rules"] for d in report["domains"] for r in d["rules"]}
    assert parts["HOST-004"] == ["PRB-001"]
    assert parts["SSO-001"] == ["PRB-004"]
    assert sorted(p for served in parts.values() for p in served) == probe_rules
    assert report["with_probe_part"] == sum(1 for served in parts.values() if served)
    assert sum(CATALOGUE.values()) == 69
    assert report["total"]["rules"] == 69 + sum(BEYOND.values())  # PRB not counted
    assert report["manifest_rules"] == len([f for f in files if f.startswith("MAN-")])
    for entry in report["domains"]:
        domain = entry["domain"]
        count = CATALOGUE[domain] + BEYOND.get(domain, 0)
        assert entry["counts"]["rules"] == count, domain
        ids = [r["id"] for r in entry["rules"]]
        expected = [f"{PREFIX[domain]}-{n:03d}" for n in range(1, count + 1)]
        assert ids == expected
        counts = entry["counts"]
        assert (
            counts["static"] + counts["document"] + counts["probe"] == counts["rules"]
        )
        assert entry["articles"], domain
    total = report["total"]
    assert total["probe"] >= 4 and total["document"] >= 8 and total["static"] >= 45


def test_coverage_text_shows_the_table_in_both_languages(run):
    text = run("rules", "coverage").stdout
    assert text.startswith("Cakupan paket spbe-kota-jambi")
    assert "74 persyaratan sebagai aturan" in text
    row = next(line for line in text.splitlines() if line.startswith("total"))
    assert row.split()[1] == "74"
    english = run("rules", "coverage", "--lang", "en").stdout
    assert "74 requirements as rules" in english
    assert "articles cited: " in english
    assert "SEC-001(p)" in english and "HAND-004(d)" in english
    assert "HOST-004(s+p)" in english and "INT-002(d+p)" in english
    assert "requirements also have a probe part (+p), checked by" in english


def test_rules_list_shows_at_least_65_rules_across_seven_domains(run):
    report = run("rules", "list", "--format", "json").json()
    rules = [r for r in report["rules"] if r["domain"] != "manifest"]
    assert len(rules) >= 65
    assert {r["domain"] for r in rules} == set(CATALOGUE)
    endpoint = [r["id"] for r in rules if r["target"] == "endpoint"]
    assert endpoint[-4:] == ["SEC-001", "SEC-002", "SEC-003", "SEC-004"]
    assert all(r.startswith(("PRB-", "SEC-")) for r in endpoint)


def test_endpoint_rules_are_never_passed_by_a_static_check(run, compliant: Path):
    report = run("check", "--format", "json", "--select", "SEC").json()
    for finding in report["findings"]:
        if finding["rule"] in ("SEC-001", "SEC-002", "SEC-003", "SEC-004"):
            assert finding["status"] == "inconclusive"
            assert "spbe-lint probe" in finding["message_i18n"]["en"]
            assert finding["location"]["pointer"] == "/endpoints/url"
    # People's reports say that the probe has not run, with how many rules wait.
    pack = run("rules", "list", "--format", "json").json()["rules"]
    awaiting = sum(1 for r in pack if r["target"] == "endpoint")
    waiting = f"{awaiting} endpoint rule(s) not judged yet (TLS, headers, SSO"
    for fmt in ("markdown", "html"):
        assert waiting in run("check", "--format", fmt, "--lang", "en").stdout, fmt
    explained = run("rules", "explain", "SEC-001", "--lang", "en").stdout
    assert "Judged on the running application (spbe-lint probe): tls-chain" in explained


def test_as_of_moves_effective_dates_and_age_limits(run, compliant: Path):
    def status(rule: str, *args: str) -> set[str]:
        report = run("check", "--format", "json", "--select", rule, *args).json()
        return {f["status"] for f in report["findings"] if f["rule"] == rule}

    # UU PDP obligations apply after the two-year transition (Pasal 74).
    assert status("DATA-005", "--as-of", "2024-10-16") == {"not_applicable"}
    assert status("DATA-005", "--as-of", "2024-10-17") == {"pass"}
    report = run(
        "check", "--format", "json", "--select", "DATA-005", "--as-of", "2024-01-01"
    ).json()
    (finding,) = [f for f in report["findings"] if f["rule"] == "DATA-005"]
    assert finding["message_i18n"]["en"] == (
        "not yet in force on 2024-01-01: this rule applies from 2024-10-17"
    )
    assert report["settings"]["as_of"] == "2024-01-01"
    # The pentest of 2026-05-20 counts for 12 months: replay a late handover.
    assert status("SEC-006", "--as-of", "2026-11-28") == {"pass"}
    assert status("SEC-006", "--as-of", "2027-05-21") == {"fail"}
    edit(compliant, "date: 2026-05-20", "date: 2027-01-01")
    assert status("SEC-006", "--as-of", "2026-11-28") == {"fail"}  # a future test


def test_as_of_must_be_a_date(run, compliant: Path):
    result = run("check", "--as-of", "28-11-2026", "--lang", "en")
    assert result.status == 2
    assert "'28-11-2026' does not match the format '%Y-%m-%d'" in result.stderr
    # in Bahasa Indonesia (the default), click's usage error is too
    result = run("check", "--as-of", "28-11-2026")
    assert result.status == 2
    assert "Kesalahan: Nilai tidak sah untuk '--as-of': '28-11-2026' tidak sesuai" in (
        result.stderr
    )


def test_documents_mode_is_chosen_on_the_command_line(run, compliant: Path):
    def statuses(*args: str) -> list[str]:
        report = run("check", "--format", "json", "--select", "HAND-004", *args).json()
        return [f["status"] for f in report["findings"] if f["rule"] == "HAND-004"]

    assert statuses() == ["pass"]  # the repository holds its documents
    (compliant.parent / "docs" / "analisis-kebutuhan.pdf").unlink()
    assert statuses() == ["fail"]
    assert statuses("--documents", "manual") == ["manual"] * 4


def test_serves_must_name_a_rule_of_the_pack(run, tmp_path: Path):
    import shutil

    pack = tmp_path / "pack"
    shutil.copytree(ROOT / "rules", pack)
    edit(pack / "PRB-001.yaml", "serves: HOST-004", "serves: HOST-099")
    result = run("rules", "list", "--rules", str(pack), "--lang", "en")
    assert result.status == 2
    assert result.stderr.endswith(
        "PRB-001.yaml:6:9: serves: no rule 'HOST-099' in this pack\n"
    )
    edit(pack / "PRB-001.yaml", "serves: HOST-099", "serves: HOST-004")
    edit(pack / "PRB-001.yaml", "probe: [final-host]", "probe: [final-hots]")
    result = run("rules", "list", "--rules", str(pack), "--lang", "en")
    assert result.status == 2
    assert "unknown probe check 'final-hots'; available: tls-chain" in result.stderr
